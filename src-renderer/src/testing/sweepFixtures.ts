/** A coarse random search as tests need it: the seed's spec, runs that used given values, the API's answer. */
import type { Methods, SweepRecord } from '../../../src-shared/contract'
import type { RunRecord, RunResult } from '../../../src-shared/runs'
import { SweepSpecSchema, type SweepSpec } from '../../../src-shared/sweep'
import { makeRun } from './fakeApi'

export const LR = 'solver.optimConfig.learningRate'

/** examples/seed-random-search.json's shape: two log ranges and two choices. */
export function seedSweepSpec(): SweepSpec {
  return SweepSpecSchema.parse({
    name: 'coarse',
    method: 'random',
    samples: 8,
    seed: 231,
    base: {
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', weightScale: 0.001 },
      solver: { updateRule: 'sgd', lrDecay: 0.95, batchSize: 100 },
    },
    params: {
      'model.hiddenDim': { values: [50, 100, 150, 200] },
      [LR]: { min: 1e-4, max: 5e-3, scale: 'log' },
      'solver.numEpochs': { values: [5, 10] },
      'model.reg': { min: 1e-3, max: 1, scale: 'log' },
    },
  })
}

export function result(bestValAcc: number, testAcc = bestValAcc - 0.01): RunResult {
  return {
    bestValAcc,
    finalTrainAcc: 0,
    finalValAcc: 0,
    valAcc: bestValAcc,
    testAcc,
    confusion: [],
    classNames: [],
  }
}

export interface SweepRunValues {
  hidden: number
  lr: number
  epochs: number
  reg: number
}

/** A run of sweep `sweepId` that used these values; `acc` null leaves it without a result (queued). */
export function sweepRun(
  sweepId: string,
  v: SweepRunValues,
  acc: number | null,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return makeRun({
    sweepId,
    status: acc === null ? 'queued' : 'completed',
    result: acc === null ? null : result(acc),
    config: {
      name: `coarse h=${v.hidden} lr=${v.lr}`,
      tags: ['sweep:coarse'],
      model: { kind: 'two-layer', hiddenDim: v.hidden, weightScale: 0.001, reg: v.reg },
      solver: {
        updateRule: 'sgd',
        lrDecay: 0.95,
        batchSize: 100,
        numEpochs: v.epochs,
        optimConfig: { learningRate: v.lr },
      },
    },
    ...extra,
  })
}

/**
 * Six runs: the best used the top of the learning-rate range (an edge), one is still queued. Ranked:
 * b (0.86), a (0.80), d (0.74), c (0.62), e (0.41).
 */
export function seedSweep(sweepId = 'sw-1'): Methods['sweeps.get']['result'] {
  const runs = [
    sweepRun(sweepId, { hidden: 100, lr: 1e-3, epochs: 10, reg: 0.01 }, 0.8),
    sweepRun(sweepId, { hidden: 200, lr: 4.8e-3, epochs: 10, reg: 0.02 }, 0.86),
    sweepRun(sweepId, { hidden: 50, lr: 2e-4, epochs: 5, reg: 0.3 }, 0.62),
    sweepRun(sweepId, { hidden: 150, lr: 2e-3, epochs: 5, reg: 0.05 }, 0.74),
    sweepRun(sweepId, { hidden: 50, lr: 1.2e-4, epochs: 5, reg: 0.9 }, 0.41),
    sweepRun(sweepId, { hidden: 100, lr: 5e-4, epochs: 10, reg: 0.1 }, null),
  ]
  const sweep: SweepRecord = {
    version: 1,
    id: sweepId,
    createdAt: '2026-11-26T12:00:00.000Z',
    spec: seedSweepSpec(),
    runIds: runs.map((r) => r.id),
  }
  return { sweep, runs, corrupt: [] }
}
