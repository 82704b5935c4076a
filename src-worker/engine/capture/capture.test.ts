/**
 * Layer capture in the Solver: it never changes a run (capture on and off give the same losses, accuracies
 * and weights bit for bit, through the fused sgd path and the update rules, with batchnorm and dropout),
 * the update/weight ratio is the update the rule applied (checked against a hand computation), and the
 * activation figures (dead and zero fractions, batchnorm saturation, per-filter statistics) count what
 * they say.
 */
import { describe, expect, it } from 'vitest'
import { CENTRE_BIN, expandHistogram, type LayerCapture } from '../../../src-shared/layerStats'
import { FullyConnectedNet } from '../models/fcNet'
import { ThreeLayerConvNet } from '../models/threeLayerConvNet'
import { TwoLayerNet } from '../models/twoLayerNet'
import type { Model } from '../models/types'
import type { UpdateRuleName } from '../optim'
import { Rng } from '../rng'
import { Solver, type SolverOptions } from '../solver'
import { tensor, type DType, type Tensor } from '../tensor'
import { activationStats, filterStats, saturatedFraction } from './layerCapture'

/** Rows whose class shows in their mean, so nets learn and activations move. */
function data(n: number, D: number, C: number, seed: number, dtype: DType = 'float32') {
  const rng = new Rng(seed)
  const make = (rows: number) => {
    const X = new Float64Array(rows * D)
    const y = new Int32Array(rows)
    for (let i = 0; i < rows; i++) {
      y[i] = rng.int(C)
      for (let j = 0; j < D; j++) X[i * D + j] = rng.normal() + (j % C === y[i] ? 1.5 : 0)
    }
    return { X: tensor(X, [rows, D], dtype), y }
  }
  const train = make(n)
  const val = make(40)
  return { XTrain: train.X, yTrain: train.y, XVal: val.X, yVal: val.y }
}

interface Outcome {
  loss: number[]
  trainAcc: number[]
  valAcc: number[]
  params: Record<string, number[]>
  buffers: Record<string, number[]>
  captures: LayerCapture[]
}

function run(
  makeModel: () => Model,
  d: ReturnType<typeof data>,
  options: SolverOptions,
  capture: boolean,
): Outcome {
  const model = makeModel()
  const captures: LayerCapture[] = []
  const solver = new Solver(model, d, {
    ...options,
    ...(capture ? { capture: { onCapture: (c) => void captures.push(c), every: 1 } } : {}),
  })
  solver.train()
  const arr = (r: Record<string, Tensor>) =>
    Object.fromEntries(Object.entries(r).map(([k, t]) => [k, Array.from(t.data)]))
  // The final weights before the best ones were restored are in the last checkpoint's params: compare the
  // restored best ones and, through `loss`, the whole trajectory.
  return {
    loss: solver.lossHistory,
    trainAcc: solver.trainAccHistory,
    valAcc: solver.valAccHistory,
    params: arr(model.params),
    buffers: arr(model.buffers?.() ?? {}),
    captures,
  }
}

/** toEqual treats -0 and 0 alike and NaN as equal; Object.is per value is bit-level for finite floats. */
function expectIdentical(a: Outcome, b: Outcome): void {
  expect(a.loss.length).toBeGreaterThan(0)
  expect(a.loss.every((v, i) => Object.is(v, b.loss[i]))).toBe(true)
  expect(a.loss.length).toBe(b.loss.length)
  expect(a.trainAcc).toEqual(b.trainAcc)
  expect(a.valAcc).toEqual(b.valAcc)
  for (const r of ['params', 'buffers'] as const) {
    expect(Object.keys(a[r])).toEqual(Object.keys(b[r]))
    for (const k of Object.keys(a[r])) {
      expect(
        a[r][k]!.every((v, i) => Object.is(v, b[r][k]![i])),
        `${r}.${k}`,
      ).toBe(true)
    }
  }
}

