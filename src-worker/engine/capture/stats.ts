/**
 * The capture's statistics kernels. `tensorStats` (src-shared/layerStats.ts) is the specification; this is
 * the same arithmetic in the same order (so the results are equal, not just close: stats.test.ts checks it)
 * over typed arrays, with each value's bin found from its binary exponent and a table instead of a
 * logarithm, and a ReLU view so that post-activation statistics are read off the pre-activation without
 * materialising them.
 */
import * as layout from '../../../src-shared/layerStats'
import { trimHistogram, type Summary, type TensorStats } from '../../../src-shared/layerStats'
import type { FloatArray } from '../tensor'

// Local copies: an imported binding may be read through a getter (CommonJS interop), once per value.
const { BINS_PER_DECADE, BIN_COUNT, CENTRE_BIN, MAX_MAGNITUDE, MIN_MAGNITUDE, SIDE_BINS } = layout

/**
 * EDGES[k] = the lower edge of positive-side bin k, computed exactly as binOf computes it (so a value's
 * bin is the largest k with EDGES[k] <= |x|, clamped to the side's bins); Infinity after the last.
 */
const EDGES = Float64Array.from({ length: SIDE_BINS + 2 }, (_, k) =>
  k <= SIDE_BINS ? MIN_MAGNITUDE * 10 ** (k / BINS_PER_DECADE) : Infinity,
)

/**
 * The bin lookup without a logarithm: |x| >= MIN_MAGNITUDE is located by its binary exponent and the top
 * MANT_BITS bits of its mantissa, a cell 2^(1/256) wide at most. Bins are 10^(1/10) = 1.26x wide, so a
 * cell holds at most one edge: TABLE gives the bin at the cell's lower end and one comparison with the
 * next edge settles the value. The edges compared are binOf's own, so the bins are binOf's.
 */
const MANT_BITS = 8
const E_MIN = Math.floor(Math.log2(MIN_MAGNITUDE))
/** Exponents above this put |x| >= 2^(E_MAX + 1) > MAX_MAGNITUDE: the outermost bin. */
const E_MAX = Math.floor(Math.log2(MAX_MAGNITUDE))
const TABLE = new Int16Array((E_MAX - E_MIN + 1) << MANT_BITS)
for (let e = E_MIN; e <= E_MAX; e++) {
  for (let m = 0; m < 1 << MANT_BITS; m++) {
    const cellLo = 2 ** e * (1 + m / (1 << MANT_BITS))
    let k = -1
    while (EDGES[k + 1]! <= cellLo) k++
    TABLE[((e - E_MIN) << MANT_BITS) | m] = k
  }
}

/** The positive-side bin k of a = |x| >= MIN_MAGNITUDE, from its exponent e and top mantissa bits. */
function sideBin(a: number, e: number, mant: number): number {
  if (e > E_MAX) return SIDE_BINS - 1
  let k = TABLE[((e - E_MIN) << MANT_BITS) | mant]!
  if (EDGES[k + 1]! <= a) k++
  return k < 0 ? 0 : k >= SIDE_BINS ? SIDE_BINS - 1 : k
}

/** A double's bits, for the float64 path. The accumulators below are scratch too: capture is synchronous. */
const f64 = new Float64Array(1)
const f64Bits = new Uint32Array(f64.buffer)

/** Accumulates tensorStats' first pass over one value. */
class Acc {
  readonly full = new Float64Array(BIN_COUNT)
  n = 0
  nonFinite = 0
  sum = 0
  min = Infinity
  max = -Infinity
  ss = 0

  reset(): void {
    this.full.fill(0)
    this.n = this.nonFinite = this.sum = this.ss = 0
    this.min = Infinity
    this.max = -Infinity
  }

  result(): TensorStats {
    const { n } = this
    const summary: Summary = {
      mean: this.mean(),
      std: n > 0 ? Math.sqrt(this.ss / n) : 0,
      min: n > 0 ? this.min : 0,
      max: n > 0 ? this.max : 0,
      n,
      nonFinite: this.nonFinite,
    }
    return { summary, hist: trimHistogram(this.full) }
  }

  mean(): number {
    return this.n > 0 ? this.sum / this.n : 0
  }
}

const accA = new Acc()
const accB = new Acc()

