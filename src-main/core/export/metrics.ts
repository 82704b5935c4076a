/**
 * Metrics export: a run's curves as CSV (one table for spreadsheets and pandas) or JSON (the curves as
 * arrays, with the config and result they belong to, and any layer captures), at full resolution. Both are written chunk by chunk
 * to a sink, one run at a time, so a 7.5M-iteration run never becomes one string (V8 cannot hold one
 * that long) and the CLI streams it to its file. Both are built from the same rows, so the row count the
 * CLI reports means the same thing for either format.
 */
import type { RunConfig } from '../../../src-shared/config'
import type { MetricEvent, RunRecord, RunResult, RunStatus } from '../../../src-shared/runs'
import { binLayout, type LayerCapture } from '../../../src-shared/layerStats'
import type { MetricColumns } from '../store/metricsRead'

export interface RunMetrics {
  record: RunRecord
  metrics: MetricColumns
  /** Layer dynamics (issue 15): the run's captures, for the JSON export; absent when it has none. */
  layers?: LayerCapture[]
}

/** Receives the export's text in pieces of about CHUNK_CHARS, in order. */
export type TextSink = (chunk: string) => Promise<void> | void

export const CSV_COLUMNS = ['run_id', 'run_name', 'iteration', 'epoch', 'loss', 'train_acc', 'val_acc', 'lr']

type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>

const CHUNK_CHARS = 64 * 1024

/** A row: its iteration, the loss logged there (null for a check's own row), the check made there. */
export type Row = [iteration: number, loss: number | null, epoch: EpochEvent | null]

/**
 * One row per logged iteration; an epoch check fills the row of the iteration it happened at. A check
 * with no such row (epoch 0 before the first step, or a second check at the same iteration) gets a row of
 * its own, after the iteration's, so no check is lost.
 */
export function* metricRows(m: MetricColumns): Generator<Row> {
  const epochs = m.epochs
  let e = 0
  for (let i = 0; i < m.iterations.length; i++) {
    const iteration = m.iterations[i]!
    while (e < epochs.length && epochs[e]!.iteration < iteration)
      yield [epochs[e]!.iteration, null, epochs[e++]!]
    const own = e < epochs.length && epochs[e]!.iteration === iteration ? epochs[e++]! : null
    yield [iteration, m.losses[i]!, own]
    while (e < epochs.length && epochs[e]!.iteration === iteration) yield [iteration, null, epochs[e++]!]
  }
  while (e < epochs.length) yield [epochs[e]!.iteration, null, epochs[e++]!]
}

export function countRows(m: MetricColumns): number {
  let n = 0
  for (const _ of metricRows(m)) n++
  return n
}

/** Collects text and hands it to the sink in chunks of about CHUNK_CHARS, one write at a time. */
class Chunker {
  private parts: string[] = []
  private size = 0

  constructor(private readonly sink: TextSink) {}

  put(text: string): void {
    this.parts.push(text)
    this.size += text.length
  }

  get full(): boolean {
    return this.size >= CHUNK_CHARS
  }

  /** Writes what is buffered once there is a chunk's worth of it, or (at the end) whatever there is. */
  async drain(all = false): Promise<void> {
    if (this.size === 0 || (!all && this.size < CHUNK_CHARS)) return
    const chunk = this.parts.join('')
    this.parts = []
    this.size = 0
    await this.sink(chunk)
  }
}

/**
 * Writes the CSV of `runs`, which may be read lazily (only one run's columns need be in memory);
 * resolves with the number of rows.
 */
export async function writeMetricsCsv(
  runs: Iterable<RunMetrics> | AsyncIterable<RunMetrics>,
  sink: TextSink,
): Promise<number> {
  const out = new Chunker(sink)
  out.put(CSV_COLUMNS.join(',') + '\n')
  let rows = 0
  for await (const { record, metrics } of runs) {
    const lead = `${quote(record.id)},${quote(textCell(record.config.name))},`
    for (const [iteration, loss, e] of metricRows(metrics)) {
      out.put(
        `${lead}${iteration},${num(e?.epoch)},${num(loss)},${num(e?.trainAcc)},${num(e?.valAcc)},${num(e?.lr)}\n`,
      )
      rows++
      if (out.full) await out.drain()
    }
  }
  await out.drain(true)
  return rows
}

