import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import type { RunRecord } from '../../../src-shared/runs'
import { alignX, iterationsPerEpoch } from './compare'

const info = { batchSize: 100, iterationsPerEpoch: 4 }

describe('alignX', () => {
  it('keeps iterations on the iteration axis', () => {
    expect(Array.from(alignX([0, 5, 10], 'iteration', info))).toEqual([0, 5, 10])
  })

  it('lines up batch 100 and batch 200 runs on the samples axis', () => {
    // Same data seen at the same x: run A's iteration 2k matches run B's iteration k.
    const a = alignX([0, 2, 4, 6], 'samples', { batchSize: 100, iterationsPerEpoch: 490 })
    const b = alignX([0, 1, 2, 3], 'samples', { batchSize: 200, iterationsPerEpoch: 245 })
    expect(Array.from(a)).toEqual([0, 200, 400, 600])
    expect(Array.from(b)).toEqual([0, 200, 400, 600])
  })

  it('gives fractional epochs', () => {
    expect(Array.from(alignX([0, 1, 2, 6], 'epoch', info))).toEqual([0, 0.25, 0.5, 1.5])
  })

  it('rejects an unknown iterations-per-epoch on the epoch axis', () => {
    expect(() => alignX([1], 'epoch', { batchSize: 1, iterationsPerEpoch: NaN })).toThrow(/epoch/)
  })

  it('gives seconds since start on the time axis', () => {
    const t = alignX([1, 2, 3], 'time', { ...info, startedAtMs: 1000, timestampsMs: [1500, 2000, 4000] })
    expect(Array.from(t)).toEqual([0.5, 1, 3])
    const fromFirst = alignX([1, 2], 'time', { ...info, timestampsMs: [5000, 7500] })
    expect(Array.from(fromFirst)).toEqual([0, 2.5])
  })

  it('throws without timestamps on the time axis', () => {
    expect(() => alignX([1, 2], 'time', info)).toThrow('time axis needs timestamps')
    expect(() => alignX([1, 2], 'time', { ...info, timestampsMs: null })).toThrow(
      'time axis needs timestamps',
    )
    expect(() => alignX([1, 2], 'time', { ...info, timestampsMs: [1] })).toThrow(/one timestamp/)
  })
})

function record(numIterations: number, numEpochs: number): RunRecord {
  return {
    id: 'r',
    config: RunConfigSchema.parse({ name: 'r', dataset: { name: 'cifar10' }, model: { kind: 'fc' } }),
    status: 'running',
    sweepId: null,
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 0, numIterations, epoch: 0, numEpochs },
    result: null,
    error: null,
    environment: null,
    checkpointEpoch: 0,
  }
}

describe('iterationsPerEpoch', () => {
  it('divides planned iterations by epochs', () => {
    expect(iterationsPerEpoch(record(4900, 10))).toBe(490)
  })

  it('is NaN before the run has planned its iterations', () => {
    expect(iterationsPerEpoch(record(0, 0))).toBeNaN()
  })
})
