import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LossAndGrads, Model } from './models/types'
import { sgd, type OptimConfig, type SgdMomentumConfig, type UpdateRule } from './optim'
import { Rng } from './rng'
import { DivergenceError, Solver, type SolverData, type SolverEvent, type SolverOptions } from './solver'
import { astype, scratch, sizeOf, tensor, zeros, type DType, type Tensor } from './tensor'

/**
 * A softmax linear classifier written with plain loops, standing in for the real models: scores = X W + b
 * with X flattened to (N, D). With `dropout` it drops input features with its `rng` at train time, so
 * the Solver's seeding of `model.rng` is exercised.
 */
class SoftmaxLinear implements Model {
  params: Record<string, Tensor>
  rng: Rng | null = null
  /** Every X the training pass saw, for the buffer-reuse test. */
  readonly seen: { X: Tensor; y: Int32Array }[] = []
  record = false

  constructor(
    readonly D: number,
    readonly C: number,
    readonly dtype: DType = 'float32',
    seed = 1,
    readonly reg = 0,
    readonly dropout = 0,
  ) {
    const r = new Rng(seed)
    const W = zeros([D, C], dtype)
    for (let i = 0; i < W.data.length; i++) W.data[i] = 1e-2 * r.normal()
    this.params = { W, b: zeros([C], dtype) }
  }

  loss(X: Tensor): Tensor
  loss(X: Tensor, y: Int32Array): LossAndGrads
  loss(X: Tensor, y?: Int32Array): Tensor | LossAndGrads {
    const { D, C } = this
    const N = X.shape[0]!
    expect(sizeOf(X.shape) / N).toBe(D)
    const W = this.params.W!.data
    const b = this.params.b!.data
    let x = X.data
    if (y && this.dropout > 0) {
      if (!this.rng) throw new Error('SoftmaxLinear: dropout needs rng')
      const kept = scratch(X.shape, this.dtype).data
      for (let i = 0; i < x.length; i++)
        kept[i] = this.rng.random() < this.dropout ? 0 : x[i]! / (1 - this.dropout)
      x = kept
    }
    const scores = scratch([N, C], this.dtype)
    const s = scores.data
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        let acc = b[c]!
        for (let d = 0; d < D; d++) acc += x[n * D + d]! * W[d * C + c]!
        s[n * C + c] = acc
      }
    }
    if (!y) return scores
    if (this.record) this.seen.push({ X, y })

    let loss = 0
    const dscores = scratch([N, C], this.dtype).data
    for (let n = 0; n < N; n++) {
      let max = -Infinity
      for (let c = 0; c < C; c++) max = Math.max(max, s[n * C + c]!)
      let sum = 0
      for (let c = 0; c < C; c++) sum += Math.exp(s[n * C + c]! - max)
      loss += Math.log(sum) - (s[n * C + y[n]!]! - max)
      for (let c = 0; c < C; c++) {
        dscores[n * C + c] = (Math.exp(s[n * C + c]! - max) / sum - (c === y[n] ? 1 : 0)) / N
      }
    }
    loss /= N
    const dW = scratch([D, C], this.dtype)
    const db = scratch([C], this.dtype)
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const g = dscores[n * C + c]!
        db.data[c] = db.data[c]! + g
        for (let d = 0; d < D; d++) dW.data[d * C + c] = dW.data[d * C + c]! + x[n * D + d]! * g
      }
    }
    let sq = 0
    for (let i = 0; i < W.length; i++) {
      sq += W[i]! * W[i]!
      dW.data[i] = dW.data[i]! + this.reg * W[i]!
    }
    return { loss: loss + 0.5 * this.reg * sq, grads: { W: dW, b: db } }
  }
}

/** Well-separated Gaussian clusters: C classes in D dimensions, rows of shape `rowShape` (sizeOf = D). */
function clusters(n: number, C: number, rowShape: number[], seed: number, dtype: DType = 'float32') {
  const D = sizeOf(rowShape)
  const r = new Rng(1000)
  const centers = Array.from({ length: C }, () => Array.from({ length: D }, () => 3 * r.normal()))
  const rs = new Rng(seed)
  const X = zeros([n, ...rowShape], dtype)
  const y = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    y[i] = i % C
    for (let d = 0; d < D; d++) X.data[i * D + d] = centers[y[i]!]![d]! + rs.normal()
  }
  return { X, y }
}

