/**
 * A loss curve at bounded resolution: the points a chart draws, however long the run. While a run has
 * at most `cap` logged iterations every point is one iteration, exactly as logged (bucket 1). Past that,
 * iterations are folded into buckets of `bucket` consecutive iterations (a power of two) with the mean
 * loss, and the lowest and highest loss so a spike stays visible; each time the points would exceed the
 * cap the bucket doubles and neighbouring points merge, so a curve holds between cap/2 and cap points.
 *
 * Main folds a run's log with it (runs.metrics), the renderer folds live events into the same columns,
 * so a series fetched once and then followed live keeps the same shape and never grows past its cap.
 */

/** Columns of points, one entry per point, ascending by iteration. Mutated in place by addLoss. */
export interface LossPoints {
  /**
   * Iterations per point, a power of two: the point with index k holds the iterations i with
   * floor(i / bucket) = k. 1 means every point is one logged iteration.
   */
  bucket: number
  /** The last (largest) iteration each point holds: where the point is drawn. */
  iterations: number[]
  /** Mean loss over the point's iterations; NaN when one of them was not finite (a diverged step). */
  losses: number[]
  /** Lowest and highest finite loss of the point; NaN when it has none. */
  lossMin: number[]
  lossMax: number[]
  /** The loss of the point's last iteration, as logged (NaN when not finite). */
  lossLast: number[]
  /**
   * The smoothed loss (src-shared/smoothing.ts) at the point's last iteration, computed over every
   * logged iteration before they were bucketed, so it does not depend on the bucket size; NaN where the
   * caller gave none.
   */
  smoothed: number[]
  /** How many logged iterations the point holds. */
  counts: number[]
  /** Wall-clock ms of the point's last iteration; NaN where the log has no timestamps. */
  times: number[]
}

export function emptyLossPoints(): LossPoints {
  return {
    bucket: 1,
    iterations: [],
    losses: [],
    lossMin: [],
    lossMax: [],
    lossLast: [],
    smoothed: [],
    counts: [],
    times: [],
  }
}

/**
 * Folds one logged iteration into `p`, keeping at most `cap` points (cap >= 1). Iterations may come in
 * any order, but each at most once: the caller drops duplicates. `t` is the step's wall-clock ms (NaN or
 * undefined when the log has none); `smoothed` the smoothed loss at this iteration (NaN when unknown).
 */
export function addLoss(
  p: LossPoints,
  cap: number,
  iteration: number,
  loss: number,
  t?: number,
  smoothed = NaN,
): void {
  const k = Math.floor(iteration / p.bucket)
  const n = p.iterations.length
  // Logs come in order: the last point, or a new one after it, is the common case.
  let i = n
  if (n > 0 && Math.floor(p.iterations[n - 1]! / p.bucket) >= k) i = pointAtOrAfter(p, k)
  if (i < n && Math.floor(p.iterations[i]! / p.bucket) === k) fold(p, i, iteration, loss, t, smoothed)
  else insert(p, i, iteration, loss, t, smoothed)
  while (p.iterations.length > Math.max(1, cap)) coarsen(p)
}

/** Doubles the bucket, merging the points that now share one. */
export function coarsen(p: LossPoints): void {
  const bucket = p.bucket * 2
  let w = -1
  let wk = NaN
  for (let r = 0; r < p.iterations.length; r++) {
    const k = Math.floor(p.iterations[r]! / bucket)
    if (k === wk) {
      merge(p, w, r)
      continue
    }
    w++
    wk = k
    if (w !== r) copy(p, w, r)
  }
  setLength(p, w + 1)
  p.bucket = bucket
}

/** Drops every point holding an iteration past `iteration`; false if one holds iterations on both sides. */
export function truncateLoss(p: LossPoints, iteration: number): boolean {
  let keep = p.iterations.length
  while (keep > 0 && p.iterations[keep - 1]! > iteration) keep--
  const straddles =
    keep < p.iterations.length && Math.floor(p.iterations[keep]! / p.bucket) * p.bucket <= iteration
  setLength(p, keep)
  return !straddles
}

