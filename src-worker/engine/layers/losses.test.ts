import { describe, expect, it } from 'vitest'
import { evalNumericalGradient, relError } from '../gradcheck'
import { Rng } from '../rng'
import { tensor, zeros, type Tensor } from '../tensor'
import { randLabels, randn, values } from '../testing'
import { softmaxLoss, svmLoss } from './losses'

// np.linspace(-1.2, 2.0, 20).reshape(4, 5) + 0.3 * np.sin(np.arange(20)).reshape(4, 5)
const SCORES = [
  -1.2, -0.779137651926052, -0.5903686666891377, -0.6524008396873029, -0.7533565380660626,
  -0.6455720192410468, -0.273298333670204, 0.17604334803668928, 0.4441758950396461, 0.4394250192567376,
  0.32100419304897854, 0.3526345169821574, 0.660080756178817, 1.1155237952585189, 1.4550769435505662,
  1.5214021415208192, 1.4083658471057436, 1.374738647172975, 1.6062827733369183, 2.0449631628988856,
]
const Y = Int32Array.from([0, 3, 1, 4])
const lossX = (dtype: 'float32' | 'float64' = 'float64'): Tensor => tensor(SCORES, [4, 5], dtype)

describe('svmLoss', () => {
  it('matches numpy on fixed scores', () => {
    const [loss, dx] = svmLoss(lossX(), Y)
    expect(loss).toBeCloseTo(3.976615757446223, 12)
    expect(values(dx)).toEqual([
      -1.0, 0.25, 0.25, 0.25, 0.25, 0.0, 0.25, 0.25, -0.75, 0.25, 0.25, -1.0, 0.25, 0.25, 0.25, 0.25, 0.25,
      0.25, 0.25, -1.0,
    ])
  })

  it('passes a gradient check on small random scores (< 1e-8)', () => {
    const rng = new Rng(231)
    const x = randn(rng, [100, 10], { scale: 0.001 })
    const y = randLabels(rng, 100, 10)
    const [loss, dx] = svmLoss(x, y)
    expect(loss).toBeCloseTo(9, 1)
    expect(
      relError(
        evalNumericalGradient(() => svmLoss(x, y)[0], x),
        dx,
      ),
    ).toBeLessThan(1e-8)
  })
})

describe('softmaxLoss', () => {
  it('matches numpy on fixed scores', () => {
    const [loss, dx] = softmaxLoss(lossX(), Y)
    expect(loss).toBeCloseTo(1.6593654345583457, 12)
    const want = [
      -0.2173423800704528, 0.04974652235697525, 0.06008195482892686, 0.05646818436864602, 0.05104571851590469,
      0.02345621513875672, 0.034035673094624116, 0.05334343233672987, -0.1802523720696112, 0.0694170514995005,
      0.028547109131158255, -0.2205355044286201, 0.040070172826502444, 0.06318552732035301,
      0.08873269515060639, 0.0451808484689056, 0.040351840061594695, 0.03901748177206966,
      0.049183289545645936, -0.17373345984821587,
    ]
    values(dx).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14))
  })

  it('gives about log(C) on small random scores and passes a gradient check (< 1e-7)', () => {
    const rng = new Rng(231)
    const x = randn(rng, [100, 10], { scale: 0.001 })
    const y = randLabels(rng, 100, 10)
    const [loss, dx] = softmaxLoss(x, y)
    expect(Math.abs(loss - Math.log(10))).toBeLessThan(1e-3)
    expect(
      relError(
        evalNumericalGradient(() => softmaxLoss(x, y)[0], x),
        dx,
      ),
    ).toBeLessThan(1e-7)
  })

  it('is stable for huge scores in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tensor([1000, 1000, -1000, 1000, -1000, 5000], [2, 3], dtype)
      const [loss, dx] = softmaxLoss(x, Int32Array.from([0, 1]))
      // Row 0: two tied maxima -> log 2. Row 1: the label's score is 6000 below the max -> 6000.
      expect(loss).toBeCloseTo((Math.log(2) + 6000) / 2, 5)
      expect(values(dx).every(Number.isFinite)).toBe(true)
      expect(values(dx)).toEqual([-0.25, 0.25, 0, 0, -0.5, 0.5])
    }
  })

  it('float32 agrees with float64', () => {
    const [l64, d64] = softmaxLoss(lossX(), Y)
    const [l32, d32] = softmaxLoss(lossX('float32'), Y)
    expect(d32.dtype).toBe('float32')
    expect(Math.abs(l32 - l64) / l64).toBeLessThan(1e-6)
    expect(relError(d32, d64)).toBeLessThan(1e-5)
  })
})

describe('loss argument checks', () => {
  for (const [name, loss] of [
    ['svmLoss', svmLoss],
    ['softmaxLoss', softmaxLoss],
  ] as const) {
    it(`${name} rejects NaN / Inf scores, naming the index and row`, () => {
      const x = lossX()
      x.data[7] = NaN
      expect(() => loss(x, Y)).toThrow(
        `${name}: x (scores) contains NaN at flat index 7 (row 1); inputs must be finite`,
      )
      x.data[7] = 1
      x.data[19] = -Infinity
      expect(() => loss(x, Y)).toThrow(`${name}: x (scores) contains -Infinity at flat index 19 (row 3)`)
    })

    it(`${name} rejects bad labels`, () => {
      const x = lossX()
      expect(() => loss(x, Int32Array.from([0, 5, 1, 4]))).toThrow(`${name}: y[1] = 5 is out of range [0, 5)`)
      expect(() => loss(x, Int32Array.from([0, -1, 1, 4]))).toThrow(
        `${name}: y[1] = -1 is out of range [0, 5)`,
      )
      expect(() => loss(x, [0, 3, 1, 4] as never)).toThrow(
        `${name}: y must be an Int32Array of labels, got an array`,
      )
      expect(() => loss(x, Float64Array.from([0, 3, 1, 4]) as never)).toThrow('y must be an Int32Array')
      expect(() => loss(x, Int32Array.from([0, 3, 1]))).toThrow(`${name}: y has 3 labels for 4 rows`)
    })

    it(`${name} rejects scores that are not (N, C) with N >= 1`, () => {
      expect(() => loss(zeros([4], 'float64'), Y)).toThrow(`${name}: x must have shape (*, *), got (4,)`)
      expect(() => loss(zeros([0, 5], 'float64'), new Int32Array(0))).toThrow(
        `${name}: x must have at least one row`,
      )
    })
  }
})
