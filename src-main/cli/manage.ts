/**
 * Tidying runs from a terminal: `rm` (to the trash), `restore`, `trash` (list, `--empty`), `purge`,
 * `rename`, `tag`, `note`, `archive` and `unarchive`. They change runs without training anything, so the
 * data folder opens read-only (nothing adopted or started); the core takes each run's lock or edit lock.
 * Each run of a command succeeds or fails on its own: what failed is printed (or listed under `failed`
 * with --json) and sets the exit code: 2 for a bad or unknown id, a run another process trains or a
 * refused edit; 4 when the data folder cannot be written.
 */
import type { BulkFailure, BulkResult } from '../../src-shared/contract'
import type { RunListEntry } from '../../src-shared/corruptRun'
import { tagEditFromArgs, type RunEditInput } from '../../src-shared/runMeta'
import type { RunRecord } from '../../src-shared/runs'
import type { Workbench } from '../core/workbench'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'
import { table, truncate, NONE } from './format'
import { summarize, summarizeEntry, type CorruptSummary, type RunSummary } from './summary'

/** How long `rm --cancel` waits for another process to stop a run it trains. */
export const CANCEL_WAIT_MS = 60_000

export interface RmOptions {
  /** Ask the process training a run to stop it (and wait), then delete it. */
  cancel?: boolean
}

/** The exit code for what failed: 4 if the folder could not be written, else 2 (1 for the unexpected). */
export function exitCodeForFailures(failed: BulkFailure[]): number {
  if (failed.length === 0) return EXIT.ok
  if (failed.some((f) => f.code === 'storage')) return EXIT.storage
  if (failed.every((f) => f.code === 'internal')) return EXIT.failed
  return EXIT.usage
}

function reportFailures(ctx: Context, failed: BulkFailure[]): void {
  if (!ctx.json) for (const f of failed) ctx.io.stderr(`error: ${f.message}\n`)
}

export async function rmCommand(ctx: Context, ids: string[], o: RmOptions): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const first = await wb.trashRuns(ids)
    let { done, failed } = first
    if (o.cancel) {
      // Runs another process trains: ask it to stop them, wait for it to let go, then delete them.
      const owned = failed.filter((f) => f.code === 'conflict').map((f) => f.id)
      if (owned.length > 0) {
        for (const id of owned) {
          await wb.cancel(id).catch(() => undefined)
          ctx.note(`asked the process training ${id} to stop it…`)
        }
        await untilReleased(wb, owned)
        const again = await wb.trashRuns(owned)
        done = [...done, ...again.done]
        failed = [...failed.filter((f) => !owned.includes(f.id)), ...again.failed]
      }
    }
    if (ctx.json) ctx.printJson({ trashed: done, failed })
    else {
      for (const id of done) ctx.out(`Moved ${id} to the trash (workbench restore ${id} brings it back)`)
      reportFailures(ctx, failed)
      if (!o.cancel && failed.some((f) => f.code === 'conflict')) {
        ctx.note('(rm --cancel asks the process training it to stop it first)')
      }
    }
    return exitCodeForFailures(failed)
  })
}

/** Waits until no live process holds these runs' locks (they stopped), or gives up after CANCEL_WAIT_MS. */
async function untilReleased(wb: Workbench, ids: string[]): Promise<void> {
  const end = Date.now() + CANCEL_WAIT_MS
  for (;;) {
    const held = await Promise.all(ids.map(async (id) => (await wb.locks.holder(id))?.alive === true))
    if (!held.some(Boolean) || Date.now() > end) return
    await new Promise((r) => setTimeout(r, 200))
  }
}

export async function restoreCommand(ctx: Context, ids: string[]): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const { done, failed } = await wb.restoreRuns(ids)
    const restored = done.map((r) => entrySummary(wb, r))
    if (ctx.json) ctx.printJson({ restored, failed })
    else {
      for (const r of restored) ctx.out(`Restored ${r.id}${r.name ? ` "${r.name}"` : ''}`)
      reportFailures(ctx, failed)
    }
    return exitCodeForFailures(failed)
  })
}

export interface TrashOptions {
  /** Delete every trashed run for good. */
  empty?: boolean
}