/** Index of the first point whose bucket index is >= k (binary search; points are ascending). */
function pointAtOrAfter(p: LossPoints, k: number): number {
  let lo = 0
  let hi = p.iterations.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Math.floor(p.iterations[mid]! / p.bucket) < k) lo = mid + 1
    else hi = mid
  }
  return lo
}

function fold(
  p: LossPoints,
  i: number,
  iteration: number,
  loss: number,
  t: number | undefined,
  smoothed: number,
): void {
  const c = p.counts[i]! + 1
  p.counts[i] = c
  const mean = p.losses[i]!
  p.losses[i] = Number.isFinite(loss) ? mean + (loss - mean) / c : NaN
  if (Number.isFinite(loss)) {
    if (!(loss >= p.lossMin[i]!)) p.lossMin[i] = loss
    if (!(loss <= p.lossMax[i]!)) p.lossMax[i] = loss
  }
  if (iteration > p.iterations[i]!) {
    p.iterations[i] = iteration
    p.times[i] = t ?? NaN
    p.lossLast[i] = Number.isFinite(loss) ? loss : NaN
    p.smoothed[i] = smoothed
  }
}

function insert(
  p: LossPoints,
  i: number,
  iteration: number,
  loss: number,
  t: number | undefined,
  smoothed: number,
): void {
  const finite = Number.isFinite(loss)
  if (i === p.iterations.length) {
    // Steps come in order: appending is the common case, and a live series takes thousands a second.
    p.iterations.push(iteration)
    p.losses.push(finite ? loss : NaN)
    p.lossMin.push(finite ? loss : NaN)
    p.lossMax.push(finite ? loss : NaN)
    p.lossLast.push(finite ? loss : NaN)
    p.smoothed.push(smoothed)
    p.counts.push(1)
    p.times.push(t ?? NaN)
    return
  }
  const values: [number[], number][] = [
    [p.iterations, iteration],
    [p.losses, finite ? loss : NaN],
    [p.lossMin, finite ? loss : NaN],
    [p.lossMax, finite ? loss : NaN],
    [p.lossLast, finite ? loss : NaN],
    [p.smoothed, smoothed],
    [p.counts, 1],
    [p.times, t ?? NaN],
  ]
  for (const [column, v] of values) {
    if (i === column.length) column.push(v)
    else column.splice(i, 0, v)
  }
}

/** Folds point r into point w (w < r, same bucket; r holds the later iterations). */
function merge(p: LossPoints, w: number, r: number): void {
  const cw = p.counts[w]!
  const cr = p.counts[r]!
  p.losses[w] = (p.losses[w]! * cw + p.losses[r]! * cr) / (cw + cr)
  p.lossMin[w] = finiteMin(p.lossMin[w]!, p.lossMin[r]!)
  p.lossMax[w] = finiteMax(p.lossMax[w]!, p.lossMax[r]!)
  p.counts[w] = cw + cr
  p.iterations[w] = p.iterations[r]!
  p.times[w] = p.times[r]!
  p.lossLast[w] = p.lossLast[r]!
  p.smoothed[w] = p.smoothed[r]!
}

function copy(p: LossPoints, w: number, r: number): void {
  p.iterations[w] = p.iterations[r]!
  p.losses[w] = p.losses[r]!
  p.lossMin[w] = p.lossMin[r]!
  p.lossMax[w] = p.lossMax[r]!
  p.counts[w] = p.counts[r]!
  p.times[w] = p.times[r]!
  p.lossLast[w] = p.lossLast[r]!
  p.smoothed[w] = p.smoothed[r]!
}

function setLength(p: LossPoints, n: number): void {
  p.iterations.length = n
  p.losses.length = n
  p.lossMin.length = n
  p.lossMax.length = n
  p.counts.length = n
  p.times.length = n
  p.lossLast.length = n
  p.smoothed.length = n
}

function finiteMin(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b)
}

function finiteMax(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b)
}
