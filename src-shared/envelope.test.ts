import { describe, expect, it } from 'vitest'
import { envelope } from './envelope'
import { lttb } from './lttb'

/** 100,000 steps of a gently falling, noisy loss with one spike of 9 at step 61,803. */
function spiky(n = 100_000, at = 61_803): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = i + 1
    y[i] = 2 * Math.exp(-i / 30_000) + 0.05 * Math.sin(i * 12.9898)
  }
  y[at] = 9
  return { x, y }
}

const maxOf = (y: ArrayLike<number | null>): number => Math.max(...Array.from(y, (v) => v ?? -Infinity))

describe('envelope', () => {
  it('keeps a single spike among 100,000 points at 800 buckets, where averaging would not', () => {
    const s = spiky()
    const e = envelope(s, 800)
    expect(e.x.length).toBeLessThanOrEqual(4 * 800)
    expect(maxOf(e.y)).toBe(9)
    expect(e.x[e.y.indexOf(9)]).toBe(61_804)
    // The first and last points stay, so the line spans the whole run.
    expect(e.x[0]).toBe(1)
    expect(e.x.at(-1)).toBe(100_000)
  })

  it('keeps the spike at any width, and in a zoomed window or outside it', () => {
    const s = spiky()
    for (const b of [37, 300, 1280]) expect(maxOf(envelope(s, b).y)).toBe(9)
    const inside = envelope(s, 500, { from: 60_000, to: 62_000 })
    expect(maxOf(inside.y)).toBe(9)
    // The window is fine: about 4 points per bucket of 4 steps.
    const shown = inside.x.filter((v) => v >= 60_000 && v <= 62_000).length
    expect(shown).toBeGreaterThan(1000)
    const outside = envelope(s, 500, { from: 10_000, to: 12_000 })
    expect(maxOf(outside.y)).toBe(9)
    expect(outside.x.filter((v) => v >= 10_000 && v <= 12_000).length).toBeGreaterThan(1000)
  })

  it('returns a short series as it is, x order kept', () => {
    const e = envelope({ x: [0, 1, 2, 3], y: [4, 3, 5, 1] }, 800)
    expect(e).toEqual({ x: [0, 1, 2, 3], y: [4, 3, 5, 1] })
  })

  it('draws a folded point as its range: lowest and highest from yMin and yMax', () => {
    const e = envelope({ x: [10, 20], y: [2, 1], yMin: [1.5, 0.5], yMax: [7, 1] }, 800)
    // Each point: its value, its lowest, its highest, its value again (repeats at one x dropped).
    expect(e.x).toEqual([10, 10, 10, 10, 20, 20, 20])
    expect(e.y).toEqual([2, 1.5, 7, 2, 1, 0.5, 1])
  })

  it('keeps a gap where a step was not finite', () => {
    const e = envelope({ x: [0, 1, 2], y: [1, null, 2] }, 800)
    expect(e).toEqual({ x: [0, 1, 2], y: [1, null, 2] })
    const many = envelope(
      {
        x: Array.from({ length: 1000 }, (_, i) => i),
        y: Array.from({ length: 1000 }, (_, i) => (i === 500 ? NaN : 1)),
      },
      10,
    )
    expect(many.y).toContain(null)
  })

  it('LTTB may drop the spike where the envelope cannot', () => {
    // Not a claim about LTTB in general: a flat run with one spike next to a larger one.
    const n = 100_000
    const x = Array.from({ length: n }, (_, i) => i)
    const y = Array.from({ length: n }, (_, i) => (i === 50_000 ? 3 : i === 50_030 ? 9 : 1))
    const l = lttb(x, y, 800)
    expect(Array.from(l.y)).not.toContain(3)
    expect(envelope({ x, y }, 800).y).toContain(3)
  })
})
