import { describe, expect, it } from 'vitest'
import { RunConfigSchema, type RunConfigInput } from '../../../src-shared/config'
import { differsOnlyBySeed, meanStdBand } from './seedBand'

const cfg = (over: Partial<RunConfigInput> = {}) =>
  RunConfigSchema.parse({ name: 'a', dataset: { name: 'cifar10' }, model: { kind: 'fc' }, seed: 1, ...over })

describe('differsOnlyBySeed', () => {
  it('is true when only the seed differs (names and tags aside)', () => {
    expect(differsOnlyBySeed([cfg(), cfg({ seed: 2, name: 'b', tags: ['t'] }), cfg({ seed: 3 })])).toBe(true)
  })

  it('is false when anything else differs, or nothing does', () => {
    expect(differsOnlyBySeed([cfg(), cfg({ seed: 2, solver: { batchSize: 200 } })])).toBe(false)
    expect(differsOnlyBySeed([cfg(), cfg()])).toBe(false)
    expect(differsOnlyBySeed([cfg()])).toBe(false)
  })
})

describe('meanStdBand', () => {
  it('gives the curve itself with std 0 for identical curves', () => {
    const c = { x: [0, 1, 2, 3, 4], y: [5, 3, 4, 1, 2] }
    const b = meanStdBand([c, c, c], 5)
    expect(Array.from(b.x)).toEqual([0, 1, 2, 3, 4])
    expect(Array.from(b.mean)).toEqual([5, 3, 4, 1, 2])
    expect(Array.from(b.std)).toEqual([0, 0, 0, 0, 0])
  })

  it('puts the mean between two offset constant curves with std half the gap', () => {
    const b = meanStdBand(
      [
        { x: [0, 10], y: [1, 1] },
        { x: [0, 10], y: [3, 3] },
      ],
      11,
    )
    expect(b.x.length).toBe(11)
    for (const m of b.mean) expect(m).toBeCloseTo(2, 12)
    for (const s of b.std) expect(s).toBeCloseTo(1, 12)
  })

  it('resamples by linear interpolation over the overlapping x range only', () => {
    // Curve a covers [0, 4], curve b [2, 6]: overlap [2, 4]. a = x, b = 2x at the grid 2, 3, 4.
    const b = meanStdBand(
      [
        { x: [0, 4], y: [0, 4] },
        { x: [2, 4, 6], y: [4, 8, 12] },
      ],
      3,
    )
    expect(Array.from(b.x)).toEqual([2, 3, 4])
    expect(Array.from(b.mean)).toEqual([3, 4.5, 6])
    expect(Array.from(b.std)).toEqual([1, 1.5, 2])
  })

  it('is empty for no curves or curves that do not overlap', () => {
    expect(meanStdBand([]).x.length).toBe(0)
    const b = meanStdBand([
      { x: [0, 1], y: [0, 0] },
      { x: [2, 3], y: [0, 0] },
    ])
    expect(b.x.length).toBe(0)
    expect(b.mean.length).toBe(0)
  })

  it('defaults to 200 grid points', () => {
    expect(meanStdBand([{ x: [0, 1], y: [0, 1] }]).x.length).toBe(200)
  })
})
