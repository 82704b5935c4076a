/**
 * Envelope downsampling for line charts (the M4 idea: Jugel et al., VLDB 2014): split the x range into
 * one bucket per pixel column and keep, in x order, each bucket's first point, lowest, highest and last.
 * A line through those points draws exactly the pixels the full series would, so a single spike among a
 * million steps is never hidden, which an average hides and LTTB (one point per bucket) may drop.
 *
 * A point may stand for many steps (a bucket main already folded, with its lowest and highest loss):
 * `yMin`/`yMax` then carry them, and a bucket's extremes are taken from those.
 *
 * With a window (a zoomed chart), the window gets the buckets and the rest of the series gets as many
 * again, coarser, over the whole x range: the line still reaches the window's edges, and a pan shows
 * something before the next redraw refines it.
 */

export interface EnvelopeSeries {
  /** Ascending. */
  x: ArrayLike<number>
  /** null (or a non-finite number) is a gap in the line. */
  y: ArrayLike<number | null>
  /** Per point, the lowest and highest value it stands for; y where absent. */
  yMin?: ArrayLike<number | null>
  yMax?: ArrayLike<number | null>
}

export interface Envelope {
  x: number[]
  y: (number | null)[]
}

/** Returns the points to draw: at most 4 per bucket in the window, and 4 per coarse bucket outside it. */
export function envelope(
  s: EnvelopeSeries,
  buckets: number,
  window?: { from: number; to: number } | null,
): Envelope {
  const n = Math.min(s.x.length, s.y.length)
  const out: Envelope = { x: [], y: [] }
  if (n === 0) return out
  const b = Math.max(1, Math.floor(buckets))
  const x0 = s.x[0]!
  const xN = s.x[n - 1]!
  const lo = window ? Math.max(window.from, x0) : x0
  const hi = window ? Math.min(window.to, xN) : xN
  const wIn = hi > lo ? (hi - lo) / b : 0
  const wOut = xN > x0 ? (xN - x0) / b : 0
  // Bucket keys ascend with x: coarse left of the window, the window's own, coarse right of it.
  const key = (v: number): number => {
    if (v < lo) return wOut > 0 ? Math.floor((v - x0) / wOut) : 0
    if (v > hi) return 2 * b + 2 + (wOut > 0 ? Math.floor((v - hi) / wOut) : 0)
    return b + 1 + (wIn > 0 ? Math.min(b - 1, Math.floor((v - lo) / wIn)) : 0)
  }
  const yMin = s.yMin ?? s.y
  const yMax = s.yMax ?? s.y
  let start = 0
  while (start < n) {
    const k = key(s.x[start]!)
    let end = start + 1
    while (end < n && key(s.x[end]!) === k) end++
    emitBucket(s, yMin, yMax, start, end, out)
    start = end
  }
  return out
}

type Candidate = [index: number, value: number | null]

function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** Points [start, end) as at most five: first, lowest, highest, last, and a gap where one was. */
function emitBucket(
  s: EnvelopeSeries,
  yMin: ArrayLike<number | null>,
  yMax: ArrayLike<number | null>,
  start: number,
  end: number,
  out: Envelope,
): void {
  let iFirst = -1
  let iLast = -1
  let iMin = -1
  let iMax = -1
  let iGap = -1
  let min = Infinity
  let max = -Infinity
  for (let i = start; i < end; i++) {
    const v = s.y[i]
    if (finite(v)) {
      if (iFirst < 0) iFirst = i
      iLast = i
    } else iGap = i
    const lo = finite(yMin[i]) ? yMin[i]! : finite(v) ? v : null
    const hi = finite(yMax[i]) ? yMax[i]! : finite(v) ? v : null
    if (lo !== null && lo < min) {
      min = lo
      iMin = i
    }
    if (hi !== null && hi > max) {
      max = hi
      iMax = i
    }
  }
  const c: Candidate[] = []
  if (iFirst >= 0) c.push([iFirst, s.y[iFirst] as number])
  if (iMin >= 0) c.push([iMin, min])
  if (iMax >= 0) c.push([iMax, max])
  if (iLast >= 0) c.push([iLast, s.y[iLast] as number])
  if (iGap >= 0) c.push([iGap, null])
  // Stable: at one index the order stays first, lowest, highest, last.
  c.sort((a, b) => a[0] - b[0])
  let prev: Candidate | null = null
  for (const cand of c) {
    if (prev && prev[0] === cand[0] && prev[1] === cand[1]) continue
    out.x.push(s.x[cand[0]]!)
    out.y.push(cand[1])
    prev = cand
  }
}
