/**
 * Which rows of a long table to render: the ones in the scroll box's view plus a margin, with spacers of
 * the rows' total height above and below, so the scroll bar is that of the whole table. Rows measured once
 * keep their height by key (a sort moves them, a filter keeps them); the others count as the measured
 * rows' mean. Kept as plain functions so they are tested without a browser (components/RunsTable.vue and
 * composables/useWindowedRows.ts draw with them).
 */

/** offsets[i]: the top of row i from the first row's top; offsets[n] is the total height. */
export function rowOffsets(
  keys: readonly string[],
  measured: ReadonlyMap<string, number>,
  estimate: number,
): Float64Array {
  const offsets = new Float64Array(keys.length + 1)
  let y = 0
  for (let i = 0; i < keys.length; i++) {
    offsets[i] = y
    y += measured.get(keys[i]!) ?? estimate
  }
  offsets[keys.length] = y
  return offsets
}

/** The first index whose offset is past y, or at it when `orAt` (offsets is sorted): a binary search. */
function firstAfter(offsets: Float64Array, y: number, orAt = false): number {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (offsets[mid]! > y || (orAt && offsets[mid] === y)) hi = mid
    else lo = mid + 1
  }
  return lo
}

export interface RowWindow {
  /** Rows [start, end) are rendered. */
  start: number
  end: number
  /** Heights of the spacers standing for the rows before start and from end on. */
  padTop: number
  padBottom: number
}

/**
 * The rows that meet [top - margin, top + height + margin), where top is the scroll position measured from
 * the first row (the header above it subtracted by the caller).
 */
export function visibleWindow(offsets: Float64Array, top: number, height: number, margin: number): RowWindow {
  const n = offsets.length - 1
  if (n <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 }
  const from = Math.max(0, top - margin)
  const to = Math.max(from, top + height + margin)
  const start = Math.min(n - 1, Math.max(0, firstAfter(offsets, from) - 1))
  const end = Math.max(start + 1, Math.min(n, firstAfter(offsets, to, true)))
  return { start, end, padTop: offsets[start]!, padBottom: offsets[n]! - offsets[end]! }
}

/** The mean of the heights measured so far, else the guess. */
export function meanHeight(measured: ReadonlyMap<string, number>, guess: number): number {
  if (measured.size === 0) return guess
  let sum = 0
  for (const h of measured.values()) sum += h
  return sum / measured.size
}
