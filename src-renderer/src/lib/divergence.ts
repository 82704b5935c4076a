/**
 * What a diverged run's page says and marks: where the loss left the finite range, the last finite loss
 * before it, what the loss became and the learning rate it trained at then.
 */
import type { NonFiniteLoss, RunRecord } from '../../../src-shared/runs'
import type { RunSeries } from '../stores/runs'

export interface Divergence {
  /** The iteration whose loss was not finite; null in records that did not say. */
  iteration: number | null
  /** The last finite loss of the curve, and its iteration (a point's last one when bucketed). */
  lastFinite: { iteration: number; loss: number } | null
  /** What the loss became, when the record says. */
  lossValue: NonFiniteLoss | null
  /** The learning rate at the time: the record's, else the last epoch's, else the config's. */
  learningRate: number
}

export function isDiverged(run: Pick<RunRecord, 'status' | 'error'>): boolean {
  return run.status === 'failed' && run.error?.reason === 'diverged'
}

export function divergenceOf(run: RunRecord, series: RunSeries | null): Divergence | null {
  if (!isDiverged(run)) return null
  let lastFinite: Divergence['lastFinite'] = null
  if (series) {
    for (let i = series.losses.length - 1; i >= 0; i--) {
      const loss = series.losses[i]!
      if (Number.isFinite(loss)) {
        lastFinite = { iteration: series.iterations[i]!, loss }
        break
      }
    }
  }
  const epochLr = series?.lr.findLast((lr) => lr !== null) ?? null
  return {
    iteration: run.error?.iteration ?? null,
    lastFinite,
    lossValue: run.error?.lossValue ?? null,
    learningRate: run.error?.learningRate ?? epochLr ?? run.config.solver.optimConfig.learningRate,
  }
}

/** The message key of what the loss became (training.diverged.what.*). */
export function lossValueKey(
  value: NonFiniteLoss | null,
): 'nan' | 'infinity' | 'negativeInfinity' | 'unknown' {
  return value === 'NaN'
    ? 'nan'
    : value === 'Infinity'
      ? 'infinity'
      : value === '-Infinity'
        ? 'negativeInfinity'
        : 'unknown'
}

/** Orders of magnitude between the smallest and the largest finite positive loss (0 for none). */
export function lossDecades(losses: ArrayLike<number>): number {
  let low = Infinity
  let high = 0
  for (let i = 0; i < losses.length; i++) {
    const l = losses[i]!
    if (!Number.isFinite(l) || l <= 0) continue
    if (l < low) low = l
    if (l > high) high = l
  }
  return high > 0 && low < Infinity ? Math.floor(Math.log10(high / low)) : 0
}
