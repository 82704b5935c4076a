import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { arrayGradError, maxAbsDiff, randn, values } from '../testing'
import { convBackward, convForward } from './conv'
import { convReluBackward, convReluForward, convReluPoolBackward, convReluPoolForward } from './convSandwich'
import { maxPoolBackward, maxPoolForward } from './pool'
import { reluBackward, reluForward } from './relu'

describe('conv sandwiches', () => {
  const rng = new Rng(231)
  const x = randn(rng, [2, 3, 8, 8])
  const w = randn(rng, [3, 3, 3, 3])
  const b = randn(rng, [3])
  const conv = { stride: 1, pad: 1 }
  const pool = { poolHeight: 2, poolWidth: 2, stride: 2 }

  it('conv-relu equals its parts and passes a float64 gradient check', () => {
    const [out, cache] = convReluForward(x, w, b, conv)
    const [a] = convForward(x, w, b, conv)
    expect(values(out)).toEqual(values(reluForward(a)[0]))
    const dout = randn(rng, out.shape)
    const [dx, dw, db] = convReluBackward(dout, cache)
    expect(arrayGradError((t) => convReluForward(t, w, b, conv)[0], x, dout, dx)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => convReluForward(x, t, b, conv)[0], w, dout, dw)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => convReluForward(x, w, t, conv)[0], b, dout, db)).toBeLessThan(1e-8)
  })

  it('conv-relu-pool equals conv, relu, pool in that order and passes a float64 gradient check', () => {
    const [out, cache] = convReluPoolForward(x, w, b, conv, pool)
    expect(out.shape).toEqual([2, 3, 4, 4])
    const [a, ca] = convForward(x, w, b, conv)
    const [s, cs] = reluForward(a)
    const [p, cp] = maxPoolForward(s, pool)
    expect(values(out)).toEqual(values(p))
    const dout = randn(rng, out.shape)
    const [dx, dw, db] = convReluPoolBackward(dout, cache)
    // Pooling before the relu (as the sandwich does) gives the same gradient as the textbook order.
    const [dxParts, dwParts, dbParts] = convBackward(reluBackward(maxPoolBackward(dout, cp), cs), ca)
    expect(maxAbsDiff(dx.data, dxParts.data)).toBe(0)
    expect(maxAbsDiff(dw.data, dwParts.data)).toBe(0)
    expect(maxAbsDiff(db.data, dbParts.data)).toBe(0)
    expect(arrayGradError((t) => convReluPoolForward(t, w, b, conv, pool)[0], x, dout, dx)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => convReluPoolForward(x, t, b, conv, pool)[0], w, dout, dw)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => convReluPoolForward(x, w, t, conv, pool)[0], b, dout, db)).toBeLessThan(1e-8)
    const [noDx, dw2] = convReluPoolBackward(dout, cache, { dx: false })
    expect(noDx).toBeNull()
    expect(values(dw2)).toEqual(values(dw))
  })
})
