import { describe, expect, it } from 'vitest'
import { relError } from '../gradcheck'
import { Rng } from '../rng'
import { tensor, zeros } from '../tensor'
import { arrayGradError, lin, maxAbsDiff, randn, values } from '../testing'
import { affineBackward, affineForward } from './affine'

describe('affineForward', () => {
  it("matches CS231n's affine_forward on the notebook's linspace inputs", () => {
    const x = lin(-0.1, 0.5, [2, 4, 5, 6])
    const w = lin(-0.2, 0.3, [120, 3])
    const b = lin(-0.3, 0.1, [3])
    const [out] = affineForward(x, w, b)
    expect(out.shape).toEqual([2, 3])
    expect(out.dtype).toBe('float64')
    // numpy: x.reshape(2, -1) @ w + b; the notebook's correct_out to 8 digits.
    const expected = [
      1.4983496695842708, 1.7066013216629172, 1.9148529737415652, 3.2555319868066817, 3.514132702416055,
      3.772733418025431,
    ]
    expect(relError(out, tensor(expected, [2, 3], 'float64'))).toBeLessThan(1e-12)
    expect(
      relError(
        out,
        tensor([1.49834967, 1.70660132, 1.91485297, 3.25553199, 3.5141327, 3.77273342], [2, 3], 'float64'),
      ),
    ).toBeLessThan(1e-8)
  })

  it('computes float32 forward close to float64', () => {
    const rng = new Rng(1)
    const x = randn(rng, [7, 3, 4])
    const w = randn(rng, [12, 5])
    const b = randn(rng, [5])
    const f32 = (t: typeof x) => tensor(t.data, t.shape, 'float32')
    const [o64] = affineForward(x, w, b)
    const [o32] = affineForward(f32(x), f32(w), f32(b))
    expect(o32.dtype).toBe('float32')
    expect(maxAbsDiff(o32.data, o64.data)).toBeLessThan(1e-5)
  })

  it('handles an empty batch', () => {
    const [out, cache] = affineForward(
      zeros([0, 2, 3], 'float64'),
      zeros([6, 4], 'float64'),
      zeros([4], 'float64'),
    )
    expect(out.shape).toEqual([0, 4])
    const [dx, dw, db] = affineBackward(zeros([0, 4], 'float64'), cache)
    expect(dx.shape).toEqual([0, 2, 3])
    expect(values(dw)).toEqual(new Array(24).fill(0))
    expect(values(db)).toEqual([0, 0, 0, 0])
  })
})

describe('affineBackward', () => {
  const rng = new Rng(231)
  // x with three dimensions (N, d1, d2), as in the CS231n notebook.
  const x = randn(rng, [10, 2, 3])
  const w = randn(rng, [6, 5])
  const b = randn(rng, [5])
  const dout = randn(rng, [10, 5])
  const [, cache] = affineForward(x, w, b)
  const [dx, dw, db] = affineBackward(dout, cache)

  it('returns gradients of the right shapes', () => {
    expect(dx.shape).toEqual([10, 2, 3])
    expect(dw.shape).toEqual([6, 5])
    expect(db.shape).toEqual([5])
  })

  it('passes a float64 gradient check on dx, dw and db (< 1e-8)', () => {
    expect(arrayGradError((t) => affineForward(t, w, b)[0], x, dout, dx)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => affineForward(x, t, b)[0], w, dout, dw)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => affineForward(x, w, t)[0], b, dout, db)).toBeLessThan(1e-8)
  })

  it('skips dx with { dx: false } and returns the same dw, db', () => {
    const [dx2, dw2, db2] = affineBackward(dout, cache, { dx: false })
    expect(dx2).toBeNull()
    expect(values(dw2)).toEqual(values(dw))
    expect(values(db2)).toEqual(values(db))
  })
})

describe('affine argument checks', () => {
  const x = zeros([2, 4, 5], 'float64')
  const w = zeros([20, 3], 'float64')
  const b = zeros([3], 'float64')

  it('names x and w and their shapes when the row size disagrees', () => {
    expect(() => affineForward(x, zeros([21, 3], 'float64'), b)).toThrow(
      'affineForward: x (2, 4, 5) has 20 values per row but w (21, 3) expects 21',
    )
  })

  it('checks the row size of an empty batch too', () => {
    expect(() => affineForward(zeros([0, 4, 4], 'float64'), w, b)).toThrow(
      'affineForward: x (0, 4, 4) has 16 values per row but w (20, 3) expects 20',
    )
  })

  it('rejects b of the wrong shape', () => {
    expect(() => affineForward(x, w, zeros([4], 'float64'))).toThrow(
      'affineForward: b must have shape (3,), got (4,)',
    )
    expect(() => affineForward(x, w, zeros([1, 3], 'float64'))).toThrow('b must have shape (3,)')
  })

  it('rejects w that is not a matrix and x without a batch axis', () => {
    expect(() => affineForward(x, zeros([20], 'float64'), b)).toThrow(
      'affineForward: w must have shape (*, *)',
    )
    expect(() => affineForward(zeros([20], 'float64'), w, b)).toThrow(
      'affineForward: x must have at least 2 dimensions, got (20,)',
    )
  })

  it('rejects mixed dtypes', () => {
    expect(() => affineForward(x, zeros([20, 3], 'float32'), b)).toThrow(
      'affineForward: w is float32, expected float64',
    )
    expect(() => affineForward(x, w, zeros([3], 'float32'))).toThrow(
      'affineForward: b is float32, expected float64',
    )
    const [, cache] = affineForward(x, w, b)
    expect(() => affineBackward(zeros([2, 3], 'float32'), cache)).toThrow('affineBackward: dout is float32')
  })

  it('rejects non-tensors and a dout of the wrong shape', () => {
    expect(() => affineForward([1, 2] as never, w, b)).toThrow(
      'affineForward: x must be a tensor, got an array',
    )
    const [, cache] = affineForward(x, w, b)
    expect(() => affineBackward(zeros([2, 4], 'float64'), cache)).toThrow(
      'affineBackward: dout must have shape (2, 3), got (2, 4)',
    )
  })
})