const solverOptions = (updateRule: UpdateRuleName, learningRate: number): SolverOptions => ({
  updateRule,
  optimConfig: { learningRate },
  batchSize: 10,
  numEpochs: 3,
  numTrainSamples: 40,
  numValSamples: 20,
  lrDecay: 0.9,
  seed: 11,
})

describe('capture never changes the run', () => {
  const d = data(60, 12, 3, 1)

  it.each([
    ['sgd (the fused step)', 'sgd', 5e-2],
    ['adam', 'adam', 1e-2],
  ] as const)('two-layer net, %s', (_, rule, lr) => {
    const make = () =>
      new TwoLayerNet({ inputDim: 12, hiddenDim: 9, numClasses: 3, weightScale: 0.1, reg: 1e-3, seed: 3 })
    const off = run(make, d, solverOptions(rule, lr), false)
    const on = run(make, d, solverOptions(rule, lr), true)
    expectIdentical(on, off)
    expect(off.captures).toEqual([])
    expect(on.captures.length).toBe(on.loss.length)
  })

  it.each([
    ['sgd', 'sgd', 5e-2],
    ['sgdMomentum', 'sgdMomentum', 2e-2],
    ['rmsprop', 'rmsprop', 1e-3],
  ] as const)('fc net with batchnorm and dropout, %s', (_, rule, lr) => {
    const make = () =>
      new FullyConnectedNet({
        inputDim: 12,
        hiddenDims: [10, 8],
        numClasses: 3,
        normalization: 'batchnorm',
        dropoutKeepRatio: 0.7,
        weightScale: 0.1,
        reg: 1e-3,
        seed: 5,
      })
    const off = run(make, d, solverOptions(rule, lr), false)
    const on = run(make, d, solverOptions(rule, lr), true)
    expectIdentical(on, off)
    const last = on.captures.at(-1)!
    expect(last.layers.map((l) => l.name)).toEqual(['layer1', 'layer2', 'layer3'])
    expect(last.layers[0]!.norm).toBeDefined()
    expect(last.layers[2]!.norm).toBeUndefined()
    expect(last.layers[2]!.preact).toBeUndefined()
  })

  it.each([
    ['sgd (the fused step)', 'sgd', 5e-2],
    ['sgdMomentum', 'sgdMomentum', 2e-2],
  ] as const)('three-layer conv net, %s', (_, rule, lr) => {
    const dc = data(40, 2 * 6 * 6, 3, 2)
    const make = () =>
      new ThreeLayerConvNet({
        inputDim: [2, 6, 6],
        numFilters: 3,
        filterSize: 3,
        hiddenDim: 7,
        numClasses: 3,
        weightScale: 0.1,
        reg: 1e-3,
        seed: 9,
      })
    const opts = { ...solverOptions(rule, lr), numEpochs: 2 }
    const off = run(make, dc, opts, false)
    const on = run(make, dc, opts, true)
    expectIdentical(on, off)
    const conv = on.captures.at(-1)!.layers[0]!
    expect(conv.kind).toBe('conv')
    expect(conv.filters!.weightNorm).toHaveLength(3)
    expect(conv.preact!.summary.n).toBe(10 * 3 * 6 * 6)
  })

  it('captures at every accuracy check and every K iterations in between', () => {
    const make = () =>
      new TwoLayerNet({ inputDim: 12, hiddenDim: 9, numClasses: 3, weightScale: 0.1, seed: 3 })
    const captures: LayerCapture[] = []
    // 60 rows, batch 10: 6 iterations an epoch, 18 in all; checks after 1, 6, 12, 18.
    new Solver(make(), d, {
      ...solverOptions('sgd', 1e-2),
      capture: { onCapture: (c) => void captures.push(c), every: 4 },
    }).train()
    expect(captures.map((c) => [c.iteration, c.reason, c.epoch])).toEqual([
      [1, 'check', 0],
      [4, 'interval', 0],
      [6, 'check', 1],
      [8, 'interval', 1],
      [12, 'check', 2],
      [16, 'interval', 2],
      [18, 'check', 3],
    ])
    // The learning rate of the step itself: decayed by 0.9 after each epoch.
    expect(captures[3]!.learningRate).toBeCloseTo(1e-2 * 0.9, 15)
  })
})