function makeData(nTrain = 50, nVal = 30, C = 3, rowShape = [8], dtype: DType = 'float32'): SolverData {
  const train = clusters(nTrain, C, rowShape, 1, dtype)
  const val = clusters(nVal, C, rowShape, 2, dtype)
  return { XTrain: train.X, yTrain: train.y, XVal: val.X, yVal: val.y }
}

const fast: SolverOptions = { batchSize: 10, numEpochs: 2, seed: 7 }

afterEach(() => {
  vi.restoreAllMocks()
})

describe('Solver: training', () => {
  it('overfits 50 examples to 100% train accuracy', () => {
    const model = new SoftmaxLinear(8, 3)
    const data = makeData()
    const solver = new Solver(model, data, {
      updateRule: 'adam',
      optimConfig: { learningRate: 5e-2 },
      batchSize: 25,
      numEpochs: 20,
      seed: 3,
    })
    solver.train()
    expect(solver.trainAccHistory.at(-1)).toBe(1)
    expect(solver.checkAccuracy(data.XTrain, data.yTrain)).toBe(1)
    expect(solver.lossHistory.at(-1)!).toBeLessThan(solver.lossHistory[0]! / 5)
    expect(solver.stopped).toBe(false)
  })

  for (const updateRule of ['sgd', 'sgdMomentum', 'rmsprop', 'adam'] as const) {
    it(`lowers the loss with updateRule '${updateRule}'`, () => {
      const lr = updateRule === 'sgd' || updateRule === 'sgdMomentum' ? 0.1 : 1e-2
      const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), {
        ...fast,
        updateRule,
        optimConfig: { learningRate: lr },
        numEpochs: 4,
      })
      solver.train()
      expect(solver.lossHistory.at(-1)!).toBeLessThan(solver.lossHistory[0]!)
    })
  }

  it('trains float64 models on float64 data and higher-rank inputs (N, 2, 4)', () => {
    const model = new SoftmaxLinear(8, 3, 'float64')
    const solver = new Solver(model, makeData(50, 30, 3, [2, 4], 'float64'), {
      ...fast,
      optimConfig: { learningRate: 0.5 },
    })
    solver.train()
    expect(solver.valAccHistory.at(-1)!).toBeGreaterThan(0.9)
  })
})

describe('Solver: reproducibility', () => {
  const run = (seed: number | undefined, dropout = 0.3) => {
    const model = new SoftmaxLinear(8, 3, 'float32', 1, 1e-3, dropout)
    const solver = new Solver(model, makeData(), {
      ...fast,
      seed,
      updateRule: 'sgdMomentum',
      numTrainSamples: 20,
    })
    solver.train()
    return { solver, model }
  }

  it('repeats a run bit for bit from the same seed, dropout masks included', () => {
    const a = run(42)
    const b = run(42)
    expect(a.solver.lossHistory).toHaveLength(10)
    expect(b.solver.lossHistory).toEqual(a.solver.lossHistory)
    expect(b.solver.trainAccHistory).toEqual(a.solver.trainAccHistory)
    expect(b.model.params.W!.data).toEqual(a.model.params.W!.data)
    // The model got a seeded stream of its own.
    expect(a.model.rng).toBeInstanceOf(Rng)
  })

  it('gives another run from another seed', () => {
    expect(run(43).solver.lossHistory).not.toEqual(run(42).solver.lossHistory)
  })

  it('seeds the model stream (dropout masks) from the run seed', () => {
    const [a, b, c] = [run(42), run(42), run(43)].map((r) => r.model.rng!.nextUint32())
    expect(b).toBe(a)
    expect(c).not.toBe(a)
  })

  it('records a random default seed that repeats the run', () => {
    const a = run(undefined)
    expect(Number.isInteger(a.solver.seed)).toBe(true)
    expect(a.solver.seed).toBeGreaterThanOrEqual(0)
    expect(a.solver.seed).toBeLessThan(2 ** 32)
    expect(run(a.solver.seed).solver.lossHistory).toEqual(a.solver.lossHistory)
  })
})

