/**
 * The histogram bins of src-shared/layerStats.ts as lookup tables, shared by the TypeScript kernel
 * (backend/ts.ts) and handed to the native one once at load (backend/native.ts), so both locate a value
 * with the same edges. A value's bin is found from its binary exponent and a table instead of a
 * logarithm; `binOf` there stays the definition.
 */
import * as layout from '../../../src-shared/layerStats'

// Local copies: an imported binding may be read through a getter (CommonJS interop), once per value.
export const { BINS_PER_DECADE, BIN_COUNT, CENTRE_BIN, MAX_MAGNITUDE, MIN_MAGNITUDE, SIDE_BINS } = layout

/**
 * EDGES[k] = the lower edge of positive-side bin k, computed exactly as binOf computes it (so a value's
 * bin is the largest k with EDGES[k] <= |x|, clamped to the side's bins); Infinity after the last.
 */
export const EDGES = Float64Array.from({ length: SIDE_BINS + 2 }, (_, k) =>
  k <= SIDE_BINS ? MIN_MAGNITUDE * 10 ** (k / BINS_PER_DECADE) : Infinity,
)

/**
 * |x| >= MIN_MAGNITUDE is located by its binary exponent and the top MANT_BITS bits of its mantissa, a
 * cell 2^(1/256) wide at most. Bins are 10^(1/10) = 1.26x wide, so a cell holds at most one edge: TABLE
 * gives the bin at the cell's lower end and one comparison with the next edge settles the value.
 */
export const MANT_BITS = 8
export const E_MIN = Math.floor(Math.log2(MIN_MAGNITUDE))
/** Exponents above this put |x| >= 2^(E_MAX + 1) > MAX_MAGNITUDE: the outermost bin. */
export const E_MAX = Math.floor(Math.log2(MAX_MAGNITUDE))
export const TABLE = new Int16Array((E_MAX - E_MIN + 1) << MANT_BITS)
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

/** A double's bits. Scratch: the kernels are synchronous. */
const f64 = new Float64Array(1)
const f64Bits = new Uint32Array(f64.buffer)

/**
 * The bin of a finite x, reading a float32's bits from u32[i] when given (widening a float32 to a double
 * is exact, so its exponent and mantissa are the double's).
 */
export function binAt(x: number, u32: Uint32Array | null, i: number): number {
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

/** Where histogramStats writes its scalars in `out`; the BIN_COUNT counts follow from HIST. */
export const STAT = { n: 0, nonFinite: 1, sum: 2, min: 3, max: 4, ss: 5 } as const
export const HIST = 6
/** The length of histogramStats' `out`. */
export const STATS_LENGTH = HIST + BIN_COUNT
