/**
 * When a loss axis should be logarithmic: once the finite, positive losses span more than three orders of
 * magnitude (in practice, one run blew up), a linear axis flattens every other curve into a line at 0.
 * The compare view starts on log then (a click overrides it) and the report draws log with a note.
 */
export const LOG_LOSS_RATIO = 1e3

/** curves: each run's losses, in any order. */
export function lossNeedsLog(curves: Iterable<ArrayLike<number>>, ratio = LOG_LOSS_RATIO): boolean {
  let low = Infinity
  let high = 0
  for (const losses of curves) {
    for (let i = 0; i < losses.length; i++) {
      const l = losses[i]!
      if (!Number.isFinite(l) || l <= 0) continue
      if (l < low) low = l
      if (l > high) high = l
    }
  }
  return high / low > ratio
}
