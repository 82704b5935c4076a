/**
 * Runs exported as a file for the user to save, in any of the contract's formats: the report (html, pdf)
 * or the metrics (csv, json). One function for the API and the CLI, so both name and fill files alike.
 */
import type { ExportFormat } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import { WorkbenchError } from '../errors'
import { metricsToCsv, metricsToJson, type RunMetrics } from './metrics'
import type { PdfPrinter } from './pdf/printer'
import { loadReportRuns, type ReportSource } from './report/build'
import { renderReport } from './report/render'
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
}

export interface ExportRunsOptions extends ReportOptions {
  /** Needed for pdf only; without one, pdf is 'unavailable'. */
  pdf?: PdfPrinter
}

export async function exportRuns(
  wb: ReportSource,
  ids: readonly string[],
  format: ExportFormat,
  options: ExportRunsOptions = {},
): Promise<ExportFile & { runs: RunMetrics[] }> {
  if (format === 'pdf' && !options.pdf) {
    throw new WorkbenchError('unavailable', 'PDF export is not available here: no PDF printer is configured')
  }
  const report = format === 'html' || format === 'pdf'
  const inputs = await loadReportRuns(wb, ids, report ? undefined : 0)
  const runs = inputs.map(({ record, metrics }) => ({ record, metrics }))
  const fileName = exportFileName(
    inputs.map((r) => r.record),
    format,
  )
  const text = (s: string) => new TextEncoder().encode(s)
  let bytes: Uint8Array
  if (format === 'csv') bytes = text(metricsToCsv(runs))
  else if (format === 'json') bytes = text(metricsToJson(runs))
  else {
    const html = renderReport(inputs, options)
    bytes = format === 'html' ? text(html) : await options.pdf!.print(html)
  }
  return { fileName, mime: MIME[format], bytes, runs }
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
