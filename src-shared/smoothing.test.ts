import { describe, expect, it } from 'vitest'
import { ema } from './smoothing'

describe('ema', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(Array.from(ema([3, 1, 4, 1, 5], 0))).toEqual([3, 1, 4, 1, 5])
  })

  it('is debiased: the first point is the first value, a constant stays constant', () => {
    expect(ema([7], 0.9)[0]).toBeCloseTo(7, 12)
    for (const v of ema([2, 2, 2, 2, 2, 2], 0.95)) expect(v).toBeCloseTo(2, 12)
  })

  it('matches the hand-computed debiased average', () => {
    // w = 0.5: acc1 = 0.5*1 = 0.5 -> /0.5 = 1; acc2 = 0.25 + 1.5 = 1.75 -> /0.75 = 7/3
    const s = ema([1, 3], 0.5)
    expect(s[0]).toBeCloseTo(1, 12)
    expect(s[1]).toBeCloseTo(7 / 3, 12)
  })

  it('keeps a NaN where it is without poisoning later points', () => {
    const s = ema([1, Number.NaN, 1], 0.9)
    expect(s[0]).toBeCloseTo(1, 12)
    expect(Number.isNaN(s[1])).toBe(true)
    expect(s[2]).toBeCloseTo(1, 12)
  })

  it('writes into a given buffer when it is large enough', () => {
    const out = new Float64Array(8)
    const s = ema([1, 2, 3], 0.3, out)
    expect(s.buffer).toBe(out.buffer)
    expect(s.length).toBe(3)
  })

  it('smooths 10,000 points, each value from the previous smoothed one', () => {
    // Speed is measured by `npm run bench:ui`, not here; this pins the recurrence the slider relies on.
    const values = Array.from({ length: 10_000 }, (_, i) => Math.exp(-i / 2000) + Math.sin(i))
    const s = ema(values, 0.9)
    expect(s.length).toBe(10_000)
    // Debiased: s[i] * (1 - w^(i+1)) = w * s[i-1] * (1 - w^i) + (1 - w) * x[i].
    const w = 0.9
    for (const i of [1, 17, 5000, 9999]) {
      const acc = w * s[i - 1]! * (1 - w ** i) + (1 - w) * values[i]!
      expect(s[i]).toBeCloseTo(acc / (1 - w ** (i + 1)), 12)
    }
  })
})