describe('Solver: output and events', () => {
  it("prints CS231n's iteration and epoch lines when verbose", () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    // 50 rows / batch 10 = 5 iterations per epoch, 2 epochs: 10 iterations; printEvery 3 -> t = 0, 3, 6, 9.
    const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), { ...fast, verbose: true, printEvery: 3 })
    solver.train()
    const lines = log.mock.calls.map((c) => c.join(' '))
    const L = solver.lossHistory
    const acc = (i: number) =>
      `train acc: ${solver.trainAccHistory[i]!.toFixed(6)}; val_acc: ${solver.valAccHistory[i]!.toFixed(6)}`
    expect(lines).toEqual([
      `(Iteration 1 / 10) loss: ${L[0]!.toFixed(6)}`,
      `(Epoch 0 / 2) ${acc(0)}`,
      `(Iteration 4 / 10) loss: ${L[3]!.toFixed(6)}`,
      `(Epoch 1 / 2) ${acc(1)}`,
      `(Iteration 7 / 10) loss: ${L[6]!.toFixed(6)}`,
      `(Iteration 10 / 10) loss: ${L[9]!.toFixed(6)}`,
      `(Epoch 2 / 2) ${acc(2)}`,
    ])
    expect(lines[0]).toMatch(/^\(Iteration 1 \/ 10\) loss: \d+\.\d{6}$/)
    expect(lines[1]).toMatch(/^\(Epoch 0 \/ 2\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}$/)
  })

  it('prints nothing unless verbose', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => {}),
    )
    new Solver(new SoftmaxLinear(8, 3), makeData(), fast).train()
    for (const s of spies) expect(s).not.toHaveBeenCalled()
  })

  it('emits one iteration event per step and one epoch event per accuracy check', () => {
    const events: SolverEvent[] = []
    const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), {
      ...fast,
      numEpochs: 3,
      onEvent: (e) => events.push(e),
    })
    solver.train()
    const its = events.filter((e) => e.type === 'iteration')
    const eps = events.filter((e) => e.type === 'epoch')
    expect(its.map((e) => e.iteration)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1))
    expect(its.every((e) => e.numIterations === 15)).toBe(true)
    expect(its.map((e) => e.loss)).toEqual(solver.lossHistory)
    expect(eps.map((e) => e.epoch)).toEqual([0, 1, 2, 3])
    expect(eps.map((e) => e.trainAcc)).toEqual(solver.trainAccHistory)
    expect(eps.map((e) => e.valAcc)).toEqual(solver.valAccHistory)
    expect(solver.epoch).toBe(3)
    // The epoch event follows the iteration that ended the epoch.
    expect(events.findIndex((e) => e.type === 'epoch' && e.epoch === 1)).toBe(6)
  })

  it('runs at least one iteration per epoch when batchSize exceeds N', () => {
    const events: SolverEvent[] = []
    const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), {
      batchSize: 64,
      numEpochs: 2,
      seed: 1,
      onEvent: (e) => events.push(e),
    })
    solver.train()
    expect(solver.lossHistory).toHaveLength(2)
    // The first iteration is also an epoch end: it is checked once, as epoch 1.
    expect(events.filter((e) => e.type === 'epoch').map((e) => e.epoch)).toEqual([1, 2])
  })
})

