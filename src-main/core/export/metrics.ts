/**
 * Metrics export: a run's curves as CSV (one table for spreadsheets and pandas) or JSON (the curves as
 * arrays, with the config and result they belong to). Both are built from the same rows, so the row count
 * the CLI reports means the same thing for either format.
 */
import type { RunConfig } from '../../../src-shared/config'
import type { MetricEvent, RunRecord, RunResult, RunStatus } from '../../../src-shared/runs'

export interface RunMetrics {
  record: RunRecord
  metrics: MetricEvent[]
}

export const CSV_COLUMNS = ['run_id', 'run_name', 'iteration', 'epoch', 'loss', 'train_acc', 'val_acc', 'lr']

type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>

interface Row {
  iteration: number
  loss: number | null
  epoch: EpochEvent | null
}

/**
 * One row per logged iteration; an epoch check fills the row of the iteration it happened at. A check
 * with no such row (epoch 0 before the first step, or a second check at the same iteration) gets a row of
 * its own, after the iteration's, so no check is lost.
 */
export function metricRows(metrics: MetricEvent[]): Row[] {
  const byIteration = new Map<number, Row>()
  for (const e of metrics) {
    // Keyed by iteration: were a superseded attempt's line still there, the later one wins.
    if (e.type === 'iteration')
      byIteration.set(e.iteration, { iteration: e.iteration, loss: e.loss, epoch: null })
  }
  const rows = [...byIteration.values()]
  for (const e of metrics) {
    if (e.type !== 'epoch') continue
    const row = byIteration.get(e.iteration)
    if (row && row.epoch === null) row.epoch = e
    else rows.push({ iteration: e.iteration, loss: null, epoch: e })
  }
  // Stable: an epoch-only row stays after the iteration row it shares an iteration with.
  return rows.sort((a, b) => a.iteration - b.iteration)
}

export function countRows(runs: RunMetrics[]): number {
  return runs.reduce((n, r) => n + metricRows(r.metrics).length, 0)
}

export function metricsToCsv(runs: RunMetrics[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const { record, metrics } of runs) {
    for (const row of metricRows(metrics)) {
      const e = row.epoch
      const cells = [
        record.id,
        textCell(record.config.name),
        String(row.iteration),
        num(e?.epoch),
        num(row.loss),
        num(e?.trainAcc),
        num(e?.valAcc),
        num(e?.lr),
      ]
      lines.push(cells.map(quote).join(','))
    }
  }
  return lines.join('\n') + '\n'
}

/** Full precision: String(n) round-trips through Number() exactly. */
function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : String(n)
}

/**
 * A free-text cell (the run's name) that a spreadsheet would run as a formula (=, +, -, @, tab or CR
 * first) gets a leading apostrophe, as OWASP advises against CSV injection; numbers are never touched.
 */
export function textCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
}

/** RFC 4180 records (CRLF or LF line ends); a trailing line end does not make an empty record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i += 2
        continue
      }
      if (c === '"') quoted = false
      else field += c
      i++
      continue
    }
    if (c === '"' && field === '') quoted = true
    else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      if (c === '\r' && text[i + 1] === '\n') i++
    } else field += c
    i++
  }
  if (quoted) throw new Error('unterminated quoted field')
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  return records
}

export interface MetricsJson {
  version: 1
  runs: {
    id: string
    name: string
    config: RunConfig
    status: RunStatus
    result: RunResult | null
    metrics: {
      iterations: number[]
      /** A diverged run's NaN or Infinity losses come out as null: JSON has no such numbers. */
      losses: (number | null)[]
      epochs: { epoch: number; iteration: number; trainAcc: number; valAcc: number; lr: number | null }[]
    }
  }[]
}

export function metricsToJsonValue(runs: RunMetrics[]): MetricsJson {
  return {
    version: 1,
    runs: runs.map(({ record, metrics }) => {
      const iterations = metricRows(metrics).filter((r) => r.loss !== null)
      const epochs = metrics.filter((e): e is EpochEvent => e.type === 'epoch')
      return {
        id: record.id,
        name: record.config.name,
        config: record.config,
        status: record.status,
        result: record.result,
        metrics: {
          iterations: iterations.map((r) => r.iteration),
          losses: iterations.map((r) => r.loss),
          epochs: epochs.map(({ epoch, iteration, trainAcc, valAcc, lr }) => ({
            epoch,
            iteration,
            trainAcc,
            valAcc,
            lr,
          })),
        },
      }
    }),
  }
}

export function metricsToJson(runs: RunMetrics[]): string {
  return JSON.stringify(metricsToJsonValue(runs), null, 2) + '\n'
}
