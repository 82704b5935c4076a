// Real runs: the engine trains small nets on the embedded Fashion-MNIST subset, each broken in one of
// CS231n's ways, and the diagnosis must name the way. Each run takes well under 2 s.
import { beforeAll, describe, expect, it } from 'vitest'
import { loadDataset } from '../src-worker/data/load'
import { EMBEDDED_DIR } from '../src-worker/data/make-embedded'
import { prepareData, type SplitSizes } from '../src-worker/data/prepare'
import type { RawDataset } from '../src-worker/data/types'
import {
  DivergenceError,
  Solver,
  TwoLayerNet,
  type SolverEvent,
  type TwoLayerNetOptions,
} from '../src-worker/engine'
import { diagnose, type DiagnoseInput, type EpochPoint, type LossPoint } from './diagnose'

let raw: RawDataset
beforeAll(async () => {
  raw = await loadDataset(EMBEDDED_DIR)
})

interface RealRun {
  sizes?: Partial<SplitSizes>
  model?: TwoLayerNetOptions
  learningRate: number
  numEpochs?: number
  batchSize?: number
}

/** Trains as src-worker/train.ts does and returns what a finished run's record and metrics hold. */
function train({
  sizes = {},
  model = {},
  learningRate,
  numEpochs = 8,
  batchSize = 50,
}: RealRun): DiagnoseInput {
  const data = prepareData(raw, { numTraining: 2000, numValidation: 500, numTest: 10, ...sizes })
  const losses: LossPoint[] = []
  const epochs: EpochPoint[] = []
  const onEvent = (e: SolverEvent): void => {
    if (e.type === 'iteration') losses.push({ iteration: e.iteration, loss: e.loss })
    else epochs.push({ epoch: e.epoch, trainAcc: e.trainAcc, valAcc: e.valAcc, lr: e.lr })
  }
  const net = new TwoLayerNet({ inputDim: 784, hiddenDim: 50, seed: 1, ...model })
  const solver = new Solver(net, data, {
    optimConfig: { learningRate },
    numEpochs,
    batchSize,
    seed: 2,
    onEvent,
  })
  const base = { losses, epochs, numClasses: raw.classNames.length }
  try {
    solver.train()
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e
    return { ...base, status: 'failed', error: { reason: 'diverged', iteration: e.iteration } }
  }
  return { ...base, status: 'completed' }
}

describe('diagnose: real runs on the embedded Fashion-MNIST subset', () => {
  it('learning rate 1e-7: too low', () => {
    const run = train({ learningRate: 1e-7 })
    const d = diagnose(run)
    expect(d.map((x) => x.kind)).toEqual(['lr-too-low'])
    expect(d[0]!.evidence['learningRate']).toBe(1e-7)
    expect(d[0]!.evidence['initialLoss']).toBeCloseTo(Math.log(10), 1)
  })

  it('learning rate 1e-2 (ten times the working one): diverges, and explodes before it does', () => {
    const run = train({ learningRate: 1e-2 })
    expect(run.status).toBe('failed')
    const d = diagnose(run)
    expect(d.map((x) => x.kind)).toEqual(['diverged'])
    expect(d[0]!.evidence['iteration']).toBe(run.error!.iteration)
    // Watching live, before the failure: the exploding loss alone already says so.
    const live = diagnose({ ...run, status: 'running', error: null })
    expect(live.map((x) => [x.kind, x.severity])).toEqual([['lr-too-high', 'error']])
  })

  it('a two-unit hidden layer with reg 10: underfits', () => {
    const d = diagnose(train({ learningRate: 1e-3, model: { hiddenDim: 2, reg: 10 } }))
    expect(d.map((x) => x.kind)).toEqual(['underfitting'])
    expect(d[0]!.evidence['trainAcc']).toBeLessThan(0.5)
  })

  it('50 training images for 40 epochs: overfits', () => {
    const d = diagnose(
      train({
        learningRate: 1e-3,
        sizes: { numTraining: 50 },
        model: { hiddenDim: 100 },
        numEpochs: 40,
        batchSize: 25,
      }),
    )
    expect(d.map((x) => x.kind)).toEqual(['overfitting'])
    expect(d[0]!.evidence['trainAcc']).toBeGreaterThan(0.9)
    expect(d[0]!.evidence['gap']).toBeGreaterThan(0.2)
  })

  it("the seed's settings (learning rate 1e-3): healthy", () => {
    const d = diagnose(train({ learningRate: 1e-3 }))
    expect(d.map((x) => x.kind)).toEqual(['healthy'])
  })
})
