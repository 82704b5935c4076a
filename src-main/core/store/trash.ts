/**
 * The trash: a deleted run's folder moves, whole, from `runs/<id>/` to `trash/<id>/` (one rename on one
 * filesystem, so it is atomic: the run is in one place or the other, never half in each), with
 * `trashed.json` saying when and from which sweep. Nothing is lost at once: a restore moves the folder
 * back, and only "delete forever" (purge) removes the files.
 *
 * The rules around it (the run's lock, cancelling a run first, sweeps, events) are the Workbench's; this
 * file only moves folders.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { RunListEntry } from '../../../src-shared/corruptRun'
import type { TrashedRun } from '../../../src-shared/contract'
import { syncDir, writeJsonAtomic } from './atomic'
import { StoreError, isErrno, type ProblemReporter } from './errors'
import { assertRunId, isRunId } from './ids'
import { RunStore } from './runStore'

export const TRASH_DIR = 'trash'
export const TRASHED_FILE = 'trashed.json'
const PURGING = '.purge-'

const TrashedSchema = z.looseObject({
  version: z.literal(1),
  trashedAt: z.string(),
  sweepId: z.string().nullable(),
  /** The status it had when it was deleted. */
  status: z.string(),
})
export type TrashedInfo = z.output<typeof TrashedSchema>

export class RunTrash {
  readonly dir: string
  /** The trashed runs' folders, read as the run store reads any (records validated, edits laid over). */
  readonly store: RunStore

  constructor(
    dataDir: string,
    private readonly runs: RunStore,
    options: { onProblem?: ProblemReporter } = {},
  ) {
    this.dir = join(dataDir, TRASH_DIR)
    this.store = new RunStore(dataDir, { folder: TRASH_DIR, ...options })
  }

  /**
   * Moves the run's folder to the trash. `trashed.json` is written into it first, so the folder arrives
   * with it; a crash in between leaves the run where it was, with a note that a restore or the next
   * delete replaces.
   */
  async put(id: string, info: Omit<TrashedInfo, 'version'>): Promise<void> {
    assertRunId(id)
    if (this.runs.isWriting(id)) {
      throw new StoreError('busy', `run ${id} is being trained here: cancel it first`, { field: 'id' })
    }
    const from = this.runs.runDir(id)
    const to = this.store.runDir(id)
    try {
      await writeJsonAtomic(join(from, TRASHED_FILE), { version: 1, ...info })
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(id)
      throw err
    }
    await mkdir(this.dir, { recursive: true })
    if (await exists(to)) {
      // A trashed run of the same id: only a copied folder can make one. Left for a person to sort out.
      throw new StoreError('exists', `the trash holds a run ${id} already (${to})`, { field: 'id' })
    }
    await rename(from, to)
    await syncDir(this.runs.runsDir)
    await syncDir(this.dir)
  }

  /** Moves a trashed run's folder back into `runs/`; refused if a run of that id is there. */
  async restore(id: string): Promise<void> {
    assertRunId(id)
    const from = this.store.runDir(id)
    const to = this.runs.runDir(id)
    if (!(await exists(from))) throw notInTrash(id)
    if (await exists(to)) {
      throw new StoreError('exists', `a run ${id} exists already (${to}): it cannot be restored over it`, {
        field: 'id',
      })
    }
    await mkdir(this.runs.runsDir, { recursive: true })
    try {
      await rename(from, to)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notInTrash(id)
      throw err
    }
    await syncDir(this.dir)
    await syncDir(this.runs.runsDir)
    await rm(join(to, TRASHED_FILE), { force: true })
  }

  /** Deletes a trashed run for good: renamed away first, so it leaves the trash at once. */
  async purge(id: string): Promise<TrashedInfo | null> {
    assertRunId(id)
    const info = await this.info(id)
    const doomed = join(this.dir, `${PURGING}${id}-${randomBytes(4).toString('hex')}`)
    try {
      await rename(this.store.runDir(id), doomed)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notInTrash(id)
      throw err
    }
    await syncDir(this.dir)
    await rm(doomed, { recursive: true, force: true })
    return info
  }

  /** Whether the trash holds this run. */
  has(id: string): Promise<boolean> {
    return exists(this.store.runDir(assertRunId(id)))
  }

  /** When and from where a trashed run was deleted (null when its note is missing or damaged). */
  async info(id: string): Promise<TrashedInfo | null> {
    try {
      const parsed = TrashedSchema.safeParse(
        JSON.parse(await readFile(join(this.store.runDir(id), TRASHED_FILE), 'utf8')),
      )
      return parsed.success ? parsed.data : null
    } catch {
      return null
    }
  }

  /** Every trashed run, most recently deleted first; damaged records are listed as corrupt entries. */
  async list(): Promise<TrashedRun[]> {
    const entries = await this.store.listEntries()
    const out = await Promise.all(
      entries.map(async (run: RunListEntry): Promise<TrashedRun> => {
        const info = await this.info(run.id)
        // A note lost to a crash: the folder's own time is when it moved.
        const trashedAt =
          info?.trashedAt ??
          (await stat(this.store.runDir(run.id)).then(
            (s) => s.mtime.toISOString(),
            () => new Date(0).toISOString(),
          ))
        return { run, trashedAt, sweepId: info?.sweepId ?? run.sweepId ?? null }
      }),
    )
    return out.sort((a, b) => (a.trashedAt < b.trashedAt ? 1 : a.trashedAt > b.trashedAt ? -1 : 0))
  }

  /** Ids of every trashed run. */
  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter(isRunId).sort()
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
  }

  /** Deletes what a purge cut short left behind. */
  async removeLeftovers(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return
      throw err
    }
    for (const name of names.filter((n) => n.startsWith(PURGING))) {
      await rm(join(this.dir, name), { recursive: true, force: true })
    }
  }
}

function notFound(id: string): StoreError {
  return new StoreError('not-found', `no run with id ${id}`, { field: 'id' })
}

function notInTrash(id: string): StoreError {
  return new StoreError('not-found', `no run with id ${id} in the trash`, { field: 'id' })
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
