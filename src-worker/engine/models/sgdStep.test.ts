/**
 * The fused sgd step (Model.sgdStep, used by the Solver's built-in 'sgd'): the same loss and the same
 * parameters as loss() followed by sgd() on every parameter, on both backends; divergence leaves the
 * parameters untouched; other rules and custom functions keep the unfused path.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { getBackend, setBackend } from '../backend'
import { sgd } from '../optim'
import { Rng } from '../rng'
import { DivergenceError, Solver } from '../solver'
import { clone, type DType, type Tensor } from '../tensor'
import { randLabels, randn } from '../testing'
import { ThreeLayerConvNet } from './threeLayerConvNet'
import { TwoLayerNet } from './twoLayerNet'
import type { Model } from './types'

const [N, D, H, C] = [13, 21, 17, 5]

function model(dtype: DType, reg: number): TwoLayerNet {
  return new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, weightScale: 0.1, reg, dtype, seed: 4 })
}

/** A small conv net: 2x6x6 images, 3 filters 3x3, hidden 7, 4 classes. */
function convModel(dtype: DType, reg: number): ThreeLayerConvNet {
  return new ThreeLayerConvNet({
    inputDim: [2, 6, 6],
    numFilters: 3,
    filterSize: 3,
    hiddenDim: 7,
    numClasses: 4,
    weightScale: 0.3,
    reg,
    dtype,
    seed: 6,
  })
}

/** sgdStep against loss() and sgd() for three steps; both models built by `make`. */
function compareSteps(make: () => Model, X: Tensor, y: Int32Array, tol: number): void {
  const fused = make()
  const plain = make()
  const lr = Object.fromEntries(Object.keys(plain.params).map((k, i) => [k, 0.02 + 0.01 * i]))
  for (let step = 0; step < 3; step++) {
    const { loss, grads } = plain.loss(X, y)
    // Copies: the gradients live in scratch memory the fused step below reuses.
    const g = Object.fromEntries(Object.entries(grads).map(([k, t]) => [k, clone(t)]))
    for (const k of Object.keys(lr)) sgd(plain.params[k]!, g[k]!, { learningRate: lr[k] })
    const fusedLoss = fused.sgdStep!(X, y, lr)
    expect(Math.abs(fusedLoss - loss)).toBeLessThanOrEqual(tol * Math.abs(loss))
    for (const k of Object.keys(lr)) {
      expect(maxRelDiff(fused.params[k]!, plain.params[k]!), `${k} after step ${step}`).toBeLessThan(tol)
    }
  }
}

function maxRelDiff(a: Tensor, b: Tensor): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < a.data.length; i++) {
    diff = Math.max(diff, Math.abs(a.data[i]! - b.data[i]!))
    scale = Math.max(scale, Math.abs(b.data[i]!))
  }
  return diff / scale
}

const original = getBackend().name
afterAll(() => {
  setBackend(original)
})

for (const backend of ['ts', 'native'] as const) {
  describe(`TwoLayerNet.sgdStep on the ${backend} backend`, () => {
    for (const [dtype, tol] of [
      ['float64', 1e-12],
      ['float32', 1e-5],
    ] as const) {
      for (const reg of [0, 0.3]) {
        it(`${dtype}, reg ${reg}: equals loss() and sgd() on every parameter`, () => {
          setBackend(backend)
          const rng = new Rng(8)
          compareSteps(() => model(dtype, reg), randn(rng, [N, D], { dtype }), randLabels(rng, N, C), tol)
        })

        it(`ThreeLayerConvNet ${dtype}, reg ${reg}: equals loss() and sgd() on every parameter`, () => {
          setBackend(backend)
          const rng = new Rng(9)
          const X = randn(rng, [5, 2 * 6 * 6], { dtype })
          compareSteps(() => convModel(dtype, reg), X, randLabels(rng, 5, 4), tol)
        })
      }
    }

    it('leaves the parameters untouched when the loss is not finite', () => {
      setBackend(backend)
      const m = model('float64', 0.1)
      // Finite scores, but an L2 term that overflows: the loss is Infinity after the forward pass.
      m.params['W1']!.data.fill(1e153)
      const before = Object.fromEntries(Object.entries(m.params).map(([k, t]) => [k, clone(t)]))
      const rng = new Rng(2)
      const loss = m.sgdStep(randn(rng, [N, D]), randLabels(rng, N, C), { W1: 1, b1: 1, W2: 1, b2: 1 })
      expect(loss).toBe(Infinity)
      for (const [k, t] of Object.entries(before)) expect([...m.params[k]!.data]).toEqual([...t.data])
    })
  })
}

describe('Solver with the fused sgd step', () => {
  const data = () => {
    const rng = new Rng(1)
    return {
      XTrain: randn(rng, [60, D], { dtype: 'float32' }),
      yTrain: randLabels(rng, 60, C),
      XVal: randn(rng, [20, D], { dtype: 'float32' }),
      yVal: randLabels(rng, 20, C),
    }
  }
  const run = (updateRule: 'sgd' | typeof sgd | 'sgdMomentum') => {
    const m = model('float32', 0.01)
    const s = new Solver(m, data(), {
      updateRule,
      optimConfig: { learningRate: 0.05 },
      lrDecay: 0.9,
      batchSize: 10,
      numEpochs: 3,
      seed: 5,
    })
    s.train()
    return s
  }

  it("follows the unfused run's losses and accuracies ('sgd' vs the same rule as a custom function)", () => {
    const fused = run('sgd')
    // A custom function is not the built-in sgd by identity, so the Solver takes the loss() path.
    const plain = run((w, dw, c) => sgd(w, dw, c))
    expect(fused.lossHistory.length).toBe(plain.lossHistory.length)
    fused.lossHistory.forEach((l, i) => expect(Math.abs(l - plain.lossHistory[i]!)).toBeLessThan(1e-4 * l))
    expect(fused.valAccHistory).toEqual(plain.valAccHistory)
    expect(maxRelDiff(fused.model.params['W1']!, plain.model.params['W1']!)).toBeLessThan(1e-4)
  })

  it('does not call sgdStep for other rules', () => {
    const m = model('float32', 0)
    let called = 0
    const fusedStep = m.sgdStep.bind(m)
    m.sgdStep = (...args) => {
      called++
      return fusedStep(...args)
    }
    new Solver(m, data(), { updateRule: 'sgdMomentum', batchSize: 10, numEpochs: 1, seed: 1 }).train()
    expect(called).toBe(0)
    new Solver(m, data(), { updateRule: 'sgd', batchSize: 10, numEpochs: 1, seed: 1 }).train()
    expect(called).toBeGreaterThan(0)
  })

  it('throws a DivergenceError for a learning rate that blows up, as the unfused path does', () => {
    const m = model('float32', 0)
    const s = new Solver(m, data(), {
      optimConfig: { learningRate: 1e30 },
      batchSize: 10,
      numEpochs: 5,
      seed: 2,
    })
    expect(() => s.train()).toThrow(DivergenceError)
  })
})
