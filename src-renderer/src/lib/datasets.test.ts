import { describe, expect, it } from 'vitest'
import type { DatasetJob } from '../../../src-shared/contract'
import { baseName, formSizes, jobNumbers, originOf, splitProblemsFor, splitsFor } from './datasets'

const embedded = { format: 'idx', counts: { train: 6000, test: 1000 } }

describe('datasets lib', () => {
  it('names where a dataset came from', () => {
    expect(originOf({ source: 'builtin', reference: true })).toBe('builtin')
    expect(originOf({ source: 'download', reference: false })).toBe('download')
    expect(originOf({ source: 'import', reference: true })).toBe('reference')
    expect(originOf({ source: 'import', reference: false })).toBe('copy')
  })

  it('gives the real split of the embedded set, with a form’s sizes over the defaults', () => {
    expect(splitsFor(embedded, {})).toEqual({ numTraining: 5400, numValidation: 600, numTest: 1000 })
    expect(splitsFor(embedded, formSizes({ numTraining: '500', numValidation: '', numTest: 'x' }))).toEqual({
      numTraining: 500,
      numValidation: 600,
      numTest: 1000,
    })
    expect(splitProblemsFor(embedded, { numTest: 2000 })).toEqual([
      { path: 'dataset.numTest', kind: 'test', need: 2000, have: 1000 },
    ])
  })

  it('formats a job’s bytes, speed and time left', () => {
    const job = { bytes: 3 * 2 ** 20, total: 12 * 2 ** 20, speed: 2 ** 20, etaSeconds: 9, fraction: 0.25 }
    expect(jobNumbers(job as DatasetJob)).toEqual({
      done: '3 MB',
      total: '12 MB',
      speed: '1 MB',
      etaMs: 9000,
      percent: 25,
    })
    expect(jobNumbers({ ...job, total: null, speed: null, etaSeconds: null } as DatasetJob)).toMatchObject({
      total: null,
      speed: null,
      etaMs: null,
    })
    expect(baseName('/a/b/train-images-idx3-ubyte.gz')).toBe('train-images-idx3-ubyte.gz')
    expect(baseName('C:\\data\\x')).toBe('x')
  })
})

describe('stackedRgba', () => {
  it('stacks grey images with a transparent gap, and reads RGB planes channels-first', async () => {
    const { stackedRgba } = await import('./datasets')
    const grey = stackedRgba(Uint8Array.from([10, 20, 30, 40]), 2, [1, 1, 2])
    expect(grey).toMatchObject({ width: 2, height: 3 })
    expect([...grey.rgba]).toEqual([
      10, 10, 10, 255, 20, 20, 20, 255, 0, 0, 0, 0, 0, 0, 0, 0, 30, 30, 30, 255, 40, 40, 40, 255,
    ])
    // One 1x1 RGB image: planes R, G, B.
    expect([...stackedRgba(Uint8Array.from([1, 2, 3]), 1, [3, 1, 1]).rgba]).toEqual([1, 2, 3, 255])
    expect(stackedRgba(new Uint8Array(0), 0, [1, 28, 28]).height).toBe(0)
  })
})

describe('shortPath', () => {
  it('keeps short paths and cuts long ones at a separator, keeping the end', async () => {
    const { shortPath } = await import('./datasets')
    expect(shortPath('/data/x')).toBe('/data/x')
    expect(shortPath('/home/someone/work/datasets/cifar-10-batches-py', 24)).toBe('…/cifar-10-batches-py')
    expect(shortPath('C:\\Users\\me\\datasets\\mnist', 16)).toBe('…\\datasets\\mnist')
  })
})
