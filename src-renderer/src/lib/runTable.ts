/**
 * The experiments table's logic, kept out of the component so it is tested as plain functions: the
 * columns and their sort keys, and a filter box that mixes free text (name and tags) with numeric
 * conditions such as `lr < 1e-3 best >= 85%`.
 */
import { createdAtOf, isCorrupt, type CorruptRun, type RunListEntry } from '../../../src-shared/corruptRun'
import { RUN_STATUSES, type RunRecord, type RunStatus } from '../../../src-shared/runs'
import { modelSummary, runDurationMs } from './format'

export const COLUMN_KEYS = [
  'name',
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
  'tags',
  'created',
] as const
export type ColumnKey = (typeof COLUMN_KEYS)[number]
export type SortDir = 'asc' | 'desc'

type CellValue = number | string | null

/** What each column sorts by; numbers sort numerically, text case-insensitively, empty cells last. */
export const COLUMN_VALUES: Record<ColumnKey, (run: RunRecord, now: number) => CellValue> = {
  name: (r) => r.config.name,
  status: (r) => RUN_STATUSES.indexOf(r.status),
  dataset: (r) => r.config.dataset.name,
  model: (r) => modelSummary(r.config.model),
  lr: (r) => r.config.solver.optimConfig.learningRate,
  reg: (r) => r.config.model.reg,
  batch: (r) => r.config.solver.batchSize,
  epochs: (r) => r.config.solver.numEpochs,
  bestVal: (r) => r.result?.bestValAcc ?? null,
  finalVal: (r) => r.result?.finalValAcc ?? null,
  test: (r) => r.result?.testAcc ?? null,
  duration: (r, now) => runDurationMs(r, now),
  tags: (r) => (r.config.tags.length > 0 ? r.config.tags.join(', ') : null),
  created: (r) => r.createdAt,
}

function compareCells(a: CellValue, b: CellValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { sensitivity: 'base', numeric: true })
}

/** What a damaged run sorts by: its salvaged name, creation time and status (after every other); else empty. */
function corruptValue(key: ColumnKey, run: CorruptRun): CellValue {
  if (key === 'name') return run.name ?? run.id
  if (key === 'status') return RUN_STATUSES.length
  if (key === 'created') return createdAtOf(run)
  return null
}

