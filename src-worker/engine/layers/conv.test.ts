import { afterEach, describe, expect, it } from 'vitest'
import { getBackend, nativeAvailability, setBackend } from '../backend'
import { relError } from '../gradcheck'
import { Arena, withArena } from '../memory'
import { Rng } from '../rng'
import { astype, tensor, zeros, type Tensor } from '../tensor'
import { arrayGradError, lin, maxAbsDiff, randn, values } from '../testing'
import { convBackward, convBackwardNaive, convForward, convForwardNaive, type ConvParam } from './conv'

const f64 = (v: number[], shape: number[]): Tensor => tensor(v, shape, 'float64')
const FORWARDS = [
  ['convForwardNaive', convForwardNaive],
  ['convForward', convForward],
] as const

// Reference values were computed with numpy, independently of the layers here: sliding windows of the
// zero-padded input (np.lib.stride_tricks.sliding_window_view) contracted with w by np.einsum.
describe('conv forward against numpy', () => {
  it.each(FORWARDS)("%s matches CS231n's notebook check (stride 2, pad 1)", (_, forward) => {
    const x = lin(-0.1, 0.5, [2, 3, 4, 4])
    const w = lin(-0.2, 0.3, [3, 3, 4, 4])
    const b = lin(-0.1, 0.2, [3])
    const [out] = forward(x, w, b, { stride: 2, pad: 1 })
    expect(out.shape).toEqual([2, 3, 2, 2])
    // The notebook's correct_out (8 digits).
    const correct = [
      -0.08759809, -0.10987781, -0.18387192, -0.2109216, 0.21027089, 0.21661097, 0.22847626, 0.23004637,
      0.50813986, 0.54309974, 0.64082444, 0.67101435, -0.98053589, -1.03143541, -1.19128892, -1.24695841,
      0.69108355, 0.66880383, 0.59480972, 0.56776003, 2.36270298, 2.36904306, 2.38090835, 2.38247847,
    ]
    expect(relError(out, f64(correct, [2, 3, 2, 2]))).toBeLessThan(1e-7)
    const numpy = [
      -0.08759808612440192, -0.10987780640412219, -0.18387191755612806, -0.2109216047110784,
      0.21027088700772908, 0.216610967979389, 0.22847626058152373, 0.2300463746779536, 0.5081398601398601,
      0.5430997423629003, 0.6408244387191755, 0.6710143540669856, -0.9805358851674641, -1.0314354066985647,
      -1.1912889216047111, -1.2469584100110418, 0.6910835480309163, 0.6688038277511961, 0.5948097165991902,
      0.5677600294442399, 2.362702981229297, 2.369043062200957, 2.3809083548030916, 2.3824784688995218,
    ]
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-13)
  })

  it.each(FORWARDS)('%s handles non-square filters and windows that do not tile (floor sizes)', (_, fwd) => {
    const x = lin(-0.4, 0.7, [2, 2, 5, 6])
    const w = lin(-0.3, 0.25, [3, 2, 3, 2])
    const b = lin(-0.1, 0.2, [3])
    const [out] = fwd(x, w, b, { stride: 2, pad: 1 })
    // Ho = 1 + floor((5 + 2 - 3) / 2) = 3, Wo = 1 + floor((6 + 2 - 2) / 2) = 4.
    expect(out.shape).toEqual([2, 3, 3, 4])
    const numpy = [
      0.10543577430972387, 0.3038991596638655, 0.27463625450180074, 0.08208883553421373, 0.13185354141656663,
      0.3427899159663865, 0.2954093637454983, 0.08463145258103247, -0.01256662665066026, 0.05394957983193277,
      0.020038415366146464, -0.05218247298919566, 0.07922448979591835, 0.12239375750300116,
      0.12102040816326527, 0.09073949579831932, 0.11166386554621846, 0.18378631452581032, 0.17824009603841537,
      0.11673469387755103, 0.08672509003601442, 0.12345018007202882, 0.11742857142857145, 0.08197118847539017,
      0.053013205282112785, -0.05911164465786323, -0.03259543817527022, 0.09939015606242493,
      0.09147418967587029, 0.024782713085234026, 0.06107082833133243, 0.14883793517406957,
      0.18601680672268905, 0.19295078031212484, 0.21481872749099637, 0.216124849939976, -0.31607683073229287,
      -0.5739879951980791, -0.603250900360144, -0.3742857142857142, -0.5527082833133252, -1.078626650660264,
      -1.1260072028811523, -0.6522232893157263, -0.5038031212484994, -0.9633853541416565, -0.9972965186074428,
      -0.5782809123649459, 0.07605522208883558, 0.08119327731092446, 0.07981992797118857,
      0.052708283313325395, 0.05461704681872758, 0.01739975990396174, 0.011853541416566776,
      0.007394957983193368, 0.013831932773109318, -0.05719807923169254, -0.06321968787514992,
      -0.025783913565426114, 0.468187274909964, 0.7363745498199281, 0.7628907563025211, 0.47970228091236505,
      0.6619423769507804, 1.1134261704681874, 1.149714285714286, 0.667013205282113, 0.5314669867947179,
      0.8489891956782714, 0.870857142857143, 0.5267130852340938,
    ]
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-13)
  })
})

