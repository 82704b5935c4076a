import { describe, expect, it } from 'vitest'
import { relError } from '../gradcheck'
import { Rng } from '../rng'
import { tensor, zeros, type Tensor } from '../tensor'
import { arrayGradError, lin, randn, values } from '../testing'
import { batchnormBackward, batchnormBackwardAlt, batchnormForward, type BnParam } from './batchnorm'

const f64 = (v: number[], shape: number[]): Tensor => tensor(v, shape, 'float64')

// A fixed (4, 3) input: np.linspace(-2, 3, 12).reshape(4, 3) ** 2 + np.cos(np.arange(12)).reshape(4, 3).
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

function expectClose(got: Tensor, want: number[], digits = 12): void {
  expect(got.data.length).toBe(want.length)
  values(got).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, digits))
}

describe('batchnormForward against numpy', () => {
  it('train mode normalises by batch statistics and updates running stats from zeros (momentum 0.9)', () => {
    const bn: BnParam = { mode: 'train' }
    const [out] = batchnormForward(X, GAMMA, BETA, bn)
    // numpy: gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + beta
    expectClose(
      out,
      [
        1.2671110012243783, -0.6377886289012835, 0.5950869860894172, -1.3945707806144596, -3.820136122389294,
        0.6550563668196197, -0.40609452742331476, -1.3354713839123613, 0.3415577027621809, 0.5335543068133962,
        1.7933961352029386, -0.5917010556712177,
      ],
    )
    // running = 0.9 * 0 + 0.1 * batch statistic (biased variance, as np.var).
    expectClose(bn.runningMean!, [0.2341208163033046, 0.25247525178571006, 0.3167147443356525])
    expectClose(bn.runningVar!, [0.4402895359477511, 0.4975694401145452, 1.202388172874038])
    expect(bn.runningMean!.dtype).toBe('float64')
  })

  it('uses non-default eps and momentum, and test mode uses the running statistics', () => {
    const bn: BnParam = { mode: 'train', eps: 1e-3, momentum: 0.7 }
    batchnormForward(X, GAMMA, BETA, bn)
    const X2 = f64(
      values(X).map((v) => 2 * v + 1),
      [4, 3],
    )
    batchnormForward(X2, GAMMA, BETA, bn)
    // rm = 0.7 * rm + 0.3 * mean, twice, from zeros; likewise rv.
    expectClose(bn.runningMean!, [2.196378612056767, 2.3450495394642514, 2.8653894291187845])
    expectClose(bn.runningVar!, [6.20808245686329, 7.015729105615087, 16.953673237523933])

    bn.mode = 'test'
    const before = [...values(bn.runningMean!), ...values(bn.runningVar!)]
    const [out] = batchnormForward(lin(-1, 1, [2, 3]), GAMMA, BETA, bn)
    // gamma * (x - rm) / np.sqrt(rv + 1e-3) + beta
    expectClose(
      out,
      [
        -1.282757322138072, -3.2235927286910915, 0.6222296360462363, -0.801178331226482, -2.31755999862207,
        0.4765138718394384,
      ],
    )
    // Test mode leaves the running statistics alone.
    expect([...values(bn.runningMean!), ...values(bn.runningVar!)]).toEqual(before)
  })

  it('gives per-feature mean beta and std |gamma| in train mode on a large batch', () => {
    const rng = new Rng(7)
    const [N, D] = [200, 3]
    const x = randn(rng, [N, D], { scale: 4, shift: 11 })
    const [out] = batchnormForward(x, GAMMA, BETA, { mode: 'train' })
    for (let j = 0; j < D; j++) {
      let m = 0
      for (let i = 0; i < N; i++) m += out.data[i * D + j]!
      m /= N
      let v = 0
      for (let i = 0; i < N; i++) v += (out.data[i * D + j]! - m) ** 2
      expect(m).toBeCloseTo(BETA.data[j]!, 10)
      expect(Math.sqrt(v / N)).toBeCloseTo(Math.abs(GAMMA.data[j]!), 5)
    }
  })

  it('test mode before any training uses zero mean and zero variance', () => {
    const bn: BnParam = { mode: 'test' }
    const [out] = batchnormForward(X, GAMMA, BETA, bn)
    const s = 1 / Math.sqrt(1e-5)
    values(out).forEach((v, k) =>
      expect(v).toBeCloseTo(GAMMA.data[k % 3]! * X.data[k]! * s + BETA.data[k % 3]!, 8),
    )
  })
})

