import { describe, expect, it } from 'vitest'
import type { MetricEvent } from './runs'
import { seriesFromEvents } from './metricsSeries'
import { ema } from './smoothing'
import { envelope } from './envelope'

const step = (iteration: number, loss: number): MetricEvent => ({ type: 'iteration', iteration, loss })

/** A noisy falling loss, steps 1..n. */
function steps(n: number): MetricEvent[] {
  return Array.from({ length: n }, (_, i) => step(i + 1, 2 * Math.exp(-i / 3000) + 0.3 * Math.sin(i * 7.31)))
}
const lossesOf = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

describe('the smoothed loss runs.metrics sends', () => {
  it('is the debiased EMA of every step, taken at each point’s last iteration', () => {
    const events = steps(10_000)
    const full = ema(lossesOf(events), 0.9)
    const s = seriesFromEvents(events, { maxPoints: 500, smoothing: 0.9 })
    expect(s.bucket).toBe(32)
    s.iterations.forEach((it, i) => expect(s.smoothed[i]).toBeCloseTo(full[it - 1]!, 12))
    const losses = lossesOf(events)
    expect(s.lossLast).toEqual(s.iterations.map((it) => losses[it - 1]))
  })

  it('does not change shape as the run grows: a prefix and the grown run agree on the shared range', () => {
    // Smoothing, then downsampling: the curve of the first 3,000 steps (bucket 8) and of 40,000 steps
    // (bucket 128) give the same smoothed value at every iteration both drew, and both are the
    // full-resolution EMA there. Smoothing bucket means instead would differ by far more.
    const grown = steps(40_000)
    const prefix = grown.slice(0, 3000)
    const a = seriesFromEvents(prefix, { maxPoints: 500, smoothing: 0.95 })
    const b = seriesFromEvents(grown, { maxPoints: 500, smoothing: 0.95 })
    expect(a.bucket).toBeLessThan(b.bucket)
    const at = new Map(a.iterations.map((it, i) => [it, a.smoothed[i]]))
    const shared = b.iterations.filter((it) => it <= 3000 && at.has(it))
    expect(shared.length).toBeGreaterThan(10)
    for (const it of shared) {
      expect(b.smoothed[b.iterations.indexOf(it)]).toBeCloseTo(at.get(it)!, 12)
    }
    // And drawn (downsampled to 300 pixels over the shared range) they are the same line.
    const draw = (s: typeof a) => envelope({ x: s.iterations, y: s.smoothed }, 300, { from: 0, to: 3000 })
    const da = draw(a)
    const db = draw(b)
    const atB = new Map(db.x.map((x, i) => [x, db.y[i]]))
    for (let i = 0; i < da.x.length; i++) {
      if (atB.has(da.x[i]!)) expect(atB.get(da.x[i]!)).toBeCloseTo(da.y[i]!, 12)
    }
    // What smoothing after bucketing would have drawn: visibly different at the same iterations.
    const meansA = ema(a.losses as number[], 0.95)
    const meansB = ema(b.losses as number[], 0.95)
    const it = shared[Math.floor(shared.length / 2)]!
    const diff = Math.abs(meansA[a.iterations.indexOf(it)]! - meansB[b.iterations.indexOf(it)]!)
    expect(diff).toBeGreaterThan(1e-3)
  })

  it('carries the EMA on: smoothing steps one by one from `ema` gives the whole-log EMA', () => {
    const events = steps(2000)
    const head = seriesFromEvents(events.slice(0, 1200), { smoothing: 0.8 })
    const whole = ema(lossesOf(events), 0.8)
    const e = { ...head.ema }
    let last = NaN
    for (const loss of lossesOf(events.slice(1200))) {
      e.acc = e.weight * e.acc + (1 - e.weight) * loss
      e.debias *= e.weight
      last = e.acc / (1 - e.debias)
    }
    expect(last).toBeCloseTo(whole[1999]!, 12)
  })

  it('is smoothed in iteration order even when the log is not', () => {
    const events = steps(300)
    const shuffled = [...events.filter((_, i) => i % 2 === 0), ...events.filter((_, i) => i % 2 === 1)]
    expect(seriesFromEvents(shuffled, { smoothing: 0.7 })).toEqual(
      seriesFromEvents(events, { smoothing: 0.7 }),
    )
  })
})

describe('a range of the series (a zoomed chart)', () => {
  it('buckets only the window, with min, max and last, and the EMA of the whole log', () => {
    const events = steps(100_000)
    const spike = events[61_802] as { loss: number }
    spike.loss = 9
    const full = ema(lossesOf(events), 0.6)
    const s = seriesFromEvents(events, { smoothing: 0.6, range: { from: 60_000, to: 64_000, buckets: 800 } })
    expect(s.range).toEqual({ from: 60_000, to: 64_000, buckets: 800 })
    expect(s.bucket).toBe(6)
    expect(s.iterations.length).toBeLessThanOrEqual(801)
    expect(s.iterations[0]).toBeGreaterThanOrEqual(60_000)
    expect(s.iterations.at(-1)).toBe(64_000)
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(4001)
    expect(Math.max(...(s.lossMax as number[]))).toBe(9)
    s.iterations.forEach((it, i) => expect(s.smoothed[i]).toBeCloseTo(full[it - 1]!, 12))
    expect(s.iterationCount).toBe(100_000)
  })

  it('is exact when the window has fewer steps than buckets', () => {
    const events = steps(1000)
    const s = seriesFromEvents(events, { range: { from: 10, to: 19, buckets: 800 } })
    expect(s.bucket).toBe(1)
    expect(s.iterations).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    expect(s.lossMin).toEqual(s.losses)
  })
})
