import { describe, expect, it } from 'vitest'
import { pearson, ranks, spearman } from './correlation'

// Reference values from scipy.stats 1.17 (pearsonr, spearmanr, rankdata).
describe('correlation', () => {
  it("Pearson's r matches scipy", () => {
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414834, 12)
    expect(pearson([0.1, 0.4, 0.2, 0.9, 0.5, 0.3], [3, 1, 4, 1, 5, 9])).toBeCloseTo(-0.3778239396438899, 12)
    expect(pearson([1, 2, 3], [6, 4, 2])).toBeCloseTo(-1, 12)
  })

  it('ranks ties by the mean of the ranks they span', () => {
    expect(ranks([10, 20, 20, 30, 5])).toEqual([2, 3.5, 3.5, 5, 1])
    expect(ranks([])).toEqual([])
  })

  it("Spearman's rho matches scipy, ties included, and ignores monotone transforms", () => {
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12)
    expect(spearman([0.1, 0.4, 0.2, 0.9, 0.5, 0.3], [3, 1, 4, 1, 5, 9])).toBeCloseTo(-0.2608969660436018, 12)
    const lr = [1e-5, 3e-4, 2e-3, 1e-2, 5e-2]
    const acc = [0.2, 0.5, 0.4, 0.7, 0.9]
    expect(spearman(lr, acc)).toBe(spearman(lr.map(Math.log10), acc))
  })

  it('no spread on a side, or fewer than two pairs, has no correlation', () => {
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull()
    expect(pearson([0.1 + 0.2, 0.3, 0.30000000000000004], [1, 2, 3])).toBeNull()
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNull()
    expect(pearson([1], [2])).toBeNull()
  })

  it('refuses sides of different lengths', () => {
    expect(() => pearson([1, 2], [1])).toThrow('2 x values but 1 y values')
    expect(() => spearman([1], [1, 2])).toThrow('1 x values but 2 y values')
  })
})
