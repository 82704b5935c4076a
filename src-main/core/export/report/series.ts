/**
 * What the report plots and tabulates, read from a run's metric log: the loss per iteration, the
 * accuracies per epoch, and how long the run trained.
 */
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'

export interface EpochPoint {
  epoch: number
  trainAcc: number
  valAcc: number
}

/** Per loss point, as main's series has them (NaN where none). */
export interface LossColumns {
  /** The EMA over every logged step, at the point's last iteration. */
  smoothed: number[]
  /** The lowest and highest loss of the steps the point holds. */
  lossMin: number[]
  lossMax: number[]
}

export interface Curves {
  iterations: number[]
  /** Non-finite losses (a diverging run) are kept: the chart leaves a gap there. */
  losses: number[]
  epochs: EpochPoint[]
  /** One entry per iteration point when the series came with them (else the chart smooths `losses`). */
  loss?: LossColumns
}

/**
 * `metrics`: events as the store reads them, each iteration and epoch once, ascending; `loss`: the
 * columns aligned with its iteration events.
 */
export function curves(metrics: MetricEvent[], loss?: LossColumns): Curves {
  const out: Curves = { iterations: [], losses: [], epochs: [] }
  for (const e of metrics) {
    if (e.type === 'iteration') {
      out.iterations.push(e.iteration)
      out.losses.push(e.loss)
    } else if (e.type === 'epoch') out.epochs.push({ epoch: e.epoch, trainAcc: e.trainAcc, valAcc: e.valAcc })
  }
  if (loss && loss.smoothed.length === out.iterations.length) out.loss = loss
  return out
}

/**
 * Time spent training, in ms; null when unknown. A run that was resumed sat idle between attempts, so
 * when its log has wall-clock stamps the attempts' spans are added instead of taking finish - start.
 */
export function trainingDuration(record: RunRecord, metrics: MetricEvent[], now: number): number | null {
  const resumed = metrics.some((e) => e.type === 'resume')
  if (resumed) {
    const spans = attemptSpans(metrics)
    if (spans !== null) return spans
  }
  if (record.startedAt === null) return null
  const start = Date.parse(record.startedAt)
  const end = record.finishedAt !== null ? Date.parse(record.finishedAt) : now
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? end - start : null
}

/** The sum over attempts of first to last stamped iteration; null if any attempt has no stamps. */
function attemptSpans(metrics: MetricEvent[]): number | null {
  let total = 0
  let first: number | null = null
  let last: number | null = null
  let stamped = true
  const close = () => {
    if (first === null || last === null) stamped = false
    else total += last - first
  }
  let seen = false
  for (const e of metrics) {
    if (e.type === 'resume') {
      if (seen) close()
      first = last = null
      seen = false
    } else if (e.type === 'iteration') {
      seen = true
      if (e.t === undefined) continue
      first ??= e.t
      last = e.t
    }
  }
  if (seen) close()
  return stamped ? total : null
}
