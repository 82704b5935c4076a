import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { arrayGradError, randn, values } from '../testing'
import { affineReluBackward, affineReluForward } from './sandwich'

describe('affineRelu sandwich', () => {
  const rng = new Rng(231)
  const x = randn(rng, [2, 3, 4])
  const w = randn(rng, [12, 10])
  const b = randn(rng, [10])
  const dout = randn(rng, [2, 10])
  const [out, cache] = affineReluForward(x, w, b)
  const [dx, dw, db] = affineReluBackward(dout, cache)

  it('forward is relu(x @ w + b)', () => {
    expect(out.shape).toEqual([2, 10])
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 10; j++) {
        let s = b.data[j]!
        for (let k = 0; k < 12; k++) s += x.data[i * 12 + k]! * w.data[k * 10 + j]!
        expect(out.data[i * 10 + j]).toBeCloseTo(Math.max(0, s), 12)
      }
    }
  })

  it('passes a float64 gradient check on dx, dw and db (< 1e-8)', () => {
    expect(arrayGradError((t) => affineReluForward(t, w, b)[0], x, dout, dx)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => affineReluForward(x, t, b)[0], w, dout, dw)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => affineReluForward(x, w, t)[0], b, dout, db)).toBeLessThan(1e-8)
  })

  it('with { dx: false } returns null dx and the same dw, db', () => {
    const [dx2, dw2, db2] = affineReluBackward(dout, cache, { dx: false })
    expect(dx2).toBeNull()
    expect(values(dw2)).toEqual(values(dw))
    expect(values(db2)).toEqual(values(db))
  })
})
