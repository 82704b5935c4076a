// The estimate's arithmetic and its refusals. Whether the figures are true is the calibration test's
// (src-main/core/memoryEstimate.calibration.test.ts) and the layout test's (src-worker/memoryLayout.test.ts).
import { describe, expect, it } from 'vitest'
import { parseRunConfig, type RunConfig, type RunConfigInput } from './config'
import { estimateRunMemory, fieldErrorFor, modelLayout, type DataFacts } from './memoryEstimate'

const GB = 2 ** 30
const CIFAR: DataFacts = {
  shape: [3, 32, 32],
  numClasses: 10,
  numTraining: 49000,
  numValidation: 1000,
  numTest: 1000,
  trainImages: 50000,
  testImages: 10000,
}

function config(over: Partial<RunConfigInput>): RunConfig {
  const parsed = parseRunConfig({
    name: 'm',
    dataset: { name: 'cifar10' },
    model: { kind: 'two-layer' },
    ...over,
  })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.value
}

const part = (e: ReturnType<typeof estimateRunMemory>, key: string): number =>
  e.parts.find((p) => p.key === key)?.bytes ?? 0

describe('the configs of issue 11 are refused under a 12 GB budget by estimate alone', () => {
  // Each one grew to 4-8 GB within two minutes with no output before; nothing is allocated here.
  it.each<[string, Partial<RunConfigInput>, string, RegExp]>([
    [
      'fc with 32 hidden layers of 65536',
      { model: { kind: 'fc', hiddenDims: Array<number>(32).fill(65536) } },
      'model.hiddenDims',
      /^this net needs about \d+ TB for batch 100, mostly its 133G parameters .*; the budget is 12 GB$/,
    ],
    [
      'two-layer with hidden 65536 and batch 65536',
      { model: { kind: 'two-layer', hiddenDim: 65536 }, solver: { batchSize: 65536 } },
      'solver.batchSize',
      /^this net needs about \d+ GB for batch 65536, mostly the activations of each training batch; the budget is 12 GB$/,
    ],
    [
      'fc [30000, 30000] with adam',
      { model: { kind: 'fc', hiddenDims: [30000, 30000] }, solver: { updateRule: 'adam' } },
      'model.hiddenDims',
      /^this net needs about \d+ GB for batch 100, mostly its 993M parameters and their copies \(gradients, adam state, best, checkpoints\); the budget is 12 GB$/,
    ],
  ])('%s', (_, over, path, message) => {
    const c = config(over)
    const estimate = estimateRunMemory(c, CIFAR)
    expect(estimate.bytes).toBeGreaterThan(12 * GB)
    const error = fieldErrorFor(estimate, 12 * GB, c)
    expect(error?.path).toBe(path)
    expect(error?.message).toMatch(message)
  })

  it('while the seed-sized runs fit easily', () => {
    for (const model of [{ kind: 'two-layer' }, { kind: 'fc' }, { kind: 'three-layer-conv' }] as const) {
      const c = config({ model })
      const estimate = estimateRunMemory(c, CIFAR)
      expect(estimate.bytes).toBeLessThan(400 * 2 ** 20)
      expect(fieldErrorFor(estimate, 12 * GB, c)).toBeNull()
    }
  })
})

