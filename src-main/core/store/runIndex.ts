/**
 * The run index: what listing the runs needs, without reading 20,000 run.json files each time. The run
 * folders stay the source of truth; the index only remembers, per run, the list entry it read and the
 * fingerprint (inode, size, mtime, ctime) of the run.json and meta.json it read it from. A listing reads
 * the runs folder and stats those two files of every run; a run whose fingerprint changed (another
 * process or a person edited it), that appeared or that is not in the index is read as the folder scan
 * reads it, and a run that is gone leaves. So the index never answers anything but what a scan would.
 *
 * A file written within RACY_MS of being stat'ed can be written again without its fingerprint changing
 * (timestamps have a granularity: a few ms here, 2 s on FAT): such an entry is read again at every
 * listing until it is older than that, as git does with its index.
 *
 * Kept in memory (a long-lived process lists from it without reading anything but stats) and, where
 * better-sqlite3 loads, in `<dataDir>/index/runs.sqlite` for the next process (runIndexDb.ts).
 */
import { statSync, type Stats } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { sep } from 'node:path'
import type { RunListEntry } from '../../../src-shared/corruptRun'
import { META_FILE } from '../../../src-shared/runMeta'
import { errorMessage, isErrno, type ProblemReporter } from './errors'
import { deepFreeze } from './frozen'
import { isRunId } from './ids'
import { isUnwritable, openIndexDb, type IndexDb, type IndexRow, type loadSqlite } from './runIndexDb'

export const RACY_MS = 3000
/** Runs stat'ed between two turns of the event loop, so a listing never holds up other work for long. */
const STAT_SLICE = 1000

/** What the scan made of one run folder; `cacheable` when it came from a run.json it could read. */
export type FolderRead = { entry: RunListEntry; cacheable: boolean } | null

export interface RunIndexOptions {
  /** The SQLite file; null: in memory only. */
  file: string | null
  onProblem: ProblemReporter
  /** Run folders read at once when the index does not have them. */
  concurrency?: number
  /** Tests: stands in for better-sqlite3. */
  loadSqlite?: typeof loadSqlite
  /** Tests: the clock the racy rule compares file times with. */
  now?: () => number
}

/** What the last listing did: runs it listed, and how many of them it had to read from their folders. */
export interface IndexPass {
  listed: number
  read: number
}

interface Cached {
  fp: string
  racy: boolean
  /** Parsed on first use when it came from the file. */
  entry: RunListEntry | null
  text: string | null
}

export class RunIndex {
  private readonly cache = new Map<string, Cached>()
  private db: IndexDb | null = null
  private opened: Promise<void> | null = null
  private closed = false
  lastPass: IndexPass = { listed: 0, read: 0 }
  /** Runs whose entry changed, appeared or left since the last takeChanges(), once a listing was made. */
  private primed = false
  private readonly changed = new Set<string>()
  private readonly removed = new Set<string>()

  constructor(
    private readonly runsDir: string,
    private readonly readFolder: (id: string) => Promise<FolderRead>,
    private readonly options: RunIndexOptions,
  ) {}

