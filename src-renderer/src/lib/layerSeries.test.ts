import { describe, expect, it } from 'vitest'
import { binEdges, binOf, CENTRE_BIN, tensorStats } from '../../../src-shared/layerStats'
import { capture, layerRecord, twoLayerCaptures } from '../testing/layerFixtures'
import {
  binDecade,
  binLabel,
  binRange,
  edgeLabel,
  hasQuantity,
  layerNames,
  layerOver,
  CAPTURES_HELD_MAX,
  mergeCaptures,
} from './layerSeries'

describe('bin labels', () => {
  it('name the centre bin 0 and each decade by its lower edge, on both sides', () => {
    expect(binLabel(CENTRE_BIN)).toBe('0')
    expect(binLabel(binOf(1e-2))).toBe('1e-2')
    expect(binLabel(binOf(-1e-2))).toBe('-1e-2')
    expect(binLabel(binOf(1))).toBe('1')
    expect(binLabel(binOf(-1e-8))).toBe('-1e-8')
    expect(binLabel(binOf(1e3))).toBe('1e3')
    // A labelled bin starts at its power of ten: the label is the edge.
    for (const e of [-8, -5, -3, -1, 0, 2]) {
      const b = binOf(1.1 * 10 ** e)
      expect(binEdges(b)[0] / 10 ** e).toBeCloseTo(1, 12)
      expect(binDecade(b)).toBe(e)
      expect(binDecade(binOf(-1.1 * 10 ** e))).toBe(e)
      expect(binEdges(binOf(-1.1 * 10 ** e))[1] / 10 ** e).toBeCloseTo(-1, 12)
    }
  })

  it('leave the bins between decades unnamed', () => {
    expect(binLabel(binOf(2e-2))).toBeNull()
    expect(binLabel(binOf(-5e-4))).toBeNull()
    expect(binDecade(CENTRE_BIN)).toBeNull()
  })

  it('write bin edges with three significant digits', () => {
    expect(edgeLabel(0)).toBe('0')
    expect(edgeLabel(0.012589254)).toBe('0.0126')
    expect(edgeLabel(-1.2589e-5)).toBe('-1.26e-5')
    expect(edgeLabel(12589.25)).toBe('1.26e4')
  })
})

describe('binRange', () => {
  it('spans every filled bin, widened to whole decades and to zero', () => {
    const h = tensorStats([2e-3, 5e-3, 3e-3]).hist
    const [lo, hi] = binRange([h])!
    expect(lo).toBe(CENTRE_BIN)
    expect(binLabel(hi)).toBe('1e-2')
    const both = binRange([h, tensorStats([-4e-5]).hist])!
    expect(binLabel(both[0])).toBe('-1e-4')
    expect(both[1]).toBe(hi)
  })

  it('is null when nothing is filled', () => {
    expect(binRange([])).toBeNull()
    expect(binRange([tensorStats([NaN]).hist])).toBeNull()
  })
})

describe('mergeCaptures', () => {
  it('holds at most CAPTURES_HELD_MAX captures of a long run: older ones thinned evenly, the newest kept', () => {
    const its = Array.from({ length: CAPTURES_HELD_MAX }, (_, i) => (i + 1) * 10)
    const held = mergeCaptures([], twoLayerCaptures(its))
    expect(held).toHaveLength(CAPTURES_HELD_MAX)
    const more = mergeCaptures(held, twoLayerCaptures([its.at(-1)! + 10]))
    expect(more.length).toBeLessThan(CAPTURES_HELD_MAX)
    expect(more[0]!.iteration).toBe(10)
    expect(more.at(-1)!.iteration).toBe(its.at(-1)! + 10)
    const steps = more.slice(1).map((c, i) => c.iteration - more[i]!.iteration)
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(10)
  })

  const caps = twoLayerCaptures([10, 20, 30, 40])

  it('appends in iteration order', () => {
    const merged = mergeCaptures(caps.slice(0, 2), caps.slice(2))
    expect(merged.map((c) => c.iteration)).toEqual([10, 20, 30, 40])
  })

  it('replaces the captures a resumed run retrains (from the first repeated iteration on)', () => {
    const again = capture(20, [
      layerRecord({ name: 'layer1', shape: [4, 2], weightStd: 1, gradStd: 1, ratio: 5e-3 }, 9),
    ])
    const merged = mergeCaptures(caps, [again])
    expect(merged.map((c) => c.iteration)).toEqual([10, 20])
    expect(merged[1]!.layers[0]!.updateRatio).toBe(5e-3)
  })

  it('skips entries that are not captures and leaves its inputs alone', () => {
    const before = caps.slice(0, 1)
    const merged = mergeCaptures(before, [{ iteration: NaN } as never, caps[1]!])
    expect(merged.map((c) => c.iteration)).toEqual([10, 20])
    expect(before).toHaveLength(1)
  })
})

describe('per layer', () => {
  it('lists layers in net order across runs and follows one over time', () => {
    const caps = twoLayerCaptures([10, 20])
    const conv = [
      capture(5, [layerRecord({ name: 'layer3', shape: [2, 2], weightStd: 1, gradStd: 1, ratio: 1e-3 }, 1)]),
    ]
    expect(layerNames(caps, conv)).toEqual(['layer1', 'layer2', 'layer3'])
    expect(layerOver(caps, 'layer2').map((p) => [p.iteration, p.layer.updateRatio])).toEqual([
      [10, 3e-2],
      [20, 3e-2],
    ])
    expect(layerOver(caps, 'nope')).toEqual([])
  })

  it('knows which quantities the captures hold', () => {
    const scoresOnly = [
      capture(1, [
        layerRecord(
          { name: 'layer1', shape: [3, 3], weightStd: 1, gradStd: 1, ratio: 1e-3, scores: true },
          2,
        ),
      ]),
    ]
    expect(hasQuantity(scoresOnly, 'weight')).toBe(true)
    expect(hasQuantity(scoresOnly, 'postact')).toBe(false)
    expect(hasQuantity(twoLayerCaptures([1]), 'postact')).toBe(true)
  })
})
