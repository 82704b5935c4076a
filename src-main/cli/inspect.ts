/** `ls`, `show` and `cancel`: look at runs (and stop one) without training anything. */
import { createdAtOf } from '../../src-shared/corruptRun'
import type { Context } from './context'
import { duration, paintStatus, pct, table, truncate, NONE } from './format'
import { renderRun } from './show'
import { seriesReader } from '../core/store/metricsRead'
import { summarize, summarizeEntry, summarizeSeries } from './summary'

/** `show` needs counts and extremes, which any bucket size keeps: few points are enough. */
const SHOW_POINTS = 64

export async function lsCommand(ctx: Context, o: { all?: boolean } = {}): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    // Ids made in the same second do not sort by creation; createdAt has milliseconds.
    const entries = (await wb.listRuns()).sort((a, b) => createdAtOf(a).localeCompare(createdAtOf(b)))
    const all = entries.map((r) => summarizeEntry(r, wb.store.runDir(r.id)))
    // Archived runs are hidden as in the app's table, unless asked for.
    const runs = o.all ? all : all.filter((r) => r.status === 'corrupt' || !r.archived)
    const hidden = all.length - runs.length
    if (ctx.json) {
      ctx.printJson(runs)
      return 0
    }
    if (runs.length === 0) {
      ctx.out(
        hidden > 0 ? `No runs in ${ctx.dataDir} but ${archivedNote(hidden)}` : `No runs in ${ctx.dataDir}`,
      )
      return 0
    }
    const rows = runs.map((r) => {
      if (r.status === 'corrupt') {
        const name = truncate(r.name ?? '(unreadable)', 40)
        return [r.id, name, paintStatus(ctx.color, 'corrupt'), r.sweepId ?? NONE, NONE, NONE, NONE]
      }
      const { iteration, numIterations } = r.progress
      const share = numIterations > 0 ? ` ${Math.floor((100 * iteration) / numIterations)}%` : ''
      return [
        r.id,
        truncate(r.name, 40),
        paintStatus(ctx.color, r.status, r.status === 'running' ? `running${share}` : r.status),
        r.sweepId ?? NONE,
        pct(r.bestValAcc),
        pct(r.testAcc),
        duration(r.durationMs),
      ]
    })
    const headers = ['id', 'name', 'status', 'sweep', 'best val', 'test acc', 'duration']
    ctx.out(table(headers, rows, ['left', 'left', 'left', 'left', 'right', 'right', 'right']))
    if (hidden > 0) ctx.out(`\n${archivedNote(hidden)}`)
    // Why each damaged run cannot be read, under the table that lists it.
    const corrupt = runs.flatMap((r) => (r.status === 'corrupt' ? [r] : []))
    if (corrupt.length > 0) {
      const count = corrupt.length === 1 ? '1 run cannot be read' : `${corrupt.length} runs cannot be read`
      ctx.out(
        `\n${count}:\n${corrupt.map((r) => `  ${r.id}: ${r.problem.file}: ${r.problem.message}`).join('\n')}`,
      )
    }
    return 0
  })
}

function archivedNote(n: number): string {
  return `${n === 1 ? '1 archived run' : `${n} archived runs`} (ls --all shows ${n === 1 ? 'it' : 'them'})`
}

export async function showCommand(ctx: Context, id: string): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const run = await wb.getRun(id)
    const metrics = summarizeSeries(await wb.readMetricsWith(id, seriesReader(SHOW_POINTS)))
    const folder = wb.store.runDir(id)
    if (ctx.json) {
      const { durationMs, bestValAcc, testAcc } = summarize(run, folder)
      // checks: the stored sanity-check report, null (not absent) when none ran.
      ctx.printJson({ ...run, checks: run.checks ?? null, folder, durationMs, bestValAcc, testAcc, metrics })
    } else ctx.out(renderRun(run, metrics, folder, ctx.color))
    return 0
  })
}

export async function cancelCommand(ctx: Context, id: string): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const run = await wb.cancel(id)
    if (ctx.json) ctx.printJson(summarize(run, wb.store.runDir(id)))
    else {
      const what = run.status === 'cancelled' ? 'cancelled' : `asked to stop (now ${run.status})`
      ctx.out(`Run ${run.id} "${run.config.name}": ${what}`)
    }
    return 0
  })
}
