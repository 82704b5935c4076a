/** `run`, `sweep` and `resume`: queue runs, train them in this process until done, report the outcome. */
import { parseRunConfig, type FieldError } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { expandSweep } from '../../src-shared/sweep'
import { WorkbenchError } from '../core/errors'
import { resumePoint } from '../core/resumePoint'
import type { Placement, Workbench } from '../core/workbench'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'
import { readJsonFile } from './jsonFile'
import { trainingView } from './progress'
import { printRunOutcome, printRunsTable } from './results'
import { Watcher } from './watcher'
import { clusterWorkbenchOptions, followCluster, type ClusterCliOptions } from './cluster'

export interface TrainOptions extends ClusterCliOptions {
  threads?: number
}

/** With --redis, runs go to the cluster's workers instead of this machine's pool. */
function placementOf(options: TrainOptions): Placement {
  return options.redis !== undefined ? { trainOn: 'cluster' } : {}
}

export interface ResumeCommandOptions extends TrainOptions {
  /** Restart from iteration 0 instead of the last checkpoint. */
  fresh?: boolean
}

/** After Ctrl-C, how long to wait for running runs to record `interrupted` before giving up on them. */
const SETTLE_MS = 10_000

export async function runCommand(ctx: Context, file: string, options: TrainOptions): Promise<number> {
  const input = await readJsonFile(file)
  const parsed = parseRunConfig(input)
  if (!parsed.ok) throw invalidInput(file, 'run config', parsed.errors)
  const cluster = clusterWorkbenchOptions(ctx, options)
  return ctx.withWorkbench(
    'train',
    options.threads,
    async (wb, close) => {
      const watcher = new Watcher(wb, trainingView(ctx, { multi: false }))
      const unfollow = followCluster(wb, (line) => watcher.view.note(line))
      try {
        const run = await withFile(file, 'run config', () => wb.createRun(input, placementOf(options)))
        ctx.note(`Run ${run.id} "${run.config.name}" queued in ${ctx.dataDir}`)
        return await follow(ctx, wb, watcher, [run], close)
      } finally {
        unfollow()
        watcher.dispose()
      }
    },
    cluster,
  )
}

export async function sweepCommand(ctx: Context, file: string, options: TrainOptions): Promise<number> {
  const input = await readJsonFile(file)
  const expanded = expandSweep(input)
  if (!expanded.ok) throw invalidInput(file, 'sweep', expanded.errors)
  const total = expanded.value.configs.length
  const cluster = clusterWorkbenchOptions(ctx, options)
  return ctx.withWorkbench(
    'train',
    options.threads,
    async (wb, close) => {
      const watcher = new Watcher(wb, trainingView(ctx, { multi: true, total }))
      const unfollow = followCluster(wb, (line) => watcher.view.note(line))
      try {
        const { sweepId, runs } = await withFile(file, 'sweep', () =>
          wb.createSweep(input, placementOf(options)),
        )
        const parallel = Math.min(wb.maxThreads, runs.length)
        ctx.note(
          `Sweep ${sweepId} "${expanded.value.spec.name}": ${runs.length} runs queued, ${
            options.redis !== undefined
              ? "as many at a time as the cluster's workers take"
              : `${parallel} at a time`
          }`,
        )
        return await follow(ctx, wb, watcher, runs, close, sweepId)
      } finally {
        unfollow()
        watcher.dispose()
      }
    },
    cluster,
  )
}

export async function resumeCommand(
  ctx: Context,
  ids: string[],
  options: ResumeCommandOptions,
): Promise<number> {
  const fresh = options.fresh === true
  const cluster = clusterWorkbenchOptions(ctx, options)
  return ctx.withWorkbench(
    'train',
    options.threads,
    async (wb, close) => {
      // Every id (and, unless fresh, its checkpoint) is checked before any run is queued, so a typo or a
      // damaged checkpoint in the third id starts nothing.
      for (const id of ids) {
        const run = await wb.getRun(id)
        if (!fresh) await resumePoint(wb.store, run)
      }
      const watcher = new Watcher(wb, trainingView(ctx, { multi: ids.length > 1, total: ids.length }))
      try {
        const runs: RunRecord[] = []
        for (const id of ids) runs.push(await wb.resume(id, { fresh, ...placementOf(options) }))
        const from = runs
          .map((r) => `${r.id} (${fresh ? 'fresh, from iteration 0' : `from epoch ${r.checkpointEpoch}`})`)
          .join(', ')
        ctx.note(`Resuming ${from} in ${ctx.dataDir}`)
        return await follow(ctx, wb, watcher, runs, close)
      } finally {
        watcher.dispose()
      }
    },
    cluster,
  )
}

/** Trains until the runs finish or Ctrl-C; prints the outcome; returns the exit code. */
async function follow(
  ctx: Context,
  wb: Workbench,
  watcher: Watcher,
  runs: RunRecord[],
  close: () => Promise<void>,
  sweepId: string | null = null,
): Promise<number> {
  const ids = runs.map((r) => r.id)
  watcher.watch(ids)
  const view = watcher.view
  let interrupted = false
  try {
    if (!(await watcher.untilFinished({ signal: ctx.io.interrupt }))) {
      interrupted = true
      view.note('Interrupted: stopping the runs (they stay resumable)…')
      // Queued runs would otherwise start whenever this data dir is next opened for training.
      const { queued } = wb.queueState()
      for (const id of ids.filter((id) => queued.includes(id))) await wb.cancel(id).catch(() => undefined)
      await close()
      await watcher.untilFinished({ timeoutMs: SETTLE_MS })
    }
  } finally {
    view.stop()
  }
  const records = await Promise.all(ids.map(async (id) => watcher.get(id) ?? (await wb.getRun(id))))
  if (ids.length === 1 && sweepId === null) printRunOutcome(ctx, wb, records[0] as RunRecord)
  else printRunsTable(ctx, wb, records, sweepId)
  if (interrupted) return EXIT.interrupted
  return exitCodeFor(records)
}

export function exitCodeFor(records: RunRecord[]): number {
  if (records.some((r) => r.status === 'interrupted' || r.status === 'queued' || r.status === 'running')) {
    return EXIT.interrupted
  }
  const failed = records.filter((r) => r.status === 'failed' || r.status === 'cancelled')
  if (failed.length === 0) return EXIT.ok
  if (failed.every((r) => r.error?.reason === 'dataset')) return EXIT.dataset
  if (failed.every((r) => r.error?.reason === 'storage')) return EXIT.storage
  return EXIT.failed
}

function invalidInput(file: string, what: string, fields: FieldError[]): CliError {
  const count = fields.length === 1 ? '1 error' : `${fields.length} errors`
  return new CliError('invalid-config', `${file}: invalid ${what} (${count})`, EXIT.usage, fields)
}

/** The core's config errors, told against the file they came from. */
async function withFile<T>(file: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof WorkbenchError && e.code === 'invalid-config' && e.fields.length > 0) {
      throw invalidInput(file, what, e.fields)
    }
    throw e
  }
}
