/**
 * Exponential moving average for noisy loss curves, debiased as TensorBoard's smoothing slider is, so
 * the first points are not pulled towards 0 (or stuck at the first value).
 *
 * It is computed on every logged iteration, before any downsampling (main does it as it reads a log,
 * the renderer continues it on live steps): an EMA over bucket means would weigh each bucket like one
 * step, so a curve would change shape each time a growing run's buckets doubled.
 */

/** The loss charts' smoothing until the user moves the slider, and a report's when its request names none. */
export const DEFAULT_SMOOTHING = 0.6

/** The largest weight a request may ask for (ema clamps there: beyond, the first point would dominate). */
export const MAX_SMOOTHING = 0.999

/** The running state of a debiased EMA: carry it on to smooth steps that arrive later. */
export interface EmaState {
  weight: number
  /** The biased average so far. */
  acc: number
  /** weight^n after n finite values: the share of the average still owed to its zero start. */
  debias: number
}

/** The weight as used: in [0, 0.999], so 1 (a flat line at 0) and negative weights cannot happen. */
export function clampWeight(weight: number): number {
  return Math.min(Math.max(Number.isFinite(weight) ? weight : 0, 0), MAX_SMOOTHING)
}

export function emaState(weight: number): EmaState {
  return { weight: clampWeight(weight), acc: 0, debias: 1 }
}

/**
 * Folds `x` into `s` and returns the smoothed value at it. A diverged (NaN or infinite) loss is shown
 * where it happened without poisoning what follows: it is returned as is and leaves the state alone.
 */
export function emaPush(s: EmaState, x: number): number {
  if (!Number.isFinite(x)) return x
  s.acc = s.weight * s.acc + (1 - s.weight) * x
  s.debias *= s.weight
  return s.acc / (1 - s.debias)
}

/** Smooths `values` with weight in [0, 1): 0 returns the values, 0.99 averages over ~100 points. */
export function ema(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const n = values.length
  const result = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n)
  const s = emaState(weight)
  for (let i = 0; i < n; i++) result[i] = emaPush(s, values[i] as number)
  return result
}
