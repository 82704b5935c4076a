import { describe, expect, it } from 'vitest'
import { affineForward } from '../layers/affine'
import { batchnormForward } from '../layers/batchnorm'
import { reluForward } from '../layers/relu'
import { Rng } from '../rng'
import { zeros, type Tensor } from '../tensor'
import { maxAbsDiff, modelGradErrors, randLabels, randn, values } from '../testing'
import { FullyConnectedNet, type FullyConnectedNetOptions } from './fcNet'

const [D, H1, H2, C] = [15, 20, 30, 10]

function data(N: number, seed = 231): [Tensor, Int32Array] {
  const rng = new Rng(seed)
  return [randn(rng, [N, D]), randLabels(rng, N, C)]
}

function net(options: Partial<FullyConnectedNetOptions> = {}): FullyConnectedNet {
  return new FullyConnectedNet({
    hiddenDims: [H1, H2],
    inputDim: D,
    numClasses: C,
    weightScale: 5e-2,
    dtype: 'float64',
    seed: 231,
    ...options,
  })
}

/**
 * CS231n's FullyConnectedNets gradient check (N = 2, D = 15, H1 = 20, H2 = 30, C = 10, several regs).
 * Batchnorm runs on N = 5: with two rows every normalised value is +-(a1 - a2) / sqrt((a1 - a2)^2 + 4 eps),
 * a curve so sharp that centred differences themselves are off by 1e-3 (the notebook accepts 1e-4..1e-3).
 * Thresholds: rel_error < 1e-4 (tiny entries only carry rounding noise) and max|num - analytic| / max|analytic|
 * < 1e-6, which a dropped term or a missing eps in a backward pass exceeds by orders of magnitude.
 */
const configs: [string, number, Partial<FullyConnectedNetOptions>][] = [
  ['plain', 2, {}],
  ['layernorm', 2, { normalization: 'layernorm' }],
  ['dropout keep 0.5', 2, { dropoutKeepRatio: 0.5 }],
  ['dropout keep 0.75', 2, { dropoutKeepRatio: 0.75 }],
  ['no hidden layers', 2, { hiddenDims: [] }],
  ['batchnorm', 5, { normalization: 'batchnorm' }],
  ['dropout keep 0.75 + batchnorm', 5, { dropoutKeepRatio: 0.75, normalization: 'batchnorm' }],
  ['dropout keep 0.5 + layernorm', 5, { dropoutKeepRatio: 0.5, normalization: 'layernorm' }],
]

describe('FullyConnectedNet gradient check (float64)', () => {
  for (const [name, N, options] of configs) {
    it(`${name}, N = ${N}, reg 0 / 0.7 / 3.14`, () => {
      const [X, y] = data(N)
      for (const reg of [0, 0.7, 3.14]) {
        const model = net({ ...options, reg })
        const errors = modelGradErrors(model, X, y)
        expect(Object.keys(errors).sort()).toEqual(Object.keys(model.params).sort())
        for (const [param, e] of Object.entries(errors)) {
          const label = `${param} (reg ${reg})`
          const beforeBatchnorm =
            options.normalization === 'batchnorm' && /^b\d+$/.test(param) && param !== `b${model.numLayers}`
          if (beforeBatchnorm) {
            // Batchnorm subtracts the batch mean, so the bias before it has an exactly zero gradient.
            expect(e.maxAbs, label).toBeLessThan(1e-8)
            expect(e.maxAbsNum, label).toBeLessThan(1e-8)
          } else {
            expect(e.rel, label).toBeLessThan(1e-4)
            expect(e.scaled, label).toBeLessThan(1e-6)
          }
        }
      }
    })
  }
})

