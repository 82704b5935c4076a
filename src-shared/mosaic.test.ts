import { describe, expect, it } from 'vitest'
import { visualizeGrid } from './mosaic'

/** Pixel (x, y) of an RGBA image as [r, g, b, a]. */
function px(img: { width: number; rgba: Uint8ClampedArray }, x: number, y: number): number[] {
  const p = (y * img.width + x) * 4
  return Array.from(img.rgba.slice(p, p + 4))
}

describe('visualizeGrid', () => {
  it('lays 2 grayscale 1x2 units out in one row of a 2-wide grid with 1-pixel padding', () => {
    // D = 2 (C=1, H=1, W=2), units = 2; row-major (D, units): row d holds pixel d of every unit.
    // unit 0 = [0, 10], unit 1 = [-1, 1]
    const w = Float32Array.from([0, -1, 10, 1])
    const img = visualizeGrid(w, [1, 1, 2], 2)
    // ceil(sqrt(2)) = 2 to a row, one row filled: width = 2*2 + 1, height = 1 (no empty black row)
    expect([img.width, img.height]).toEqual([5, 1])
    expect(px(img, 0, 0)).toEqual([0, 0, 0, 255])
    expect(px(img, 1, 0)).toEqual([255, 255, 255, 255])
    expect(px(img, 2, 0)).toEqual([0, 0, 0, 255]) // padding column
    expect(px(img, 3, 0)).toEqual([0, 0, 0, 255])
    expect(px(img, 4, 0)).toEqual([255, 255, 255, 255])
  })

  it('scales each tile by its own min and max and truncates like astype(uint8)', () => {
    // One unit, 1x3 grayscale: [1, 2, 5] -> 255 * [0, 0.25, 1] = [0, 63.75, 255] -> [0, 63, 255]
    const img = visualizeGrid([1, 2, 5], [1, 1, 3], 1)
    expect([img.width, img.height]).toEqual([3, 1])
    expect([px(img, 0, 0)[0], px(img, 1, 0)[0], px(img, 2, 0)[0]]).toEqual([0, 63, 255])
  })

  it('reads a (C, H, W) column as an (H, W, C) RGB tile', () => {
    // C=3, H=1, W=2, one unit: red = [0, 4], green = [4, 0], blue = [2, 2]; min 0, max 4
    const img = visualizeGrid([0, 4, 4, 0, 2, 2], [3, 1, 2], 1)
    expect(px(img, 0, 0)).toEqual([0, 255, 127, 255])
    expect(px(img, 1, 0)).toEqual([255, 0, 127, 255])
  })

  it('places the 5th of 5 units at row 1, column 1 of a 3-wide grid of 2 rows, 2x2 tiles', () => {
    const units = 5
    const D = 4
    const w = new Float32Array(D * units)
    // Unit n's pixels: [n, n, n, n + 1] so its last pixel is white and the others black.
    for (let n = 0; n < units; n++) for (let d = 0; d < D; d++) w[d * units + n] = d === 3 ? n + 1 : n
    const img = visualizeGrid(w, [1, 2, 2], units, { padding: 2 })
    // 3 tiles of 2 + 2 gaps of 2 across; 5 units fill 2 rows: 2 tiles + 1 gap down
    expect([img.width, img.height]).toEqual([10, 6])
    // Unit 4: column 1, row 1 -> origin (4, 4); its bottom-right pixel (5, 5) is white.
    expect(px(img, 5, 5)[0]).toBe(255)
    expect(px(img, 4, 4)[0]).toBe(0)
    // Unit 2: column 2, row 0 -> origin (8, 0); white at (9, 1).
    expect(px(img, 9, 1)[0]).toBe(255)
  })

  it('honours ubound and paints a constant tile black', () => {
    const img = visualizeGrid([3, 3, 1, 2], [1, 1, 2], 2, { ubound: 100, padding: 0 })
    // Row-major (D, units): d0 = [3, 3], d1 = [1, 2], so unit 0 = [3, 1] and unit 1 = [3, 2].
    expect(px(img, 0, 0)[0]).toBe(100)
    expect(px(img, 1, 0)[0]).toBe(0)
    expect(px(img, 2, 0)[0]).toBe(100)
    expect(px(img, 3, 0)[0]).toBe(0)
    const flat = visualizeGrid([7, 7], [1, 1, 2], 1)
    expect(Array.from(flat.rgba)).toEqual([0, 0, 0, 255, 0, 0, 0, 255])
  })

  it('rejects weights that do not match the shape', () => {
    expect(() => visualizeGrid([1, 2, 3], [1, 2, 2], 1)).toThrow(RangeError)
  })
})
