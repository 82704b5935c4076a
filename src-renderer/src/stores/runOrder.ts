/**
 * The runs list kept in order as runs change, one at a time: a `run` event finds its run's old place and
 * its new one by binary search and moves it, instead of sorting 20,000 runs again. The arrays are
 * replaced, not changed, so whatever a view computed from the previous one stays as it was.
 */

/** Index of the first element that sorts after `item` (`cmp` a strict total order). */
function upperBound<T>(sorted: readonly T[], item: T, cmp: (a: T, b: T) => number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cmp(sorted[mid] as T, item) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * `sorted` with `previous` (when given: the element as it now stands in it) taken out and `next` (when
 * given) put in its place in the order. Without either, the same array.
 */
export function moveSorted<T>(
  sorted: readonly T[],
  previous: T | undefined,
  next: T | undefined,
  cmp: (a: T, b: T) => number,
): T[] {
  const out = sorted.slice()
  if (previous !== undefined) {
    const at = upperBound(out, previous, cmp) - 1
    // A strict order finds the element itself; a list that is not in order is put right.
    if (out[at] === previous) out.splice(at, 1)
    else {
      const i = out.indexOf(previous)
      if (i >= 0) out.splice(i, 1)
    }
  }
  if (next !== undefined) out.splice(upperBound(out, next, cmp), 0, next)
  return out
}
