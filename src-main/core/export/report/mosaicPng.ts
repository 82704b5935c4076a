/**
 * A run's weight mosaic (the seed's visualize_grid, src-shared/mosaic.ts) as a PNG data URI, so the
 * report carries its images inside the one file.
 */
import { PNG } from 'pngjs'
import type { MosaicData } from '../../../../src-shared/contract'
import { visualizeGrid } from '../../../../src-shared/mosaic'

export interface MosaicPng {
  dataUri: string
  width: number
  height: number
}

/** Null when the weights are not images a person could read (e.g. a first layer on non-image data). */
export function mosaicPng(m: MosaicData): MosaicPng | null {
  const [C, H, W] = m.shape
  if (H < 2 || W < 2 || m.units === 0) return null
  const bytes = Buffer.from(m.weights, 'base64')
  const expected = C * H * W * m.units * 4
  if (bytes.length !== expected) {
    throw new RangeError(
      `mosaic of epoch ${m.epoch}: expected ${expected} bytes of float32 weights for shape ` +
        `(${m.shape.join(', ')}) x ${m.units} units, got ${bytes.length}`,
    )
  }
  // Copied into an aligned buffer: a base64-decoded Buffer may start at any byte offset of its pool.
  const weights = new Float32Array(new Uint8Array(bytes).buffer)
  const image = visualizeGrid(weights, m.shape, m.units)
  const png = new PNG({ width: image.width, height: image.height })
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength)
  // Grayscale for one-channel data: a third of the bytes, and the same picture.
  const encoded = PNG.sync.write(png, { colorType: C === 3 ? 2 : 0 })
  return {
    dataUri: `data:image/png;base64,${encoded.toString('base64')}`,
    width: image.width,
    height: image.height,
  }
}
