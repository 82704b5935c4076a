/**
 * Runs exported as a file for the user to save, in any of the contract's formats: the report (html, pdf)
 * or the metrics (csv, json). One set of functions for the API and the CLI, so both name and fill files
 * alike. Metrics are exported at full resolution, streamed run by run (writeMetricsExport); the API,
 * which hands the file over in one message, stops at a size limit and names the CLI command instead.
 */
import type { ExportFormat } from '../../../src-shared/contract'
import { cliExportCommand } from '../../../src-shared/exportLimit'
import type { RunRecord } from '../../../src-shared/runs'
import { WorkbenchError } from '../errors'
import { readMetricColumns } from '../store/metricsRead'
import type { Workbench } from '../workbench'
import { writeMetricsCsv, writeMetricsJson, type RunMetrics, type TextSink } from './metrics'
import { summaryCsv, summaryJson, summaryTable } from './summary'
import type { PdfPrinter } from './pdf/printer'
import { loadReportRuns, type ReportSource } from './report/build'
import { EMA_WEIGHT } from './report/charts'
import { MAX_MOSAICS, renderReport } from './report/render'
import type { ReportOptions } from './report/types'

export interface ExportFile {
  fileName: string
  mime: string
  bytes: Uint8Array
}

export const MIME: Record<ExportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  'summary-csv': 'text/csv; charset=utf-8',
  'summary-json': 'application/json',
}

export type SummaryFormat = Extract<ExportFormat, `summary-${string}`>

export function isSummaryFormat(format: ExportFormat): format is SummaryFormat {
  return format === 'summary-csv' || format === 'summary-json'
}

/**
 * The summary of `records` (a row per run: summary.ts) and its file name, `<name>-<id>.summary.csv` or
 * `workbench-<n>-runs.summary.json`, so it never takes the name of the same runs' metrics export.
 */
export function summaryFile(
  records: readonly RunRecord[],
  format: SummaryFormat,
  now = Date.now(),
): ExportFile & { columns: string[] } {
  const table = summaryTable(records, now)
  const text = format === 'summary-csv' ? summaryCsv(table) : summaryJson(table)
  return {
    fileName: exportFileName([...records], `summary.${format === 'summary-csv' ? 'csv' : 'json'}`),
    mime: MIME[format],
    bytes: new TextEncoder().encode(text),
    columns: table.columns,
  }
}

export interface ExportRunsOptions extends ReportOptions {
  /** Needed for pdf only; without one, pdf is 'unavailable'. */
  pdf?: PdfPrinter
  /** A metrics export larger than this many bytes fails as 'too-large' (it stops reading there). */
  maxBytes?: number
  /** The data folder, for the CLI command a 'too-large' error suggests. */
  dataDir?: string
}

/**
 * What a metrics export reads: records, each run's log at full resolution and (json, when the source
 * reads them) its layer captures, every one.
 */
export type MetricsSource = Pick<Workbench, 'getRun' | 'readMetricsWith'> &
  Partial<Pick<Workbench, 'readLayers'>>

/** The whole file in memory (the API's case; the CLI streams metrics with writeMetricsExport). */
export async function exportRuns(
  wb: ReportSource & MetricsSource,
  ids: readonly string[],
  format: ExportFormat,
  options: ExportRunsOptions = {},
): Promise<ExportFile & { records: RunRecord[] }> {
  if (format === 'pdf' && !options.pdf) {
    throw new WorkbenchError('unavailable', 'PDF export is not available here: no PDF printer is configured')
  }
  if (isSummaryFormat(format)) {
    const records = await loadRecords(wb, ids)
    const { columns: _, ...file } = summaryFile(records, format)
    if (options.maxBytes !== undefined && file.bytes.byteLength > options.maxBytes) {
      throw new WorkbenchError(
        'too-large',
        `the summary of these ${records.length} runs is larger than ${Math.round(options.maxBytes / 2 ** 20)} MB, ` +
          `more than the app hands over at once; export it with the command line instead: ` +
          cliExportCommand(
            records.map((r) => r.id),
            format,
            options.dataDir,
          ),
      )
    }
    return { ...file, records }
  }
  if (format === 'csv' || format === 'json') {
    const records = await loadRecords(wb, ids)
    const parts: Buffer[] = []
    let size = 0
    await writeMetricsExport(wb, records, format, (chunk) => {
      const bytes = Buffer.from(chunk)
      size += bytes.length
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        throw tooLarge(records, format, options.maxBytes, options.dataDir)
      }
      parts.push(bytes)
    })
    const fileName = exportFileName(records, format)
    return { fileName, mime: MIME[format], bytes: Buffer.concat(parts), records }
  }
  // Read with the view's smoothing: main smooths every logged step before bucketing.
  const inputs = await loadReportRuns(wb, ids, MAX_MOSAICS, options.smoothing ?? EMA_WEIGHT)
  const records = inputs.map((r) => r.record)
  const html = renderReport(inputs, options)
  const bytes = format === 'html' ? new TextEncoder().encode(html) : await options.pdf!.print(html)
  return { fileName: exportFileName(records, format), mime: MIME[format], bytes, records }
}

/** Every id looked up before anything is read or written, so an unknown one fails fast; duplicates once. */
export function loadRecords(wb: Pick<Workbench, 'getRun'>, ids: readonly string[]): Promise<RunRecord[]> {
  return Promise.all([...new Set(ids)].map((id) => wb.getRun(id)))
}

/**
 * The metrics of `records` as CSV or JSON, chunk by chunk to `sink`; one run's columns in memory at a
 * time. Resolves with the row count.
 */
export function writeMetricsExport(
  wb: MetricsSource,
  records: readonly RunRecord[],
  format: 'csv' | 'json',
  sink: TextSink,
): Promise<number> {
  async function* runs(): AsyncGenerator<RunMetrics> {
    for (const record of records) {
      const metrics = await wb.readMetricsWith(record.id, readMetricColumns)
      // The CSV is one row per step; captures are per layer and histogram, so only the JSON holds them.
      const layers = format === 'json' && wb.readLayers ? (await wb.readLayers(record.id)).captures : []
      yield { record, metrics, ...(layers.length > 0 ? { layers } : {}) }
    }
  }
  return format === 'csv' ? writeMetricsCsv(runs(), sink) : writeMetricsJson(runs(), sink)
}

function tooLarge(
  records: readonly RunRecord[],
  format: 'csv' | 'json',
  maxBytes: number,
  dataDir: string | undefined,
): WorkbenchError {
  const mb = Math.round(maxBytes / 2 ** 20)
  const command = cliExportCommand(
    records.map((r) => r.id),
    format,
    dataDir,
  )
  return new WorkbenchError(
    'too-large',
    `the ${format.toUpperCase()} export of ${records.length === 1 ? 'this run' : 'these runs'} is larger ` +
      `than ${mb} MB, more than the app hands over at once; export it with the command line instead: ${command}`,
  )
}

/** `<name>-<id>.<ext>` for one run (a name made safe for every file system), `workbench-<n>-runs.<ext>` for several. */
export function exportFileName(records: Pick<RunRecord, 'id' | 'config'>[], ext: string): string {
  const [only] = records
  if (records.length === 1 && only) {
    const name = safeName(only.config.name)
    return `${name ? `${name}-` : ''}${only.id}.${ext}`
  }
  return `workbench-${records.length}-runs.${ext}`
}

/** Letters (any script), digits, dot, dash and underscore; the rest becomes '-'. Bounded in length. */
export function safeName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60)
}
