// Resuming from a checkpoint must continue a run exactly: same losses, same accuracies, same weights.
import { describe, expect, it } from 'vitest'
import { FullyConnectedNet } from './models/fcNet'
import { Rng } from './rng'
import { Solver, type SolverCheckpoint, type SolverOptions } from './solver'
import { clone, zeros, type Tensor } from './tensor'

function data() {
  const rng = new Rng(8)
  const X = zeros([120, 20], 'float32')
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal()
  const y = Int32Array.from({ length: 120 }, () => rng.int(4))
  return { XTrain: X, yTrain: y, XVal: X, yVal: y }
}

const model = () =>
  new FullyConnectedNet({
    hiddenDims: [16, 12],
    inputDim: 20,
    numClasses: 4,
    normalization: 'batchnorm',
    dropoutKeepRatio: 0.7,
    seed: 3,
  })

/** What a checkpoint looks like after a trip through disk: tensors copied, state through JSON. */
function persisted(c: SolverCheckpoint): SolverCheckpoint {
  const tensors: Record<string, Tensor> = {}
  for (const [k, t] of Object.entries(c.tensors)) tensors[k] = clone(t)
  return { tensors, state: JSON.parse(JSON.stringify(c.state)) as SolverCheckpoint['state'] }
}

describe('Solver checkpoints', () => {
  for (const updateRule of ['adam', 'sgdMomentum', 'rmsprop'] as const) {
    it(`a run resumed from its epoch-2 checkpoint continues exactly (${updateRule}, batchnorm, dropout)`, () => {
      const opts: SolverOptions = {
        updateRule,
        optimConfig: { learningRate: 1e-2 },
        lrDecay: 0.9,
        batchSize: 20,
        numEpochs: 4,
        numTrainSamples: 50,
        seed: 5,
      }
      let saved: SolverCheckpoint | null = null
      const full = new Solver(model(), data(), {
        ...opts,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.epoch === 2) saved = persisted(full.checkpoint())
        },
      })
      full.train()
      expect(saved).not.toBeNull()

      const m = model()
      const resumed = new Solver(m, data(), opts)
      resumed.restore(saved!)
      expect(resumed.iteration).toBe(12)
      resumed.train()
      expect(resumed.lossHistory).toEqual(full.lossHistory)
      expect(resumed.valAccHistory).toEqual(full.valAccHistory)
      expect(resumed.bestValAcc).toBe(full.bestValAcc)
      for (const k of Object.keys(m.params)) expect(m.params[k]!.data, k).toEqual(full.model.params[k]!.data)
      expect(m.bnParams[0]!.runningMean!.data).toEqual(
        (full.model as FullyConnectedNet).bnParams[0]!.runningMean!.data,
      )
    })
  }

  it('names what is missing or mismatched when restoring', () => {
    const s = new Solver(model(), data(), { batchSize: 20, numEpochs: 1, seed: 1 })
    s.train()
    const c = persisted(s.checkpoint())
    delete c.tensors['params.W2']
    expect(() => new Solver(model(), data(), { seed: 1 }).restore(c)).toThrow(/no tensor 'params.W2'/)
    const other = new FullyConnectedNet({
      hiddenDims: [8, 12],
      inputDim: 20,
      numClasses: 4,
      normalization: 'batchnorm',
    })
    expect(() => new Solver(other, data(), { seed: 1 }).restore(persisted(s.checkpoint()))).toThrow(
      /tensor 'params.W1' has 320 values, the model's has 160/,
    )
  })
})

describe('best parameters', () => {
  it('come back with the batchnorm statistics they were scored with', () => {
    const rng = new Rng(3)
    const make = (n: number) => {
      const X = zeros([n, 20], 'float32')
      for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal()
      return { X, y: Int32Array.from({ length: n }, () => rng.int(4)) }
    }
    // Random labels: validation accuracy wanders, so the best epoch is not the last one.
    const train = make(100)
    const val = make(60)
    const m = model()
    let atBest: Float32Array | null = null
    let best = -1
    let bestEpoch = -1
    const solver = new Solver(
      m,
      { XTrain: train.X, yTrain: train.y, XVal: val.X, yVal: val.y },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 5e-2 },
        batchSize: 20,
        numEpochs: 10,
        seed: 2,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.valAcc > best) {
            best = e.valAcc
            bestEpoch = e.epoch
            atBest = Float32Array.from(m.bnParams[0]!.runningMean!.data)
          }
        },
      },
    )
    solver.train()
    expect(bestEpoch).toBeLessThan(10)
    expect([...m.bnParams[0]!.runningMean!.data]).toEqual([...atBest!])
    // Scoring the restored model reproduces the best validation accuracy exactly.
    expect(solver.checkAccuracy(val.X, val.y)).toBe(solver.bestValAcc)
  })
})
