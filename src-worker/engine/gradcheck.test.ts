import { describe, expect, it } from 'vitest'
import { evalNumericalGradient, evalNumericalGradientArray, relError } from './gradcheck'
import { reshape, tensor, zeros, type Tensor } from './tensor'

const f64 = (v: number[], shape: number[]): Tensor => tensor(v, shape, 'float64')

describe('evalNumericalGradient', () => {
  it('differentiates a scalar function and restores x', () => {
    const x = f64([1, -2, 3, 0.5], [2, 2])
    // f = sum(x^3) -> 3 x^2
    const f = (t: Tensor): number => Array.from(t.data).reduce((s, v) => s + v ** 3, 0)
    const g = evalNumericalGradient(f, x)
    expect(g.shape).toEqual([2, 2])
    expect(relError(g, f64([3, 12, 27, 0.75], [2, 2]))).toBeLessThan(1e-9)
    expect(Array.from(x.data)).toEqual([1, -2, 3, 0.5])
  })

  it('honours h and restores x when f throws', () => {
    const x = f64([2], [1])
    // Centred difference of x^3 has error h^2: with h = 0.1, (2.1^3 - 1.9^3) / 0.2 = 12.01.
    expect(evalNumericalGradient((t) => t.data[0]! ** 3, x, { h: 0.1 }).data[0]).toBeCloseTo(12.01, 12)
    expect(() =>
      evalNumericalGradient(() => {
        throw new Error('bad f')
      }, x),
    ).toThrow('bad f')
    expect(x.data[0]).toBe(2)
  })
})

describe('evalNumericalGradientArray', () => {
  it('gives the gradient of sum(f(x) * df)', () => {
    const x = f64([1, 2, 3], [3])
    const df = f64([1, -1, 0.5], [3])
    const square = (t: Tensor): Tensor =>
      f64(
        Array.from(t.data).map((v) => v * v),
        [3],
      )
    const g = evalNumericalGradientArray(square, x, df)
    expect(relError(g, f64([2, -4, 3], [3]))).toBeLessThan(1e-9)
    expect(Array.from(x.data)).toEqual([1, 2, 3])
  })

  it('handles an f that returns x itself or a view of it (identity layers)', () => {
    const x = f64([1, 2, 3, 4], [2, 2])
    const df = f64([1, 2, 3, 4], [4])
    expect(
      relError(
        evalNumericalGradientArray((t) => reshape(t, [4]), x, df),
        f64([1, 2, 3, 4], [2, 2]),
      ),
    ).toBeLessThan(1e-9)
    expect(
      relError(
        evalNumericalGradientArray((t) => t, x, f64([1, 2, 3, 4], [2, 2])),
        df,
      ),
    ).toBeLessThan(1e-9)
  })

  it('handles an f that reuses one output buffer between calls', () => {
    const out = zeros([2], 'float64')
    const double = (t: Tensor): Tensor => {
      out.data[0] = 2 * t.data[0]!
      out.data[1] = 2 * t.data[1]!
      return out
    }
    const g = evalNumericalGradientArray(double, f64([1, 1], [2]), f64([1, 3], [2]))
    expect(relError(g, f64([2, 6], [2]))).toBeLessThan(1e-9)
  })

  it('rejects a df of the wrong size', () => {
    expect(() => evalNumericalGradientArray((t) => t, f64([1, 2], [2]), f64([1], [1]))).toThrow(
      'evalNumericalGradientArray: f(x) has 2 values, df has 1',
    )
  })
})

describe('relError', () => {
  it("is CS231n's max |x - y| / max(1e-8, |x| + |y|)", () => {
    expect(relError(1, 1)).toBe(0)
    expect(relError(1, 3)).toBe(0.5)
    expect(relError(0, 1e-12)).toBeCloseTo(1e-4, 12)
    expect(relError(f64([1, 2], [2]), f64([1, 2.2], [2]))).toBeCloseTo(0.2 / 4.2, 12)
    expect(relError(f64([NaN, 1], [2]), f64([1, 1], [2]))).toBeNaN()
    expect(() => relError(f64([1, 2], [2]), f64([1], [1]))).toThrow('relError: sizes differ (2 vs 1)')
  })
})
