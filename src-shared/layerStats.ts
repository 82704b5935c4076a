/**
 * Layer dynamics (issue 15): what the worker captures per layer while a run trains, how it is stored
 * (`<run>/layers.jsonl`, one LayerCapture per line, append-only) and how histograms are binned.
 *
 * Histograms use one fixed set of bins for every quantity, layer, step and run, so any two are directly
 * comparable (the same idea as TensorBoard's exponential buckets): signed log-magnitude bins, BINS_PER_DECADE
 * per decade from MIN_MAGNITUDE to MAX_MAGNITUDE on each side of zero, plus one centre bin for |x| <
 * MIN_MAGNITUDE (exact zeros, such as a ReLU's dead outputs, land there). Values beyond MAX_MAGNITUDE go to
 * the outermost bins; NaN is not counted (`nonFinite` says how many there were).
 */

/** Bins per decade of |x|: edges 10^(1/10) = 1.259x apart. */
export const BINS_PER_DECADE = 10
/** |x| below this counts as zero (the centre bin). */
export const MIN_MAGNITUDE = 1e-8
/** |x| at or above this lands in the outermost bin of its side. */
export const MAX_MAGNITUDE = 1e4
/** Bins on each side of zero: 12 decades. */
export const SIDE_BINS = Math.round(Math.log10(MAX_MAGNITUDE / MIN_MAGNITUDE)) * BINS_PER_DECADE
/** All bins: SIDE_BINS negative (most negative first), the centre bin, SIDE_BINS positive. */
export const BIN_COUNT = 2 * SIDE_BINS + 1
/** Index of the centre bin (|x| < MIN_MAGNITUDE). */
export const CENTRE_BIN = SIDE_BINS

/**
 * The edges of bin `i` as [low, high): for the positive side, bin CENTRE_BIN + 1 + k covers
 * [MIN_MAGNITUDE * 10^(k/10), MIN_MAGNITUDE * 10^((k+1)/10)); the negative side mirrors it; the centre bin
 * is (-MIN_MAGNITUDE, MIN_MAGNITUDE). The outermost bins also hold everything beyond MAX_MAGNITUDE.
 */
export function binEdges(i: number): [number, number] {
  if (!Number.isInteger(i) || i < 0 || i >= BIN_COUNT) {
    throw new RangeError(`binEdges: bin must be an integer in [0, ${BIN_COUNT}), got ${i}`)
  }
  if (i === CENTRE_BIN) return [-MIN_MAGNITUDE, MIN_MAGNITUDE]
  const k = i > CENTRE_BIN ? i - CENTRE_BIN - 1 : CENTRE_BIN - 1 - i
  const lo = MIN_MAGNITUDE * 10 ** (k / BINS_PER_DECADE)
  const hi = MIN_MAGNITUDE * 10 ** ((k + 1) / BINS_PER_DECADE)
  return i > CENTRE_BIN ? [lo, hi] : [-hi, -lo]
}

/** The bin `x` falls in, or -1 for NaN. */
export function binOf(x: number): number {
  if (Number.isNaN(x)) return -1
  const a = Math.abs(x)
  if (a < MIN_MAGNITUDE) return CENTRE_BIN
  let k = Math.floor(Math.log10(a / MIN_MAGNITUDE) * BINS_PER_DECADE)
  // log10 rounding can put a value exactly on an edge one bin off; settle it against the edge itself.
  if (k < SIDE_BINS && MIN_MAGNITUDE * 10 ** (k / BINS_PER_DECADE) > a) k -= 1
  else if (k + 1 < SIDE_BINS && MIN_MAGNITUDE * 10 ** ((k + 1) / BINS_PER_DECADE) <= a) k += 1
  k = Math.min(Math.max(k, 0), SIDE_BINS - 1)
  return x > 0 ? CENTRE_BIN + 1 + k : CENTRE_BIN - 1 - k
}

/**
 * A histogram over the fixed bins, trimmed to the bins between the first and last non-empty one:
 * counts[j] is the count of bin lo + j. An all-NaN or empty input gives lo 0 and no counts.
 */
export interface Histogram {
  lo: number
  counts: number[]
}

/** Summary statistics of a tensor's finite values (population std); all 0 when it has none. */
export interface Summary {
  mean: number
  std: number
  min: number
  max: number
  /** Values counted (finite ones). */
  n: number
  /** NaN and +-Infinity values seen (left out of everything else). */
  nonFinite: number
}

export interface TensorStats {
  summary: Summary
  hist: Histogram
}

/** Batchnorm (or spatial batchnorm) state of a layer, captured after the step. */
export interface NormStats {
  gamma: Summary
  beta: Summary
  runningMean: Summary
  runningVar: Summary
  /** Fraction of the batch's normalised outputs with |x_hat| > 3 (saturated units downstream). */
  saturatedFraction: number
}

