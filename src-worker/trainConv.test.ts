// A conv run through the worker's train() entry, as the Workbench queues it, down to the weight mosaic.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../src-shared/config'
import { visualizeGrid } from '../src-shared/mosaic'
import { meanImage } from './data/prepare'
import { sharedBytes, type RawDataset } from './data/types'
import { ThreeLayerConvNet } from './engine'
import { mosaicWeights, train, type WorkerMessage } from './train'

/** uint8 images whose label shows in their mean brightness, so a small conv net can learn them. */
function synthetic(n: number, shape: [number, number, number], seed: number) {
  const D = shape[0] * shape[1] * shape[2]
  const images = sharedBytes(n * D)
  const labels = sharedBytes(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3
    for (let j = 0; j < D; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      images[i * D + j] = (labels[i]! * 80 + (s >>> 26)) % 256
    }
  }
  return { images, labels, count: n }
}

describe('three-layer-conv runs', () => {
  it('validates the config with defaults and field errors', () => {
    const base = { name: 'conv', dataset: { name: 'tiny' } }
    const ok = parseRunConfig({ ...base, model: { kind: 'three-layer-conv' } })
    expect(ok.ok && ok.value.model).toEqual({
      kind: 'three-layer-conv',
      numFilters: 32,
      filterSize: 7,
      hiddenDim: 100,
      weightScale: 1e-3,
      reg: 0,
    })
    const bad = parseRunConfig({ ...base, model: { kind: 'three-layer-conv', filterSize: 0, stride: 2 } })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.errors.map((e) => e.path).sort()).toEqual(['model', 'model.filterSize'])
  })

  it('trains through train() and snapshots W1 as (C*HH*WW, F) filter tiles for the mosaic', () => {
    const shape: [number, number, number] = [3, 8, 8]
    const raw: RawDataset = {
      format: 'idx',
      shape,
      classNames: ['a', 'b', 'c'],
      train: synthetic(120, shape, 1),
      test: synthetic(30, shape, 2),
      files: [],
    }
    const parsed = parseRunConfig({
      name: 'tiny conv',
      dataset: { name: 'tiny', numTraining: 100, numValidation: 20, numTest: 30 },
      model: { kind: 'three-layer-conv', numFilters: 4, filterSize: 3, hiddenDim: 16, weightScale: 1e-2 },
      solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 20, numEpochs: 3 },
    })
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const { port1, port2 } = new MessageChannel()
    const outcome = train({
      runId: 'r1',
      config: { ...parsed.value, seed: 7 },
      raw,
      mean: meanImage(raw.train.images, 100, 192),
      port: port1,
      resume: null,
    })
    const messages: WorkerMessage[] = []
    for (let m = receiveMessageOnPort(port2); m; m = receiveMessageOnPort(port2)) {
      messages.push(m.message as WorkerMessage)
    }
    port1.close()
    expect(outcome.status).toBe('completed')
    if (outcome.status === 'completed') expect(outcome.result.bestValAcc).toBeGreaterThan(0.6)
    const snaps = messages.filter((m) => m.type === 'snapshot')
    expect(snaps.length).toBeGreaterThanOrEqual(2)
    const last = snaps.at(-1)!
    if (last.type !== 'snapshot') throw new Error('unreachable')
    expect(last.shape).toEqual([3, 3, 3])
    expect(last.W1.shape).toEqual([27, 4])
    // The mosaic: 4 filters in a 2 x 2 grid of 3x3 tiles with 1 pixel of padding.
    const img = visualizeGrid(last.W1.data, last.shape, last.W1.shape[1]!)
    expect([img.width, img.height]).toEqual([7, 7])
  })

  it('mosaicWeights transposes conv filters and passes fully connected W1 through', () => {
    const model = new ThreeLayerConvNet({
      inputDim: [2, 6, 6],
      numFilters: 5,
      filterSize: 3,
      hiddenDim: 4,
      seed: 1,
    })
    const { W1, shape } = mosaicWeights(model, [2, 6, 6])
    expect(shape).toEqual([2, 3, 3])
    expect(W1.shape).toEqual([18, 5])
    const src = model.params['W1']!.data
    for (let f = 0; f < 5; f++) for (let d = 0; d < 18; d++) expect(W1.data[d * 5 + f]).toBe(src[f * 18 + d])
  })
})
