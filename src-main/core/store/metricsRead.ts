/**
 * What callers read from a metrics.jsonl, each built on the one streaming scan of metricsScan.ts:
 * - readMetricsSeries: the loss as at most N points (src-shared/lossPoints.ts) and every epoch check, for
 *   the UI, reports and `show`. Memory is bounded by N, whatever the size of the file.
 * - readMetricColumns: every logged iteration, ascending, for exports at full resolution. Typed columns
 *   take 24 bytes an iteration (180 MB for a 7.5M-iteration run, a third of its log), where a list of
 *   event objects would take several times that.
 * - readMetrics: the same as a list of events, for small runs and tests.
 */
import type { MetricsSeries } from '../../../src-shared/contract'
import { SeriesBuilder, type SeriesOptions } from '../../../src-shared/metricsSeries'
import type { MetricEvent } from '../../../src-shared/runs'
import { scanMetrics, type ReadMetricsOptions } from './metricsScan'

export type { ReadMetricsOptions }

/** Reads a metrics.jsonl into some view of it; RunStore and Workbench take one to read a run's log. */
export type MetricsReader<T> = (path: string, options?: ReadMetricsOptions) => Promise<T>

type IterationEvent = Extract<MetricEvent, { type: 'iteration' }>
type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>
type ResumeEvent = Extract<MetricEvent, { type: 'resume' }>

/** A run's events at full resolution: one entry per logged iteration, ascending, each iteration once. */
export interface MetricColumns {
  iterations: Float64Array
  /** NaN where the loss was not finite (the log writes NaN and Infinity as null). */
  losses: Float64Array
  /** Wall-clock ms of each step; NaN where the log predates timestamps. */
  times: Float64Array
  /** Ascending by iteration, then epoch. */
  epochs: EpochEvent[]
  /** Ascending by fromIteration. */
  resumes: ResumeEvent[]
}

export function readMetricsSeries(
  path: string,
  series: number | SeriesOptions,
  options: ReadMetricsOptions = {},
): Promise<MetricsSeries> {
  return seriesReader(series)(path, options)
}

/** `series`: the most points, or the smoothing and range too (metricsSeries.ts). */
export function seriesReader(series: number | SeriesOptions): MetricsReader<MetricsSeries> {
  return async (path, options = {}) => {
    const b = new SeriesBuilder(series)
    await scanMetrics(path, (e) => b.add(e), options)
    if (b.ordered) return b.finish()
    // A log trained twice at once interleaves its steps: smoothing needs them in order, so it is read
    // again as sorted columns (the rare case costs the memory of an export).
    const sorted = new SeriesBuilder(series)
    for (const e of columnsToEvents(await readMetricColumns(path, options))) sorted.add(e)
    return sorted.finish()
  }
}

export const readMetricColumns: MetricsReader<MetricColumns> = async (path, options = {}) => {
  const b = new ColumnsBuilder()
  await scanMetrics(path, (e) => b.add(e), options)
  return b.finish()
}

/**
 * Every event that counts, ascending by iteration: an epoch check after the step it followed, a resume
 * marker after what it kept and before what it replayed.
 */
export const readMetrics: MetricsReader<MetricEvent[]> = async (path, options = {}) =>
  columnsToEvents(await readMetricColumns(path, options))

/** Columns of events that already count (tests and in-memory callers; any order). */
export function columnsFromEvents(events: Iterable<MetricEvent>): MetricColumns {
  const b = new ColumnsBuilder()
  for (const e of events) b.add(e)
  return b.finish()
}

export function columnsToEvents(c: MetricColumns): MetricEvent[] {
  const steps: IterationEvent[] = Array.from(c.iterations, (iteration, i) => {
    const loss = c.losses[i]!
    const t = c.times[i]!
    return Number.isNaN(t)
      ? { type: 'iteration', iteration, loss }
      : { type: 'iteration', iteration, loss, t }
  })
  return inIterationOrder(steps, c.epochs, c.resumes)
}

/**
 * Steps (ascending) with the epoch checks and resume markers between them: a check after the step it
 * followed, a marker after the steps it kept and before those it replayed.
 */
export function inIterationOrder(
  steps: readonly IterationEvent[],
  epochs: readonly EpochEvent[],
  resumes: readonly ResumeEvent[],
): MetricEvent[] {
  const out: MetricEvent[] = []
  let e = 0
  let r = 0
  /** Pushes the checks and markers that come before the step at `bound`. */
  const drain = (bound: number): void => {
    for (;;) {
      const epoch = epochs[e]
      const resume = resumes[r]
      if (epoch && (!resume || epoch.iteration <= resume.fromIteration)) {
        if (epoch.iteration >= bound) return
        out.push(epoch)
        e++
      } else if (resume) {
        if (resume.fromIteration >= bound) return
        out.push(resume)
        r++
      } else return
    }
  }
  for (const step of steps) {
    drain(step.iteration)
    out.push(step)
  }
  drain(Infinity)
  return out
}

/** A Float64Array that grows by doubling. */
class Column {
  data = new Float64Array(1024)
  length = 0

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = v
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length)
  }
}

class ColumnsBuilder {
  private readonly iterations = new Column()
  private readonly losses = new Column()
  private readonly times = new Column()
  private readonly epochs: EpochEvent[] = []
  private readonly resumes: ResumeEvent[] = []
  private ordered = true

  add(e: MetricEvent): void {
    if (e.type === 'iteration') {
      const n = this.iterations.length
      if (n > 0 && e.iteration <= this.iterations.data[n - 1]!) this.ordered = false
      this.iterations.push(e.iteration)
      this.losses.push(e.loss)
      this.times.push(e.t ?? NaN)
    } else if (e.type === 'epoch') this.epochs.push(e)
    else this.resumes.push(e)
  }

  finish(): MetricColumns {
    let iterations = this.iterations.values()
    let losses = this.losses.values()
    let times = this.times.values()
    if (!this.ordered) {
      // Only a doubly trained log gets here; its iterations are unique, so the order is total.
      const order = Uint32Array.from({ length: iterations.length }, (_, i) => i)
      const it = iterations
      order.sort((a, b) => it[a]! - it[b]!)
      const pick = (col: Float64Array): Float64Array => Float64Array.from(order, (i) => col[i]!)
      iterations = pick(iterations)
      losses = pick(losses)
      times = pick(times)
    }
    return {
      iterations,
      losses,
      times,
      epochs: this.epochs.sort((a, b) => a.iteration - b.iteration || a.epoch - b.epoch),
      resumes: this.resumes.sort((a, b) => a.fromIteration - b.fromIteration),
    }
  }
}