/** A sorted copy; ties keep the incoming order (the store's newest-first), empty cells go last either way. */
export function sortRuns<R extends RunListEntry>(
  runs: readonly R[],
  key: ColumnKey,
  dir: SortDir,
  now: number,
): R[] {
  const value = (run: R): CellValue =>
    isCorrupt(run) ? corruptValue(key, run) : COLUMN_VALUES[key](run, now)
  const sign = dir === 'asc' ? 1 : -1
  return runs
    .map((run, i) => ({ run, i, v: value(run) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1
      return sign * compareCells(a.v, b.v) || a.i - b.i
    })
    .map((x) => x.run)
}

// ---- the filter box ----

export type Op = '<' | '<=' | '>' | '>=' | '=' | '!='

export interface Condition {
  field: FilterField
  op: Op
  value: number
}

interface FieldDef {
  value: (run: RunRecord, now: number) => number | null
  /** Accuracies read 85, 85% and 0.85 alike. */
  unit?: 'fraction' | 'seconds'
}

const FILTER_FIELDS = {
  lr: { value: (r) => r.config.solver.optimConfig.learningRate },
  reg: { value: (r) => r.config.model.reg },
  batch: { value: (r) => r.config.solver.batchSize },
  epochs: { value: (r) => r.config.solver.numEpochs },
  decay: { value: (r) => r.config.solver.lrDecay },
  hidden: {
    value: (r) =>
      r.config.model.kind === 'fc' ? (r.config.model.hiddenDims[0] ?? null) : r.config.model.hiddenDim,
  },
  layers: {
    value: (r) =>
      r.config.model.kind === 'fc'
        ? r.config.model.hiddenDims.length + 1
        : r.config.model.kind === 'two-layer'
          ? 2
          : 3,
  },
  seed: { value: (r) => r.config.seed ?? null },
  best: { value: (r) => r.result?.bestValAcc ?? null, unit: 'fraction' },
  val: { value: (r) => r.result?.finalValAcc ?? null, unit: 'fraction' },
  train: { value: (r) => r.result?.finalTrainAcc ?? null, unit: 'fraction' },
  test: { value: (r) => r.result?.testAcc ?? null, unit: 'fraction' },
  progress: {
    value: (r) => (r.progress.numIterations > 0 ? r.progress.iteration / r.progress.numIterations : null),
    unit: 'fraction',
  },
  duration: {
    value: (r, now) => {
      const ms = runDurationMs(r, now)
      return ms === null ? null : ms / 1000
    },
    unit: 'seconds',
  },
} satisfies Record<string, FieldDef>

export type FilterField = keyof typeof FILTER_FIELDS
export const FILTER_FIELD_NAMES = Object.keys(FILTER_FIELDS) as FilterField[]

const ALIASES: Record<string, FilterField> = {
  learningrate: 'lr',
  batchsize: 'batch',
  numepochs: 'epochs',
  bestval: 'best',
  valacc: 'val',
  testacc: 'test',
  trainacc: 'train',
  hiddendim: 'hidden',
}

const CONDITION =
  /([A-Za-z][A-Za-z0-9_.]*)\s*(<=|>=|!=|==|=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(%|ms|s|m|h)?(?=\s|,|$)/gi

export interface ParsedQuery {
  /** Lowercased words that must each appear in the name or a tag. */
  terms: string[]
  conditions: Condition[]
  /** Names used in conditions that are not filter fields. */
  unknownFields: string[]
}

function toUnit(field: FilterField, raw: number, suffix: string): number {
  const unit = (FILTER_FIELDS[field] as FieldDef).unit
  const s = suffix.toLowerCase()
  if (unit === 'fraction') return s === '%' || raw > 1 ? raw / 100 : raw
  if (unit === 'seconds') return s === 'h' ? raw * 3600 : s === 'm' ? raw * 60 : s === 'ms' ? raw / 1000 : raw
  return raw
}

export function parseQuery(query: string): ParsedQuery {
  const conditions: Condition[] = []
  const unknownFields: string[] = []
  const rest = query.replace(CONDITION, (_m, name: string, op: string, num: string, suffix = '') => {
    const key = name.toLowerCase().replace(/[_.]/g, '')
    const field = (key in FILTER_FIELDS ? key : ALIASES[key]) as FilterField | undefined
    if (!field) {
      unknownFields.push(name)
      return ' '
    }
    conditions.push({ field, op: (op === '==' ? '=' : op) as Op, value: toUnit(field, Number(num), suffix) })
    return ' '
  })
  const terms = rest
    .split(/[\s,]+/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean)
  return { terms, conditions, unknownFields }
}

function holds(x: number, op: Op, v: number): boolean {
  // Relative tolerance, so `lr = 1e-3` matches a learning rate stored as 0.0010000000000000002.
  const eq = Math.abs(x - v) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(v))
  switch (op) {
    case '<':
      return x < v && !eq
    case '<=':
      return x < v || eq
    case '>':
      return x > v && !eq
    case '>=':
      return x > v || eq
    case '=':
      return eq
    case '!=':
      return !eq
  }
}

/** Archived runs: hidden (the default), shown with the others, or shown alone. */
export type ArchivedFilter = 'hide' | 'show' | 'only'

export interface RunFilter {
  query: string
  /** 'corrupt': the runs main could not read. */
  status: RunStatus | 'corrupt' | ''
  dataset: string
  model: 'two-layer' | 'fc' | 'three-layer-conv' | ''
  /** Default 'hide': a person archives runs to get them out of the way. */
  archived?: ArchivedFilter
}

export const EMPTY_FILTER: RunFilter = { query: '', status: '', dataset: '', model: '', archived: 'hide' }

/**
 * Runs matching every part of the filter; a run without a value for a condition's field does not match.
 * A damaged run has only its id and salvaged name: words match them, any other condition does not.
 */
export function filterRuns<R extends RunListEntry>(runs: readonly R[], filter: RunFilter, now: number): R[] {
  const { terms, conditions } = parseQuery(filter.query)
  const archived = filter.archived ?? 'hide'
  return runs.filter((r) => {
    if (isCorrupt(r)) {
      // A damaged run cannot be archived: it is never hidden as one.
      if (archived === 'only') return false
      if (filter.status && filter.status !== 'corrupt') return false
      if (filter.dataset || filter.model || conditions.length > 0) return false
      const hay = [r.name ?? '', r.id].map((s) => s.toLowerCase())
      return terms.every((t) => hay.some((h) => h.includes(t)))
    }
    if (archived === 'hide' && r.archived) return false
    if (archived === 'only' && !r.archived) return false
    if (filter.status && r.status !== filter.status) return false
    if (filter.dataset && r.config.dataset.name !== filter.dataset) return false
    if (filter.model && r.config.model.kind !== filter.model) return false
    if (terms.length > 0) {
      const hay = [r.config.name, r.id, ...r.config.tags].map((s) => s.toLowerCase())
      if (!terms.every((t) => hay.some((h) => h.includes(t)))) return false
    }
    return conditions.every((c) => {
      const x = (FILTER_FIELDS[c.field] as FieldDef).value(r, now)
      return x !== null && holds(x, c.op, c.value)
    })
  })
}
