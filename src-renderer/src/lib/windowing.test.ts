import { describe, expect, it } from 'vitest'
import { meanHeight, rowOffsets, visibleWindow } from './windowing'

const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `r${i}`)

describe('rowOffsets', () => {
  it('adds measured heights by key and the estimate for the others', () => {
    const o = rowOffsets(['a', 'b', 'c'], new Map([['b', 50]]), 30)
    expect([...o]).toEqual([0, 30, 80, 110])
  })

  it('moves a measured height with its key when the order changes', () => {
    const measured = new Map([['b', 50]])
    expect([...rowOffsets(['b', 'a', 'c'], measured, 30)]).toEqual([0, 50, 80, 110])
  })

  it('is empty but for the total for no rows', () => {
    expect([...rowOffsets([], new Map(), 30)]).toEqual([0])
  })
})

describe('visibleWindow', () => {
  const twenty = rowOffsets(keys(20_000), new Map(), 40)

  it('renders the rows in view plus the margin, at the top', () => {
    expect(visibleWindow(twenty, 0, 400, 200)).toEqual({
      start: 0,
      end: 15,
      padTop: 0,
      padBottom: (20_000 - 15) * 40,
    })
  })

  it('renders a few rows in the middle of 20,000, the spacers standing for the rest', () => {
    const w = visibleWindow(twenty, 400_000, 400, 200)
    // Rows 9,995 to 10,014 meet [399,800, 400,600].
    expect(w).toEqual({ start: 9995, end: 10_015, padTop: 9995 * 40, padBottom: (20_000 - 10_015) * 40 })
    expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(twenty[20_000])
  })

  it('ends at the last row when scrolled to the bottom, or past it', () => {
    const bottom = 20_000 * 40 - 400
    expect(visibleWindow(twenty, bottom, 400, 200)).toMatchObject({ end: 20_000, padBottom: 0 })
    expect(visibleWindow(twenty, bottom * 2, 400, 200)).toMatchObject({ start: 19_999, end: 20_000 })
  })

  it('finds rows of uneven heights', () => {
    const measured = new Map([
      ['r0', 100],
      ['r1', 10],
      ['r2', 10],
    ])
    const o = rowOffsets(keys(10), measured, 20)
    // Tops: 0, 100, 110, 120, 140, ... A view of [105, 125) meets rows 1 to 3.
    expect(visibleWindow(o, 105, 20, 0)).toMatchObject({ start: 1, end: 4, padTop: 100 })
  })

  it('renders one row for a view of no height, nothing for no rows', () => {
    expect(visibleWindow(twenty, 0, 0, 0)).toMatchObject({ start: 0, end: 1 })
    expect(visibleWindow(rowOffsets([], new Map(), 40), 0, 400, 200)).toEqual({
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    })
  })
})

describe('meanHeight', () => {
  it('is the guess until a row is measured, then their mean', () => {
    expect(meanHeight(new Map(), 37)).toBe(37)
    expect(
      meanHeight(
        new Map([
          ['a', 30],
          ['b', 50],
        ]),
        37,
      ),
    ).toBe(40)
  })
})
