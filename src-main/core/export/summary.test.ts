import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import type { RunRecord } from '../../../src-shared/runs'
import { summaryFile } from './files'
import { parseCsv } from './metrics'
import { summaryCsv, summaryJson, summaryTable, type SummaryJson } from './summary'

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0)
const iso = (ms: number) => new Date(T0 + ms).toISOString()

const completed: RunRecord = {
  id: '20261201-120000-aaaaaa',
  config: RunConfigSchema.parse({
    name: 'seed run',
    dataset: { name: 'fashion-mnist-small' },
    model: { kind: 'two-layer', hiddenDim: 50 },
    solver: { optimConfig: { learningRate: 1e-3 } },
    seed: 1,
  }),
  status: 'completed',
  sweepId: null,
  createdAt: iso(0),
  startedAt: iso(1000),
  finishedAt: iso(3_700_000),
  progress: { iteration: 5400, numIterations: 5400, epoch: 10, numEpochs: 10 },
  result: {
    bestValAcc: 0.851,
    finalTrainAcc: 0.9,
    finalValAcc: 0.84,
    valAcc: 0.851,
    testAcc: 0.83,
    confusion: [],
    classNames: [],
  },
  error: null,
  environment: null,
  checkpointEpoch: 10,
  // Killed once and resumed an hour later: 20 s of training in all.
  activeMs: 20_000,
  attemptStartedAt: null,
  updatedAt: iso(3_700_000),
}

const diverged: RunRecord = {
  id: '20261201-120100-bbbbbb',
  config: RunConfigSchema.parse({
    name: '=too hot',
    tags: ['seed', 'sweep:x'],
    dataset: { name: 'fashion-mnist-small', numTraining: 5000 },
    model: { kind: 'fc', hiddenDims: [100, 50], normalization: 'batchnorm' },
    solver: { updateRule: 'adam', optimConfig: { learningRate: 10, beta1: 0.8 } },
    seed: 2,
  }),
  status: 'failed',
  sweepId: 'sweep-x',
  createdAt: iso(60_000),
  startedAt: iso(61_000),
  finishedAt: iso(61_500),
  progress: { iteration: 3, numIterations: 500, epoch: 0, numEpochs: 10 },
  result: null,
  error: {
    reason: 'diverged',
    message: 'Solver: loss diverged at iteration 4: the loss became "infinite", scores too large',
    iteration: 4,
  },
  environment: null,
  checkpointEpoch: 0,
  activeMs: 500,
  attemptStartedAt: null,
  updatedAt: iso(61_500),
}

/** Every leaf of both configs, those that differ and those that do not; the name is run_name. */
const CONFIG_COLUMNS = [
  'version',
  'tags',
  'notes',
  'dataset.name',
  'dataset.numTraining',
  'model.kind',
  'model.hiddenDims',
  'model.normalization',
  'model.dropoutKeepRatio',
  'model.hiddenDim',
  'model.weightScale',
  'model.reg',
  'solver.updateRule',
  'solver.optimConfig.learningRate',
  'solver.optimConfig.beta1',
  'solver.lrDecay',
  'solver.batchSize',
  'solver.numEpochs',
  'solver.numTrainSamples',
  'solver.numValSamples',
  'seed',
]
const COLUMNS = [
  'run_id',
  'run_name',
  'status',
  'sweep_id',
  'created_at',
  'started_at',
  'finished_at',
  ...CONFIG_COLUMNS,
  'best_val_acc',
  'final_train_acc',
  'final_val_acc',
  'val_acc',
  'test_acc',
  'iterations',
  'planned_iterations',
  'epochs',
  'planned_epochs',
  'duration_s',
  'it_per_s',
  'error_reason',
  'error_iteration',
  'error_message',
]