describe('conv backward', () => {
  const rng = new Rng(231)
  const x = randn(rng, [4, 3, 5, 5])
  const w = randn(rng, [2, 3, 3, 3])
  const b = randn(rng, [2])
  const param: ConvParam = { stride: 1, pad: 1 }
  const dout = randn(rng, [4, 2, 5, 5])

  it.each([
    ['naive', convForwardNaive, convBackwardNaive],
    ['fast', convForward, convBackward],
  ] as const)('%s passes a float64 gradient check on dx, dw and db (< 1e-8)', (_, forward, backward) => {
    const [, cache] = forward(x, w, b, param)
    const [dx, dw, db] = backward(dout, cache)
    expect(dx.shape).toEqual(x.shape)
    expect(dw.shape).toEqual(w.shape)
    expect(db.shape).toEqual([2])
    expect(arrayGradError((t) => forward(t, w, b, param)[0], x, dout, dx)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => forward(x, t, b, param)[0], w, dout, dw)).toBeLessThan(1e-8)
    expect(arrayGradError((t) => forward(x, w, t, param)[0], b, dout, db)).toBeLessThan(1e-8)
  })

  it('fast equals naive on strided, padded, non-square shapes, forward and backward', () => {
    const r = new Rng(5)
    for (const [xs, ws, p] of [
      [[3, 2, 7, 6], [4, 2, 3, 2], { stride: 2, pad: 1 }],
      [[2, 3, 8, 8], [5, 3, 5, 5], { stride: 1, pad: 2 }],
      [[1, 1, 9, 5], [2, 1, 4, 3], { stride: 3, pad: 0 }],
      [[2, 2, 4, 4], [3, 2, 1, 1], {}],
    ] as const) {
      const xx = randn(r, xs)
      const ww = randn(r, ws)
      const bb = randn(r, [ws[0]])
      const [o1, c1] = convForwardNaive(xx, ww, bb, p)
      const [o2, c2] = convForward(xx, ww, bb, p)
      expect(o2.shape).toEqual(o1.shape)
      expect(maxAbsDiff(o1.data, o2.data)).toBeLessThan(1e-12)
      const g = randn(r, o1.shape)
      const [dx1, dw1, db1] = convBackwardNaive(g, c1)
      const [dx2, dw2, db2] = convBackward(g, c2)
      expect(maxAbsDiff(dx1.data, dx2.data)).toBeLessThan(1e-12)
      expect(maxAbsDiff(dw1.data, dw2.data)).toBeLessThan(1e-12)
      expect(maxAbsDiff(db1.data, db2.data)).toBeLessThan(1e-12)
    }
  })

  it('skips dx with { dx: false } and returns the same dw, db', () => {
    const [, cache] = convForward(x, w, b, param)
    const [, dw, db] = convBackward(dout, cache)
    const dwv = values(dw)
    const dbv = values(db)
    const [dx2, dw2, db2] = convBackward(dout, cache, { dx: false })
    expect(dx2).toBeNull()
    expect(values(dw2)).toEqual(dwv)
    expect(values(db2)).toEqual(dbv)
  })

  it('float32 agrees with float64, reads subarray views, and allocates nothing after the first step', () => {
    const r = new Rng(9)
    const big = randn(r, [5, 3, 6, 6], { dtype: 'float32' })
    // X as the Solver may pass it: a view into a larger buffer.
    const view: Tensor = { shape: [4, 3, 6, 6], data: big.data.subarray(108), dtype: 'float32' }
    const w32 = randn(r, [4, 3, 3, 3], { dtype: 'float32' })
    const b32 = randn(r, [4], { dtype: 'float32' })
    const [o64] = convForward(astype(view, 'float64'), astype(w32, 'float64'), astype(b32, 'float64'), param)
    const arena = new Arena()
    const step = (): number[] =>
      withArena(arena, () => {
        const [o, c] = convForward(view, w32, b32, param)
        const [dx, dw] = convBackward(o, c)
        return [...values(o), dx.data[0]!, dw.data[0]!]
      })
    const first = step()
    const bytes = arena.allocatedBytes
    expect(step()).toEqual(first)
    expect(arena.allocatedBytes).toBe(bytes)
    expect(maxAbsDiff(first.slice(0, o64.data.length), o64.data)).toBeLessThan(1e-4)
  })
})