export async function trashCommand(ctx: Context, o: TrashOptions): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const trashed = await wb.listTrash()
    if (o.empty) {
      const { done, failed } =
        trashed.length > 0 ? await wb.purgeRuns(trashed.map((t) => t.run.id)) : emptyResult()
      if (ctx.json) ctx.printJson({ purged: done, failed })
      else {
        ctx.out(done.length === 1 ? 'Deleted 1 run for good' : `Deleted ${done.length} runs for good`)
        reportFailures(ctx, failed)
      }
      return exitCodeForFailures(failed)
    }
    const rows = trashed.map((t) => ({
      ...entrySummary(wb, t.run, wb.trash.store.runDir(t.run.id)),
      trashedAt: t.trashedAt,
      sweepId: t.sweepId,
    }))
    if (ctx.json) {
      ctx.printJson(rows)
      return EXIT.ok
    }
    if (rows.length === 0) {
      ctx.out('The trash is empty')
      return EXIT.ok
    }
    ctx.out(
      table(
        ['id', 'name', 'status', 'sweep', 'deleted'],
        rows.map((r) => [
          r.id,
          truncate(r.name ?? '(unreadable)', 40),
          r.status,
          r.sweepId ?? NONE,
          r.trashedAt,
        ]),
      ),
    )
    ctx.out(
      `\nworkbench restore <id> brings a run back; workbench purge <id> (or trash --empty) deletes it for good`,
    )
    return EXIT.ok
  })
}

export async function purgeCommand(ctx: Context, ids: string[]): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const { done, failed } = await wb.purgeRuns(ids)
    if (ctx.json) ctx.printJson({ purged: done, failed })
    else {
      for (const id of done) ctx.out(`Deleted ${id} for good`)
      reportFailures(ctx, failed)
    }
    return exitCodeForFailures(failed)
  })
}

export function renameCommand(ctx: Context, id: string, name: string): Promise<number> {
  return edit(ctx, [id], { name }, (r) => `Renamed ${r.id} to "${r.config.name}"`)
}

export function tagCommand(ctx: Context, id: string, changes: string[]): Promise<number> {
  let e: { addTags: string[]; removeTags: string[] }
  try {
    e = tagEditFromArgs(changes)
  } catch (err) {
    const message = (err as Error).message.replace(/^tags: /, '')
    throw new CliError('invalid-argument', `tags: ${message}`, EXIT.usage, [{ path: 'tags', message }])
  }
  return edit(
    ctx,
    [id],
    e,
    (r) => `Tags of ${r.id}: ${r.config.tags.length > 0 ? r.config.tags.join(', ') : '(none)'}`,
  )
}

/** `text`, or `-` for what stdin holds (a trailing newline dropped): multi-line notes from a file or a pipe. */
export async function noteCommand(ctx: Context, id: string, text: string): Promise<number> {
  const notes = text === '-' ? (await ctx.readStdin()).replace(/\r?\n$/, '') : text
  return edit(ctx, [id], { notes }, (r) =>
    r.config.notes ? `Notes of ${r.id}:\n${r.config.notes}` : `Cleared the notes of ${r.id}`,
  )
}

export function archiveCommand(ctx: Context, ids: string[], archived: boolean): Promise<number> {
  return edit(
    ctx,
    ids,
    { archived },
    (r) => `${archived ? 'Archived' : 'Unarchived'} ${r.id} "${r.config.name}"`,
  )
}

export type EditedSummary = RunSummary & { notes: string }

async function edit(
  ctx: Context,
  ids: string[],
  change: RunEditInput,
  line: (r: RunRecord) => string,
): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const { done, failed } = await wb.editRuns(ids, change)
    if (ctx.json) ctx.printJson({ updated: done.map((r) => editedSummary(wb, r)), failed })
    else {
      for (const r of done) ctx.out(line(r))
      reportFailures(ctx, failed)
    }
    return exitCodeForFailures(failed)
  })
}

export function editedSummary(wb: Workbench, r: RunRecord): EditedSummary {
  return { ...summarize(r, wb.store.runDir(r.id)), notes: r.config.notes }
}

function entrySummary(
  wb: Workbench,
  r: RunListEntry,
  folder = wb.store.runDir(r.id),
): RunSummary | CorruptSummary {
  return summarizeEntry(r, folder)
}

function emptyResult(): BulkResult<string> {
  return { done: [], failed: [] }
}
