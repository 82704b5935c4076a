import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { tensor, zeros } from '../tensor'
import { arrayGradError, lin, randn, values } from '../testing'
import { reluBackward, reluForward } from './relu'

describe('relu', () => {
  it('forward matches max(0, x) on linspace(-0.5, 0.5, 12)', () => {
    const [out] = reluForward(lin(-0.5, 0.5, [3, 4]))
    expect(out.shape).toEqual([3, 4])
    const expected = [
      0, 0, 0, 0, 0, 0, 0.045454545454545414, 0.13636363636363635, 0.2272727272727273, 0.31818181818181823,
      0.40909090909090917, 0.5,
    ]
    values(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 15))
  })

  it('passes a float64 gradient check (< 1e-9)', () => {
    const rng = new Rng(231)
    const x = randn(rng, [10, 10])
    const dout = randn(rng, [10, 10])
    const [, cache] = reluForward(x)
    const dx = reluBackward(dout, cache)
    expect(arrayGradError((t) => reluForward(t)[0], x, dout, dx)).toBeLessThan(1e-9)
    // Gradient flows exactly where x > 0.
    for (let i = 0; i < 100; i++) expect(dx.data[i]).toBe(x.data[i]! > 0 ? dout.data[i] : 0)
  })

  it('propagates NaN like np.maximum (so diverged weights reach the loss check)', () => {
    const [out] = reluForward(tensor([NaN, -1, 2], [3], 'float64'))
    expect(values(out)).toEqual([NaN, 0, 2])
  })

  it('rejects a dout of another shape or dtype', () => {
    const [, cache] = reluForward(zeros([2, 3], 'float64'))
    expect(() => reluBackward(zeros([3, 2], 'float64'), cache)).toThrow(
      'reluBackward: dout (3, 2) and x (2, 3) must have the same shape',
    )
    expect(() => reluBackward(zeros([2, 3], 'float32'), cache)).toThrow(
      'reluBackward: dout is float32, expected float64',
    )
  })
})