describe('batchnorm backward', () => {
  const rng = new Rng(231)
  const [N, D] = [4, 5]
  const x = randn(rng, [N, D], { scale: 5, shift: 12 })
  const gamma = randn(rng, [D])
  const beta = randn(rng, [D])
  const dout = randn(rng, [N, D])
  const param = (): BnParam => ({ mode: 'train', eps: 1e-3, momentum: 0.8 })
  const [, cache] = batchnormForward(x, gamma, beta, param())
  const fx = (t: Tensor): Tensor => batchnormForward(t, gamma, beta, param())[0]
  const fg = (t: Tensor): Tensor => batchnormForward(x, t, beta, param())[0]
  const fb = (t: Tensor): Tensor => batchnormForward(x, gamma, t, param())[0]

  it('batchnormBackward passes a float64 gradient check (dx < 1e-7, dgamma/dbeta < 1e-9)', () => {
    const [dx, dgamma, dbeta] = batchnormBackward(dout, cache)
    expect(arrayGradError(fx, x, dout, dx)).toBeLessThan(1e-7)
    expect(arrayGradError(fg, gamma, dout, dgamma)).toBeLessThan(1e-9)
    expect(arrayGradError(fb, beta, dout, dbeta)).toBeLessThan(1e-9)
  })

  it('batchnormBackwardAlt passes the same check and equals batchnormBackward', () => {
    const [dx, dgamma, dbeta] = batchnormBackwardAlt(dout, cache)
    expect(arrayGradError(fx, x, dout, dx)).toBeLessThan(1e-7)
    expect(arrayGradError(fg, gamma, dout, dgamma)).toBeLessThan(1e-9)
    expect(arrayGradError(fb, beta, dout, dbeta)).toBeLessThan(1e-9)
    const [dx1, dgamma1, dbeta1] = batchnormBackward(dout, cache)
    expect(relError(dx, dx1)).toBeLessThan(1e-12)
    expect(relError(dgamma, dgamma1)).toBeLessThan(1e-12)
    expect(relError(dbeta, dbeta1)).toBeLessThan(1e-12)
  })

  it('test-mode backward treats the running statistics as constants', () => {
    const bn: BnParam = { mode: 'train', momentum: 0.5 }
    batchnormForward(x, gamma, beta, bn)
    bn.mode = 'test'
    const ft = (t: Tensor): Tensor => batchnormForward(t, gamma, beta, bn)[0]
    const [, c] = batchnormForward(x, gamma, beta, bn)
    for (const backward of [batchnormBackward, batchnormBackwardAlt]) {
      const [dx, dgamma, dbeta] = backward(dout, c)
      expect(arrayGradError(ft, x, dout, dx)).toBeLessThan(1e-8)
      expect(arrayGradError((t) => batchnormForward(x, t, beta, bn)[0], gamma, dout, dgamma)).toBeLessThan(
        1e-8,
      )
      expect(arrayGradError((t) => batchnormForward(x, gamma, t, bn)[0], beta, dout, dbeta)).toBeLessThan(
        1e-8,
      )
    }
  })
})

describe('batchnorm argument checks', () => {
  const g = zeros([3], 'float64')
  it('rejects a bad mode, unknown keys, eps and momentum out of range', () => {
    expect(() => batchnormForward(X, g, g, { mode: 'eval' as never })).toThrow(
      "batchnormForward: bnParam.mode must be 'train' or 'test', got eval",
    )
    expect(() => batchnormForward(X, g, g, { mode: 'train', running_mean: 0 } as never)).toThrow(
      "batchnormForward: unknown bnParam key 'running_mean'",
    )
    expect(() => batchnormForward(X, g, g, { mode: 'train', eps: 0 })).toThrow(
      'bnParam.eps must be a number in (0, Infinity]',
    )
    expect(() => batchnormForward(X, g, g, { mode: 'train', momentum: 1.5 })).toThrow(
      'batchnormForward: bnParam.momentum must be a number in [0, 1], got 1.5',
    )
    expect(() => batchnormForward(X, g, g, null as never)).toThrow(
      'batchnormForward: bnParam must be an object, got null',
    )
  })

  it('rejects gamma, beta and running stats of the wrong shape or dtype', () => {
    expect(() => batchnormForward(X, zeros([4], 'float64'), g, { mode: 'train' })).toThrow(
      'batchnormForward: gamma must have shape (3,), got (4,)',
    )
    expect(() => batchnormForward(X, g, zeros([3], 'float32'), { mode: 'train' })).toThrow(
      'batchnormForward: beta is float32, expected float64',
    )
    expect(() => batchnormForward(X, g, g, { mode: 'train', runningMean: zeros([2], 'float64') })).toThrow(
      'batchnormForward: bnParam.runningMean must have shape (3,), got (2,)',
    )
    expect(() => batchnormForward(zeros([2, 3, 1], 'float64'), g, g, { mode: 'train' })).toThrow(
      'batchnormForward: x must have shape (*, *), got (2, 3, 1)',
    )
    expect(() => batchnormForward(zeros([0, 3], 'float64'), g, g, { mode: 'train' })).toThrow(
      'at least one row',
    )
  })

  it('rejects a dout that does not match the cache', () => {
    const [, cache] = batchnormForward(X, g, g, { mode: 'train' })
    expect(() => batchnormBackward(zeros([3, 4], 'float64'), cache)).toThrow(
      'batchnormBackward: dout must have shape (4, 3), got (3, 4)',
    )
    expect(() => batchnormBackwardAlt(zeros([4, 3], 'float32'), cache)).toThrow(
      'batchnormBackwardAlt: dout is float32, expected float64',
    )
  })
})
