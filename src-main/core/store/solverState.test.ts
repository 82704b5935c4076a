import { describe, expect, it } from 'vitest'
import { FullyConnectedNet } from '../../../src-worker/engine/models/fcNet'
import { Rng } from '../../../src-worker/engine/rng'
import { Solver } from '../../../src-worker/engine/solver'
import { zeros } from '../../../src-worker/engine/tensor'
import { SolverStateSchema } from './solverState'

function solver(updateRule: 'adam' | 'sgd') {
  const rng = new Rng(8)
  const X = zeros([60, 10], 'float32')
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal()
  const y = Int32Array.from({ length: 60 }, () => rng.int(3))
  const model = new FullyConnectedNet({
    hiddenDims: [8],
    inputDim: 10,
    numClasses: 3,
    dropoutKeepRatio: 0.5,
    seed: 2,
  })
  return new Solver(
    model,
    { XTrain: X, yTrain: y, XVal: X, yVal: y },
    { updateRule, batchSize: 20, numEpochs: 2, seed: 4 },
  )
}

describe('SolverStateSchema', () => {
  it("accepts the engine's checkpoint state after a trip through JSON, and gives it back unchanged", () => {
    for (const rule of ['adam', 'sgd'] as const) {
      const s = solver(rule)
      s.train()
      const state = s.checkpoint().state
      const stored = JSON.parse(JSON.stringify(state)) as unknown
      const r = SolverStateSchema.safeParse(stored)
      expect(r.success && r.data).toEqual(state)
    }
  })

  it('reads a NaN loss (stored as null) back as NaN, and refuses what the engine could not restore', () => {
    const s = solver('sgd')
    s.train()
    const stored = JSON.parse(JSON.stringify(s.checkpoint().state)) as Record<string, unknown>
    const withNull = { ...stored, lossHistory: [2.3, null] }
    expect(SolverStateSchema.parse(withNull).lossHistory).toEqual([2.3, NaN])
    const bad: [string, Record<string, unknown>][] = [
      ['version', { ...stored, version: 2 }],
      ['iteration', { ...stored, iteration: -4 }],
      ['rng.s', { ...stored, rng: { s: [1, 2, 3], spare: null } }],
      ['optim.W1.learningRate', { ...stored, optim: { W1: { learningRate: 'fast' } } }],
      ['trainAccHistory', { ...stored, trainAccHistory: 'x' }],
    ]
    for (const [path, value] of bad) {
      const r = SolverStateSchema.safeParse(value)
      expect(r.success, path).toBe(false)
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain(path)
    }
  })
})
