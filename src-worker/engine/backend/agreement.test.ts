// The native backend must compute what the TypeScript kernels (the specification) compute: here over
// whole training steps, float32, on the seed's network shape and on a normalised, dropout network.
import { afterAll, describe, expect, it } from 'vitest'
import { FullyConnectedNet } from '../models/fcNet'
import { TwoLayerNet } from '../models/twoLayerNet'
import type { Model } from '../models/types'
import { Rng } from '../rng'
import { Solver, type SolverOptions } from '../solver'
import { clone, zeros, type Tensor } from '../tensor'
import { axpyTs } from './ts'
import { nativeAvailability, setBackend } from './index'

const native = nativeAvailability()
const reason = native.available ? null : native.reason
const skip = reason !== null && !process.env['CI']
if (skip) console.warn('skipped: native backend unavailable: ' + reason)

afterAll(() => {
  setBackend('auto')
})

function data(
  n: number,
  d: number,
  classes: number,
): {
  XTrain: Tensor
  yTrain: Int32Array
  XVal: Tensor
  yVal: Int32Array
} {
  const rng = new Rng(5)
  const X = zeros([n, d], 'float32')
  for (let i = 0; i < X.data.length; i++) X.data[i] = (rng.nextUint32() >>> 24) - 128
  const y = new Int32Array(n).map(() => rng.int(classes))
  return { XTrain: X, yTrain: y, XVal: X, yVal: y }
}

/** Runs `steps` Solver steps on a fresh model with the given backend; returns losses and final params. */
function train(
  backend: 'native' | 'ts',
  makeModel: () => Model,
  d: ReturnType<typeof data>,
  options: SolverOptions,
  steps: number,
): { losses: number[]; params: Record<string, Tensor>; init: Record<string, Tensor> } {
  setBackend(backend)
  const model = makeModel()
  const init = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, clone(v)]))
  const solver = new Solver(model, d, { ...options, seed: 11 })
  const losses: number[] = []
  for (let i = 0; i < steps; i++) losses.push(solver.step())
  return { losses, params: model.params, init }
}

/**
 * How far apart the two backends' updates (param - init) are, relative to the size of the update, with
 * an absolute floor for parameters whose gradient is rounding noise (biases feeding a batchnorm).
 */
function updateDisagreement(a: Tensor, b: Tensor, init: Tensor): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < a.data.length; i++) {
    diff = Math.max(diff, Math.abs(a.data[i]! - b.data[i]!))
    scale = Math.max(scale, Math.abs(a.data[i]! - init.data[i]!))
  }
  return diff / (scale + 1e-6)
}

describe.skipIf(skip)('native and TypeScript backends agree', () => {
  it('on full float32 Solver steps of the seed network (3072 -> 100 -> 10, batch 200, sgd)', () => {
    const d = data(400, 3072, 10)
    const make = (): Model => new TwoLayerNet({ seed: 3, reg: 0.1 })
    const opts: SolverOptions = { batchSize: 200, updateRule: 'sgd', optimConfig: { learningRate: 1e-4 } }
    const a = train('native', make, d, opts, 3)
    const b = train('ts', make, d, opts, 3)
    for (let i = 0; i < 3; i++) expect(Math.abs(a.losses[i]! - b.losses[i]!)).toBeLessThan(1e-4)
    for (const k of Object.keys(a.params)) {
      expect(updateDisagreement(a.params[k]!, b.params[k]!, a.init[k]!), k).toBeLessThan(1e-3)
    }
    // The steps did move the weights, so the comparison is not between two untouched inits.
    expect(Math.abs(a.params['W1']!.data[0]! - a.init['W1']!.data[0]!)).toBeGreaterThan(0)
  })

  // Not adam: it rescales every update to about the learning rate, so the noise-level gradients of the
  // biases feeding a batchnorm would become full-size steps in directions set by rounding.
  it('on a batchnorm + dropout network trained with momentum', () => {
    const d = data(200, 48, 7)
    const make = (): Model =>
      new FullyConnectedNet({
        hiddenDims: [40, 30],
        inputDim: 48,
        numClasses: 7,
        normalization: 'batchnorm',
        dropoutKeepRatio: 0.8,
        reg: 0.01,
        seed: 4,
      })
    const opts: SolverOptions = {
      batchSize: 50,
      updateRule: 'sgdMomentum',
      optimConfig: { learningRate: 1e-3 },
    }
    const a = train('native', make, d, opts, 5)
    const b = train('ts', make, d, opts, 5)
    for (let i = 0; i < 5; i++) expect(Math.abs(a.losses[i]! - b.losses[i]!)).toBeLessThan(1e-4)
    for (const k of Object.keys(a.params)) {
      expect(updateDisagreement(a.params[k]!, b.params[k]!, a.init[k]!), k).toBeLessThan(1e-3)
    }
  })

  it('axpy matches the TypeScript kernel above and below the native threshold', () => {
    const backend = setBackend('native')
    for (const n of [10, 4096, 100_003]) {
      for (const make of [(k: number) => new Float32Array(k), (k: number) => new Float64Array(k)]) {
        const rng = new Rng(n)
        const x = make(n).map(() => rng.random() - 0.5)
        const y = make(n).map(() => rng.random() - 0.5)
        const want = y.slice()
        axpyTs(n, 0.3, x, want)
        backend.axpy(n, 0.3, x, y)
        let worst = 0
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i]! - want[i]!))
        expect(worst).toBeLessThan(1e-6)
      }
    }
    expect(() => backend.axpy(10, 1, new Float32Array(5), new Float32Array(10))).toThrow(/at least n = 10/)
    expect(() => backend.axpy(5000, 1, new Float32Array(5000), new Float64Array(5000))).toThrow(
      /x and y must share a type, got Float32Array and Float64Array/,
    )
  })
})