export function metricsToCsv(runs: RunMetrics[]): Promise<string> {
  return collect((sink) => writeMetricsCsv(runs, sink))
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
    /**
     * Layer dynamics (issue 15), only for a run that captured them: every capture of its layers.jsonl
     * that counts (src-shared/layerStats.ts: LayerCapture; non-finite numbers as null), in iteration
     * order, with the histogram bin layout they use.
     */
    layers?: { bins: ReturnType<typeof binLayout>; captures: LayerCapture[] }
  }[]
}

/**
 * Writes the MetricsJson of `runs` as JSON.stringify(doc, null, 2) would, byte for byte, but the two
 * long arrays of each run number by number; resolves with the number of rows (as the CSV counts them).
 * Layer captures are the exception: one capture a line, compact (each holds hundreds of histogram
 * counts, which one number a line would make ten times larger).
 */
export async function writeMetricsJson(
  runs: Iterable<RunMetrics> | AsyncIterable<RunMetrics>,
  sink: TextSink,
): Promise<number> {
  const out = new Chunker(sink)
  out.put('{\n  "version": 1,\n  "runs": [')
  let rows = 0
  let first = true
  for await (const { record, metrics, layers } of runs) {
    out.put(first ? '\n' : ',\n')
    first = false
    const head = JSON.stringify(
      {
        id: record.id,
        name: record.config.name,
        config: record.config,
        status: record.status,
        result: record.result,
      },
      null,
      2,
    )
    // The run sits two levels deep; its "metrics" go after "result", in place of the closing brace.
    out.put(indent(head.slice(0, -2), '    '))
    out.put(',\n      "metrics": {\n        "iterations": ')
    await putNumbers(out, metrics.iterations, '          ')
    out.put(',\n        "losses": ')
    await putNumbers(out, metrics.losses, '          ')
    const epochs = metrics.epochs.map(({ epoch, iteration, trainAcc, valAcc, lr }) => ({
      epoch,
      iteration,
      trainAcc,
      valAcc,
      lr,
    }))
    out.put(`,\n        "epochs": ${indent(JSON.stringify(epochs, null, 2), '        ').trimStart()}`)
    out.put('\n      }')
    if (layers && layers.length > 0) {
      out.put(`,\n      "layers": {\n        "bins": ${JSON.stringify(binLayout())},\n        "captures": [`)
      for (let i = 0; i < layers.length; i++) {
        out.put(`${i === 0 ? '' : ','}\n          ${JSON.stringify(layers[i])}`)
        if (out.full) await out.drain()
      }
      out.put('\n        ]\n      }')
    }
    out.put('\n    }')
    rows += countRows(metrics)
  }
  out.put(first ? ']\n}\n' : '\n  ]\n}\n')
  await out.drain(true)
  return rows
}

export function metricsToJson(runs: RunMetrics[]): Promise<string> {
  return collect((sink) => writeMetricsJson(runs, sink))
}

/** A JSON array of numbers as JSON.stringify(a, null, 2) prints it at this depth; non-finite as null. */
async function putNumbers(out: Chunker, values: Float64Array, pad: string): Promise<void> {
  if (values.length === 0) {
    out.put('[]')
    return
  }
  out.put('[')
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    out.put(`${i === 0 ? '' : ','}\n${pad}${Number.isFinite(v) ? String(v) : 'null'}`)
    if (out.full) await out.drain()
  }
  out.put(`\n${pad.slice(2)}]`)
}

function indent(text: string, pad: string): string {
  return pad + text.replace(/\n/g, `\n${pad}`)
}

/** The whole text a writer produces, for small exports and tests. */
async function collect(write: (sink: TextSink) => Promise<number>): Promise<string> {
  const parts: string[] = []
  await write((chunk) => void parts.push(chunk))
  return parts.join('')
}
