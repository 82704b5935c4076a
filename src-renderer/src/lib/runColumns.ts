/**
 * The experiments table's columns: the fixed ones (name, status, the usual hyperparameters and results)
 * and one for every other field of the run config, read from its schema through lib/sweepFields.ts (a
 * field added to the schema becomes a column without a hand-kept list). Each column says what it sorts
 * by, which way its first click sorts (accuracies and speed best first), and how its cells read.
 */
import type { RunRecord } from '../../../src-shared/runs'
import { RUN_STATUSES } from '../../../src-shared/runs'
import { averageRate } from '../../../src-shared/trainingRate'
import { modelSummary, runDurationMs } from './format'
import { SWEEP_FIELDS } from './sweepFields'

export type SortDir = 'asc' | 'desc'
export type CellValue = number | string | null

/** How a cell reads: a component of its own (name, status …) or a number format. */
export type CellKind =
  | 'name'
  | 'status'
  | 'model'
  | 'tags'
  | 'text'
  | 'hyper'
  | 'int'
  | 'percent'
  | 'duration'
  | 'rate'
  | 'date'
  | 'list'
  | 'choice'

export interface ColumnDef {
  /** Stable: what a saved view stores. Config columns are `config:<dotted path>`. */
  key: string
  group: 'run' | 'results' | 'config'
  kind: CellKind
  numeric: boolean
  /** The first click's direction: best first for accuracies and speed, A to Z and small first elsewhere. */
  firstDir: SortDir
  /** What the column sorts by; null for an empty cell (sorted last either way). */
  value: (run: RunRecord, now: number) => CellValue
  /** The config path, for config columns (its label is the config form's). */
  path?: string
  /** The value changes with the clock (a running run's duration). */
  usesNow?: boolean
}

const acc =
  (pick: (r: NonNullable<RunRecord['result']>) => number | null | undefined) =>
  (r: RunRecord): number | null =>
    r.result ? (pick(r.result) ?? null) : null

/** A model's summary, the model column's sort key, made once per model object (records are replaced, not edited). */
const summaries = new WeakMap<object, string>()
function summaryOf(model: RunRecord['config']['model']): string {
  let s = summaries.get(model)
  if (s === undefined) summaries.set(model, (s = modelSummary(model)))
  return s
}

const FIXED: ColumnDef[] = [
  { key: 'name', group: 'run', kind: 'name', numeric: false, firstDir: 'asc', value: (r) => r.config.name },
  {
    key: 'status',
    group: 'run',
    kind: 'status',
    numeric: false,
    firstDir: 'asc',
    value: (r) => RUN_STATUSES.indexOf(r.status),
  },
  {
    key: 'dataset',
    group: 'run',
    kind: 'text',
    numeric: false,
    firstDir: 'asc',
    value: (r) => r.config.dataset.name,
  },
  {
    key: 'model',
    group: 'run',
    kind: 'model',
    numeric: false,
    firstDir: 'asc',
    value: (r) => summaryOf(r.config.model),
  },
  {
    key: 'lr',
    group: 'config',
    kind: 'hyper',
    numeric: true,
    firstDir: 'asc',
    path: 'solver.optimConfig.learningRate',
    value: (r) => r.config.solver.optimConfig.learningRate,
  },
  {
    key: 'reg',
    group: 'config',
    kind: 'hyper',
    numeric: true,
    firstDir: 'asc',
    path: 'model.reg',
    value: (r) => r.config.model.reg,
  },
  {
    key: 'batch',
    group: 'config',
    kind: 'int',
    numeric: true,
    firstDir: 'asc',
    path: 'solver.batchSize',
    value: (r) => r.config.solver.batchSize,
  },
  {
    key: 'epochs',
    group: 'config',
    kind: 'int',
    numeric: true,
    firstDir: 'asc',
    path: 'solver.numEpochs',
    value: (r) => r.config.solver.numEpochs,
  },
  {
    key: 'bestVal',
    group: 'results',
    kind: 'percent',
    numeric: true,
    firstDir: 'desc',
    value: acc((x) => x.bestValAcc),
  },
  {
    key: 'finalVal',
    group: 'results',
    kind: 'percent',
    numeric: true,
    firstDir: 'desc',
    value: acc((x) => x.finalValAcc),
  },
  {
    key: 'finalTrain',
    group: 'results',
    kind: 'percent',
    numeric: true,
    firstDir: 'desc',
    value: acc((x) => x.finalTrainAcc),
  },
  {
    key: 'test',
    group: 'results',
    kind: 'percent',
    numeric: true,
    firstDir: 'desc',
    value: acc((x) => x.testAcc),
  },
  {
    key: 'duration',
    group: 'results',
    kind: 'duration',
    numeric: true,
    firstDir: 'asc',
    usesNow: true,
    value: (r, now) => runDurationMs(r, now),
  },
  {
    key: 'speed',
    group: 'results',
    kind: 'rate',
    numeric: true,
    firstDir: 'desc',
    usesNow: true,
    value: (r, now) => averageRate(r, now),
  },
  {
    key: 'tags',
    group: 'results',
    kind: 'tags',
    numeric: false,
    firstDir: 'asc',
    value: (r) => (r.config.tags.length > 0 ? r.config.tags.join(', ') : null),
  },
  {
    key: 'notes',
    group: 'results',
    kind: 'text',
    numeric: false,
    firstDir: 'asc',
    value: (r) => (r.config.notes.trim() ? r.config.notes.trim() : null),
  },
  {
    key: 'created',
    group: 'run',
    kind: 'date',
    numeric: false,
    firstDir: 'desc',
    value: (r) => r.createdAt,
  },
]

const FIXED_PATHS = new Set(FIXED.flatMap((c) => (c.path ? [c.path] : [])))

function configValue(path: string): (run: RunRecord) => CellValue {
  const keys = path.split('.')
  return (run) => {
    let v: unknown = run.config
    for (const k of keys) {
      if (typeof v !== 'object' || v === null || !(k in v)) return null
      v = (v as Record<string, unknown>)[k]
    }
    if (typeof v === 'number' || typeof v === 'string') return v
    // A list (fc hidden sizes) sorts as its text, numerically: 50-50 before 100-100.
    if (Array.isArray(v)) return v.join('-')
    return null
  }
}

/** Every config field the fixed columns do not show, as a column of its own. */
const CONFIG: ColumnDef[] = SWEEP_FIELDS.filter((f) => !FIXED_PATHS.has(f.path)).map((f) => ({
  key: `config:${f.path}`,
  group: 'config',
  kind: f.type.kind === 'choice' ? 'choice' : f.type.kind === 'numberList' ? 'list' : 'hyper',
  numeric: f.type.kind === 'number',
  firstDir: 'asc',
  path: f.path,
  value: configValue(f.path),
}))

export const COLUMNS: readonly ColumnDef[] = [...FIXED, ...CONFIG]
const BY_KEY = new Map(COLUMNS.map((c) => [c.key, c]))

export function column(key: string): ColumnDef | null {
  return BY_KEY.get(key) ?? null
}

/** What the table showed before it had a chooser: the default view. */
export const DEFAULT_COLUMNS: readonly string[] = [
  'status',
  'dataset',
  'model',
  'lr',
  'reg',
  'batch',
  'epochs',
  'bestVal',
  'finalVal',
  'test',
  'duration',
]

/** The name column is always first: it carries the row's link and checkbox label. */
export const ALWAYS_SHOWN = 'name'
