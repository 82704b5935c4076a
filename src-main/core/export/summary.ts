/**
 * Summary export: one row per run with every hyperparameter and result, as CSV or JSON, next to the
 * per-iteration metrics export (metrics.ts). The table to sort a sweep in a spreadsheet or to load
 * with pandas (`pd.read_csv`, or `pd.DataFrame(doc["runs"])` from the JSON).
 *
 * Columns: the run (id, name, status, sweep, times), then every leaf of the runs' configs by its dotted
 * path (`solver.optimConfig.learningRate`, as sweep specs name them), whether it differs between the runs
 * or not, then the results, how far the run got, its training time and iterations per second
 * (src-shared/trainingRate.ts: over the training time of all attempts, never the time a run lay dead),
 * and the error of a failed run. A path some runs lack (fc's hiddenDims next to a two-layer net's
 * hiddenDim) is empty (CSV) or null (JSON) where it is missing. Arrays (hiddenDims, tags) are one cell,
 * as JSON text in the CSV.
 */
import type { RunConfig } from '../../../src-shared/config'
import { configDiff } from '../../../src-shared/configDiff'
import type { RunRecord } from '../../../src-shared/runs'
import { runDurationMs } from '../../../src-shared/runTiming'
import { averageRate } from '../../../src-shared/trainingRate'
import { textCell } from './metrics'

/** Before the config's columns. */
export const SUMMARY_LEAD_COLUMNS = [
  'run_id',
  'run_name',
  'status',
  'sweep_id',
  'created_at',
  'started_at',
  'finished_at',
] as const

/** After the config's columns. */
export const SUMMARY_RESULT_COLUMNS = [
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
] as const

type Cell = string | number | boolean | null | readonly unknown[]

export interface SummaryTable {
  columns: string[]
  /** One row per run, in the records' order, a cell per column (null where the run has no value). */
  rows: Cell[][]
  /** The config paths whose values differ between the runs (what a sweep varied). */
  varied: string[]
}

export interface SummaryJson {
  version: 1
  columns: string[]
  varied: string[]
  /** One object per run, its keys the columns in order. */
  runs: Record<string, Cell>[]
}

/** `now` times the runs still training (their duration so far). */
export function summaryTable(records: readonly RunRecord[], now = Date.now()): SummaryTable {
  const leaves = records.map((r) => configLeaves(r.config))
  const paths = mergeOrder(leaves.map((l) => [...l.keys()]))
  const columns = [...SUMMARY_LEAD_COLUMNS, ...paths, ...SUMMARY_RESULT_COLUMNS]
  const rows = records.map((r, i) => {
    const config = leaves[i]!
    const durationMs = runDurationMs(r, now)
    const res = r.result
    const lead: Cell[] = [r.id, r.config.name, r.status, r.sweepId, r.createdAt, r.startedAt, r.finishedAt]
    const tail: Cell[] = [
      res?.bestValAcc ?? null,
      res?.finalTrainAcc ?? null,
      res?.finalValAcc ?? null,
      res?.valAcc ?? null,
      res?.testAcc ?? null,
      r.progress.iteration,
      r.progress.numIterations,
      r.progress.epoch,
      r.progress.numEpochs,
      durationMs === null ? null : durationMs / 1000,
      averageRate(r, now),
      r.error?.reason ?? null,
      r.error?.iteration ?? null,
      r.error?.message ?? null,
    ]
    return [...lead, ...paths.map((p) => config.get(p) ?? null), ...tail]
  })
  const varied = configDiff(records.map((r) => r.config)).map((d) => d.path)
  return { columns, rows, varied }
}

export function summaryCsv({ columns, rows }: SummaryTable): string {
  const lines = [columns.map(quote).join(',')]
  for (const row of rows) lines.push(row.map(csvCell).join(','))
  return lines.join('\n') + '\n'
}

export function summaryJson({ columns, rows, varied }: SummaryTable): string {
  const doc: SummaryJson = {
    version: 1,
    columns,
    varied,
    runs: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, finite(row[i]!)]))),
  }
  return JSON.stringify(doc, null, 2) + '\n'
}

/** The config's leaves by dotted path, in the config's own order; its name is the run_name column. */
function configLeaves(config: RunConfig): Map<string, Cell> {
  const out = new Map<string, Cell>()
  const walk = (value: Record<string, unknown>, prefix: string): void => {
    for (const [key, v] of Object.entries(value)) {
      if (prefix === '' && key === 'name') continue
      const path = prefix === '' ? key : `${prefix}.${key}`
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, path)
      else if (v !== undefined) out.set(path, v as Cell)
    }
  }
  walk(config as unknown as Record<string, unknown>, '')
  return out
}

/**
 * The union of the runs' paths: the first run's order, a path only later runs have placed right after
 * the path it follows there (so fc's model fields join the model's, not the end of the table).
 */
function mergeOrder(lists: string[][]): string[] {
  const order: string[] = []
  const seen = new Set<string>()
  for (const list of lists) {
    let after = -1
    for (const path of list) {
      if (seen.has(path)) {
        after = order.indexOf(path)
        continue
      }
      order.splice(after + 1, 0, path)
      seen.add(path)
      after++
    }
  }
  return order
}

/** JSON has no NaN or Infinity: such a number is null, as in the metrics export. */
function finite(c: Cell): Cell {
  return typeof c === 'number' && !Number.isFinite(c) ? null : c
}

function csvCell(c: Cell): string {
  if (c === null) return ''
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : ''
  if (typeof c === 'boolean') return String(c)
  if (typeof c === 'string') return quote(textCell(c))
  return quote(JSON.stringify(c))
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
}
