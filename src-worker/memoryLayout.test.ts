// The estimate's model layouts held against the engine itself: the parameters buildModel creates, and the
// bytes a training step and an accuracy check take from their scratch arenas (engine/memory.ts counts
// every buffer it allocates), for each model kind and option that changes them.
import { describe, expect, it } from 'vitest'
import { parseRunConfig, type RunConfigInput } from '../src-shared/config'
import { modelLayout } from '../src-shared/memoryEstimate'
import { Solver } from './engine'
import { uint8Rows } from './engine/rows'
import { buildModel } from './train'

const SHAPE: [number, number, number] = [1, 12, 10]
const D = SHAPE[0] * SHAPE[1] * SHAPE[2]
const CLASSES = 10

function config(model: RunConfigInput['model'], updateRule = 'sgd' as const) {
  const parsed = parseRunConfig({ name: 'layout', dataset: { name: 'synth' }, model, solver: { updateRule } })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return { ...parsed.value, seed: 3 }
}

/** n uint8 images of SHAPE as the worker reads them (rows minus a mean), with labels. */
function rows(n: number) {
  const bytes = new Uint8Array(n * D).map((_, i) => (i * 37) % 251)
  const mean = new Float32Array(D).fill(100)
  return { X: uint8Rows(bytes, SHAPE, 0, n, mean), y: Int32Array.from({ length: n }, (_, i) => i % CLASSES) }
}

const MODELS: [string, RunConfigInput['model']][] = [
  ['two-layer', { kind: 'two-layer', hiddenDim: 37 }],
  ['fc, no normalisation', { kind: 'fc', hiddenDims: [40, 30, 20] }],
  [
    'fc, batchnorm and dropout',
    { kind: 'fc', hiddenDims: [40, 30], normalization: 'batchnorm', dropoutKeepRatio: 0.5 },
  ],
  ['fc, layernorm', { kind: 'fc', hiddenDims: [25, 35], normalization: 'layernorm' }],
  ['fc, no hidden layer', { kind: 'fc', hiddenDims: [] }],
  ['three-layer conv, odd filter', { kind: 'three-layer-conv', numFilters: 6, filterSize: 5, hiddenDim: 20 }],
  ['three-layer conv, even filter', { kind: 'three-layer-conv', numFilters: 4, filterSize: 4, hiddenDim: 9 }],
]

describe('modelLayout agrees with the engine', () => {
  it.each(MODELS)('%s: parameters, first layer and batchnorm statistics', (_, model) => {
    const c = config(model)
    const layout = modelLayout(c, { shape: SHAPE, numClasses: CLASSES })
    const net = buildModel(c, { shape: SHAPE, classNames: Array.from({ length: CLASSES }, String) })
    const values = Object.values(net.params).reduce((a, t) => a + t.data.length, 0)
    expect(layout.params).toBe(values)
    expect(layout.firstLayer).toBe(net.params['W1']!.data.length)
    const buffers = Object.values(net.buffers?.() ?? {}).reduce((a, t) => a + t.data.length, 0)
    expect(layout.buffers).toBe(buffers)
  })

  it.each(MODELS)('%s: a training step and an accuracy check take what the layout says', (_, model) => {
    const c = config(model)
    const layout = modelLayout(c, { shape: SHAPE, numClasses: CLASSES })
    const net = buildModel(c, { shape: SHAPE, classNames: Array.from({ length: CLASSES }, String) })
    const train = rows(64)
    const val = rows(130)
    const data = { XTrain: train.X, yTrain: train.y, XVal: val.X, yVal: val.y }
    // The loss() path (every rule but the built-in sgd on a model with a fused step, Model.sgdStep).
    const solver = new Solver(net, data, { batchSize: 16, seed: 1, updateRule: 'sgdMomentum' })
    solver.step()
    // The arena holds the step's activations and temporaries plus the gradients (one value per parameter).
    expect(solver.arena.allocatedBytes).toBe(4 * (layout.train(16) + layout.params))
    solver.step()
    expect(solver.arena.allocatedBytes).toBe(4 * (layout.train(16) + layout.params))
    // 100 rows, the check's batch: its first batch allocates exactly one pass's buffers.
    solver.checkAccuracy(val.X, val.y, 100)
    expect(solver.evalArena.allocatedBytes).toBe(4 * layout.evaluate(100))
    // The fused sgd step stores no weight gradients: the layout is an upper bound for it.
    const fusedNet = buildModel(c, { shape: SHAPE, classNames: Array.from({ length: CLASSES }, String) })
    if (fusedNet.sgdStep) {
      const fused = new Solver(fusedNet, data, { batchSize: 16, seed: 1 })
      fused.step()
      fused.step()
      expect(fused.arena.allocatedBytes).toBeGreaterThan(0)
      expect(fused.arena.allocatedBytes).toBeLessThan(4 * (layout.train(16) + layout.params))
    }
  })
})
