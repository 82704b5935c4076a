import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { tensor, zeros, type Tensor } from '../tensor'
import { arrayGradError, randn, values } from '../testing'
import { layernormBackward, layernormForward } from './layernorm'

const f64 = (v: number[], shape: number[]): Tensor => tensor(v, shape, 'float64')
const X = f64(
  [
    5.0, 2.9287320579342553, 0.7739358080809566, -0.5850338189144948, -0.6205857696239425, 0.3580423507524823,
    1.4890959064850764, 2.1505964692193373, 2.5321859166046092, 3.4607705645616034, 5.640267313898752,
    9.00442569798805,
  ],
  [4, 3],
)
const GAMMA = f64([1, 2, -0.5], [3])
const BETA = f64([0, -1, 0.25], [3])

describe('layernormForward against numpy', () => {
  it('normalises each row with the default eps 1e-5', () => {
    const [out] = layernormForward(X, GAMMA, BETA)
    // numpy: gamma * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5) + beta
    const want = [
      1.216594576863875, -0.9677259880511803, 0.8663657914191422, -0.6675030311244675, -2.491901279138268,
      -0.4567268353468008, -1.3185306876316991, -0.566967691509678, -0.3010072666932698, -1.1289424112704878,
      -1.3463391068254276, -0.40105598234160045,
    ]
    values(out).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12))
  })

  it('honours a non-default eps', () => {
    const [out] = layernormForward(X, GAMMA, BETA, { eps: 0.5 })
    const want = [
      1.1257282896330953, -0.9701365031854748, 0.8203300190201788, -0.36018624368589736, -1.805033524383798,
      -0.1313515029388982, -0.6861739183606914, -0.7746465223139517, -0.03674858975883405,
      -1.0782920451410523, -1.3308004908690052, -0.37184614528777715,
    ]
    values(out).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12))
  })
})

describe('layernormBackward', () => {
  const rng = new Rng(231)
  const [N, D] = [4, 5]
  const x = randn(rng, [N, D], { scale: 5, shift: 12 })
  const gamma = randn(rng, [D])
  const beta = randn(rng, [D])
  const dout = randn(rng, [N, D])

  for (const lnParam of [{}, { eps: 1e-2 }]) {
    it(`passes a float64 gradient check with lnParam ${JSON.stringify(lnParam)} (dx < 1e-7, dgamma/dbeta < 1e-9)`, () => {
      const [, cache] = layernormForward(x, gamma, beta, lnParam)
      const [dx, dgamma, dbeta] = layernormBackward(dout, cache)
      expect(arrayGradError((t) => layernormForward(t, gamma, beta, lnParam)[0], x, dout, dx)).toBeLessThan(
        1e-7,
      )
      expect(
        arrayGradError((t) => layernormForward(x, t, beta, lnParam)[0], gamma, dout, dgamma),
      ).toBeLessThan(1e-9)
      expect(
        arrayGradError((t) => layernormForward(x, gamma, t, lnParam)[0], beta, dout, dbeta),
      ).toBeLessThan(1e-9)
    })
  }
})

describe('layernorm argument checks', () => {
  const g = zeros([3], 'float64')
  it('rejects unknown keys, a bad eps and mismatched shapes', () => {
    expect(() => layernormForward(X, g, g, { epsilon: 1 } as never)).toThrow(
      "layernormForward: unknown lnParam key 'epsilon'; expected one of eps",
    )
    expect(() => layernormForward(X, g, g, { eps: -1 })).toThrow(
      'layernormForward: lnParam.eps must be a number in (0, Infinity]',
    )
    expect(() => layernormForward(X, zeros([4], 'float64'), g)).toThrow(
      'layernormForward: gamma must have shape (3,), got (4,)',
    )
    const [, cache] = layernormForward(X, g, g)
    expect(() => layernormBackward(zeros([4, 4], 'float64'), cache)).toThrow(
      'layernormBackward: dout must have shape (4, 3)',
    )
  })
})
