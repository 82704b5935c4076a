/**
 * The capture's statistics kernels. `tensorStats` (src-shared/layerStats.ts) is the specification; this is
 * the same arithmetic in the same order (so the results are equal, not just close: stats.test.ts checks it)
 * over typed arrays, with the bin edges tabulated once instead of raised to a power per value, and a ReLU
 * view so that post-activation statistics are read off the pre-activation without materialising them.
 */
import {
  BINS_PER_DECADE,
  BIN_COUNT,
  CENTRE_BIN,
  MIN_MAGNITUDE,
  SIDE_BINS,
  trimHistogram,
  type Summary,
  type TensorStats,
} from '../../../src-shared/layerStats'
import type { FloatArray } from '../tensor'

/** EDGES[k] = the lower edge of positive-side bin k, computed exactly as binOf computes it. */
const EDGES = Float64Array.from({ length: SIDE_BINS + 1 }, (_, k) => MIN_MAGNITUDE * 10 ** (k / BINS_PER_DECADE))

/** Per-call scratch of the full histogram; capture is synchronous, so one suffices. */
const full = new Float64Array(BIN_COUNT)

/** binOf(x) for a finite x, with the edge powers looked up (the same comparisons, so the same bin). */
function binOfFinite(x: number): number {
  const a = Math.abs(x)
  if (a < MIN_MAGNITUDE) return CENTRE_BIN
  let k = Math.floor(Math.log10(a / MIN_MAGNITUDE) * BINS_PER_DECADE)
  if (k < SIDE_BINS && k >= 0 && EDGES[k]! > a) k -= 1
  else if (k + 1 < SIDE_BINS && k + 1 >= 0 && EDGES[k + 1]! <= a) k += 1
  k = Math.min(Math.max(k, 0), SIDE_BINS - 1)
  return x > 0 ? CENTRE_BIN + 1 + k : CENTRE_BIN - 1 - k
}

/**
 * tensorStats(values), or with `relu` tensorStats of max(values, 0) (NaN stays NaN, as the engine's ReLU
 * leaves it).
 */
export function fastTensorStats(values: FloatArray | Float64Array, relu = false): TensorStats {
  full.fill(0)
  let n = 0
  let nonFinite = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  const len = values.length
  for (let i = 0; i < len; i++) {
    let x = values[i]!
    if (relu && x < 0) x = 0
    if (x - x !== 0) {
      // NaN or +-Infinity: Infinity - Infinity is NaN.
      nonFinite++
      continue
    }
    n++
    sum += x
    if (x < min) min = x
    if (x > max) max = x
    full[binOfFinite(x)]! += 1
  }
  const mean = n > 0 ? sum / n : 0
  let ss = 0
  for (let i = 0; i < len; i++) {
    let x = values[i]!
    if (relu && x < 0) x = 0
    if (x - x === 0) ss += (x - mean) * (x - mean)
  }
  const summary: Summary = {
    mean,
    std: n > 0 ? Math.sqrt(ss / n) : 0,
    min: n > 0 ? min : 0,
    max: n > 0 ? max : 0,
    n,
    nonFinite,
  }
  return { summary, hist: trimHistogram(full) }
}

/** The summary alone (batchnorm's gamma, beta and running statistics: small vectors). */
export function summaryOf(values: FloatArray | Float64Array): Summary {
  return fastTensorStats(values).summary
}

/** ||a||_2 in doubles, over `count` values from `offset`. */
export function norm2(a: ArrayLike<number>, offset = 0, count = a.length - offset): number {
  let s = 0
  for (let i = offset; i < offset + count; i++) s += a[i]! * a[i]!
  return Math.sqrt(s)
}

/** ||a - b||_2 in doubles, over `count` values from `offset`. */
export function diffNorm2(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  offset = 0,
  count = a.length - offset,
): number {
  let s = 0
  for (let i = offset; i < offset + count; i++) {
    const d = a[i]! - b[i]!
    s += d * d
  }
  return Math.sqrt(s)
}
