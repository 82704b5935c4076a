import { describe, expect, it } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import { visualizeGrid, weightRange } from '../../../src-shared/mosaic'
import { commonEpochs, sharedRange } from './compareMosaic'

function mosaic(values: number[]): MosaicData {
  let bin = ''
  for (const b of new Uint8Array(Float32Array.from(values).buffer)) bin += String.fromCharCode(b)
  return {
    epochs: [1],
    damagedEpochs: [],
    epoch: 1,
    shape: [1, 1, values.length],
    units: 1,
    weights: btoa(bin),
  }
}

describe('commonEpochs', () => {
  it('keeps the epochs every run saved, in order', () => {
    expect(
      commonEpochs([
        [1, 2, 3, 4],
        [2, 4, 6],
        [0, 2, 4],
      ]),
    ).toEqual([2, 4])
    expect(commonEpochs([[1, 2]])).toEqual([1, 2])
    expect(commonEpochs([])).toEqual([])
  })
})

describe('shared mosaic scale', () => {
  it('takes the min and max over all mosaics, skipping missing ones and NaN', () => {
    expect(sharedRange([mosaic([0, 1]), null, mosaic([-2, 0.5])])).toEqual({ low: -2, high: 1 })
    expect(sharedRange([null])).toBeNull()
    expect(weightRange([NaN, 3], [1])).toEqual({ low: 1, high: 3 })
  })

  it('draws equal weights equally bright in every mosaic, unlike per-tile scaling', () => {
    // Two one-unit mosaics: [0, 1] and [0, 2]. Per tile, both maxima are white; on one scale, 1 is half as bright.
    const a = Float32Array.from([0, 1])
    const b = Float32Array.from([0, 2])
    const pixel = (img: { rgba: Uint8ClampedArray }, x: number) => img.rgba[x * 4]
    expect(pixel(visualizeGrid(a, [1, 1, 2], 1), 1)).toBe(255)
    expect(pixel(visualizeGrid(b, [1, 1, 2], 1), 1)).toBe(255)
    const range = weightRange(a, b)
    expect(pixel(visualizeGrid(a, [1, 1, 2], 1, { range }), 1)).toBe(127)
    expect(pixel(visualizeGrid(b, [1, 1, 2], 1, { range }), 1)).toBe(255)
    expect(pixel(visualizeGrid(b, [1, 1, 2], 1, { range }), 0)).toBe(0)
  })
})
