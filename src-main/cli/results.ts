/** The report at the end of `run`, `sweep` and `resume`: one run's outcome, or a table ranked by val acc. */
import type { RunRecord, RunStatus } from '../../src-shared/runs'
import type { Workbench } from '../core/workbench'
import type { Context } from './context'
import { defaultDataDir } from './dataDir'
import { duration, paint, paintStatus, pct, table, truncate } from './format'
import { durationMs, leaves, paramLabel, paramValue, shortRunName, summarize, varyingPaths } from './summary'

export function printRunOutcome(ctx: Context, wb: Workbench, run: RunRecord): void {
  const folder = wb.store.runDir(run.id)
  if (ctx.json) return ctx.printJson(summarize(run, folder))
  const c = ctx.color
  const p = run.progress
  const head = `Run ${run.id} "${run.config.name}": ${paintStatus(c, run.status)}`
  const rows: [string, string][] = []
  if (run.status === 'completed') {
    ctx.out(`${head} in ${duration(durationMs(run))}`)
    rows.push(
      ['best val acc', paint(c, 'bold', pct(run.result?.bestValAcc))],
      ['test acc', pct(run.result?.testAcc)],
    )
  } else {
    const where = `at iteration ${p.iteration}/${p.numIterations} (epoch ${p.epoch}/${p.numEpochs})`
    const why = run.status === 'failed' && run.error ? ` (${run.error.reason}): ${run.error.message}` : ''
    ctx.out(`${head} ${where}${why}`)
  }
  rows.push(['folder', folder])
  if (isResumable(run.status)) rows.push(['resume', resumeHint(ctx, [run.id])])
  for (const [k, v] of rows) ctx.out(`  ${k.padEnd(14)}${v}`)
}

/** Runs best first, with the hyperparameters that differ between them. */
export function printRunsTable(ctx: Context, wb: Workbench, runs: RunRecord[], sweepId: string | null): void {
  const paths = varyingPaths(runs.map((r) => r.config))
  const ranked = [...runs].sort(byBestVal)
  if (ctx.json) {
    const rows = ranked.map((r) => ({
      ...summarize(r, wb.store.runDir(r.id)),
      params: Object.fromEntries(leaves(r.config).filter(([p]) => paths.includes(p))),
    }))
    return ctx.printJson({ sweepId, params: paths, runs: rows })
  }
  const c = ctx.color
  const counts = countStatuses(runs)
  const title = sweepId ? `Sweep ${sweepId}: ` : ''
  ctx.out(`${title}${runs.length} runs: ${counts}`)
  const labels = uniqueLabels(paths)
  const rows = ranked.map((r, i) => [
    String(i + 1),
    r.id,
    truncate(sweepId ? shortRunName(r.config) : r.config.name, 40),
    ...paths.map((p) => paramValue(r.config, p)),
    pct(r.result?.bestValAcc),
    pct(r.result?.testAcc),
    paintStatus(c, r.status),
  ])
  const headers = ['#', 'id', 'name', ...labels, 'best val', 'test acc', 'status']
  const align = headers.map(
    (_, i) => (i === 0 || i >= 3 + labels.length ? 'right' : 'left') as 'left' | 'right',
  )
  align[align.length - 1] = 'left'
  ctx.out(table(headers, rows, align))
  const unfinished = runs.filter((r) => isResumable(r.status)).map((r) => r.id)
  if (unfinished.length > 0) ctx.out(`Resume the unfinished runs with: ${resumeHint(ctx, unfinished)}`)
}

function byBestVal(a: RunRecord, b: RunRecord): number {
  return (b.result?.bestValAcc ?? -1) - (a.result?.bestValAcc ?? -1)
}

function countStatuses(runs: RunRecord[]): string {
  const n = new Map<RunStatus, number>()
  for (const r of runs) n.set(r.status, (n.get(r.status) ?? 0) + 1)
  return [...n].map(([status, k]) => `${k} ${status}`).join(', ')
}

/** Short labels (`lr`-style last segments), the full path where two would read the same. */
function uniqueLabels(paths: string[]): string[] {
  const short = paths.map(paramLabel)
  return short.map((l, i) => (short.indexOf(l) === short.lastIndexOf(l) ? l : (paths[i] as string)))
}

function isResumable(status: RunStatus): boolean {
  return status === 'interrupted' || status === 'cancelled' || status === 'failed'
}

/** The command to type, with --data-dir when it is not the default (else the hint would not find the run). */
export function resumeHint(ctx: Context, ids: string[]): string {
  const dir = ctx.dataDir === defaultDataDir(ctx.io.env) ? '' : ` --data-dir ${shellQuote(ctx.dataDir)}`
  return `workbench resume ${ids.join(' ')}${dir}`
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