describe('Solver: learning rate, configs and best parameters', () => {
  it('decays every learning rate by lrDecay at each epoch end and reports it', () => {
    const lrs: (number | null)[] = []
    const optimConfig: SgdMomentumConfig = { learningRate: 0.1 }
    const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), {
      ...fast,
      numEpochs: 3,
      updateRule: 'sgdMomentum',
      optimConfig,
      lrDecay: 0.5,
      onEvent: (e) => void (e.type === 'epoch' && lrs.push(e.lr)),
    })
    solver.train()
    expect(lrs).toEqual([0.1, 0.05, 0.025, 0.0125])
    expect(solver.optimConfigs.W!.learningRate).toBe(0.0125)
    expect(solver.optimConfigs.b!.learningRate).toBe(0.0125)
    // Each parameter has its own config and state; the caller's config is untouched.
    expect(solver.optimConfigs.W).not.toBe(solver.optimConfigs.b)
    expect((solver.optimConfigs.W as SgdMomentumConfig).velocity!.shape).toEqual([8, 3])
    expect((solver.optimConfigs.b as SgdMomentumConfig).velocity!.shape).toEqual([3])
    expect(optimConfig).toEqual({ learningRate: 0.1 })
  })

  it('deep-copies optimConfig per parameter', () => {
    const w = zeros([3])
    const model = new SoftmaxLinear(1, 3)
    model.params = { b: zeros([3]) }
    const solver = new Solver(model, makeData(50, 30, 3, [1]), {
      updateRule: 'sgdMomentum',
      optimConfig: { velocity: w },
    })
    const v = (solver.optimConfigs.b as SgdMomentumConfig).velocity!
    expect(v).not.toBe(w)
    expect(v.data).not.toBe(w.data)
    expect(v.data).toEqual(w.data)
  })

  it('accepts an update function and restores the best parameters when validation accuracy falls', () => {
    const model = new SoftmaxLinear(8, 3)
    let calls = 0
    // Plain SGD for 30 updates (3 epochs of 5 steps, 2 params), then one update that flips the sign of
    // every parameter: a linear classifier then predicts its least likely class and accuracy collapses.
    const sabotage: UpdateRule = (w: Tensor, dw: Tensor, config?: OptimConfig) => {
      calls++
      if (calls <= 30) return sgd(w, dw, config)
      if (calls <= 32) for (let i = 0; i < w.data.length; i++) w.data[i] = -w.data[i]!
      return config ?? {}
    }
    const data = makeData()
    const solver = new Solver(model, data, {
      ...fast,
      numEpochs: 5,
      updateRule: sabotage,
      optimConfig: { learningRate: 0.5 },
    })
    solver.train()
    expect(solver.bestValAcc).toBeGreaterThan(0.9)
    expect(solver.valAccHistory.at(-1)!).toBeLessThan(0.2)
    expect(solver.bestValAcc).toBe(Math.max(...solver.valAccHistory))
    // The model holds the best parameters again, in its own tensors.
    expect(model.params.W!.data).toEqual(solver.bestParams.W!.data)
    expect(model.params.W!.data).not.toBe(solver.bestParams.W!.data)
    expect(solver.checkAccuracy(data.XVal, data.yVal)).toBe(solver.bestValAcc)
  })

  it('reports lr null for a custom rule that keeps no learningRate', () => {
    const lrs: (number | null)[] = []
    const rule: UpdateRule = (w, dw) => {
      sgd(w, dw, { learningRate: 0.1 })
      return {}
    }
    new Solver(new SoftmaxLinear(8, 3), makeData(), {
      ...fast,
      updateRule: rule,
      onEvent: (e) => void (e.type === 'epoch' && lrs.push(e.lr)),
    }).train()
    expect(lrs).toEqual([null, null, null])
  })
})

