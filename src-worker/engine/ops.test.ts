import { describe, expect, it } from 'vitest'
import { addScaled, argmaxRows, full, randn, sumSquares } from './ops'
import { Rng } from './rng'
import { tensor } from './tensor'

describe('ops', () => {
  it('sumSquares and addScaled', () => {
    const w = tensor([1, -2, 3], [3], 'float64')
    expect(sumSquares(w)).toBe(14)
    const g = tensor([1, 1, 1], [3], 'float32')
    addScaled(g, 0.5, w)
    expect(Array.from(g.data)).toEqual([1.5, 0, 2.5])
  })

  it('full and randn', () => {
    const f = full([2, 2], 3, 'float64')
    expect(Array.from(f.data)).toEqual([3, 3, 3, 3])
    const a = randn([1000], 0.5, new Rng(1), 'float32')
    const b = randn([1000], 0.5, new Rng(1), 'float32')
    expect(Array.from(b.data)).toEqual(Array.from(a.data))
    const std = Math.sqrt(Array.from(a.data).reduce((s, v) => s + v * v, 0) / 1000)
    expect(Math.abs(std - 0.5)).toBeLessThan(0.05)
  })

  it('argmaxRows picks the first maximum of each row', () => {
    const s = tensor([1, 3, 2, 5, 5, -1, -3, -2, -1], [3, 3], 'float64')
    expect(Array.from(argmaxRows(s))).toEqual([1, 0, 2])
  })
})
