/**
 * Exponential moving average for noisy loss curves, debiased as TensorBoard's smoothing slider is, so
 * the first points are not pulled towards 0 (or stuck at the first value).
 */

/** The loss charts' smoothing until the user moves the slider, and a report's when its request names none. */
export const DEFAULT_SMOOTHING = 0.6

/** The largest weight a request may ask for (ema clamps there: beyond, the first point would dominate). */
export const MAX_SMOOTHING = 0.999

/** Smooths `values` with weight in [0, 1): 0 returns the values, 0.99 averages over ~100 points. */
export function ema(values: ArrayLike<number>, weight: number, out?: Float64Array): Float64Array {
  const n = values.length
  const result = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n)
  const w = Math.min(Math.max(weight, 0), MAX_SMOOTHING)
  let acc = 0
  let debias = 1
  for (let i = 0; i < n; i++) {
    const x = values[i] as number
    // A diverged (NaN or infinite) loss is shown where it happened without poisoning what follows.
    if (!Number.isFinite(x)) {
      result[i] = x
      continue
    }
    acc = w * acc + (1 - w) * x
    debias *= w
    result[i] = acc / (1 - debias)
  }
  return result
}