describe('FullyConnectedNet', () => {
  it('names its parameters W1..WL, b1..bL and gamma/beta per hidden layer', () => {
    const plain = net()
    expect(Object.keys(plain.params)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3'])
    const bn = net({ normalization: 'batchnorm' })
    expect(Object.keys(bn.params).sort()).toEqual(
      ['W1', 'b1', 'gamma1', 'beta1', 'W2', 'b2', 'gamma2', 'beta2', 'W3', 'b3'].sort(),
    )
    expect(bn.params['W2']!.shape).toEqual([H1, H2])
    expect(bn.params['gamma2']!.shape).toEqual([H2])
    expect(values(bn.params['gamma1']!)).toEqual(new Array(H1).fill(1))
    expect(values(bn.params['beta1']!)).toEqual(new Array(H1).fill(0))
    expect(values(bn.params['b3']!)).toEqual(new Array(C).fill(0))
    expect(bn.bnParams).toHaveLength(2)
    expect(net({ normalization: 'layernorm' }).lnParams).toHaveLength(2)
    expect(Object.keys(net({ hiddenDims: [] }).params)).toEqual(['W1', 'b1'])
    expect(net({ hiddenDims: [] }).numLayers).toBe(1)
  })

  it('starts near loss log(10) with a small weightScale', () => {
    const [X, y] = data(50)
    for (const options of [
      {},
      { normalization: 'batchnorm' as const },
      { normalization: 'layernorm' as const },
      { dropoutKeepRatio: 0.5 },
    ]) {
      const { loss } = net({ ...options, weightScale: 1e-3 }).loss(X, y)
      expect(Math.abs(loss - Math.log(10)), JSON.stringify(options)).toBeLessThan(0.01)
    }
  })

  it('initialises with std weightScale and reproducibly from a seed', () => {
    const a = new FullyConnectedNet({ hiddenDims: [100], inputDim: 50, weightScale: 0.02, seed: 9 })
    const b = new FullyConnectedNet({ hiddenDims: [100], inputDim: 50, weightScale: 0.02, seed: 9 })
    const w = values(a.params['W1']!)
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length)
    expect(Math.abs(std - 0.02)).toBeLessThan(0.002)
    expect(values(b.params['W1']!)).toEqual(w)
    expect(values(b.params['W2']!)).toEqual(values(a.params['W2']!))
    expect(a.dtype).toBe('float32')
    expect(a.numClasses).toBe(10)
  })

  it('returns (N, C) scores from loss(X)', () => {
    const [X] = data(4)
    const scores = net({ normalization: 'batchnorm', dropoutKeepRatio: 0.5 }).loss(X)
    expect(scores.shape).toEqual([4, C])
  })

  it('updates batchnorm running statistics in train mode and uses them in test mode', () => {
    const [X, y] = data(6)
    const model = net({ normalization: 'batchnorm', hiddenDims: [H1] })
    model.loss(X, y)
    const bn = model.bnParams[0]!
    // One step from zeros with momentum 0.9: running = 0.1 * statistics of the first affine output.
    const [a] = affineForward(X, model.params['W1']!, model.params['b1']!)
    for (let j = 0; j < H1; j++) {
      let m = 0
      for (let i = 0; i < 6; i++) m += a.data[i * H1 + j]!
      m /= 6
      let v = 0
      for (let i = 0; i < 6; i++) v += (a.data[i * H1 + j]! - m) ** 2
      expect(bn.runningMean!.data[j]).toBeCloseTo(0.1 * m, 12)
      expect(bn.runningVar!.data[j]).toBeCloseTo((0.1 * v) / 6, 12)
    }

    const stats = [...values(bn.runningMean!), ...values(bn.runningVar!)]
    const Xtest = data(3, 5)[0]
    const scores = model.loss(Xtest)
    expect(bn.mode).toBe('test')
    expect([...values(bn.runningMean!), ...values(bn.runningVar!)]).toEqual(stats)
    // The same pipeline by hand, with batchnorm in test mode on the model's running statistics.
    const [h1] = affineForward(Xtest, model.params['W1']!, model.params['b1']!)
    const [n1] = batchnormForward(h1, model.params['gamma1']!, model.params['beta1']!, {
      ...bn,
      mode: 'test',
    })
    const [r1] = reluForward(n1)
    const [want] = affineForward(r1, model.params['W2']!, model.params['b2']!)
    expect(maxAbsDiff(scores.data, want.data)).toBeLessThan(1e-12)
  })

  it('fixes the dropout mask with a seed and draws reproducible fresh masks from model.rng', () => {
    const [X, y] = data(8)
    const model = net({ dropoutKeepRatio: 0.5 })
    const first = model.loss(X, y).loss
    expect(model.loss(X, y).loss).toBe(first)

    model.rng = new Rng(77)
    const a = [model.loss(X, y).loss, model.loss(X, y).loss, model.loss(X, y).loss]
    expect(new Set(a).size).toBe(3)
    model.rng = new Rng(77)
    expect([model.loss(X, y).loss, model.loss(X, y).loss, model.loss(X, y).loss]).toEqual(a)

    // Test mode has no dropout: scores do not depend on the rng.
    const s1 = values(model.loss(X))
    expect(values(model.loss(X))).toEqual(s1)
    model.rng = null
    expect(model.loss(X, y).loss).toBe(first)
  })

  it('honours a replaced parameter', () => {
    const [X, y] = data(4)
    const model = net()
    const before = model.loss(X, y).loss
    model.params['W3'] = zeros([H2, C], 'float64')
    expect(model.loss(X, y).loss).toBeCloseTo(Math.log(10), 12)
    expect(before).not.toBeCloseTo(Math.log(10), 6)
  })
})