describe('capture options', () => {
  const d = data(20, 4, 2, 3)
  const net = () => new TwoLayerNet({ inputDim: 4, hiddenDim: 3, numClasses: 2, seed: 1 })
  const onCapture = () => {}
  it('are checked, naming what is wrong', () => {
    expect(() => new Solver(net(), d, { capture: { onCapture, every: 0 } })).toThrow(/capture\.every/)
    expect(() => new Solver(net(), d, { capture: { onCapture, budget: 2 } })).toThrow(/capture\.budget/)
    expect(() => new Solver(net(), d, { capture: {} as never })).toThrow(/onCapture function/)
    expect(() => new Solver(net(), d, { capture: { onCapture, evry: 3 } as never })).toThrow(
      /unknown capture option 'evry'/,
    )
  })
})

describe('update/weight ratio', () => {
  /** The rows the Solver's first step draws: its stream is Rng(seed), forked once for the model first. */
  function firstBatch(d: ReturnType<typeof data>, seed: number, batchSize: number) {
    const rng = new Rng(seed)
    rng.fork()
    const D = d.XTrain.shape[1]!
    const X = new Float64Array(batchSize * D)
    const y = new Int32Array(batchSize)
    for (let b = 0; b < batchSize; b++) {
      const i = rng.int(d.XTrain.shape[0]!)
      X.set(d.XTrain.data.subarray(i * D, (i + 1) * D), b * D)
      y[b] = d.yTrain[i]!
    }
    return { X: tensor(X, [batchSize, D], 'float64'), y }
  }

  const d = data(50, 6, 3, 4, 'float64')
  const make = () =>
    new TwoLayerNet({
      inputDim: 6,
      hiddenDim: 5,
      numClasses: 3,
      weightScale: 0.3,
      reg: 0.1,
      dtype: 'float64',
      seed: 2,
    })
  const firstCapture = (updateRule: UpdateRuleName, learningRate: number) => {
    const captures: LayerCapture[] = []
    const solver = new Solver(make(), d, {
      updateRule,
      optimConfig: { learningRate },
      batchSize: 8,
      numEpochs: 1,
      seed: 21,
      capture: { onCapture: (c) => void captures.push(c), every: 1 },
    })
    solver.step({ capture: 'interval' })
    return captures[0]!
  }
  const sq = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v * v, 0)

  it("sgd (fused): ||lr dW|| / ||W||, CS231n's form, with dW the minibatch gradient including reg", () => {
    const lr = 0.05
    const cap = firstCapture('sgd', lr)
    const ref = make()
    const { X, y } = firstBatch(d, 21, 8)
    const { grads } = ref.loss(X, y)
    for (const [i, name] of ['W1', 'W2'].entries()) {
      const layer = cap.layers[i]!
      const w = ref.params[name]!.data
      const expected = Math.sqrt(sq(grads[name]!.data.map((g) => lr * g))) / Math.sqrt(sq(w))
      expect(layer.param).toBe(name)
      expect(layer.weightNorm).toBeCloseTo(Math.sqrt(sq(w)), 12)
      expect(layer.gradNorm).toBeCloseTo(Math.sqrt(sq(grads[name]!.data)), 12)
      expect(layer.updateRatio / expected - 1).toBeLessThan(1e-9)
      expect(layer.updateRatio / expected - 1).toBeGreaterThan(-1e-9)
    }
  })

  it("adam's first step: each weight moves by lr * g / (|g| + eps), whatever the gradient's size", () => {
    const lr = 1e-3
    const cap = firstCapture('adam', lr)
    const ref = make()
    const { X, y } = firstBatch(d, 21, 8)
    const { grads } = ref.loss(X, y)
    for (const [i, name] of ['W1', 'W2'].entries()) {
      // t = 1: m / (1 - beta1) = g and v / (1 - beta2) = g^2, so the bias-corrected step is lr g / (|g| + eps).
      const step = grads[name]!.data.map((g) => (lr * g) / (Math.abs(g) + 1e-8))
      const expected = Math.sqrt(sq(step)) / Math.sqrt(sq(ref.params[name]!.data))
      const layer = cap.layers[i]!
      expect(Math.abs(layer.updateRatio / expected - 1)).toBeLessThan(1e-6)
      // Nothing like sgd's ratio: the gradient's scale is normalised away.
      const sgdLike = (lr * layer.gradNorm) / layer.weightNorm
      expect(Math.abs(layer.updateRatio / sgdLike - 1)).toBeGreaterThan(0.1)
    }
  })
})

