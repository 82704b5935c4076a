/**
 * Curves of a group of runs folded into one line and a band: on a common x grid, each member is read
 * where it has values (linear interpolation between its points, nothing beyond its ends), and each grid
 * point gets the centre (mean or median), the spread (min-max, ±1 std or a 95% Student-t confidence
 * interval of the mean) and the number of members behind it. Pure: the compare view and the report both
 * draw from it.
 */

export type Center = 'mean' | 'median'
export type Spread = 'minmax' | 'std' | 'ci95'

export const CENTERS: readonly Center[] = ['mean', 'median']
export const SPREADS: readonly Spread[] = ['minmax', 'std', 'ci95']

export interface Curve {
  /** Ascending x values. */
  x: ArrayLike<number>
  y: ArrayLike<number>
}

export interface SampleStats {
  n: number
  mean: number
  median: number
  /** Sample standard deviation (divides by n - 1, as numpy's `std(ddof=1)`); NaN below 2 values. */
  std: number
  min: number
  max: number
  /** Half-width of the 95% confidence interval of the mean, t(0.975, n - 1) · std / √n; NaN below 2. */
  ci95: number
}

/** Statistics of the finite values of `values` (non-finite ones are left out, so n may be smaller). */
export function sampleStats(values: ArrayLike<number>): SampleStats {
  const v: number[] = []
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number
    if (Number.isFinite(x)) v.push(x)
  }
  const n = v.length
  if (n === 0) return { n, mean: NaN, median: NaN, std: NaN, min: NaN, max: NaN, ci95: NaN }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const x of v) {
    sum += x
    if (x < min) min = x
    if (x > max) max = x
  }
  const mean = sum / n
  // Two passes: the one-pass sum of squares loses every digit when the values are large and close.
  let sq = 0
  for (const x of v) sq += (x - mean) ** 2
  const std = n > 1 ? Math.sqrt(sq / (n - 1)) : NaN
  v.sort((a, b) => a - b)
  const mid = n >> 1
  const median = n % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  const ci95 = n > 1 ? (tQuantile(0.975, n - 1) * std) / Math.sqrt(n) : NaN
  return { n, mean, median, std, min, max, ci95 }
}

// ---- Student's t distribution ----

