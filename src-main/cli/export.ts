/** `export`: runs' metrics to a CSV or JSON file, for spreadsheets, notebooks and reports. */
import { mkdir } from 'node:fs/promises'
import { dirname, extname, isAbsolute, resolve } from 'node:path'
import { countRows, metricsToCsv, metricsToJson, type RunMetrics } from '../core/export/metrics'
import { writeFileAtomic } from '../core/store/atomic'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export const EXPORT_FORMATS = ['csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  out: string
  format?: ExportFormat
  all?: boolean
}

export async function exportCommand(ctx: Context, ids: string[], o: ExportOptions): Promise<number> {
  if (o.all && ids.length > 0) throw new CliError('usage', 'give run ids or --all, not both', EXIT.usage)
  if (!o.all && ids.length === 0)
    throw new CliError('usage', 'give at least one run id, or --all', EXIT.usage)
  const out = isAbsolute(o.out) ? o.out : resolve(ctx.io.cwd, o.out)
  const format = o.format ?? (extname(out).toLowerCase() === '.json' ? 'json' : 'csv')
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    // Every id is looked up before anything is written, so a typo leaves no partial export behind.
    const records = o.all
      ? (await wb.listRuns()).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      : await Promise.all([...new Set(ids)].map((id) => wb.getRun(id)))
    const runs: RunMetrics[] = []
    for (const record of records) runs.push({ record, metrics: await wb.readMetrics(record.id) })
    await mkdir(dirname(out), { recursive: true })
    await writeFileAtomic(out, format === 'json' ? metricsToJson(runs) : metricsToCsv(runs))
    const rows = countRows(runs)
    if (ctx.json) ctx.printJson({ out, runs: runs.length, rows })
    else ctx.out(`Wrote ${rows} rows of ${runs.length} run${runs.length === 1 ? '' : 's'} to ${out}`)
    return EXIT.ok
  })
}