describe('Solver: stopping', () => {
  it('stop() ends training after the current iteration and restores the best parameters', () => {
    const model = new SoftmaxLinear(8, 3)
    let stops = 0
    const solver: Solver = new Solver(model, makeData(), {
      ...fast,
      onEvent: (e) => {
        if (e.type === 'iteration' && e.iteration === 3 && stops++ === 0) solver.stop()
      },
    })
    expect(solver.train()).toBe(solver)
    expect(solver.stopped).toBe(true)
    expect(solver.lossHistory).toHaveLength(3)
    expect(solver.valAccHistory).toHaveLength(1)
    expect(model.params.W!.data).toEqual(solver.bestParams.W!.data)
    // The request was consumed: training continues where it stopped, up to the planned iterations.
    solver.train()
    expect(solver.stopped).toBe(false)
    expect(solver.lossHistory).toHaveLength(10)
    expect(solver.iteration).toBe(10)
  })

  it('stops when the AbortSignal is aborted', () => {
    const ac = new AbortController()
    const solver = new Solver(new SoftmaxLinear(8, 3), makeData(), {
      ...fast,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'iteration' && e.iteration === 5) ac.abort()
      },
    })
    solver.train()
    expect(solver.stopped).toBe(true)
    expect(solver.lossHistory).toHaveLength(5)
    // Iteration 5 ended epoch 1, whose check ran before the abort was seen.
    expect(solver.valAccHistory).toHaveLength(2)
  })

  it('does nothing when the signal is already aborted', () => {
    const model = new SoftmaxLinear(8, 3)
    const W0 = Float32Array.from(model.params.W!.data)
    const solver = new Solver(model, makeData(), { ...fast, signal: AbortSignal.abort() })
    solver.train()
    expect(solver.stopped).toBe(true)
    expect(solver.lossHistory).toHaveLength(0)
    expect(model.params.W!.data).toEqual(W0)
  })

  it('throws when the loss diverges, emits nothing further and leaves finite parameters', () => {
    const model = new SoftmaxLinear(8, 3)
    const real = model.loss.bind(model) as (X: Tensor, y?: Int32Array) => Tensor | LossAndGrads
    let calls = 0
    model.loss = ((X: Tensor, y?: Int32Array) => {
      const out = real(X, y)
      if (!y) return out
      calls++
      return calls === 4 ? { ...(out as LossAndGrads), loss: NaN } : out
    }) as Model['loss']
    const events: SolverEvent[] = []
    const solver = new Solver(model, makeData(), {
      ...fast,
      optimConfig: { learningRate: 0.3 },
      onEvent: (e) => events.push(e),
    })
    expect(() => solver.train()).toThrow(
      /^Solver: loss diverged at iteration 4 with learning rate 0.3: the loss became NaN \(not a number\): the scores overflowed and the arithmetic broke down; try a lower learning rate$/,
    )
    expect(events.filter((e) => e.type === 'iteration')).toHaveLength(3)
    expect(events.at(-1)).toMatchObject({ type: 'iteration', iteration: 3 })
    expect(solver.lossHistory).toHaveLength(3)
    expect(model.params.W!.data.every(Number.isFinite)).toBe(true)
    expect(model.params.W!.data).toEqual(solver.bestParams.W!.data)
  })

  it('says what the loss became, in words: NaN, +Infinity, and an impossible -Infinity', () => {
    expect(new DivergenceError(7, -Infinity, 1).message).toBe(
      'Solver: loss diverged at iteration 7 with learning rate 1: the loss came out as -Infinity, which a softmax or SVM loss can never be: the scores overflowed float32 and the arithmetic broke down; try a lower learning rate',
    )
    expect(new DivergenceError(2, Infinity, null).message).toBe(
      'Solver: loss diverged at iteration 2: the loss became infinite: the correct classes got probability 0 (scores too large); try a lower learning rate',
    )
    expect(new DivergenceError(2, NaN, 0.5).message).not.toMatch(/\(NaN\)/)
  })

  it('throws a DivergenceError for a learning rate that blows up', () => {
    // With reg = 1 the weight decay step multiplies W by (1 - lr) = -9: W overflows float32 within ~40 steps.
    const solver = new Solver(new SoftmaxLinear(8, 3, 'float32', 1, 1), makeData(), {
      ...fast,
      numEpochs: 50,
      optimConfig: { learningRate: 10 },
    })
    let err: unknown
    try {
      solver.train()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(DivergenceError)
    expect((err as DivergenceError).message).toMatch(
      /loss diverged at .*: the loss .*; try a lower learning rate/,
    )
    expect((err as DivergenceError).iteration).toBe(solver.lossHistory.length + 1)
    expect(solver.lossHistory.length).toBeLessThan(100)
  })
})

describe('Solver: buffers', () => {
  it('allocates nothing more in its arenas after the second step', () => {
    const data = makeData()
    const solver = new Solver(new SoftmaxLinear(8, 3, 'float32', 1, 0, 0.2), data, fast)
    solver.step()
    solver.step()
    const bytes = solver.arena.allocatedBytes
    expect(bytes).toBeGreaterThan(0)
    for (let i = 0; i < 5; i++) solver.step()
    expect(solver.arena.allocatedBytes).toBe(bytes)
    // Accuracy checks use their own arena, so they do not churn the training one either.
    solver.train()
    expect(solver.arena.allocatedBytes).toBe(bytes)
    solver.checkAccuracy(data.XVal, data.yVal, null, 10)
    const evalBytes = solver.evalArena.allocatedBytes
    solver.checkAccuracy(data.XVal, data.yVal, null, 10)
    expect(solver.evalArena.allocatedBytes).toBe(evalBytes)
  })

  it('reuses one minibatch buffer, filled with whole training rows and their labels', () => {
    // Row i of XTrain starts with i, so each batch row says which training row it copied.
    const n = 40
    const XTrain = zeros([n, 2, 3])
    for (let i = 0; i < n; i++) for (let d = 0; d < 6; d++) XTrain.data[i * 6 + d] = i + d / 10
    const yTrain = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3)
    const model = new SoftmaxLinear(6, 3)
    model.record = true
    const solver = new Solver(
      model,
      { XTrain, yTrain, XVal: XTrain, yVal: yTrain },
      { batchSize: 16, seed: 5 },
    )
    for (let s = 0; s < 3; s++) solver.step()
    expect(model.seen).toHaveLength(3)
    const first = model.seen[0]!
    const drawn = new Set<number>()
    for (const { X, y } of model.seen) {
      expect(X).toBe(first.X)
      expect(y).toBe(first.y)
      expect(X.shape).toEqual([16, 2, 3])
    }
    // Check the contents of the last batch (earlier ones were overwritten in place).
    for (let b = 0; b < 16; b++) {
      const i = first.X.data[b * 6]!
      drawn.add(i)
      expect(Array.from(first.X.data.subarray(b * 6, b * 6 + 6))).toEqual(
        Array.from(XTrain.data.subarray(i * 6, i * 6 + 6)),
      )
      expect(first.y[b]).toBe(yTrain[i])
    }
    expect(drawn.size).toBeGreaterThan(1)
  })
})