describe('estimateRunMemory', () => {
  it('counts the update rule state as CS231n keeps it: none, one or two tensors per parameter', () => {
    const params = modelLayout(config({}), CIFAR).params * 4
    const state = (updateRule: 'sgd' | 'sgdMomentum' | 'rmsprop' | 'adam') =>
      part(estimateRunMemory(config({ solver: { updateRule } }), CIFAR), 'optimState')
    expect(state('sgd')).toBe(0)
    expect(state('sgdMomentum')).toBe(params)
    expect(state('rmsprop')).toBe(params)
    expect(state('adam')).toBe(2 * params)
  })

  it('grows with the batch through the activations only, and with the parameters through their copies', () => {
    const small = estimateRunMemory(config({ solver: { batchSize: 100 } }), CIFAR)
    const large = estimateRunMemory(config({ solver: { batchSize: 200 } }), CIFAR)
    expect(part(large, 'batch')).toBeGreaterThan(1.9 * part(small, 'batch'))
    expect(part(large, 'params')).toBe(part(small, 'params'))
    const wide = estimateRunMemory(config({ model: { kind: 'two-layer', hiddenDim: 200 } }), CIFAR)
    for (const key of ['params', 'gradients', 'best', 'messages']) {
      expect(part(wide, key)).toBeGreaterThan(1.9 * part(small, key))
    }
  })

  it('adds the checkpoint held in main and the worker when resuming, and the float64 checks when checking', () => {
    const c = config({})
    const plain = estimateRunMemory(c, CIFAR, { sanityChecks: false })
    const resumed = estimateRunMemory(c, CIFAR, { sanityChecks: false, resume: true })
    const checked = estimateRunMemory(c, CIFAR, { sanityChecks: true })
    const params = modelLayout(c, CIFAR).params * 4
    // sgd: a checkpoint is the parameters and the best parameters.
    expect(resumed.bytes - plain.bytes).toBe(2 * 2 * params)
    expect(part(checked, 'sanityModel')).toBe(8 * params)
    // A resumed run never checks again.
    expect(estimateRunMemory(c, CIFAR, { sanityChecks: true, resume: true }).bytes).toBe(resumed.bytes)
  })

  it('reports the dataset apart, once per process: every image and label of both files', () => {
    const e = estimateRunMemory(config({}), CIFAR)
    expect(e.datasetBytes).toBe(60000 * (3072 + 1))
    expect(e.parts.some((p) => p.what.includes('dataset'))).toBe(false)
  })

  it('names the loss history when a tiny net runs for millions of iterations', () => {
    const c = config({
      model: { kind: 'two-layer', hiddenDim: 10 },
      solver: { batchSize: 1, numEpochs: 10000 },
    })
    const e = estimateRunMemory(c, CIFAR)
    expect(e.numIterations).toBe(490_000_000)
    expect(e.driver).toBe('history')
    const error = fieldErrorFor(e, 12 * GB, c)
    expect(error?.path).toBe('solver.numEpochs')
    expect(error?.message).toMatch(/loss history of 490M iterations; the budget is 12 GB$/)
  })

  it('names the conv layer whose parameters were turned up', () => {
    const filters = config({ model: { kind: 'three-layer-conv', numFilters: 1024, hiddenDim: 100 } })
    expect(fieldErrorFor(estimateRunMemory(filters, CIFAR), GB, filters)?.path).toBe('model.numFilters')
    const hidden = config({ model: { kind: 'three-layer-conv', numFilters: 32, hiddenDim: 65536 } })
    expect(fieldErrorFor(estimateRunMemory(hidden, CIFAR), GB, hidden)?.path).toBe('model.hiddenDim')
  })

  it('counts the dataset unless it is loaded already, and names it when it is what does not fit', () => {
    const c = config({ model: { kind: 'two-layer', hiddenDim: 10 } })
    const e = estimateRunMemory(c, CIFAR)
    const budget = e.bytes + e.datasetBytes / 2
    expect(fieldErrorFor(e, budget, c, { datasetLoaded: true })).toBeNull()
    const small = estimateRunMemory(c, { ...CIFAR, trainImages: 5e6, testImages: 0 })
    expect(fieldErrorFor(small, 2 * GB, c)).toEqual({
      path: 'dataset.name',
      message: "the dataset 'cifar10' takes about 14 GB in memory; the budget is 2 GB",
    })
  })

  it('lists its parts largest first and sums them', () => {
    const e = estimateRunMemory(config({ solver: { updateRule: 'adam' } }), CIFAR)
    expect(e.bytes).toBe(e.parts.reduce((a, p) => a + p.bytes, 0))
    for (let i = 1; i < e.parts.length; i++)
      expect(e.parts[i - 1]!.bytes).toBeGreaterThanOrEqual(e.parts[i]!.bytes)
  })
})

describe('layer capture', () => {
  it('counts the probe (a batch with gradients) and the weight copies unless captureLayers is false', () => {
    const on = estimateRunMemory(config({}), CIFAR)
    const off = estimateRunMemory(config({ captureLayers: false }), CIFAR)
    const capture = on.parts.find((p) => p.key === 'capture')
    expect(capture?.bytes).toBeGreaterThan(2 * 4 * on.paramCount)
    expect(off.parts.some((p) => p.key === 'capture')).toBe(false)
    expect(on.bytes - off.bytes).toBe(capture!.bytes)
  })
})

describe('fieldErrorFor', () => {
  it('puts a dataset not yet loaded into the figure it compares', () => {
    const c = config({ model: { kind: 'fc', hiddenDims: [4096, 4096] }, solver: { updateRule: 'adam' } })
    const e = estimateRunMemory(c, { ...CIFAR, trainImages: 500_000, testImages: 100_000 })
    const budget = e.bytes + e.datasetBytes / 2
    expect(fieldErrorFor(e, budget, c, { datasetLoaded: true })).toBeNull()
    expect(fieldErrorFor(e, budget, c)?.message).toMatch(
      /^this net needs about 5\.6 GB with its 1\.7 GB dataset for batch 100, mostly its 29\.4M parameters.*; the budget is 4\.8 GB$/,
    )
  })
})
