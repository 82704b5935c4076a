/**
 * Runs that differ only by seed are repeats of one experiment: the compare view draws them as a mean
 * curve with a ± std band instead of N overlapping lines.
 */
import type { RunConfig } from '../../../src-shared/config'
import { configDiff } from '../../../src-shared/configDiff'

export function differsOnlyBySeed(configs: RunConfig[]): boolean {
  const diffs = configDiff(configs)
  return diffs.length === 1 && diffs[0]?.path === 'seed'
}

export interface Curve {
  /** Ascending x values. */
  x: ArrayLike<number>
  y: ArrayLike<number>
}

export interface Band {
  x: Float64Array
  mean: Float64Array
  /** Population std (divides by N): the runs are the whole set being shown, not a sample of it. */
  std: Float64Array
}

const empty = (): Band => ({ x: new Float64Array(0), mean: new Float64Array(0), std: new Float64Array(0) })

/** Linear interpolation of `c` at ascending `grid`, walking both once. */
function resample(c: Curve, grid: Float64Array): Float64Array {
  const out = new Float64Array(grid.length)
  let j = 0
  const last = c.x.length - 1
  for (let g = 0; g < grid.length; g++) {
    const gx = grid[g] as number
    while (j < last - 1 && (c.x[j + 1] as number) < gx) j++
    const x0 = c.x[j] as number
    const y0 = c.y[j] as number
    if (j === last) {
      out[g] = y0
      continue
    }
    const x1 = c.x[j + 1] as number
    const y1 = c.y[j + 1] as number
    // Repeated x (e.g. two points at one iteration) would divide by zero; take the later value.
    out[g] = x1 === x0 ? y1 : y0 + ((y1 - y0) * (gx - x0)) / (x1 - x0)
  }
  return out
}

/**
 * Mean and std of `curves` on `points` evenly spaced x values over the range every curve covers, so no
 * point averages over a run that had not got there yet. Empty when the curves do not overlap.
 */
export function meanStdBand(curves: Curve[], points = 200): Band {
  if (curves.length === 0 || curves.some((c) => c.x.length === 0)) return empty()
  let lo = -Infinity
  let hi = Infinity
  for (const c of curves) {
    lo = Math.max(lo, c.x[0] as number)
    hi = Math.min(hi, c.x[c.x.length - 1] as number)
  }
  if (!(lo <= hi)) return empty()
  const n = lo === hi ? 1 : Math.max(2, Math.floor(points))
  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) x[i] = n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)
  // Pin the last grid point so rounding cannot push it just past a curve's end.
  if (n > 1) x[n - 1] = hi
  const ys = curves.map((c) => resample(c, x))
  const mean = new Float64Array(n)
  const std = new Float64Array(n)
  const k = ys.length
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (const y of ys) sum += y[i] as number
    const m = sum / k
    let sq = 0
    for (const y of ys) sq += ((y[i] as number) - m) ** 2
    mean[i] = m
    std[i] = Math.sqrt(sq / k)
  }
  return { x, mean, std }
}