describe('Solver.checkAccuracy', () => {
  // W = I on 3 features, b = 0: the prediction is the argmax of the row.
  const model = () => {
    const m = new SoftmaxLinear(3, 3)
    m.params.W!.data.set([1, 0, 0, 0, 1, 0, 0, 0, 1])
    return m
  }
  const X = tensor(
    [
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 3],
      [5, 1, 1],
      [1, 1, 0],
      [0, 1, 9],
      [2, 3, 1],
    ],
    [7, 3],
  )
  // argmax per row: 0, 1, 2, 0, 0 (first of a tie), 2, 1
  const y = Int32Array.from([0, 1, 1, 0, 0, 2, 2])
  const data = { XTrain: X, yTrain: y, XVal: X, yVal: y }

  it('is the fraction of rows whose top score is the label, over any batch size', () => {
    const solver = new Solver(model(), data)
    for (const bs of [1, 2, 3, 7, 100]) expect(solver.checkAccuracy(X, y, null, bs)).toBeCloseTo(5 / 7, 15)
  })

  it('subsamples numSamples rows when there are more', () => {
    const solver = new Solver(model(), data, { seed: 9 })
    const acc = solver.checkAccuracy(X, y, 4)
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(acc)
    expect(solver.checkAccuracy(X, y, 7)).toBeCloseTo(5 / 7, 15)
  })

  it('rejects bad arguments', () => {
    const solver = new Solver(model(), data)
    expect(() => solver.checkAccuracy(astype(X, 'float64'), y)).toThrow(
      /checkAccuracy: X is float64 but the model is float32/,
    )
    expect(() => solver.checkAccuracy(X, y.subarray(1))).toThrow(
      /checkAccuracy: y must be an Int32Array with one label per row/,
    )
    expect(() => solver.checkAccuracy(X, y, 0)).toThrow(
      /checkAccuracy: numSamples must be a positive integer, got 0/,
    )
    expect(() => solver.checkAccuracy(X, y, null, 2.5)).toThrow(
      /checkAccuracy: batchSize must be a positive integer/,
    )
  })
})

