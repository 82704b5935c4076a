import { describe, expect, it } from 'vitest'
import { lttb } from './lttb'

describe('lttb', () => {
  it('returns short curves unchanged', () => {
    const x = [0, 1, 2]
    const y = [3, 1, 2]
    expect(lttb(x, y, 10)).toEqual({ x, y })
  })

  it('keeps the threshold number of points, both ends, and a lone peak', () => {
    const n = 10_000
    const x = Array.from({ length: n }, (_, i) => i)
    const y = x.map((i) => (i === 4321 ? 100 : Math.sin(i / 500)))
    const out = lttb(x, y, 500)
    expect(out.x.length).toBe(500)
    expect(out.x[0]).toBe(0)
    expect(out.x[499]).toBe(n - 1)
    expect(Array.from(out.y)).toContain(100)
    // x stays increasing.
    for (let i = 1; i < 500; i++) expect(out.x[i]!).toBeGreaterThan(out.x[i - 1]!)
  })

  it('drops gaps', () => {
    const x = Array.from({ length: 20 }, (_, i) => i)
    const y = x.map((i) => (i % 2 ? null : i))
    const out = lttb(x, y, 5)
    expect(Array.from(out.y).every((v) => v !== null)).toBe(true)
    expect(out.x.length).toBe(5)
  })
})
