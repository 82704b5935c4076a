/**
 * The weight mosaic: CS231n's `visualize_grid(Xs, ubound=255.0, padding=1)` over the first layer's
 * weights. Pure (no DOM), so the renderer draws the result on a canvas and tests check it by hand.
 */

export interface MosaicImage {
  width: number
  height: number
  /** width * height * 4 bytes, row-major; alpha is always 255. */
  rgba: Uint8ClampedArray
}

export interface GridOptions {
  ubound?: number
  padding?: number
  /**
   * One value range for every tile instead of each tile's own min and max: mosaics of several runs (or
   * epochs) drawn with the same range can be compared by brightness, which per-tile scaling hides.
   */
  range?: WeightRange | null
}

export interface WeightRange {
  low: number
  high: number
}

/** Min and max over all values of all `arrays` (NaN skipped); null when there are none. */
export function weightRange(...arrays: ArrayLike<number>[]): WeightRange | null {
  let low = Infinity
  let high = -Infinity
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i] as number
      if (v < low) low = v
      if (v > high) high = v
    }
  }
  return low <= high ? { low, high } : null
}

/**
 * W1 is (D, units) row-major with D = C * H * W; column j is hidden unit j's weights in (C, H, W) order.
 * Each unit becomes one (H, W, C) tile scaled to [0, ubound] by its own min and max, tiles laid out row by
 * row, ceil(sqrt(units)) to a row and only as many rows as they fill, with `padding` black pixels between them. C = 1 gives grayscale;
 * C = 3 gives RGB; other channel counts show their first channel as grayscale.
 */
export function visualizeGrid(
  weights: ArrayLike<number>,
  shape: readonly [number, number, number],
  units: number,
  { ubound = 255, padding = 1, range = null }: GridOptions = {},
): MosaicImage {
  const [C, H, W] = shape
  const D = C * H * W
  if (weights.length !== D * units) {
    throw new RangeError(
      `expected ${D} x ${units} weights for shape (${shape.join(', ')}), got ${weights.length}`,
    )
  }
  if (units === 0) return { width: 0, height: 0, rgba: new Uint8ClampedArray(0) }
  const grid = Math.ceil(Math.sqrt(units))
  // As many rows as the units fill: the seed's square grid leaves whole black rows (30 units -> 6 x 6).
  const rows = Math.ceil(units / grid)
  const width = W * grid + padding * (grid - 1)
  const height = H * rows + padding * (rows - 1)
  const rgba = new Uint8ClampedArray(width * height * 4)
  // Padding is black and opaque, as the seed's zero-initialised grid shows under imshow.
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255
  const rgb = C === 3
  for (let n = 0; n < units; n++) {
    let low = range ? range.low : Infinity
    let high = range ? range.high : -Infinity
    for (let d = 0; !range && d < D; d++) {
      const v = weights[d * units + n] as number
      if (v < low) low = v
      if (v > high) high = v
    }
    // A constant tile divides 0 by 0 in the seed; black is what a viewer would expect to see instead.
    const scale = high > low ? ubound / (high - low) : 0
    const x0 = (n % grid) * (W + padding)
    const y0 = Math.floor(n / grid) * (H + padding)
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = ((y0 + y) * width + x0 + x) * 4
        for (let c = 0; c < 3; c++) {
          const d = (rgb ? c : 0) * H * W + y * W + x
          // Truncation, as the seed's `.astype('uint8')` before imshow.
          rgba[p + c] = Math.floor(((weights[d * units + n] as number) - low) * scale)
        }
      }
    }
  }
  return { width, height, rgba }
}
