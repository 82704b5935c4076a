import { describe, expect, it } from 'vitest'
import { reluForward } from './relu'
import { relError } from '../gradcheck'
import { Arena, withArena } from '../memory'
import { Rng } from '../rng'
import { tensor, zeros, type Tensor } from '../tensor'
import { arrayGradError, lin, maxAbsDiff, randn, values } from '../testing'
import {
  maxPoolBackward,
  maxPoolBackwardNaive,
  maxPoolForward,
  maxPoolForwardNaive,
  type PoolParam,
} from './pool'

const FORWARDS = [
  ['maxPoolForwardNaive', maxPoolForwardNaive],
  ['maxPoolForward', maxPoolForward],
] as const

// np.linspace(-2, 3, 70).reshape(1, 2, 5, 7) ** 2 + np.cos(np.arange(70)).reshape(1, 2, 5, 7)
const BUMPY = tensor(
  values(lin(-2, 3, [1, 2, 5, 7])).map((v, i) => v * v + Math.cos(i)),
  [1, 2, 5, 7],
  'float64',
)

// Reference values from numpy: sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s].max((4, 5)).
describe('max pool forward against numpy', () => {
  it.each(FORWARDS)("%s matches CS231n's notebook check (2x2, stride 2)", (_, forward) => {
    const [out] = forward(lin(-0.3, 0.4, [2, 3, 4, 4]), { poolHeight: 2, poolWidth: 2, stride: 2 })
    expect(out.shape).toEqual([2, 3, 2, 2])
    const correct = [
      -0.26315789, -0.24842105, -0.20421053, -0.18947368, -0.14526316, -0.13052632, -0.08631579, -0.07157895,
      -0.02736842, -0.01263158, 0.03157895, 0.04631579, 0.09052632, 0.10526316, 0.14947368, 0.16421053,
      0.20842105, 0.22315789, 0.26736842, 0.28210526, 0.32631579, 0.34105263, 0.38526316, 0.4,
    ]
    expect(relError(out, tensor(correct, [2, 3, 2, 2], 'float64'))).toBeLessThan(1e-7)
  })

  it.each(FORWARDS)('%s pools windows that do not tile the input (floor sizes)', (_, forward) => {
    const [o1] = forward(BUMPY, { poolHeight: 3, poolWidth: 2, stride: 2 })
    expect(o1.shape).toEqual([1, 2, 2, 3])
    expect(
      maxAbsDiff(
        o1.data,
        [
          5.0, 3.0251470092835655, 2.9656617653834108, 1.1079617508690391, 0.9754438910958567,
          1.3770684073066017, 3.599706629206249, 3.6173904917098127, 2.830425516853296, 7.566236846232832,
          6.782431677012198, 9.010611411489954,
        ],
      ),
    ).toBeLessThan(1e-14)
    const [o2] = forward(BUMPY, {})
    expect(o2.shape).toEqual([1, 2, 2, 3])
    expect(
      maxAbsDiff(
        o2.data,
        [
          5.0, 3.0251470092835655, 2.9656617653834108, 1.1079617508690391, 0.4922319373937077,
          1.3770684073066017, 1.8004399135769167, 2.4121516472320224, 1.345599832893, 5.438619189918157,
          4.971942160233528, 5.599701346628421,
        ],
      ),
    ).toBeLessThan(1e-14)
  })

  it.each(FORWARDS)('%s propagates NaN, as np.max', (_, forward) => {
    for (const p of [{}, { poolHeight: 3, poolWidth: 3, stride: 1 }]) {
      const x = lin(-1, 1, [1, 1, 4, 4])
      x.data[5] = NaN
      const [out] = forward(x, p)
      expect(Number.isNaN(out.data[0])).toBe(true)
    }
  })
})

