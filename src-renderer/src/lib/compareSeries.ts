/**
 * The compare view's curves: each run's loss and accuracies on the chosen x axis, smoothed, coloured, or
 * folded into a mean ± std band when the runs are seed repeats. Pure, so the view only renders.
 *
 * The smoothed loss is main's (src-shared/smoothing.ts: over every logged step, before bucketing, with
 * the weight the series was read with), never an EMA of bucket means, so a curve keeps its shape as a
 * run grows; the raw loss is drawn faint as each bucket's envelope.
 */
import type { LineSeries } from '../components/LineChart.vue'
import type { MetricsSeries } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import type { RunSeries } from '../stores/runs'
import { alignX, iterationsPerEpoch, type XAxis } from './compare'
import { meanStdBand, type Band, type Curve } from './seedBand'
import { withDetail } from './zoomDetail'

export interface CompareRun {
  record: RunRecord
  series: RunSeries | null
  color: string
  /** main's finer buckets of a zoomed window (runs.metrics with a range), drawn in place of the series' there. */
  detail?: MetricsSeries | null
}

export interface SeriesLabels {
  train: string
  val: string
  /** The band's centre line, e.g. "mean of 3 seeds". */
  mean: string
}

export interface SeriesOptions {
  axis: XAxis
  /** Draw the runs as one mean ± std band (only meaningful for seed repeats). */
  band: boolean
  labels: SeriesLabels
  /** A log y axis cannot show values <= 0: the band's lower edge stops at the lowest loss seen. */
  logLoss?: boolean
}

/** Whether every logged iteration carries a wall-clock time (old logs have none). */
export function hasTimestamps(s: RunSeries | null): boolean {
  return !s || s.times.every((t) => Number.isFinite(t))
}

/** The time axis needs timestamps from every run that has any curve at all. */
export function timeAxisAvailable(runs: CompareRun[]): boolean {
  return runs.every((r) => hasTimestamps(r.series))
}

function batchSize(r: RunRecord): number {
  return r.config.solver.batchSize
}

/** Null when the run cannot be placed on `axis` yet (no progress plan for epochs, no timestamps). */
function canPlace(r: CompareRun, axis: XAxis): boolean {
  if (axis === 'epoch') return iterationsPerEpoch(r.record) > 0
  if (axis === 'time') return hasTimestamps(r.series)
  return true
}

/** A run's loss on an axis: y the raw loss of each point's last step, with its bucket's extremes. */
export interface LossCurve extends Curve {
  yMin: number[]
  yMax: number[]
  smoothed: number[]
}

export function lossCurve(r: CompareRun, axis: XAxis): LossCurve | null {
  if (!r.series || r.series.iterations.length === 0 || !canPlace(r, axis)) return null
  const s = withDetail(r.series, r.detail)
  const x = alignX(s.iterations, axis, {
    batchSize: batchSize(r.record),
    iterationsPerEpoch: iterationsPerEpoch(r.record),
    timestampsMs: s.times,
  })
  return { x, y: s.lossLast, yMin: s.lossMin, yMax: s.lossMax, smoothed: s.smoothed }
}

/** Index of the last element <= v in ascending `a`, or -1. */
function lastAtOrBefore(a: number[], v: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((a[mid] as number) <= v) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

export interface AccCurves {
  x: Float64Array
  train: number[]
  val: number[]
}

/** Accuracies are checked once an epoch, at `epochIterations`; they go on the same axis as the loss. */
export function accCurves(r: CompareRun, axis: XAxis): AccCurves | null {
  const s = r.series
  if (!s || s.epochs.length === 0 || !canPlace(r, axis)) return null
  let x: Float64Array
  if (axis === 'epoch') {
    // The epoch number itself: exact, where iterations / iterationsPerEpoch drifts by a rounding.
    x = Float64Array.from(s.epochs)
  } else if (axis === 'time') {
    const start = s.times[0] ?? 0
    x = Float64Array.from(s.epochIterations, (it) => {
      const i = lastAtOrBefore(s.iterations, it)
      return i < 0 ? 0 : ((s.times[i] as number) - start) / 1000
    })
  } else {
    x = alignX(s.epochIterations, axis, {
      batchSize: batchSize(r.record),
      iterationsPerEpoch: iterationsPerEpoch(r.record),
    })
  }
  return { x, train: s.trainAcc, val: s.valAcc }
}

/**
 * A band as three series: an invisible lower edge, the band's width stacked on it and filled (so the
 * fill spans lower..upper), and the mean line on top.
 */
export function bandSeries(
  band: Band,
  opts: { name: string; color: string; stack: string; floor?: number; dash?: boolean },
): LineSeries[] {
  const n = band.x.length
  const lower = new Float64Array(n)
  const width = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const m = band.mean[i] as number
    const s = band.std[i] as number
    const lo = opts.floor === undefined ? m - s : Math.max(m - s, opts.floor)
    lower[i] = lo
    width[i] = m + s - lo
  }
  return [
    {
      name: `${opts.name} −σ`,
      x: band.x,
      y: lower,
      color: opts.color,
      opacity: 0,
      quiet: true,
      stack: opts.stack,
    },
    {
      name: `${opts.name} ±σ`,
      x: band.x,
      y: width,
      color: opts.color,
      opacity: 0,
      quiet: true,
      stack: opts.stack,
      area: 0.2,
    },
    { name: opts.name, x: band.x, y: band.mean, color: opts.color, width: 2, dash: opts.dash },
  ]
}

