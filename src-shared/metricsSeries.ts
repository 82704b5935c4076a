/**
 * Builds runs.metrics's answer (contract.ts MetricsSeries) from a run's events as they count (superseded
 * and repeated lines already dropped): main feeds it the scan of metrics.jsonl; tests feed it lists.
 * Memory is the loss points (at most maxPoints, or the range's buckets) plus the epoch checks.
 *
 * The loss is smoothed here, step by step at full resolution, before it is bucketed (see smoothing.ts):
 * that needs the steps in iteration order, which a log trained twice at once does not have; `ordered`
 * says whether they were, and the caller then feeds them again, sorted (seriesFromEvents does).
 */
import {
  METRICS_POINTS_DEFAULT,
  METRICS_SMOOTHING_DEFAULT,
  type MetricsRange,
  type MetricsSeries,
} from './contract'
import { addLoss, emptyLossPoints } from './lossPoints'
import type { MetricEvent } from './runs'
import { emaPush, emaState } from './smoothing'

type IterationEvent = Extract<MetricEvent, { type: 'iteration' }>
type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>
type ResumeEvent = Extract<MetricEvent, { type: 'resume' }>

export interface SeriesOptions {
  /** Whole-run mode: at most this many power-of-two buckets (default METRICS_POINTS_DEFAULT). */
  maxPoints?: number
  /** EMA weight of the smoothed column (default METRICS_SMOOTHING_DEFAULT). */
  smoothing?: number
  /** Range mode: only these iterations, in equal buckets. */
  range?: MetricsRange | null
}

export class SeriesBuilder {
  private readonly points = emptyLossPoints()
  private readonly cap: number
  private readonly range: MetricsRange | null
  private readonly ema
  private count = 0
  private last: MetricsSeries['last'] = null
  private readonly epochs: EpochEvent[] = []
  private readonly resumes: ResumeEvent[] = []
  /** False once an iteration came after a later one: the smoothing is then wrong (see above). */
  ordered = true

  constructor(options: number | SeriesOptions = {}) {
    const o = typeof options === 'number' ? { maxPoints: options } : options
    this.range = o.range ?? null
    this.ema = emaState(o.smoothing ?? METRICS_SMOOTHING_DEFAULT)
    if (this.range) {
      // Buckets aligned at 0, like the whole-run ones: those at the window's edges hold only its part.
      const span = this.range.to - this.range.from + 1
      this.points.bucket = Math.max(1, Math.ceil(span / this.range.buckets))
      this.cap = this.range.buckets + 1
    } else this.cap = o.maxPoints ?? METRICS_POINTS_DEFAULT
  }

  add(e: MetricEvent): void {
    if (e.type === 'iteration') {
      if (this.last !== null && e.iteration <= this.last.iteration) this.ordered = false
      const smoothed = emaPush(this.ema, e.loss)
      const r = this.range
      if (!r || (e.iteration >= r.from && e.iteration <= r.to)) {
        addLoss(this.points, this.cap, e.iteration, e.loss, e.t, smoothed)
      }
      this.count++
      if (this.last === null || e.iteration > this.last.iteration) {
        this.last = { iteration: e.iteration, loss: finiteOrNull(e.loss), t: e.t ?? null }
      }
    } else if (e.type === 'epoch') this.epochs.push(e)
    else this.resumes.push(e)
  }

  finish(): MetricsSeries {
    const p = this.points
    return {
      bucket: p.bucket,
      iterationCount: this.count,
      iterations: p.iterations,
      losses: p.losses.map(finiteOrNull),
      lossMin: p.lossMin.map(finiteOrNull),
      lossMax: p.lossMax.map(finiteOrNull),
      counts: p.counts,
      times: p.times.map(finiteOrNull),
      lossLast: p.lossLast.map(finiteOrNull),
      smoothed: p.smoothed.map(finiteOrNull),
      ema: { ...this.ema },
      range: this.range ? { ...this.range } : null,
      last: this.last,
      epochs: this.epochs.sort((a, b) => a.epoch - b.epoch),
      resumes: this.resumes.sort((a, b) => a.fromIteration - b.fromIteration),
    }
  }
}

/** Events in any order (each counted once); the steps are smoothed in iteration order. */
export function seriesFromEvents(
  events: Iterable<MetricEvent>,
  options: number | SeriesOptions = {},
): MetricsSeries {
  const list = [...events]
  const b = new SeriesBuilder(options)
  for (const e of list) b.add(e)
  if (b.ordered) return b.finish()
  const sorted = new SeriesBuilder(options)
  for (const e of inStepOrder(list)) sorted.add(e)
  return sorted.finish()
}

/** The steps ascending by iteration (a stable sort keeps the other events where they were). */
export function inStepOrder(events: readonly MetricEvent[]): MetricEvent[] {
  const steps = events
    .filter((e): e is IterationEvent => e.type === 'iteration')
    .sort((a, b) => a.iteration - b.iteration)
  let i = 0
  return events.map((e) => (e.type === 'iteration' ? steps[i++]! : e))
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