describe('Solver: validation', () => {
  const make =
    (options: unknown, data: SolverData = makeData(), model: Model = new SoftmaxLinear(8, 3)) =>
    () =>
      new Solver(model, data, options as SolverOptions)

  it('rejects unknown option keys, naming the key', () => {
    expect(make({ batch_size: 10 })).toThrow(
      /Solver: unknown option 'batch_size' \(did you mean 'batchSize'\?\)/,
    )
    expect(make({ epochs: 10 })).toThrow(/Solver: unknown option 'epochs'; expected one of updateRule, /)
  })

  it('rejects bad option values, naming the option and value', () => {
    expect(make({ batchSize: 0 })).toThrow(/Solver: batchSize must be a positive integer, got 0/)
    expect(make({ batchSize: 2.5 })).toThrow(/Solver: batchSize must be a positive integer, got 2.5/)
    expect(make({ numEpochs: 0 })).toThrow(/Solver: numEpochs must be a positive integer, got 0/)
    expect(make({ lrDecay: 0 })).toThrow(/Solver: lrDecay must be a number in \(0, 1\], got 0/)
    expect(make({ lrDecay: NaN })).toThrow(/Solver: lrDecay .* got NaN/)
    expect(make({ lrDecay: 95 })).toThrow(/Solver: lrDecay .* got 95/)
    expect(make({ printEvery: -1 })).toThrow(/Solver: printEvery must be a positive integer, got -1/)
    expect(make({ numTrainSamples: 0 })).toThrow(
      /Solver: numTrainSamples \(or null for all\) must be a positive/,
    )
    expect(make({ verbose: 'yes' })).toThrow(/Solver: verbose must be a boolean, got yes/)
    expect(make({ seed: -1 })).toThrow(/Solver: seed must be an integer in \[0, 2\^32\), got -1/)
    expect(make({ onEvent: 'log' })).toThrow(/Solver: onEvent must be a function/)
    expect(make({ signal: {} })).toThrow(/Solver: signal must be an AbortSignal/)
  })

  it('rejects unknown update rules and bad optimConfig before training', () => {
    expect(make({ updateRule: 'sgd_momentum' })).toThrow(
      new RegExp(
        `^Solver: unknown updateRule "sgd_momentum" \\(did you mean 'sgdMomentum'\\?\\); ` +
          'expected one of sgd, sgdMomentum, rmsprop, adam or an update function$',
      ),
    )
    expect(make({ updateRule: 'toString' })).toThrow(/unknown updateRule "toString"/)
    expect(make({ updateRule: 3 })).toThrow(/unknown updateRule 3/)
    expect(make({ optimConfig: { learning_rate: 1 } })).toThrow(
      /Solver: unknown optimConfig key 'learning_rate' for updateRule 'sgd'; expected one of learningRate/,
    )
    expect(make({ updateRule: 'sgd', optimConfig: { momentum: 0.9 } })).toThrow(
      /unknown optimConfig key 'momentum'/,
    )
    expect(make({ optimConfig: { learningRate: -1 } })).toThrow(
      /Solver: optimConfig.learningRate must be .* got -1/,
    )
    // A custom rule's config keys are its own business.
    expect(make({ updateRule: sgd, optimConfig: { anything: 1 } })).not.toThrow()
  })

  it('rejects data that does not fit the model', () => {
    const good = makeData()
    expect(make({}, { ...good, XTrain: astype(good.XTrain as Tensor, 'float64') })).toThrow(
      /Solver: data.XTrain is float64 but the model is float32; convert it with astype\(XTrain, 'float32'\)/,
    )
    expect(make({}, { ...good, XVal: zeros([30, 9]) })).toThrow(
      /Solver: data.XTrain \(50, 8\) and data.XVal \(30, 9\) must agree in every dimension after the first/,
    )
    expect(make({}, { ...good, yTrain: good.yTrain.subarray(1) })).toThrow(
      /Solver: data.yTrain has 49 labels for the 50 rows of data.XTrain/,
    )
    const negative = Int32Array.from(good.yVal)
    negative[4] = -1
    expect(make({}, { ...good, yVal: negative })).toThrow(/Solver: data.yVal\[4\] = -1; labels must be >= 0/)
    expect(make({}, { ...good, yVal: Array.from(good.yVal) as never })).toThrow(
      /data.yVal must be an Int32Array/,
    )
    const nan = zeros([50, 8])
    nan.data[17] = NaN
    expect(make({}, { ...good, XTrain: nan })).toThrow(
      /Solver: data.XTrain contains NaN at flat index 17 \(row 2\)/,
    )
    expect(make({}, { ...good, XVal: zeros([0, 8]) })).toThrow(/Solver: data.XVal \(0, 8\) has no data/)
    expect(make({}, { ...good, XVal: zeros([30]) })).toThrow(/data.XVal must have at least 2 dimensions/)
    expect(make({}, { ...good, XTest: good.XVal, yTest: good.yVal } as never)).not.toThrow()
    const { XTrain, ...rest } = good
    expect(make({}, { ...rest, X_train: XTrain } as never)).toThrow(
      /Solver: data.XTrain is missing \(found 'X_train': keys are camelCase here\)/,
    )
  })

  it('rejects models whose parameters do not match their dtype', () => {
    const model = new SoftmaxLinear(8, 3)
    model.params.b = zeros([3], 'float64')
    expect(make({}, makeData(), model)).toThrow(
      /Solver: model.params.b is float64 but model.dtype is float32/,
    )
    model.params = {}
    expect(make({}, makeData(), model)).toThrow(/model.params must hold at least one parameter tensor/)
  })
})
