import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { tensor, zeros, type Tensor } from '../tensor'
import { arrayGradError, lin, maxAbsDiff, randn, values } from '../testing'
import type { BnParam } from './batchnorm'
import {
  spatialBatchnormBackward,
  spatialBatchnormForward,
  spatialGroupnormBackward,
  spatialGroupnormForward,
} from './spatialNorm'

/** np.linspace(-2, 3, prod(shape)).reshape(shape) ** 2 + np.cos(np.arange(prod(shape))).reshape(shape) */
function bumpy(shape: number[]): Tensor {
  return tensor(
    values(lin(-2, 3, shape)).map((v, i) => v * v + Math.cos(i)),
    shape,
    'float64',
  )
}

describe('spatial batchnorm', () => {
  it('matches numpy: per-channel statistics over (N, H, W), running stats updated', () => {
    const bn: BnParam = { mode: 'train' }
    const gamma = tensor([1, 2, -0.5], [3], 'float64')
    const beta = tensor([0, -1, 0.25], [3], 'float64')
    const [out] = spatialBatchnormForward(bumpy([2, 3, 2, 2]), gamma, beta, bn)
    expect(out.shape).toEqual([2, 3, 2, 2])
    // numpy: gamma * (x - x.mean((0, 2, 3))) / np.sqrt(x.var((0, 2, 3)) + 1e-5) + beta, per channel
    const numpy = [
      2.0787302392906555, 1.1738915567575043, -0.014843619281761585, -0.8668263681283586, -2.920906229287205,
      -2.331224081908772, -1.9404019733805304, -2.492286685169989, 0.6933497393838, 0.8061909740229014,
      0.7925687674739255, 0.6614706758434258, -0.5931723052987964, -0.3281428434172527, -0.5852534077142457,
      -0.8643832522077445, -2.199330044550342, -0.5579342499557896, 1.4990517486444328, 2.9430315156081965,
      -0.12031565884906004, -0.13554238555613718, -0.23190720891195532, -0.46581490340690046,
    ]
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-12)
    expect(
      maxAbsDiff(bn.runningMean!.data, [0.20547895526123444, 0.22304331771314623, 0.3190641213623346]),
    ).toBeLessThan(1e-14)
    expect(
      maxAbsDiff(bn.runningVar!.data, [0.20074014508062998, 0.27966756893958344, 1.358420862752007]),
    ).toBeLessThan(1e-13)
  })

  it('passes a float64 gradient check in train and test mode', () => {
    const rng = new Rng(231)
    const x = randn(rng, [2, 3, 4, 5], { scale: 4, shift: 10 })
    const gamma = randn(rng, [3])
    const beta = randn(rng, [3])
    const dout = randn(rng, [2, 3, 4, 5])
    const bn = (): BnParam => ({ mode: 'train' })
    const [, cache] = spatialBatchnormForward(x, gamma, beta, bn())
    const [dx, dgamma, dbeta] = spatialBatchnormBackward(dout, cache)
    expect(dgamma.shape).toEqual([3])
    expect(arrayGradError((t) => spatialBatchnormForward(t, gamma, beta, bn())[0], x, dout, dx)).toBeLessThan(
      1e-7,
    )
    expect(
      arrayGradError((t) => spatialBatchnormForward(x, t, beta, bn())[0], gamma, dout, dgamma),
    ).toBeLessThan(1e-8)
    expect(
      arrayGradError((t) => spatialBatchnormForward(x, gamma, t, bn())[0], beta, dout, dbeta),
    ).toBeLessThan(1e-8)

    const test: BnParam = { mode: 'train', momentum: 0 }
    spatialBatchnormForward(x, gamma, beta, test)
    test.mode = 'test'
    const [, c2] = spatialBatchnormForward(x, gamma, beta, test)
    const [dx2] = spatialBatchnormBackward(dout, c2)
    expect(
      arrayGradError((t) => spatialBatchnormForward(t, gamma, beta, test)[0], x, dout, dx2),
    ).toBeLessThan(1e-8)
  })

  it('names the layer in argument errors', () => {
    const g = zeros([3], 'float64')
    expect(() => spatialBatchnormForward(zeros([2, 12], 'float64'), g, g, { mode: 'train' })).toThrow(
      'spatialBatchnormForward: x must have shape (*, *, *, *), got (2, 12)',
    )
    expect(() => spatialBatchnormForward(zeros([2, 4, 1, 1], 'float64'), g, g, { mode: 'train' })).toThrow(
      'spatialBatchnormForward: gamma must have shape (4,), got (3,)',
    )
    expect(() =>
      spatialBatchnormForward(zeros([2, 3, 1, 1], 'float64'), g, zeros([1, 3, 1, 1], 'float64'), {
        mode: 'train',
      }),
    ).toThrow('spatialBatchnormForward: beta must have shape (3,), got (1, 3, 1, 1)')
    expect(() =>
      spatialBatchnormForward(zeros([2, 3, 1, 1], 'float32'), zeros([3], 'float32'), g, { mode: 'train' }),
    ).toThrow('spatialBatchnormForward: beta is float64, expected float32')
    const [, cache] = spatialBatchnormForward(zeros([2, 3, 1, 1], 'float64'), g, g, { mode: 'train' })
    expect(() => spatialBatchnormBackward(zeros([2, 3, 1, 2], 'float64'), cache)).toThrow(
      'spatialBatchnormBackward: dout must have shape (2, 3, 1, 1), got (2, 3, 1, 2)',
    )
    expect(() => spatialBatchnormBackward(zeros([2, 3, 1, 1], 'float32'), cache)).toThrow(
      'spatialBatchnormBackward: dout is float32, expected float64',
    )
  })
})

