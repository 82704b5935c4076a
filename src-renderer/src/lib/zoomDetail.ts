/**
 * A zoomed loss chart draws main's finer buckets of the window (runs.metrics with a range) in place of
 * the whole-run points there; outside it the whole-run points stay, so the line still runs off the
 * window's edges and a pan shows something before the next answer arrives.
 */
import type { MetricsRange, MetricsSeries } from '../../../src-shared/contract'
import type { LossPoints } from '../../../src-shared/lossPoints'
import type { XAxis } from './compare'

/** The loss columns a chart draws (LossPoints without the bucket). */
export type LossColumns = Pick<
  LossPoints,
  'iterations' | 'losses' | 'lossMin' | 'lossMax' | 'lossLast' | 'smoothed' | 'times'
>

const COLUMNS = ['iterations', 'losses', 'lossMin', 'lossMax', 'lossLast', 'smoothed', 'times'] as const

/** The whole-run points before and after the detail's window, the detail's inside it. */
export function withDetail(overview: LossColumns, detail: MetricsSeries | null | undefined): LossColumns {
  const range = detail?.range
  if (!detail || !range) return overview
  const its = overview.iterations
  let left = 0
  while (left < its.length && its[left]! < range.from) left++
  let right = left
  while (right < its.length && its[right]! <= range.to) right++
  const nan = (v: number | null): number => v ?? NaN
  const out = {} as LossColumns
  for (const c of COLUMNS) {
    const inner = c === 'iterations' ? detail.iterations : (detail[c] as (number | null)[]).map(nan)
    out[c] = [...overview[c].slice(0, left), ...inner, ...overview[c].slice(right)]
  }
  return out
}

/** The zoom window's iterations, whole, from a chart's window in iterations. */
export function iterationRange(from: number, to: number, pixels: number, maxBuckets: number): MetricsRange {
  const a = Math.max(0, Math.floor(from))
  const b = Math.max(a, Math.ceil(to))
  return { from: a, to: b, buckets: Math.max(1, Math.min(maxBuckets, Math.round(pixels))) }
}

/**
 * A window on the compare view's x axis as iterations of one run: linear for epochs and samples, through
 * the run's own timestamps for wall time. Null when the run cannot be placed (no plan, no timestamps).
 */
export function windowToIterations(
  axis: XAxis,
  window: { from: number; to: number },
  run: { iterationsPerEpoch: number; batchSize: number; iterations: number[]; times: number[] },
): { from: number; to: number } | null {
  if (axis === 'iteration') return window
  if (axis === 'epoch') {
    const k = run.iterationsPerEpoch
    return k > 0 && Number.isFinite(k) ? { from: window.from * k, to: window.to * k } : null
  }
  if (axis === 'samples') {
    const k = run.batchSize
    return k > 0 ? { from: window.from / k, to: window.to / k } : null
  }
  const { iterations, times } = run
  if (iterations.length === 0 || !times.every((t) => Number.isFinite(t))) return null
  const start = times[0]!
  const seconds = (i: number): number => (times[i]! - start) / 1000
  // The last point at or before the window's start, and the first at or after its end.
  let lo = 0
  while (lo + 1 < iterations.length && seconds(lo + 1) <= window.from) lo++
  let hi = iterations.length - 1
  while (hi - 1 >= 0 && seconds(hi - 1) >= window.to) hi--
  return { from: lo === 0 ? 0 : iterations[lo]!, to: iterations[Math.max(hi, lo)]! }
}
