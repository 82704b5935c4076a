// End to end through the public entry: the real models trained by the Solver, as a CS231n student would.
import { describe, expect, it } from 'vitest'
import { FullyConnectedNet, Rng, Solver, TwoLayerNet, zeros, type Tensor } from './index'

/** 50 CIFAR-shaped examples with random labels: only memorisation can fit them. */
function smallData(n = 50): { XTrain: Tensor; yTrain: Int32Array; XVal: Tensor; yVal: Int32Array } {
  const rng = new Rng(123)
  const X = zeros([n, 3, 32, 32], 'float32')
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal()
  const y = new Int32Array(n).map(() => rng.int(10))
  return { XTrain: X, yTrain: y, XVal: X, yVal: y }
}

describe('training the real models', () => {
  it('TwoLayerNet overfits 50 examples to 100% train accuracy', () => {
    const data = smallData()
    const model = new TwoLayerNet({ weightScale: 1e-2, seed: 1 })
    const solver = new Solver(model, data, {
      updateRule: 'sgd',
      // Unit-variance inputs (not raw pixels) need a larger step than CS231n's 1e-3 on pixel values.
      optimConfig: { learningRate: 1e-1 },
      batchSize: 25,
      numEpochs: 20,
      seed: 2,
    })
    solver.train()
    expect(solver.trainAccHistory.at(-1)).toBe(1)
    expect(solver.checkAccuracy(data.XTrain, data.yTrain)).toBe(1)
    expect(solver.lossHistory.at(-1)!).toBeLessThan(solver.lossHistory[0]! / 10)
  })

  it('a three-layer FullyConnectedNet with batchnorm overfits 50 examples with adam', () => {
    const data = smallData()
    const model = new FullyConnectedNet({ hiddenDims: [100, 100], normalization: 'batchnorm', seed: 3 })
    const solver = new Solver(model, data, {
      updateRule: 'adam',
      optimConfig: { learningRate: 1e-3 },
      batchSize: 25,
      numEpochs: 20,
      seed: 4,
    })
    solver.train()
    expect(solver.bestValAcc).toBe(1)
  })

  it('the same seeds give the same loss history bit for bit, dropout included', () => {
    const run = (solverSeed: number): number[] => {
      const model = new FullyConnectedNet({ hiddenDims: [64], dropoutKeepRatio: 0.5, seed: 5 })
      const solver = new Solver(model, smallData(), {
        updateRule: 'sgdMomentum',
        optimConfig: { learningRate: 1e-2 },
        batchSize: 10,
        numEpochs: 3,
        seed: solverSeed,
      })
      solver.train()
      return solver.lossHistory
    }
    const a = run(9)
    expect(run(9)).toEqual(a)
    expect(run(10)).not.toEqual(a)
  })

  it('restores the best parameters after train()', () => {
    const data = smallData()
    const model = new TwoLayerNet({ weightScale: 1e-2, seed: 1 })
    const solver = new Solver(model, data, {
      optimConfig: { learningRate: 1e-2 },
      batchSize: 25,
      numEpochs: 5,
      seed: 2,
    })
    solver.train()
    expect(solver.checkAccuracy(data.XVal, data.yVal)).toBe(solver.bestValAcc)
    expect(model.params['W1']!.data).toEqual(solver.bestParams['W1']!.data)
  })
})