describe('max pool backward', () => {
  const rng = new Rng(231)
  const cases: [string, number[], PoolParam][] = [
    ['2x2 stride 2', [3, 2, 8, 8], { poolHeight: 2, poolWidth: 2, stride: 2 }],
    ['2x2 stride 2 on odd sizes', [2, 2, 5, 7], {}],
    ['3x2 stride 1 (overlapping)', [2, 3, 6, 5], { poolHeight: 3, poolWidth: 2, stride: 1 }],
    ['3x3 stride 2', [2, 2, 7, 7], { poolHeight: 3, poolWidth: 3, stride: 2 }],
  ]
  it.each(cases)('%s: naive and fast pass a float64 gradient check and agree', (_, shape, p) => {
    const x = randn(rng, shape)
    const [out, cache] = maxPoolForwardNaive(x, p)
    const dout = randn(rng, out.shape)
    const dxNaive = maxPoolBackwardNaive(dout, cache)
    expect(arrayGradError((t) => maxPoolForwardNaive(t, p)[0], x, dout, dxNaive)).toBeLessThan(1e-8)
    const [outFast, cacheFast] = maxPoolForward(x, p)
    expect(values(outFast)).toEqual(values(out))
    const dx = maxPoolBackward(dout, cacheFast)
    expect(values(dx)).toEqual(values(dxNaive))
    expect(arrayGradError((t) => maxPoolForward(t, p)[0], x, dout, dx)).toBeLessThan(1e-8)
  })

  it('routes a tie to the first maximum in row-major order, in both versions', () => {
    const x = tensor([1, 3, 3, 3, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2], [1, 1, 4, 4], 'float64')
    const dout = tensor([1, 2, 3, 4], [1, 1, 2, 2], 'float64')
    const want = [0, 1, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]
    expect(values(maxPoolBackwardNaive(dout, maxPoolForwardNaive(x, {})[1]))).toEqual(want)
    expect(values(maxPoolBackward(dout, maxPoolForward(x, {})[1]))).toEqual(want)
  })

  it('2x2 on odd sizes in a reused arena: the rows and columns no window covers get 0, not old values', () => {
    const arena = new Arena()
    const rngOdd = new Rng(9)
    const shape = [2, 3, 5, 7]
    const x = randn(rngOdd, shape, { dtype: 'float32' })
    const dout = randn(rngOdd, [2, 3, 2, 3], { dtype: 'float32' })
    // First step: the buffer dx will get next step is filled with 7s by another op.
    withArena(arena, () => {
      maxPoolForward(x, {})
      reluForward(tensor(new Array<number>(2 * 3 * 5 * 7).fill(7), shape, 'float32'))
    })
    const want = values(maxPoolBackwardNaive(dout, maxPoolForwardNaive(x, {})[1]))
    const got = withArena(arena, () => values(maxPoolBackward(dout, maxPoolForward(x, {})[1])))
    expect(got).toEqual(want)
  })

  it('float32 inside an arena: the same results, nothing allocated after the first step', () => {
    const x: Tensor = randn(new Rng(4), [2, 3, 6, 6], { dtype: 'float32' })
    const arena = new Arena()
    for (const p of [{}, { poolHeight: 3, poolWidth: 3, stride: 1 }]) {
      const step = (): number[] =>
        withArena(arena, () => {
          const [out, cache] = maxPoolForward(x, p)
          return [...values(out), ...values(maxPoolBackward(out, cache))]
        })
      const first = step()
      const bytes = arena.allocatedBytes
      expect(step()).toEqual(first)
      expect(arena.allocatedBytes).toBe(bytes)
    }
  })
})

describe('max pool argument checks', () => {
  it('names bad parameters, windows that do not fit and a mismatched dout', () => {
    const x = zeros([2, 3, 4, 4], 'float64')
    expect(() => maxPoolForward(x, { stride: 0 })).toThrow(
      'maxPoolForward: poolParam.stride must be a positive integer, got 0',
    )
    expect(() => maxPoolForward(x, { pool_height: 2 } as never)).toThrow(
      "maxPoolForward: unknown poolParam key 'pool_height'",
    )
    expect(() => maxPoolForwardNaive(x, { poolHeight: 5 })).toThrow(
      'maxPoolForwardNaive: a 5x2 window does not fit x (2, 3, 4, 4)',
    )
    expect(() => maxPoolForward(zeros([3, 16], 'float64'), {})).toThrow(
      'maxPoolForward: x must have shape (*, *, *, *), got (3, 16)',
    )
    const [, cache] = maxPoolForward(x, {})
    expect(() => maxPoolBackward(zeros([2, 3, 4, 4], 'float64'), cache)).toThrow(
      'maxPoolBackward: dout must have shape (2, 3, 2, 2), got (2, 3, 4, 4)',
    )
  })
})