/** The bin of a finite x, reading a float32's bits from u32[i] when given. */
function binAt(x: number, u32: Uint32Array | null, i: number): number {
  const a = x < 0 ? -x : x
  if (a < MIN_MAGNITUDE) return CENTRE_BIN
  let k: number
  if (u32) {
    const bits = u32[i]!
    k = sideBin(a, ((bits >>> 23) & 0xff) - 127, (bits >>> (23 - MANT_BITS)) & 0xff)
  } else {
    f64[0] = a
    const hi = f64Bits[1]!
    k = sideBin(a, ((hi >>> 20) & 0x7ff) - 1023, (hi >>> (20 - MANT_BITS)) & 0xff)
  }
  return x > 0 ? CENTRE_BIN + 1 + k : CENTRE_BIN - 1 - k
}

/** A float32 array's bits (widening a float32 to a double is exact, so its exponent and mantissa are the double's). */
function bitsOf(values: FloatArray | Float64Array): Uint32Array | null {
  return values instanceof Float32Array
    ? new Uint32Array(values.buffer, values.byteOffset, values.length)
    : null
}

/**
 * tensorStats(values), or with `relu` tensorStats of max(values, 0) (NaN stays NaN, as the engine's ReLU
 * leaves it).
 */
export function fastTensorStats(values: FloatArray | Float64Array, relu = false): TensorStats {
  const acc = accA
  acc.reset()
  const u32 = bitsOf(values)
  const full = acc.full
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
    full[binAt(x, u32, i)]! += 1
  }
  Object.assign(acc, { n, nonFinite, sum, min, max })
  const mean = acc.mean()
  let ss = 0
  for (let i = 0; i < len; i++) {
    let x = values[i]!
    if (relu && x < 0) x = 0
    if (x - x === 0) ss += (x - mean) * (x - mean)
  }
  acc.ss = ss
  return acc.result()
}

/**
 * fastTensorStats(pre) and fastTensorStats(pre, true) in two sweeps instead of four: each accumulator
 * sees its own values in the same order as alone, so both equal tensorStats exactly.
 */
export function reluPairStats(pre: FloatArray | Float64Array): { pre: TensorStats; post: TensorStats } {
  const a = accA
  const b = accB
  a.reset()
  b.reset()
  const u32 = bitsOf(pre)
  const fa = a.full
  const fb = b.full
  let nA = 0
  let nB = 0
  let nonFiniteA = 0
  let nonFiniteB = 0
  let sumA = 0
  let sumB = 0
  let minA = Infinity
  let maxA = -Infinity
  let minB = Infinity
  let maxB = -Infinity
  const len = pre.length
  for (let i = 0; i < len; i++) {
    const x = pre[i]!
    // The ReLU makes -Infinity a 0 (finite) and keeps NaN and +Infinity.
    const p = x < 0 ? 0 : x
    if (p - p === 0) {
      nB++
      // As the specification compares them (the sign of a zero included).
      if (p < minB) minB = p
      if (p > maxB) maxB = p
    } else {
      nonFiniteB++
    }
    if (x - x !== 0) {
      nonFiniteA++
      if (p === 0) fb[CENTRE_BIN]! += 1
      continue
    }
    nA++
    sumA += x
    if (x < minA) minA = x
    if (x > maxA) maxA = x
    const bin = binAt(x, u32, i)
    fa[bin]! += 1
    if (x > 0) {
      // The same double sum as adding max(x, 0) for every value: adding 0 leaves a sum unchanged.
      sumB += x
      fb[bin]! += 1
    } else {
      fb[CENTRE_BIN]! += 1
    }
  }
  Object.assign(a, { n: nA, nonFinite: nonFiniteA, sum: sumA, min: minA, max: maxA })
  Object.assign(b, { n: nB, nonFinite: nonFiniteB, sum: sumB, min: minB, max: maxB })
  const meanA = a.mean()
  const meanB = b.mean()
  let ssA = 0
  let ssB = 0
  for (let i = 0; i < len; i++) {
    const x = pre[i]!
    const p = x < 0 ? 0 : x
    if (p - p === 0) ssB += (p - meanB) * (p - meanB)
    if (x - x === 0) ssA += (x - meanA) * (x - meanA)
  }
  a.ss = ssA
  b.ss = ssB
  return { pre: a.result(), post: b.result() }
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
