import { describe, expect, it } from 'vitest'
import { parseRunConfig } from '../src-shared/config'
import { estimateRunMemory } from '../src-shared/memoryEstimate'
import { sharedBytes, type RawDataset } from './data/types'
import { estimateForDataset, estimateTaskMemory } from './taskMemory'

const parsed = parseRunConfig({
  name: 't',
  dataset: { name: 'fashion-mnist-small' },
  model: { kind: 'two-layer' },
})
if (!parsed.ok) throw new Error('bad config')
const config = parsed.value

/** The embedded dataset's facts: 6000 training and 1000 test images of 28x28. */
const manifest = {
  format: 'idx' as const,
  shape: [1, 28, 28] as [number, number, number],
  classNames: Array.from({ length: 10 }, String),
  counts: { train: 6000, test: 1000 },
}

describe('estimateForDataset', () => {
  it("resolves the dataset's default splits as training will (IDX: a tenth, at most 1000, validates)", () => {
    const e = estimateForDataset(config, manifest, { sanityChecks: false })
    const direct = estimateRunMemory(
      config,
      {
        shape: [1, 28, 28],
        numClasses: 10,
        numTraining: 5400,
        numValidation: 600,
        numTest: 1000,
        trainImages: 6000,
        testImages: 1000,
      },
      { sanityChecks: false },
    )
    expect(e).toEqual(direct)
    expect(e.numIterations).toBe(10 * 54)
    expect(e.datasetBytes).toBe(7000 * (784 + 1))
  })

  it('gives a task the same estimate, with its checks and resume', () => {
    const split = (count: number) => ({ images: sharedBytes(count * 784), labels: sharedBytes(count), count })
    const raw: RawDataset = { ...manifest, train: split(6000), test: split(1000), files: [] }
    expect(estimateTaskMemory({ config, raw, resume: null })).toEqual(
      estimateForDataset(config, manifest, { sanityChecks: false, resume: false }),
    )
    expect(estimateTaskMemory({ config, raw, resume: {}, sanityChecks: true })).toEqual(
      estimateForDataset(config, manifest, { sanityChecks: true, resume: true }),
    )
  })
})