function minPositive(curves: Curve[]): number | undefined {
  let m = Infinity
  for (const c of curves)
    for (let i = 0; i < c.y.length; i++) {
      const v = c.y[i] as number
      if (v > 0 && v < m) m = v
    }
  return Number.isFinite(m) ? m : undefined
}

/** Loss per run (raw, faint, behind its EMA), or one band over the runs' smoothed losses. */
export function lossSeries(runs: CompareRun[], opts: SeriesOptions): LineSeries[] {
  const placed = runs.flatMap((r) => {
    const c = lossCurve(r, opts.axis)
    return c ? [{ r, c }] : []
  })
  if (opts.band && placed.length > 1) {
    const smoothed = placed.map(({ c }) => ({ x: c.x, y: c.smoothed }))
    return bandSeries(meanStdBand(smoothed), {
      name: opts.labels.mean,
      color: placed[0]!.r.color,
      stack: 'loss',
      floor: opts.logLoss ? minPositive(smoothed) : undefined,
    })
  }
  return placed.flatMap(({ r, c }) => [
    {
      name: `${r.record.config.name} raw`,
      x: c.x,
      y: c.y,
      yMin: c.yMin,
      yMax: c.yMax,
      color: r.color,
      opacity: 0.18,
      width: 1,
      quiet: true,
    },
    { name: r.record.config.name, x: c.x, y: c.smoothed, color: r.color, width: 2 },
  ])
}

/** Validation (solid) and training (dashed) accuracy per run, or a band for each. */
export function accSeries(runs: CompareRun[], opts: SeriesOptions): LineSeries[] {
  const placed = runs.flatMap((r) => {
    const c = accCurves(r, opts.axis)
    return c ? [{ r, c }] : []
  })
  if (opts.band && placed.length > 1) {
    const color = placed[0]!.r.color
    const of = (pick: 'train' | 'val') => meanStdBand(placed.map(({ c }) => ({ x: c.x, y: c[pick] })))
    return [
      ...bandSeries(of('val'), { name: `${opts.labels.mean} · ${opts.labels.val}`, color, stack: 'val' }),
      ...bandSeries(of('train'), {
        name: `${opts.labels.mean} · ${opts.labels.train}`,
        color,
        stack: 'train',
        dash: true,
      }),
    ]
  }
  // Few points per run: dots make each accuracy check visible.
  const symbols = placed.every(({ c }) => c.x.length <= 30)
  return placed.flatMap(({ r, c }) => [
    {
      name: `${r.record.config.name} · ${opts.labels.val}`,
      x: c.x,
      y: c.val,
      color: r.color,
      width: 2,
      symbols,
    },
    {
      name: `${r.record.config.name} · ${opts.labels.train}`,
      x: c.x,
      y: c.train,
      color: r.color,
      width: 1.5,
      dash: true,
      symbols,
    },
  ])
}

/** The largest x over all series: small multiples share it so that their axes line up. */
export function xExtent(series: LineSeries[]): number | null {
  let max = -Infinity
  for (const s of series) if (s.x.length > 0) max = Math.max(max, s.x[s.x.length - 1] as number)
  return Number.isFinite(max) ? max : null
}