  /** Every run folder's entry, sorted by id: what RunStore's folder scan returns. */
  async list(): Promise<RunListEntry[]> {
    await (this.opened ??= this.open())
    let names: string[]
    try {
      names = await readdir(this.runsDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) names = []
      else throw err
    }
    const ids = names.filter(isRunId).sort()
    const now = (this.options.now ?? Date.now)()
    const prints = new Array<{ fp: string; newest: number } | null>(ids.length)
    const out = new Array<RunListEntry | null>(ids.length).fill(null)
    const stale: number[] = []
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && i % STAT_SLICE === 0) await new Promise((r) => setImmediate(r))
      const id = ids[i] as string
      const print = fingerprint(`${this.runsDir}${sep}${id}${sep}`)
      prints[i] = print
      const hit = print === null ? undefined : this.cache.get(id)
      const entry = hit && hit.fp === print?.fp && !hit.racy ? entryOf(hit) : null
      if (entry) out[i] = entry
      else stale.push(i)
    }
    const upserts: IndexRow[] = []
    const deletes: string[] = []
    await forEachLimit(stale, this.options.concurrency ?? 16, async (i) => {
      const id = ids[i] as string
      const read = await this.readFolder(id)
      const print = prints[i]
      if (read === null || !read.cacheable || print == null) {
        const was = this.cache.delete(id)
        if (was) deletes.push(id)
        if (read !== null) out[i] = read.entry
        if (read !== null) this.noteChange(id, true)
        else if (was) this.noteChange(id, false)
        return
      }
      const entry = deepFreeze(read.entry)
      const racy = now - print.newest < RACY_MS
      const text = JSON.stringify(entry)
      const previous = this.cache.get(id)
      const before = previous && (previous.text ?? (previous.entry && JSON.stringify(previous.entry)))
      if (before !== text) this.noteChange(id, true)
      this.cache.set(id, { fp: print.fp, racy, entry, text: null })
      upserts.push({ id, fp: print.fp, racy, entry: text })
      out[i] = entry
    })
    const present = new Set(ids)
    for (const id of this.cache.keys()) {
      if (!present.has(id)) {
        this.cache.delete(id)
        deletes.push(id)
        this.noteChange(id, false)
      }
    }
    this.persist(upserts, deletes)
    this.lastPass = { listed: ids.length, read: stale.length }
    this.primed = true
    return out.filter((e) => e !== null)
  }

  /**
   * What listings found changed since the last call (from the second listing on: the first one only
   * learns what is there): the ids of runs whose entry is new or other than before, and of runs that
   * left. A long-lived workbench tells its windows, so a run edited by hand or by a process that leaves
   * no note reaches them without a reload.
   */
  takeChanges(): { changed: string[]; removed: string[] } {
    const out = { changed: [...this.changed], removed: [...this.removed] }
    this.changed.clear()
    this.removed.clear()
    return out
  }

  private noteChange(id: string, present: boolean): void {
    if (!this.primed) return
    ;(present ? this.changed : this.removed).add(id)
    ;(present ? this.removed : this.changed).delete(id)
  }

  /** Closes the index file; the index still lists, from memory and the folders. */
  close(): void {
    this.closed = true
    this.db?.close()
    this.db = null
  }

  private async open(): Promise<void> {
    const { file } = this.options
    if (file === null || this.closed) return
    const db = openIndexDb(file, {
      onProblem: this.options.onProblem,
      ...(this.options.loadSqlite ? { loadSqlite: this.options.loadSqlite } : {}),
    })
    if (db === null) return
    try {
      for (const row of db.load()) {
        this.cache.set(row.id, { fp: row.fp, racy: row.racy, entry: null, text: row.entry })
      }
      this.db = db
    } catch (err) {
      db.close()
      this.cache.clear()
      this.options.onProblem({
        file,
        message: `the run index cannot be read (${errorMessage(err)}); runs are listed from their folders`,
      })
    }
  }

  /** A write that fails (disk full, a damaged file) stops the writing, never the listing. */
  private persist(upserts: IndexRow[], deletes: string[]): void {
    if (this.db === null) return
    try {
      this.db.apply(upserts, deletes)
    } catch (err) {
      // A folder that went read-only needs no word (see runIndexDb.ts); a full disk or a damaged file does.
      if (!isUnwritable(err)) {
        this.options.onProblem({
          file: this.db.file,
          message: `the run index cannot be written (${errorMessage(err)}); this process lists from memory`,
        })
      }
      this.db.close()
      this.db = null
    }
  }
}

/** The entry a row holds, or null (read the folder again) when its JSON does not parse. */
function entryOf(hit: Cached): RunListEntry | null {
  if (hit.entry === null && hit.text !== null) {
    try {
      hit.entry = deepFreeze(JSON.parse(hit.text) as RunListEntry)
    } catch {
      hit.text = null
    }
  }
  return hit.entry
}

/**
 * run.json's and meta.json's fingerprints, and the newest of their times; null when there is no run.json
 * to go by (a folder being made or taken apart: the scan decides what it is, every time).
 */
function fingerprint(dir: string): { fp: string; newest: number } | null {
  let run: Stats | undefined
  let meta: Stats | undefined
  try {
    run = statSync(`${dir}run.json`, { throwIfNoEntry: false })
    if (run === undefined || !run.isFile()) return null
    meta = statSync(`${dir}${META_FILE}`, { throwIfNoEntry: false })
  } catch {
    return null
  }
  const m = meta === undefined ? '-' : `${meta.ino}:${meta.size}:${meta.mtimeMs}:${meta.ctimeMs}`
  return {
    fp: `${run.ino}:${run.size}:${run.mtimeMs}:${run.ctimeMs}|${m}`,
    newest: Math.max(run.mtimeMs, run.ctimeMs, meta?.mtimeMs ?? 0, meta?.ctimeMs ?? 0),
  }
}

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