describe('spatial groupnorm', () => {
  it('matches numpy: statistics per example over groups of C / G channels', () => {
    const gamma = lin(0.5, 1.5, [1, 4, 1, 1])
    const beta = lin(-0.2, 0.3, [1, 4, 1, 1])
    const [out] = spatialGroupnormForward(bumpy([2, 4, 2, 3]), gamma, beta, 2, {})
    // numpy: xg = x.reshape(N, G, -1); gamma * ((xg - mean) / np.sqrt(var + 1e-5)).reshape(x.shape) + beta
    const numpy = [
      0.8120661342187327, 0.5068314656710269, 0.03600022574330708, -0.2932919384975242, -0.2967712896398464,
      -0.08244642428168211, 0.3811572209572669, 0.09901700908284344, -0.5734364408205809, -1.1548419294747791,
      -1.2354332269676185, -0.8537762548004882, 1.9580506701733988, 1.840254513435552, 0.5122746405318878,
      -0.9693972110724038, -1.3759379030685406, -0.43596722265699384, 1.3049310874353386, 1.9214269680047307,
      0.8387584856821897, -0.9197490158946593, -1.6695141527602513, -0.6134958561939343, -0.6135910070287769,
      -0.21198800578495242, -0.32313260814635497, -0.7643913495389218, -1.0376182394473776,
      -0.7871478877770413, 0.08867895954684134, 1.0746600542993092, 1.2736622903802668, 0.7568744017234669,
      0.2735911101034546, 0.562315013485701, -1.74864559337592, -0.8741498538635182, -0.4599317778503019,
      -0.6238324390570025, -0.9381096212926547, -0.8227020393862908, 0.027597844692716866, 1.3235801192766938,
      2.1957760098512282, 2.288912043277459, 1.9820605436008734, 2.0401222855054892,
    ]
    expect(maxAbsDiff(out.data, numpy)).toBeLessThan(1e-12)
  })

  it.each([1, 2, 3, 6])('passes a float64 gradient check with G = %i', (G) => {
    const rng = new Rng(7 + G)
    const x = randn(rng, [2, 6, 3, 4], { scale: 3, shift: 5 })
    const gamma = randn(rng, [1, 6, 1, 1])
    const beta = randn(rng, [1, 6, 1, 1])
    const dout = randn(rng, [2, 6, 3, 4])
    const [, cache] = spatialGroupnormForward(x, gamma, beta, G)
    const [dx, dgamma, dbeta] = spatialGroupnormBackward(dout, cache)
    expect(dgamma.shape).toEqual([1, 6, 1, 1])
    expect(arrayGradError((t) => spatialGroupnormForward(t, gamma, beta, G)[0], x, dout, dx)).toBeLessThan(
      1e-7,
    )
    expect(
      arrayGradError((t) => spatialGroupnormForward(x, t, beta, G)[0], gamma, dout, dgamma),
    ).toBeLessThan(1e-8)
    expect(arrayGradError((t) => spatialGroupnormForward(x, gamma, t, G)[0], beta, dout, dbeta)).toBeLessThan(
      1e-8,
    )
  })

  it('rejects a G that does not divide C, gamma of the wrong shape and unknown keys', () => {
    const x = zeros([2, 6, 2, 2], 'float64')
    const g = zeros([1, 6, 1, 1], 'float64')
    expect(() => spatialGroupnormForward(x, g, g, 4)).toThrow(
      'spatialGroupnormForward: G must be a positive integer dividing C = 6, got 4',
    )
    expect(() => spatialGroupnormForward(x, zeros([6], 'float64'), g, 2)).toThrow(
      'spatialGroupnormForward: gamma must have shape (1, 6, 1, 1), got (6,)',
    )
    expect(() => spatialGroupnormForward(x, g, g, 2, { epsilon: 1 } as never)).toThrow(
      "spatialGroupnormForward: unknown gnParam key 'epsilon'",
    )
  })
})
