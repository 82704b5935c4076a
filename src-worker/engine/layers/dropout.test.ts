import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { zeros } from '../tensor'
import { arrayGradError, maxAbsDiff, randn, values } from '../testing'
import { dropoutBackward, dropoutForward, type DropoutParam } from './dropout'

const mean = (a: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]!
  return s / a.length
}

describe('dropoutForward', () => {
  const x = randn(new Rng(231), [500, 500], { shift: 10 })

  for (const p of [0.3, 0.6, 0.75]) {
    it(`keep ratio ${p}: keeps ~p of the units, scales them by 1/p, test mode is the identity`, () => {
      const [out, cache] = dropoutForward(x, { mode: 'train', p, seed: 123 })
      let kept = 0
      let worstScale = 0
      for (let i = 0; i < x.data.length; i++) {
        if (out.data[i] !== 0) {
          kept++
          worstScale = Math.max(worstScale, Math.abs((out.data[i]! * p) / x.data[i]! - 1))
        }
      }
      // Every kept unit is x / p (up to rounding of x * (1 / p)).
      expect(worstScale).toBeLessThan(1e-15)
      // 250000 units: the standard error of the kept fraction is < 0.001.
      expect(Math.abs(kept / x.data.length - p)).toBeLessThan(0.005)
      expect(Math.abs(mean(out.data) / mean(x.data) - 1)).toBeLessThan(0.01)
      expect(cache.mask!.shape).toEqual([500, 500])

      const [outTest, cacheTest] = dropoutForward(x, { mode: 'test', p, seed: 123 })
      expect(cacheTest.mask).toBeNull()
      expect(mean(outTest.data)).toBe(mean(x.data))
      expect(maxAbsDiff(outTest.data, x.data)).toBe(0)
    })
  }

  it('draws the same mask for the same seed and another for another seed', () => {
    const small = randn(new Rng(1), [20, 30], { shift: 10 })
    const a = values(dropoutForward(small, { mode: 'train', p: 0.5, seed: 42 })[0])
    const b = values(dropoutForward(small, { mode: 'train', p: 0.5, seed: 42 })[0])
    const c = values(dropoutForward(small, { mode: 'train', p: 0.5, seed: 43 })[0])
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('with an rng draws a fresh mask per call, reproducible from the same seed', () => {
    const small = randn(new Rng(1), [20, 30], { shift: 10 })
    const run = (): number[][] => {
      const param: DropoutParam = { mode: 'train', p: 0.5, seed: 42, rng: new Rng(9) }
      return [values(dropoutForward(small, param)[0]), values(dropoutForward(small, param)[0])]
    }
    const [a1, a2] = run()
    const [b1, b2] = run()
    expect(a2).not.toEqual(a1)
    expect(b1).toEqual(a1)
    expect(b2).toEqual(a2)
  })

  it('keep ratio 1 keeps everything', () => {
    const small = randn(new Rng(1), [10, 10])
    expect(values(dropoutForward(small, { mode: 'train', p: 1 })[0])).toEqual(values(small))
  })
})

describe('dropoutBackward', () => {
  const rng = new Rng(231)
  const x = randn(rng, [10, 10], { shift: 10 })
  const dout = randn(rng, [10, 10])

  for (const p of [0.2, 0.6]) {
    it(`passes a float64 gradient check with a fixed seed (keep ${p}, < 1e-9)`, () => {
      const param: DropoutParam = { mode: 'train', p, seed: 123 }
      const [, cache] = dropoutForward(x, param)
      const dx = dropoutBackward(dout, cache)
      expect(arrayGradError((t) => dropoutForward(t, param)[0], x, dout, dx)).toBeLessThan(1e-9)
    })
  }

  it('passes the gradient check in test mode (the identity)', () => {
    const param: DropoutParam = { mode: 'test', p: 0.5 }
    const [, cache] = dropoutForward(x, param)
    const dx = dropoutBackward(dout, cache)
    expect(values(dx)).toEqual(values(dout))
    expect(arrayGradError((t) => dropoutForward(t, param)[0], x, dout, dx)).toBeLessThan(1e-9)
  })
})

describe('dropout argument checks', () => {
  const x = zeros([2, 3], 'float64')
  it('rejects keep ratios outside (0, 1], a bad mode and unknown keys', () => {
    expect(() => dropoutForward(x, { mode: 'train', p: 0 })).toThrow(
      'dropoutForward: dropoutParam.p (keep probability) must be a number in (0, 1], got 0',
    )
    expect(() => dropoutForward(x, { mode: 'train', p: 1.5 })).toThrow('must be a number in (0, 1], got 1.5')
    expect(() => dropoutForward(x, { mode: 'train', p: NaN })).toThrow('got NaN')
    expect(() => dropoutForward(x, { mode: 'eval' as never, p: 0.5 })).toThrow(
      "dropoutForward: dropoutParam.mode must be 'train' or 'test', got eval",
    )
    expect(() => dropoutForward(x, { mode: 'train', p: 0.5, keepProb: 0.5 } as never)).toThrow(
      "dropoutForward: unknown dropoutParam key 'keepProb'",
    )
  })

  it('rejects a dout that does not match the mask', () => {
    const [, cache] = dropoutForward(x, { mode: 'train', p: 0.5, seed: 1 })
    expect(() => dropoutBackward(zeros([3, 2], 'float64'), cache)).toThrow(
      'dropoutBackward: dout (3, 2) and mask (2, 3) must have the same shape',
    )
  })
})
