/**
 * `export`: runs' metrics to a CSV or JSON file (spreadsheets, notebooks), a summary of them (a row per
 * run: every hyperparameter and result), or their report as a self-contained HTML page or a PDF. `checkpoint`: a run's best parameters as .safetensors.
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { EXPORT_FORMATS, type ExportFormat } from '../../src-shared/contract'
import { createdAtOf, isCorrupt, readableRuns, type CorruptRun } from '../../src-shared/corruptRun'
import { WorkbenchError } from '../core/errors'
import { exportCheckpoint } from '../core/export/checkpoint'
import {
  exportRuns,
  isSummaryFormat,
  loadRecords,
  summaryFile,
  writeMetricsExport,
} from '../core/export/files'
import { ChromiumPdfPrinter, findChromium } from '../core/export/pdf/chromium'
import type { PdfPrinter } from '../core/export/pdf/printer'
import { REPORT_LOCALES, type ReportLocale } from '../core/export/report/messages'
import { writeFileAtomic, writeFileAtomicStreamed } from '../core/store/atomic'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export { EXPORT_FORMATS, REPORT_LOCALES }
export type { ExportFormat }

export interface ExportOptions {
  out: string
  format?: ExportFormat
  all?: boolean
  locale?: ReportLocale
  /** The report's loss smoothing (EMA weight), as the app's slider sets it. */
  smoothing?: number
}

/** The format a file name implies when --format is not given; csv for anything unknown. */
export function formatFromExtension(file: string): ExportFormat {
  const ext = extname(file).toLowerCase()
  if (ext === '.htm') return 'html'
  const named = ext.slice(1)
  return (EXPORT_FORMATS as readonly string[]).includes(named) ? (named as ExportFormat) : 'csv'
}

export async function exportCommand(ctx: Context, ids: string[], o: ExportOptions): Promise<number> {
  if (o.all && ids.length > 0) throw new CliError('usage', 'give run ids or --all, not both', EXIT.usage)
  if (!o.all && ids.length === 0)
    throw new CliError('usage', 'give at least one run id, or --all', EXIT.usage)
  const out = outPath(ctx, o.out)
  const format = o.format ?? formatFromExtension(out)
  // Found before any run is read, so a machine without Chromium fails at once and says what to install.
  const pdf = format === 'pdf' ? chromiumPrinter(ctx) : undefined
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    // Every id is looked up before anything is written, so a typo leaves no partial export behind. A
    // damaged run named on the command line refuses the export (it would not be what was asked for);
    // --all exports every readable run and says which it skipped.
    const all = o.all
      ? (await wb.listRuns()).sort((a, b) => createdAtOf(a).localeCompare(createdAtOf(b)))
      : []
    const skipped = all.filter(isCorrupt)
    const selected = o.all ? readableRuns(all).map((r) => r.id) : ids
    for (const r of skipped) {
      ctx.note(`Skipped run ${r.id}, which cannot be read: ${r.problem.file}: ${r.problem.message}`)
    }
    if (selected.length === 0) {
      const why = skipped.length > 0 ? ` (${skipped.length} cannot be read)` : ''
      throw new CliError('usage', `there are no runs to export${why}`, EXIT.usage)
    }
    if (isSummaryFormat(format)) {
      const records = await loadRecords(wb, selected)
      const file = summaryFile(records, format)
      await mkdir(dirname(out), { recursive: true })
      await writeFileAtomic(out, file.bytes)
      const runs = records.length
      const columns = file.columns.length
      const bytes = file.bytes.byteLength
      if (ctx.json) ctx.printJson({ out, runs, format, columns, bytes, ...skippedJson(skipped) })
      else {
        ctx.out(
          `Wrote the summary of ${runs} run${runs === 1 ? '' : 's'} (a row each, ${columns} columns) to ${out}`,
        )
      }
      return EXIT.ok
    }
    if (format === 'csv' || format === 'json') {
      // Streamed to the file run by run: a 7.5M-iteration run's CSV is hundreds of MB.
      const records = await loadRecords(wb, selected)
      await mkdir(dirname(out), { recursive: true })
      let rows = 0
      await writeFileAtomicStreamed(out, async (write) => {
        rows = await writeMetricsExport(wb, records, format, write)
      })
      const runs = records.length
      if (ctx.json) ctx.printJson({ out, runs, rows, ...skippedJson(skipped) })
      else ctx.out(`Wrote ${rows} rows of ${runs} run${runs === 1 ? '' : 's'} to ${out}`)
      return EXIT.ok
    }
    const file = await exportRuns(wb, selected, format, {
      ...(o.locale ? { locale: o.locale } : {}),
      ...(o.smoothing !== undefined ? { smoothing: o.smoothing } : {}),
      ...(pdf ? { pdf } : {}),
    }).catch(unavailableIsFailure)
    await mkdir(dirname(out), { recursive: true })
    await writeFileAtomic(out, file.bytes)
    const runs = file.records.length
    const plural = runs === 1 ? '' : 's'
    const bytes = file.bytes.byteLength
    if (ctx.json) ctx.printJson({ out, runs, format, bytes, ...skippedJson(skipped) })
    else ctx.out(`Wrote the ${format.toUpperCase()} report of ${runs} run${plural} to ${out} (${kib(bytes)})`)
    return EXIT.ok
  })
}

export async function checkpointCommand(ctx: Context, id: string, o: { out: string }): Promise<number> {
  const out = outPath(ctx, o.out)
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const file = await exportCheckpoint(wb, id)
    await mkdir(dirname(out), { recursive: true })
    await writeFileAtomic(out, file.bytes)
    const bytes = file.bytes.byteLength
    if (ctx.json) ctx.printJson({ out, id, final: file.final, bytes })
    else {
      const which = file.final ? 'best parameters' : 'best parameters so far (the run has not finished)'
      ctx.out(`Wrote the ${which} of ${id} to ${out} (${kib(bytes)})`)
    }
    return EXIT.ok
  })
}

/** --out resolved against the caller's folder; a folder there is refused before any run is read. */
function outPath(ctx: Context, file: string): string {
  const out = isAbsolute(file) ? file : resolve(ctx.io.cwd, file)
  if (existsSync(out) && statSync(out).isDirectory()) {
    throw new CliError(
      'usage',
      `--out: ${out} is a folder; give a file name, e.g. ${join(out, 'report.html')}`,
      EXIT.usage,
    )
  }
  return out
}

/** The CLI's environment (not process.env) names the browser, so tests and wrappers can point it elsewhere. */
function chromiumPrinter(ctx: Context): PdfPrinter {
  try {
    return new ChromiumPdfPrinter({ executablePath: findChromium(ctx.io.env) })
  } catch (e) {
    return unavailableIsFailure(e)
  }
}

/** A missing browser is not a usage mistake: exit 1 (failed), not 2, with the message saying what to install. */
function unavailableIsFailure(e: unknown): never {
  if (e instanceof WorkbenchError && e.code === 'unavailable') {
    throw new CliError('unavailable', e.message, EXIT.failed)
  }
  throw e
}

/** --json names the runs --all left out, and only then. */
function skippedJson(skipped: CorruptRun[]): { skipped?: { id: string; problem: CorruptRun['problem'] }[] } {
  return skipped.length > 0 ? { skipped: skipped.map((r) => ({ id: r.id, problem: r.problem })) } : {}
}

function kib(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`
}
