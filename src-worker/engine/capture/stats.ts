/**
 * The capture's statistics kernels. `tensorStats` (src-shared/layerStats.ts) is the specification; the
 * backend's histogramStats does the same arithmetic in the same order (so the results are equal, not just
 * close: stats.test.ts checks it on both backends) over typed arrays, natively where it can, with each
 * value's bin found from its binary exponent and a table (bins.ts) instead of a logarithm, and a ReLU view
 * so that post-activation statistics are read off the pre-activation without materialising them.
 */
import { trimHistogram, type Summary, type TensorStats } from '../../../src-shared/layerStats'
import { getBackend } from '../backend'
import type { FloatArray } from '../tensor'
import { HIST, STAT, STATS_LENGTH } from './bins'

/** The kernel's output. Scratch: capture is synchronous, and each result is copied out before the next. */
const out = new Float64Array(STATS_LENGTH)

/**
 * tensorStats(values), or with `relu` tensorStats of max(values, 0) (NaN stays NaN, as the engine's ReLU
 * leaves it).
 */
export function fastTensorStats(values: FloatArray | Float64Array, relu = false): TensorStats {
  getBackend().histogramStats(values, relu, out)
  const n = out[STAT.n]!
  return {
    summary: {
      mean: n > 0 ? out[STAT.sum]! / n : 0,
      std: n > 0 ? Math.sqrt(out[STAT.ss]! / n) : 0,
      min: n > 0 ? out[STAT.min]! : 0,
      max: n > 0 ? out[STAT.max]! : 0,
      n,
      nonFinite: out[STAT.nonFinite]!,
    },
    hist: trimHistogram(out.subarray(HIST)),
  }
}

/** fastTensorStats(pre) and fastTensorStats(pre, true): a hidden layer's pre- and post-ReLU statistics. */
export function reluPairStats(pre: FloatArray | Float64Array): { pre: TensorStats; post: TensorStats } {
  return { pre: fastTensorStats(pre), post: fastTensorStats(pre, true) }
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
