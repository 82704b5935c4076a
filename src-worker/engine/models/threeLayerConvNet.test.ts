import { describe, expect, it } from 'vitest'
import { Arena, withArena } from '../memory'
import { Rng } from '../rng'
import { Solver } from '../solver'
import { reshape } from '../tensor'
import { modelGradErrors, randLabels, randn, values } from '../testing'
import { ThreeLayerConvNet } from './threeLayerConvNet'

describe('ThreeLayerConvNet', () => {
  it('has CS231n-shaped parameters and a loss of about ln(10) at initialisation', () => {
    const model = new ThreeLayerConvNet({ seed: 1 })
    expect(model.params['W1']!.shape).toEqual([32, 3, 7, 7])
    expect(model.params['W2']!.shape).toEqual([32 * 16 * 16, 100])
    expect(model.params['W3']!.shape).toEqual([100, 10])
    expect(model.params['b1']!.shape).toEqual([32])
    expect(model.convParam).toEqual({ stride: 1, pad: 3 })
    const rng = new Rng(2)
    const X = randn(rng, [50, 3, 32, 32], { dtype: 'float32' })
    const y = randLabels(rng, 50, 10)
    const { loss } = model.loss(X, y)
    expect(Math.abs(loss - Math.log(10))).toBeLessThan(1e-3)
    // The regularisation term adds to it.
    const regModel = new ThreeLayerConvNet({ seed: 1, reg: 0.5 })
    expect(regModel.loss(X, y).loss).toBeGreaterThan(loss)
  })

  it('accepts flattened (N, C*H*W) rows as the Solver feeds them, with the same result', () => {
    const model = new ThreeLayerConvNet({
      inputDim: [2, 6, 6],
      numFilters: 3,
      filterSize: 3,
      hiddenDim: 5,
      seed: 4,
    })
    const rng = new Rng(3)
    const X = randn(rng, [4, 2, 6, 6], { dtype: 'float32' })
    const y = randLabels(rng, 4, 10)
    const a = model.loss(X, y)
    const la = a.loss
    const ga = values(a.grads['W1']!)
    const b = model.loss(reshape(X, [4, 72]), y)
    expect(b.loss).toBe(la)
    expect(values(b.grads['W1']!)).toEqual(ga)
    expect(values(model.loss(reshape(X, [4, 72])))).toEqual(values(model.loss(X)))
  })

  it('passes a float64 gradient check on every parameter, with and without regularisation', () => {
    const rng = new Rng(231)
    const X = randn(rng, [2, 3, 6, 6])
    const y = randLabels(rng, 2, 4)
    for (const reg of [0, 0.3]) {
      const model = new ThreeLayerConvNet({
        inputDim: [3, 6, 6],
        numFilters: 3,
        filterSize: 3,
        hiddenDim: 7,
        numClasses: 4,
        weightScale: 0.1,
        reg,
        dtype: 'float64',
        seed: 5,
      })
      const errors = modelGradErrors(model, X, y)
      expect(Object.keys(errors).sort()).toEqual(['W1', 'W2', 'W3', 'b1', 'b2', 'b3'])
      for (const [name, e] of Object.entries(errors)) {
        expect(e.rel, `${name} reg=${reg}`).toBeLessThan(1e-6)
      }
    }
  })

  it('handles even filter sizes and odd image sizes (floor pad and pooling)', () => {
    const model = new ThreeLayerConvNet({
      inputDim: [1, 7, 9],
      numFilters: 2,
      filterSize: 4,
      hiddenDim: 3,
      seed: 1,
    })
    // pad 1: 7 + 2 - 4 + 1 = 6, 9 + 2 - 4 + 1 = 8; pooled (2, 3, 4).
    expect(model.pooledShape).toEqual([2, 3, 4])
    expect(model.params['W2']!.shape).toEqual([24, 3])
    const X = randn(new Rng(1), [3, 63], { dtype: 'float32' })
    expect(model.loss(X).shape).toEqual([3, 10])
  })

  it('overfits a small batch with the Solver (CS231n sanity check)', () => {
    const rng = new Rng(0)
    const N = 50
    const X = randn(rng, [N, 3 * 16 * 16], { dtype: 'float32' })
    const y = randLabels(rng, N, 10)
    const model = new ThreeLayerConvNet({
      inputDim: [3, 16, 16],
      numFilters: 8,
      filterSize: 5,
      hiddenDim: 50,
      weightScale: 1e-2,
      seed: 1,
    })
    const solver = new Solver(
      model,
      { XTrain: X, yTrain: y, XVal: X, yVal: y },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 5e-3 },
        numEpochs: 25,
        batchSize: 25,
        verbose: false,
        seed: 2,
      },
    )
    solver.train()
    expect(solver.trainAccHistory.at(-1)).toBeGreaterThanOrEqual(0.9)
    expect(solver.lossHistory.at(-1)!).toBeLessThan(solver.lossHistory[0]! / 3)
  })

  it('a training step inside an arena allocates nothing after the first', () => {
    const model = new ThreeLayerConvNet({
      inputDim: [3, 8, 8],
      numFilters: 4,
      filterSize: 3,
      hiddenDim: 6,
      reg: 0.1,
      seed: 2,
    })
    const rng = new Rng(5)
    const X = randn(rng, [5, 192], { dtype: 'float32' })
    const y = randLabels(rng, 5, 10)
    const plain = model.loss(X, y).loss
    const arena = new Arena()
    withArena(arena, () => model.loss(X, y))
    const bytes = arena.allocatedBytes
    expect(withArena(arena, () => model.loss(X, y).loss)).toBe(plain)
    expect(arena.allocatedBytes).toBe(bytes)
  })

  it('rejects bad options and inputs by name', () => {
    expect(() => new ThreeLayerConvNet({ inputDim: [3, 32] as never })).toThrow(
      'ThreeLayerConvNet: inputDim must be [C, H, W], got [3,32]',
    )
    expect(() => new ThreeLayerConvNet({ numFilters: 0 })).toThrow(
      'ThreeLayerConvNet: numFilters must be a positive integer, got 0',
    )
    expect(() => new ThreeLayerConvNet({ filterSize: 7, inputDim: [1, 1, 1] })).toThrow(
      'too small for 2x2 pooling',
    )
    expect(() => new ThreeLayerConvNet({ stride: 2 } as never)).toThrow(
      "ThreeLayerConvNet: unknown option 'stride'",
    )
    const model = new ThreeLayerConvNet({ inputDim: [1, 4, 4], numFilters: 1, filterSize: 3, hiddenDim: 2 })
    expect(() => model.loss(randn(new Rng(1), [2, 15], { dtype: 'float32' }))).toThrow(
      'ThreeLayerConvNet.loss: X (2, 15) has 15 values per row, but inputDim is 16',
    )
  })

  it('rejects images whose axes are not (C, H, W) instead of misreading them', () => {
    const model = new ThreeLayerConvNet({ inputDim: [3, 4, 4], numFilters: 1, filterSize: 3, hiddenDim: 2 })
    const rng = new Rng(1)
    // (N, H, W, C) and (N, C, H*W) have the right number of values per row, in the wrong layout.
    expect(() => model.loss(randn(rng, [2, 4, 4, 3], { dtype: 'float32' }))).toThrow(
      'ThreeLayerConvNet.loss: X (2, 4, 4, 3) must be (N, 3, 4, 4) images or (N, 48) rows',
    )
    expect(() => model.loss(randn(rng, [2, 3, 16], { dtype: 'float32' }), Int32Array.from([0, 1]))).toThrow(
      'ThreeLayerConvNet.loss: X (2, 3, 16) must be (N, 3, 4, 4) images or (N, 48) rows',
    )
    expect(model.loss(randn(rng, [2, 3, 4, 4], { dtype: 'float32' })).shape).toEqual([2, 10])
  })
})