describe('activation figures', () => {
  it('dead fraction: units zero on every row; zero fraction: all zero outputs', () => {
    // 3 rows x 4 units: unit 0 always <= 0 (dead, an exact 0 included), unit 1 zero on one row, units 2-3 alive.
    const pre = tensor([-1, 2, 3, 4, 0, -5, 1, 2, -2, 1, 0.5, 3], [3, 4], 'float64')
    const s = activationStats(pre)
    expect(s.deadFraction).toBe(1 / 4)
    expect(s.zeroFraction).toBe(4 / 12)
    expect(s.postact.summary.min).toBe(0)
    expect(s.postact.summary.max).toBe(4)
    expect(s.preact.summary.min).toBe(-5)
    // Post-ReLU: the four zeros sit in the centre bin.
    expect(s.postact.hist.counts[0]).toBe(4)
  })

  it('a two-layer net whose first two hidden units only ever see negative input has them dead', () => {
    const net = new TwoLayerNet({
      inputDim: 3,
      hiddenDim: 5,
      numClasses: 2,
      weightScale: 0.1,
      seed: 1,
      dtype: 'float64',
    })
    const W1 = net.params['W1']!.data
    // Inputs are positive; columns 0 and 1 all negative weights, the rest positive.
    for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) W1[i * 5 + j] = j < 2 ? -0.5 : 0.5
    const X = tensor(
      Array.from({ length: 24 }, (_, i) => 1 + (i % 5)),
      [8, 3],
      'float64',
    )
    const y = new Int32Array(8).map((_, i) => i % 2)
    const captures: LayerCapture[] = []
    const solver = new Solver(
      net,
      { XTrain: X, yTrain: y, XVal: X, yVal: y },
      {
        batchSize: 8,
        numEpochs: 1,
        seed: 1,
        capture: { onCapture: (c) => void captures.push(c) },
      },
    )
    solver.train()
    const hidden = captures[0]!.layers[0]!
    expect(hidden.deadFraction).toBe(2 / 5)
    expect(hidden.zeroFraction).toBe(2 / 5)
    // A dead unit gets no gradient: its columns of dW1 (3 x 2 entries) are exactly zero, the centre bin.
    expect(expandHistogram(hidden.grad.hist)[CENTRE_BIN]).toBe(6)
  })

  it('batchnorm saturation counts |x_hat| > 3', () => {
    expect(saturatedFraction(new Float64Array([0, 3, -3.5, 4, 1, -1, 2.9, 10]))).toBe(3 / 8)
  })

  it("per filter: weight norms and the zero fraction of each filter's outputs", () => {
    // 2 filters of 1x1x2; outputs (N=2, F=2, 1x2): filter 0 all positive, filter 1 half zero.
    const w = tensor([3, 4, 0, 2], [2, 1, 1, 2], 'float64')
    const pre = tensor([1, 2, -1, 5, 3, 4, 0, 6], [2, 2, 1, 2], 'float64')
    const act = activationStats(pre)
    expect(act.filterZeroFraction).toEqual([0, 0.5])
    // Unit (filter 1, position 0) is <= 0 on both rows: 1 dead unit of 4.
    expect(act.deadFraction).toBe(1 / 4)
    const f = filterStats(w, act.filterZeroFraction!)
    expect(f.weightNorm).toEqual([5, 2])
    expect(f.zeroFraction).toEqual([0, 0.5])
  })
})