/** Per output unit of a conv layer (one entry per filter), for filter-bank views. */
export interface FilterStats {
  weightNorm: number[]
  updateRatio: number[]
  /** Fraction of each filter's post-ReLU outputs that are zero on the batch. */
  zeroFraction: number[]
}

/**
 * One layer at one capture. `name` is the layer's place in the net ('layer1', 'layer2', ... in order from
 * the input; `param` names its weight, 'W1'); `kind` its type.
 */
export interface LayerRecord {
  name: string
  kind: 'affine' | 'conv'
  /** The weight parameter (W1, W2, ...), whose statistics these are. */
  param: string
  /** The weight's shape. */
  shape: number[]
  weight: TensorStats
  grad: TensorStats
  /** ||W||_2 (Frobenius) before the step. */
  weightNorm: number
  /** ||dW||_2 of the minibatch gradient (data loss + regularisation). */
  gradNorm: number
  /** ||W_after - W_before||_2: the update the run's rule actually applied at this step (lr included). */
  updateNorm: number
  /** updateNorm / weightNorm (CS231n's update/weight ratio; ~1e-3 is healthy). 0 when weightNorm is 0. */
  updateRatio: number
  /** The layer's output before the nonlinearity (after batchnorm when it has one); absent for the scores. */
  preact?: TensorStats
  /** After the ReLU; absent for the last (scores) layer. */
  postact?: TensorStats
  /** Fraction of the layer's ReLU units that are zero for every row of the batch (dead on this batch). */
  deadFraction?: number
  /** Fraction of all post-ReLU outputs on the batch that are exactly zero. */
  zeroFraction?: number
  norm?: NormStats
  filters?: FilterStats
}

export interface LayerCapture {
  /** The iteration the capture was taken at (the step's 1-based number, as metrics count). */
  iteration: number
  epoch: number
  /** 'check' at every accuracy check, 'interval' every `every` iterations in between. */
  reason: 'check' | 'interval'
  /** The effective learning rate at this step. */
  learningRate: number
  layers: LayerRecord[]
}

/** What runs.layers returns: the captures in iteration order, and the bin layout they use. */
export interface LayerSeries {
  captures: LayerCapture[]
  bins: { perDecade: number; minMagnitude: number; maxMagnitude: number; count: number }
  /** Lines of layers.jsonl that were unreadable and skipped (a damaged tail after a crash, say). */
  skippedLines: number
  /**
   * Captures (after `afterIteration`) before the series was thinned to its cap (runs.layers'
   * maxCaptures); equal to captures.length when nothing was left out.
   */
  totalCaptures?: number
}

export function binLayout(): LayerSeries['bins'] {
  return {
    perDecade: BINS_PER_DECADE,
    minMagnitude: MIN_MAGNITUDE,
    maxMagnitude: MAX_MAGNITUDE,
    count: BIN_COUNT,
  }
}

/**
 * The specification of a capture's statistics (the worker may use a faster kernel; tests compare them):
 * summary and trimmed histogram of `values`.
 */
export function tensorStats(values: ArrayLike<number>): TensorStats {
  const full = new Float64Array(BIN_COUNT)
  let n = 0
  let nonFinite = 0
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (!Number.isFinite(x)) {
      nonFinite++
      continue
    }
    n++
    sum += x
    if (x < min) min = x
    if (x > max) max = x
    full[binOf(x)]! += 1
  }
  const mean = n > 0 ? sum / n : 0
  let ss = 0
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (Number.isFinite(x)) ss += (x - mean) * (x - mean)
  }
  return {
    summary: {
      mean,
      std: n > 0 ? Math.sqrt(ss / n) : 0,
      min: n > 0 ? min : 0,
      max: n > 0 ? max : 0,
      n,
      nonFinite,
    },
    hist: trimHistogram(full),
  }
}

export function trimHistogram(full: ArrayLike<number>): Histogram {
  let lo = 0
  while (lo < full.length && full[lo] === 0) lo++
  if (lo === full.length) return { lo: 0, counts: [] }
  let hi = full.length - 1
  while (full[hi] === 0) hi--
  return { lo, counts: Array.from({ length: hi - lo + 1 }, (_, j) => full[lo + j]!) }
}

/** The full BIN_COUNT-long counts of a trimmed histogram. */
export function expandHistogram(h: Histogram): number[] {
  const out = new Array<number>(BIN_COUNT).fill(0)
  h.counts.forEach((c, j) => (out[h.lo + j] = c))
  return out
}

/** At most `max` of `items`, evenly spaced, the first and the last always among them. */
export function thinEvenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items
  if (max <= 0) return []
  if (max === 1) return [items[items.length - 1]!]
  const step = (items.length - 1) / (max - 1)
  return Array.from({ length: max }, (_, j) => items[Math.round(j * step)]!)
}
