/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): keeps the shape of a curve, peaks
 * included, with a fixed number of points. A chart a thousand pixels wide cannot show 10,000 points, and
 * handing ECharts all of them on every live update costs tens of milliseconds per frame.
 * x, y: the same length; null y values (gaps) are dropped. Returns the input when it is short enough.
 */
export function lttb(
  x: ArrayLike<number>,
  y: ArrayLike<number | null>,
  threshold: number,
): { x: ArrayLike<number>; y: ArrayLike<number | null> } {
  const n = Math.min(x.length, y.length)
  if (threshold < 3 || n <= threshold) return { x, y }
  const xs: number[] = []
  const ys: number[] = []
  for (let i = 0; i < n; i++) {
    const v = y[i]
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      xs.push(x[i]!)
      ys.push(v)
    }
  }
  const m = xs.length
  if (m <= threshold) return { x: xs, y: ys }
  const outX = new Float64Array(threshold)
  const outY = new Float64Array(threshold)
  const every = (m - 2) / (threshold - 2)
  let a = 0
  outX[0] = xs[0]!
  outY[0] = ys[0]!
  for (let i = 0; i < threshold - 2; i++) {
    // The average of the next bucket is the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, m)
    let avgX = 0
    let avgY = 0
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j]!
      avgY += ys[j]!
    }
    const len = Math.max(nextEnd - nextStart, 1)
    avgX /= len
    avgY /= len
    const start = Math.floor(i * every) + 1
    const end = Math.floor((i + 1) * every) + 1
    let best = start
    let bestArea = -1
    for (let j = start; j < end; j++) {
      const area = Math.abs((xs[a]! - avgX) * (ys[j]! - ys[a]!) - (xs[a]! - xs[j]!) * (avgY - ys[a]!))
      if (area > bestArea) {
        bestArea = area
        best = j
      }
    }
    outX[i + 1] = xs[best]!
    outY[i + 1] = ys[best]!
    a = best
  }
  outX[threshold - 1] = xs[m - 1]!
  outY[threshold - 1] = ys[m - 1]!
  return { x: outX, y: outY }
}
