import { describe, expect, it } from 'vitest'
import { mosaicExportScale } from './mosaicExport'

describe('mosaicExportScale', () => {
  it('enlarges by the largest whole factor that fits the target', () => {
    // CIFAR's 10 x 10 grid of 32-pixel tiles with 1-pixel padding: 329 pixels -> x2 = 658.
    expect(mosaicExportScale(329, 329)).toBe(2)
    expect(mosaicExportScale(17, 11)).toBe(45)
    expect(mosaicExportScale(17, 11, 100)).toBe(5)
  })

  it('never shrinks, and survives an empty image', () => {
    expect(mosaicExportScale(2000, 10)).toBe(1)
    expect(mosaicExportScale(0, 0)).toBe(1)
  })
})