describe('im2col kernels', () => {
  afterEach(() => {
    setBackend('auto')
  })

  it.skipIf(!nativeAvailability().available)(
    'native and TypeScript backends give the same conv on a CIFAR-sized layer',
    () => {
      const r = new Rng(3)
      const xx = randn(r, [2, 3, 32, 32], { dtype: 'float32' })
      const ww = randn(r, [8, 3, 7, 7], { dtype: 'float32', scale: 0.1 })
      const bb = randn(r, [8], { dtype: 'float32' })
      const p = { stride: 1, pad: 3 }
      setBackend('native')
      const [oN, cN] = convForward(xx, ww, bb, p)
      const [dxN, dwN] = convBackward(oN, cN)
      setBackend('ts')
      const [oT, cT] = convForward(xx, ww, bb, p)
      const [dxT, dwT] = convBackward(oT, cT)
      // float32 sums in different orders: compare relative to the largest entry.
      const scaled = (a: Tensor, b: Tensor): number =>
        maxAbsDiff(a.data, b.data) / maxAbsDiff(b.data, new Float32Array(b.data.length))
      expect(scaled(oN, oT)).toBeLessThan(1e-5)
      expect(scaled(dxN!, dxT)).toBeLessThan(1e-5)
      expect(scaled(dwN, dwT)).toBeLessThan(1e-5)
    },
  )

  it.skipIf(!nativeAvailability().available)('the native kernels reject bad arguments by name', () => {
    const { im2col, col2im } = setBackend('native')
    const x = new Float32Array(2 * 4 * 4)
    expect(() => im2col(x, 2, 4, 4, 3, 3, 1, 1, new Float32Array(10))).toThrow(/im2col: .*cols has 10/)
    expect(() => im2col(x, 2, 4, 4, 3, 3, 1, 1, new Float64Array(2 * 9 * 16))).toThrow(
      'im2col: the arrays must both be Float32Array or both Float64Array',
    )
    expect(() => col2im(new Float32Array(2 * 9 * 16), 2, 4, 4, 3, 3, 0, 1, x)).toThrow(/stride/)
    const shared = new Float32Array(400)
    expect(() => im2col(shared, 2, 4, 4, 3, 3, 1, 1, shared.subarray(10))).toThrow('must not share memory')
    expect(getBackend().name).toBe('native')
  })
})

describe('conv argument checks', () => {
  const x = zeros([2, 3, 5, 5], 'float64')
  const w = zeros([4, 3, 3, 3], 'float64')
  const b = zeros([4], 'float64')
  it('names mismatched channels, a bad b, dtype and conv parameters', () => {
    expect(() => convForward(x, zeros([4, 2, 3, 3], 'float64'), b, {})).toThrow(
      'convForward: x (2, 3, 5, 5) has 3 channels but w (4, 2, 3, 3) expects 2',
    )
    expect(() => convForward(x, w, zeros([3], 'float64'), {})).toThrow(
      'convForward: b must have shape (4,), got (3,)',
    )
    expect(() => convForward(x, zeros([4, 3, 3, 3], 'float32'), b, {})).toThrow(
      'convForward: w is float32, expected float64',
    )
    expect(() => convForward(zeros([2, 75], 'float64'), w, b, {})).toThrow(
      'convForward: x must have shape (*, *, *, *), got (2, 75)',
    )
    expect(() => convForwardNaive(x, w, b, { stride: 0 })).toThrow(
      'convForwardNaive: convParam.stride must be a positive integer, got 0',
    )
    expect(() => convForward(x, w, b, { pad: -1 })).toThrow('convParam.pad must be a non-negative integer')
    expect(() => convForward(x, w, b, { padding: 1 } as never)).toThrow(
      "convForward: unknown convParam key 'padding'",
    )
    expect(() => convForward(x, zeros([4, 3, 7, 7], 'float64'), b, { pad: 0 })).toThrow(
      'convForward: a 7x7 filter does not fit the 5x5 input with pad 0',
    )
  })

  it('checks dout against the cache', () => {
    const [, cache] = convForward(x, w, b, { pad: 1 })
    expect(() => convBackward(zeros([2, 4, 3, 3], 'float64'), cache)).toThrow(
      'convBackward: dout must have shape (2, 4, 5, 5), got (2, 4, 3, 3)',
    )
  })
})
