import { describe, expect, it } from 'vitest'
import { lossNeedsLog } from './lossScale'

describe('lossNeedsLog', () => {
  it('keeps everyday curves linear', () => {
    expect(
      lossNeedsLog([
        [2.3, 1.2, 0.4],
        [2.3, 0.9, 0.05],
      ]),
    ).toBe(false)
    expect(lossNeedsLog([])).toBe(false)
    expect(lossNeedsLog([[]])).toBe(false)
  })

  it('goes log when one run blew up past three decades, ignoring NaN, infinities and zeros', () => {
    expect(
      lossNeedsLog([
        [2.3, 1.2],
        [2.3, 40, 5e4],
      ]),
    ).toBe(true)
    expect(lossNeedsLog([[2.3, NaN, Infinity, 0, -1, 1.1]])).toBe(false)
  })
})
