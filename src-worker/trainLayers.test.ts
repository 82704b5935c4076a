// Layer captures through the worker's train() entry: posted as 'layers' messages with the metrics
// flushes, absent when the config turns capture off (with the same run otherwise), and taken again from
// the resume point after a kill.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../src-shared/config'
import type { LayerCapture } from '../src-shared/layerStats'
import type { MetricEvent } from '../src-shared/runs'
import { meanImage } from './data/prepare'
import { sharedBytes, type RawDataset } from './data/types'
import type { SolverCheckpoint } from './engine'
import { train, type TrainTask, type WorkerMessage } from './train'

const shape: [number, number, number] = [1, 4, 4]

function synthetic(n: number, seed: number) {
  const D = 16
  const images = sharedBytes(n * D)
  const labels = sharedBytes(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3
    for (let j = 0; j < D; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      images[i * D + j] = (labels[i]! * 70 + (s >>> 25)) % 256
    }
  }
  return { images, labels, count: n }
}

const raw: RawDataset = {
  format: 'idx',
  shape,
  classNames: ['a', 'b', 'c'],
  train: synthetic(100, 1),
  test: synthetic(20, 2),
  files: [],
}

function config(captureLayers?: boolean) {
  const parsed = parseRunConfig({
    name: 'layers',
    dataset: { name: 'tiny', numTraining: 80, numValidation: 20, numTest: 20 },
    model: { kind: 'fc', hiddenDims: [8, 6], normalization: 'batchnorm', dropoutKeepRatio: 0.8 },
    solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 20, numEpochs: 3 },
    ...(captureLayers === undefined ? {} : { captureLayers }),
  })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return { ...parsed.value, seed: 5 }
}

function runTask(extra: Partial<TrainTask>, captureLayers?: boolean) {
  const { port1, port2 } = new MessageChannel()
  const outcome = train({
    runId: 'r1',
    config: config(captureLayers),
    raw,
    mean: meanImage(raw.train.images, 80, 16),
    port: port1,
    resume: null,
    // Every step flushes and every epoch end checkpoints, so the message order is fully exercised.
    progressIntervalMs: 0,
    checkpointIntervalMs: 0,
    captureEvery: 3,
    ...extra,
  })
  const messages: WorkerMessage[] = []
  for (let m = receiveMessageOnPort(port2); m; m = receiveMessageOnPort(port2)) {
    messages.push(m.message as WorkerMessage)
  }
  port1.close()
  const captures = messages.flatMap((m) => (m.type === 'layers' ? m.captures : []))
  const losses = messages.flatMap((m) =>
    m.type === 'metrics'
      ? m.events.filter((e): e is Extract<MetricEvent, { type: 'iteration' }> => e.type === 'iteration')
      : [],
  )
  return { outcome, messages, captures, losses }
}

describe("the worker's layer captures", () => {
  it("posts 'layers' after the metrics of the same flush, at every check and every K iterations", () => {
    const { outcome, messages, captures } = runTask({})
    expect(outcome.status).toBe('completed')
    // 80 rows, batch 20: 4 iterations an epoch, 12 in all; checks after 1, 4, 8, 12; every 3 between.
    expect(captures.map((c: LayerCapture) => [c.iteration, c.reason])).toEqual([
      [1, 'check'],
      [3, 'interval'],
      [4, 'check'],
      [6, 'interval'],
      [8, 'check'],
      [9, 'interval'],
      [12, 'check'],
    ])
    messages.forEach((m, i) => {
      if (m.type !== 'layers') return
      const before = messages[i - 1]!
      expect(before.type).toBe('metrics')
      if (before.type !== 'metrics') return
      // The metrics just before carry the captured iterations' losses.
      const last = before.events.filter((e) => e.type === 'iteration').at(-1)
      expect(last && last.type === 'iteration' && last.iteration).toBe(m.captures.at(-1)!.iteration)
    })
    const layer1 = captures[0]!.layers[0]!
    expect(layer1.shape).toEqual([16, 8])
    expect(layer1.norm?.runningVar.n).toBe(8)
    expect(layer1.postact?.summary.min).toBe(0)
  })

  it('sends none when the config turns capture off, and the run is the same', () => {
    const on = runTask({})
    const off = runTask({}, false)
    expect(off.messages.some((m) => m.type === 'layers')).toBe(false)
    expect(off.losses.map((e) => e.loss)).toEqual(on.losses.map((e) => e.loss))
    expect(off.outcome).toEqual(on.outcome)
  })

  it('after a resume, captures again from the resume point on', () => {
    const first = runTask({})
    const ckpt = first.messages.find((m) => m.type === 'checkpoint' && m.epoch === 1)
    if (ckpt?.type !== 'checkpoint') throw new Error('no epoch-1 checkpoint')
    const resumed = runTask({ resume: ckpt.checkpoint as SolverCheckpoint })
    expect(resumed.captures.map((c) => c.iteration)).toEqual([6, 8, 9, 12])
    // The same captures as the uninterrupted run's from there on (the fixed K keeps the same iterations).
    expect(resumed.captures).toEqual(first.captures.filter((c) => c.iteration > 4))
    expect(resumed.losses.map((e) => e.loss)).toEqual(
      first.losses.filter((e) => e.iteration > 4).map((e) => e.loss),
    )
  })
})