describe('the summary export', () => {
  it('has a column per config leaf path of any run, whether it differs or not, then results and timing', () => {
    expect(summaryTable([completed, diverged], T0).columns).toEqual(COLUMNS)
    // One run alone: only its own paths.
    expect(summaryTable([completed], T0).columns).toEqual(
      COLUMNS.filter(
        (c) =>
          ![
            'dataset.numTraining',
            'model.hiddenDims',
            'model.normalization',
            'model.dropoutKeepRatio',
            'solver.optimConfig.beta1',
          ].includes(c),
      ),
    )
  })

  it('CSV: a row per run, every value as written, empty where a run has none', () => {
    const [header, a, b, ...rest] = parseCsv(summaryCsv(summaryTable([completed, diverged], T0)))
    expect(rest).toEqual([])
    expect(header).toEqual(COLUMNS)
    const row = (r: string[]) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]]))
    expect(row(a!)).toEqual({
      run_id: completed.id,
      run_name: 'seed run',
      status: 'completed',
      sweep_id: '',
      created_at: '2026-12-01T12:00:00.000Z',
      started_at: '2026-12-01T12:00:01.000Z',
      finished_at: '2026-12-01T13:01:40.000Z',
      version: '1',
      tags: '[]',
      notes: '',
      'dataset.name': 'fashion-mnist-small',
      'dataset.numTraining': '',
      'model.kind': 'two-layer',
      'model.hiddenDims': '',
      'model.normalization': '',
      'model.dropoutKeepRatio': '',
      'model.hiddenDim': '50',
      'model.weightScale': '0.001',
      'model.reg': '0',
      'solver.updateRule': 'sgd',
      'solver.optimConfig.learningRate': '0.001',
      'solver.optimConfig.beta1': '',
      'solver.lrDecay': '1',
      'solver.batchSize': '100',
      'solver.numEpochs': '10',
      'solver.numTrainSamples': '1000',
      'solver.numValSamples': '',
      seed: '1',
      best_val_acc: '0.851',
      final_train_acc: '0.9',
      final_val_acc: '0.84',
      val_acc: '0.851',
      test_acc: '0.83',
      iterations: '5400',
      planned_iterations: '5400',
      epochs: '10',
      planned_epochs: '10',
      // 20 s of training: the hour between the kill and the resume is not counted.
      duration_s: '20',
      it_per_s: '270',
      error_reason: '',
      error_iteration: '',
      error_message: '',
    })
    expect(row(b!)).toMatchObject({
      run_id: diverged.id,
      // A name a spreadsheet would run as a formula is defused.
      run_name: "'=too hot",
      status: 'failed',
      sweep_id: 'sweep-x',
      tags: '["seed","sweep:x"]',
      'dataset.numTraining': '5000',
      'model.kind': 'fc',
      'model.hiddenDims': '[100,50]',
      'model.normalization': 'batchnorm',
      'model.hiddenDim': '',
      'solver.updateRule': 'adam',
      'solver.optimConfig.learningRate': '10',
      'solver.optimConfig.beta1': '0.8',
      best_val_acc: '',
      iterations: '3',
      planned_iterations: '500',
      duration_s: '0.5',
      it_per_s: '6',
      error_reason: 'diverged',
      error_iteration: '4',
      error_message: diverged.error!.message,
    })
  })

  it('JSON: the columns, what the runs varied, and a row object per run with arrays and nulls as such', () => {
    const doc = JSON.parse(summaryJson(summaryTable([completed, diverged], T0))) as SummaryJson
    expect(doc.version).toBe(1)
    expect(doc.columns).toEqual(COLUMNS)
    expect(doc.runs.map((r) => Object.keys(r))).toEqual([COLUMNS, COLUMNS])
    expect(doc.runs[0]).toMatchObject({
      'model.hiddenDims': null,
      'model.hiddenDim': 50,
      tags: [],
      it_per_s: 270,
      duration_s: 20,
      best_val_acc: 0.851,
      error_reason: null,
    })
    expect(doc.runs[1]).toMatchObject({
      'model.hiddenDims': [100, 50],
      tags: ['seed', 'sweep:x'],
      error_iteration: 4,
      run_name: '=too hot',
    })
    // What differs between the two (names, notes and tags are not hyperparameters), not what is equal.
    expect(doc.varied).toEqual([
      'dataset.numTraining',
      'model.dropoutKeepRatio',
      'model.hiddenDim',
      'model.hiddenDims',
      'model.kind',
      'model.normalization',
      'model.weightScale',
      'seed',
      'solver.optimConfig.beta1',
      'solver.optimConfig.learningRate',
      'solver.updateRule',
    ])
  })

  it('times a run still training up to now, and has no rate before its first iteration', () => {
    const running: RunRecord = {
      ...completed,
      id: '20261201-120200-cccccc',
      status: 'running',
      finishedAt: null,
      result: null,
      activeMs: 10_000,
      attemptStartedAt: iso(100_000),
      progress: { iteration: 3000, numIterations: 5400, epoch: 5, numEpochs: 10 },
    }
    const queued: RunRecord = {
      ...completed,
      id: '20261201-120300-dddddd',
      status: 'queued',
      startedAt: null,
      finishedAt: null,
      result: null,
      activeMs: 0,
      progress: { iteration: 0, numIterations: 5400, epoch: 0, numEpochs: 10 },
    }
    const { rows, columns } = summaryTable([running, queued], T0 + 110_000)
    const at = (r: number, c: string) => rows[r]![columns.indexOf(c)]
    expect([at(0, 'duration_s'), at(0, 'it_per_s')]).toEqual([20, 150])
    expect([at(1, 'duration_s'), at(1, 'it_per_s')]).toEqual([null, null])
  })

  it('is named apart from the metrics export of the same runs', () => {
    expect(summaryFile([completed], 'summary-csv', T0)).toMatchObject({
      fileName: `seed-run-${completed.id}.summary.csv`,
      mime: 'text/csv; charset=utf-8',
    })
    expect(summaryFile([completed, diverged], 'summary-json', T0)).toMatchObject({
      fileName: 'workbench-2-runs.summary.json',
      mime: 'application/json',
    })
  })
})
