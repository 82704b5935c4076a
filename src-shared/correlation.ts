/** Pearson's and Spearman's correlation coefficients, for the sign of a hyperparameter's effect. */

/** Pearson's r; null when either side has no spread (or fewer than 2 pairs). */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`${x.length} x values but ${y.length} y values`)
  const n = x.length
  if (n < 2) return null
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]!
    my += y[i]!
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx
    const dy = y[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  // Relative to the values' size, so rounding noise in a constant column does not read as spread.
  const tiny = (v: number, m: number): boolean => v <= 1e-24 * n * Math.max(1, m * m)
  if (tiny(sxx, mx) || tiny(syy, my)) return null
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
}

/** Ranks from 1, ties sharing the mean of the ranks they span (as Spearman's coefficient needs). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0])
  const out = new Array<number>(values.length)
  for (let start = 0; start < order.length;) {
    let end = start
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++
    const rank = (start + end) / 2 + 1
    for (let k = start; k <= end; k++) out[order[k]![1]] = rank
    start = end + 1
  }
  return out
}

/** Spearman's rho: Pearson's r of the ranks; the same in log space as in linear space. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`${x.length} x values but ${y.length} y values`)
  return pearson(ranks(x), ranks(y))
}