describe('FullyConnectedNet argument checks', () => {
  it('rejects unknown options and bad values', () => {
    expect(() => net({ hiddenDim: [5] } as never)).toThrow("FullyConnectedNet: unknown option 'hiddenDim'")
    expect(() => net({ dropoutKeepRatio: 0 })).toThrow(
      'FullyConnectedNet: dropoutKeepRatio must be a number in (0, 1], got 0',
    )
    expect(() => net({ dropoutKeepRatio: 1.5 })).toThrow(
      'dropoutKeepRatio must be a number in (0, 1], got 1.5',
    )
    expect(() => net({ normalization: 'groupnorm' as never })).toThrow(
      "FullyConnectedNet: normalization must be 'batchnorm', 'layernorm' or null, got groupnorm",
    )
    expect(() => net({ hiddenDims: [20, 0] })).toThrow(
      'FullyConnectedNet: hiddenDims[1] must be a positive integer, got 0',
    )
    expect(() => net({ hiddenDims: 20 as never })).toThrow(
      'FullyConnectedNet: hiddenDims must be an array of layer sizes',
    )
    expect(() => net({ dtype: 'int8' as never })).toThrow(
      "FullyConnectedNet: dtype must be 'float32' or 'float64', got int8",
    )
    expect(() => net({ seed: -1 })).toThrow(
      'FullyConnectedNet: seed must be an integer in [0, 4294967295], got -1',
    )
    expect(() => new FullyConnectedNet(undefined as never)).toThrow(
      'FullyConnectedNet: options must be an object',
    )
  })

  it('rejects inputs and params that do not fit the model', () => {
    const model = net({ normalization: 'batchnorm' })
    expect(() => model.loss(zeros([2, 16], 'float64'))).toThrow(
      'FullyConnectedNet.loss: X (2, 16) has 16 values per row, but inputDim is 15',
    )
    expect(() => model.loss(zeros([2, 15], 'float64'), Int32Array.from([0, 10]))).toThrow(
      'FullyConnectedNet.loss: y[1] = 10 is out of range [0, 10)',
    )
    model.params['gamma3'] = zeros([C], 'float64')
    expect(() => model.loss(zeros([2, 15], 'float64'))).toThrow(
      "FullyConnectedNet.loss: unknown param 'gamma3'",
    )
    delete model.params['gamma3']
    model.params['beta2'] = zeros([H1], 'float64')
    expect(() => model.loss(zeros([2, 15], 'float64'))).toThrow(
      'FullyConnectedNet.loss: params.beta2 must have shape (30,), got (20,)',
    )
  })
})