/** ln Γ(x) for x > 0 (Lanczos as in Numerical Recipes, 3rd ed.: about 15 significant digits). */
const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 0.00003399464998481189,
  0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275, -0.000026190838401581408,
  0.0000036899182659531625,
]
function lnGamma(x: number): number {
  let y = x
  const tmp = x + 5.2421875
  let ser = 0.9999999999999971
  for (const c of LANCZOS) ser += c / ++y
  return (x + 0.5) * Math.log(tmp) - tmp + Math.log((Math.sqrt(2 * Math.PI) * ser) / x)
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  // The fraction converges fast only on one side of the mean; the symmetry I_x(a,b) = 1 - I_1-x(b,a).
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`)
  if (Number.isNaN(t)) return NaN
  if (t === Infinity) return 1
  if (t === -Infinity) return 0
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
  return t > 0 ? 1 - tail : tail
}

const quantiles = new Map<string, number>()

/** The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1), by bisection on the CDF. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`)
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`)
  if (p === 0.5) return 0
  const key = `${p}:${df}`
  const known = quantiles.get(key)
  if (known !== undefined) return known
  // Closed forms where they exist: exact, and the bisection below is checked against them.
  let q: number
  if (df === 1) q = Math.tan(Math.PI * (p - 0.5))
  else if (df === 2) q = (2 * p - 1) / Math.sqrt(2 * p * (1 - p))
  else {
    const upper = p > 0.5
    const target = upper ? p : 1 - p
    let lo = 0
    let hi = 1
    while (tCdf(hi, df) < target) hi *= 2
    for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
      const mid = (lo + hi) / 2
      if (tCdf(mid, df) < target) lo = mid
      else hi = mid
    }
    q = upper ? (lo + hi) / 2 : -(lo + hi) / 2
  }
  quantiles.set(key, q)
  return q
}

// ---- curves ----

/**
 * The x values the aggregate is computed at: every x the curves have when there are at most `maxPoints`
 * of them (curves logged at the same iterations are then read exactly, without interpolation), otherwise
 * `maxPoints` evenly spaced values over the curves' whole range plus each curve's first and last x, so
 * that where a member begins or ends is a grid point and the count of members changes exactly there.
 */
export function commonGrid(curves: Curve[], maxPoints = 300): Float64Array {
  let lo = Infinity
  let hi = -Infinity
  const seen = new Set<number>()
  let small = true
  for (const c of curves) {
    for (let i = 0; i < c.x.length; i++) {
      const x = c.x[i] as number
      if (!Number.isFinite(x)) continue
      if (x < lo) lo = x
      if (x > hi) hi = x
      if (small) {
        seen.add(x)
        if (seen.size > maxPoints) small = false
      }
    }
  }
  if (!(lo <= hi)) return new Float64Array(0)
  if (small) return Float64Array.from(seen).sort()
  const points = new Set<number>()
  const n = Math.max(2, Math.floor(maxPoints))
  for (let i = 0; i < n; i++) points.add(i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1))
  for (const c of curves) {
    const ends = finiteEnds(c.x)
    if (ends) {
      points.add(ends[0])
      points.add(ends[1])
    }
  }
  return Float64Array.from(points).sort()
}

function finiteEnds(x: ArrayLike<number>): [number, number] | null {
  let first = NaN
  let last = NaN
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number
    if (!Number.isFinite(v)) continue
    if (Number.isNaN(first)) first = v
    last = v
  }
  return Number.isNaN(first) ? null : [first, last]
}

/**
 * `c` read at ascending `grid`: linear interpolation between its neighbouring points, NaN outside the
 * range it covers or next to a non-finite value (a diverged loss is a gap, not a number to average).
 */
export function sampleAt(c: Curve, grid: ArrayLike<number>): Float64Array {
  const out = new Float64Array(grid.length).fill(NaN)
  const n = Math.min(c.x.length, c.y.length)
  if (n === 0) return out
  let j = 0
  for (let g = 0; g < grid.length; g++) {
    const gx = grid[g] as number
    // j: the last point with x <= gx.
    while (j + 1 < n && (c.x[j + 1] as number) <= gx) j++
    const x0 = c.x[j] as number
    if (gx < x0) continue
    const y0 = c.y[j] as number
    if (gx === x0) {
      // Repeated x (two points at one iteration): the later one, where the walk above stopped.
      out[g] = Number.isFinite(y0) ? y0 : NaN
      continue
    }
    if (j + 1 >= n) continue
    const x1 = c.x[j + 1] as number
    const y1 = c.y[j + 1] as number
    if (!Number.isFinite(y0) || !Number.isFinite(y1)) continue
    out[g] = y0 + ((y1 - y0) * (gx - x0)) / (x1 - x0)
  }
  return out
}

export interface Aggregate {
  x: Float64Array
  /** Members with a value at each x. */
  n: Uint32Array
  /**
   * 1 where the line joins point i to point i - 1: at least `minMembers` members have values at both, so
   * the gap between two sets of runs that do not overlap is not bridged by a straight line.
   */
  joined: Uint8Array
  /** NaN where fewer than `minMembers` members have a value: the line and the band stop there. */
  center: Float64Array
  lower: Float64Array
  upper: Float64Array
  /** The least number of members a point needs to be drawn. */
  minMembers: number
  /** How many curves went in. */
  members: number
}

export interface AggregateOptions {
  center: Center
  spread: Spread
  /** Grid size (see commonGrid). */
  maxPoints?: number
  /** Default 2 (one run is not a spread), or 1 when there is a single curve. */
  minMembers?: number
  /**
   * The values the quantity can take (an accuracy within 0..1, a loss >= 0): a band is cut there, where
   * a wide confidence interval of few runs would otherwise claim an accuracy above 100%.
   */
  bounds?: { min?: number; max?: number }
}

/**
 * The group's line and band. The std and confidence bands are around the mean whichever centre is drawn
 * (they describe the mean); min-max is the members' envelope.
 */
export function aggregateCurves(curves: Curve[], opts: AggregateOptions): Aggregate {
  const minMembers = Math.max(1, Math.min(opts.minMembers ?? 2, curves.length))
  const x = commonGrid(curves, opts.maxPoints)
  const g = x.length
  const ys = curves.map((c) => sampleAt(c, x))
  const n = new Uint32Array(g)
  const joined = new Uint8Array(g)
  const center = new Float64Array(g).fill(NaN)
  const lower = new Float64Array(g).fill(NaN)
  const upper = new Float64Array(g).fill(NaN)
  const column = new Float64Array(curves.length)
  const lo = opts.bounds?.min
  const hi = opts.bounds?.max
  for (let i = 0; i < g; i++) {
    for (let k = 0; k < ys.length; k++) column[k] = ys[k]![i]!
    const s = sampleStats(column)
    n[i] = s.n
    if (s.n < minMembers) continue
    if (i > 0) {
      let both = 0
      for (const y of ys) if (Number.isFinite(y[i]!) && Number.isFinite(y[i - 1]!)) both++
      joined[i] = both >= minMembers ? 1 : 0
    }
    center[i] = opts.center === 'median' ? s.median : s.mean
    if (s.n < 2) {
      lower[i] = upper[i] = center[i]!
    } else if (opts.spread === 'minmax') {
      lower[i] = s.min
      upper[i] = s.max
    } else {
      const half = opts.spread === 'std' ? s.std : s.ci95
      lower[i] = s.mean - half
      upper[i] = s.mean + half
    }
    if (lo !== undefined && lower[i]! < lo) lower[i] = lo
    if (hi !== undefined && upper[i]! > hi) upper[i] = hi
  }
  return { x, n, joined, center, lower, upper, minMembers, members: curves.length }
}

/** [start, end) index ranges of the aggregate drawn as one unbroken line each, in order. */
export function drawnRanges(a: Aggregate): [number, number][] {
  const out: [number, number][] = []
  let start = -1
  for (let i = 0; i <= a.center.length; i++) {
    const on = i < a.center.length && Number.isFinite(a.center[i])
    if (start >= 0 && (!on || !a.joined[i])) {
      out.push([start, i])
      start = -1
    }
    if (on && start < 0) start = i
  }
  return out
}

export interface CoverageStep {
  /** Members behind the points up to `to`. */
  n: number
  /** The last x with that many members. */
  to: number
}

/**
 * How the member count falls along the curve, from where the most members overlap to the end of the
 * drawn line: [{n: 4, to: 300}, {n: 2, to: 600}] reads "4 runs up to 300, then 2 up to 600". One step
 * when every member reaches as far as the line goes.
 */
export function coverage(a: Aggregate): CoverageStep[] {
  const steps: CoverageStep[] = []
  for (let i = 0; i < a.x.length; i++) {
    if (!Number.isFinite(a.center[i])) continue
    const n = a.n[i]!
    const last = steps[steps.length - 1]
    if (last && last.n === n) last.to = a.x[i]!
    else steps.push({ n, to: a.x[i]! })
  }
  // Members join at the start (a run logged from iteration 5 rather than 1): what matters is where they leave.
  while (steps.length > 1 && steps[0]!.n < steps[1]!.n) steps.shift()
  return steps
}

/**
 * Where a group's line rests on fewer runs than the group has: the steps of its member count (see
 * coverage), or null when every one of its `groupSize` runs reaches as far as the line goes and the
 * line goes as far as the longest run (nothing to say). A group of one run never thins.
 */
export function thinning(a: Aggregate, groupSize: number): CoverageStep[] | null {
  if (groupSize < 2) return null
  const steps = coverage(a)
  if (steps.length === 0) return null
  const fewer = steps.length > 1 || steps[0]!.n < groupSize
  const cut = steps[steps.length - 1]!.to < a.x[a.x.length - 1]!
  return fewer || cut ? steps : null
}
