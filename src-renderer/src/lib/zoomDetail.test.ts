import { describe, expect, it } from 'vitest'
import { seriesFromEvents } from '../../../src-shared/metricsSeries'
import type { MetricEvent } from '../../../src-shared/runs'
import { appendEvents, emptySeries } from '../stores/runs'
import { iterationRange, windowToIterations, withDetail } from './zoomDetail'

const steps = (n: number, spikeAt = -1): MetricEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'iteration',
    iteration: i + 1,
    loss: i + 1 === spikeAt ? 40 : 2 + Math.sin(i),
    t: 1000 + i * 10,
  }))

describe('withDetail', () => {
  it('puts the window’s finer buckets in place of the whole-run points there', () => {
    const events = steps(100_000, 50_123)
    const overview = emptySeries(1000)
    appendEvents(overview, events)
    expect(overview.bucket).toBe(128)
    const detail = seriesFromEvents(events, { range: { from: 50_000, to: 50_999, buckets: 500 } })
    const s = withDetail(overview, detail)
    const inside = s.iterations.filter((it) => it >= 50_000 && it <= 50_999)
    expect(inside.length).toBe(detail.iterations.length)
    expect(inside).toEqual(detail.iterations)
    // Outside the window the whole-run points stay, so the line runs on past its edges.
    expect(s.iterations[0]).toBe(overview.iterations[0])
    expect(s.iterations.at(-1)).toBe(100_000)
    expect(s.iterations.every((it, i) => i === 0 || it > s.iterations[i - 1]!)).toBe(true)
    // The spike is its own bucket's highest, and the smoothed values are main's (nulls as NaN).
    expect(Math.max(...s.lossMax.filter(Number.isFinite))).toBe(40)
    expect(s.smoothed.length).toBe(s.iterations.length)
    expect(withDetail(overview, null)).toBe(overview)
  })
})

describe('the window as iterations', () => {
  const run = {
    iterationsPerEpoch: 100,
    batchSize: 50,
    iterations: [1, 2, 3, 4, 5],
    times: [0, 1000, 2000, 3000, 4000],
  }

  it('is linear on the epoch and samples axes', () => {
    expect(windowToIterations('iteration', { from: 5, to: 9 }, run)).toEqual({ from: 5, to: 9 })
    expect(windowToIterations('epoch', { from: 1.5, to: 2 }, run)).toEqual({ from: 150, to: 200 })
    expect(windowToIterations('samples', { from: 500, to: 1000 }, run)).toEqual({ from: 10, to: 20 })
    expect(windowToIterations('epoch', { from: 1, to: 2 }, { ...run, iterationsPerEpoch: NaN })).toBeNull()
  })

  it('goes through the run’s timestamps on the time axis', () => {
    expect(windowToIterations('time', { from: 1.5, to: 2.5 }, run)).toEqual({ from: 2, to: 4 })
    expect(windowToIterations('time', { from: 0, to: 9 }, run)).toEqual({ from: 0, to: 5 })
    expect(windowToIterations('time', { from: 1, to: 2 }, { ...run, times: [0, NaN, 1, 2, 3] })).toBeNull()
  })

  it('asks for whole iterations and one bucket per pixel, within the most main sends', () => {
    expect(iterationRange(10.4, 99.2, 812.6, 20_000)).toEqual({ from: 10, to: 100, buckets: 813 })
    expect(iterationRange(-3, 5, 50_000, 20_000)).toEqual({ from: 0, to: 5, buckets: 20_000 })
  })
})
