/**
 * How processes sharing a data folder hear of each other's edits. A run another process trains is
 * watched through its lock (Workbench.watchForeignRuns), but an edit, a deletion or a restore of a run
 * nobody trains leaves no lock behind: so each such change also drops a small note in `changes/`, and
 * every long-lived workbench (the app, `serve`) looks there at each poll and tells its windows. A note
 * names the runs only; readers read the runs themselves, so a note can never say something stale.
 *
 * Notes are files of their own (written atomically) rather than lines of one log: two processes never
 * write the same file, and nothing needs truncating. Each is deleted after KEEP_MS by whoever looks next;
 * a process asleep longer than that (a suspended laptop) learns of the changes when its windows reload,
 * as they do on reconnecting.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { writeJsonAtomic } from './atomic'
import { isErrno } from './errors'
import { RUN_ID } from './ids'
import { SWEEP_ID } from './sweepStore'

export const CHANGES_DIR = 'changes'
export const CHANGE_KINDS = ['edit', 'trash', 'restore', 'purge', 'sweep'] as const
export type ChangeKind = (typeof CHANGE_KINDS)[number]

/** `ids`: run ids; for `sweep`, the sweep's id. */
export interface Change {
  kind: ChangeKind
  ids: string[]
}

const ChangeSchema = z.object({
  kind: z.enum(CHANGE_KINDS),
  ids: z.array(z.string().refine((s) => RUN_ID.test(s) || SWEEP_ID.test(s), 'a run or sweep id')).max(10_000),
})

/** How long a note stays: far longer than the second between two looks. */
export const KEEP_MS = 10 * 60_000
/** `<ms since 1970, 15 digits>-<writer>-<random>.json`: sorts by time, tells writers apart. */
const NAME = /^(\d{15})-([0-9a-f]{16})-[0-9a-f]{8}\.json$/

export class ChangeFeed {
  readonly dir: string
  /** Notes already read (or older than this feed): what the next look skips. */
  private seen = new Set<string>()
  private lastPrune = 0

  /** `writer`: this workbench's identity nonce (16 hex digits); its own notes are never read back. */
  constructor(
    dataDir: string,
    private readonly writer: string,
  ) {
    this.dir = join(dataDir, CHANGES_DIR)
  }

  /** From now on: what is there already is reflected in whatever this process reads next. */
  async start(): Promise<void> {
    this.seen = new Set(await this.names())
  }

  async announce(change: Change): Promise<void> {
    if (change.ids.length === 0) return
    await mkdir(this.dir, { recursive: true })
    const name = `${String(Date.now()).padStart(15, '0')}-${this.writer}-${randomBytes(4).toString('hex')}.json`
    await writeJsonAtomic(join(this.dir, name), { kind: change.kind, ids: change.ids })
    this.seen.add(name)
    await this.prune()
  }

  /** Notes other processes left since the last look, oldest first; damaged ones are skipped. */
  async poll(): Promise<Change[]> {
    const names = await this.names()
    const fresh = names.filter((n) => !this.seen.has(n) && NAME.exec(n)?.[2] !== this.writer)
    this.seen = new Set(names)
    const changes: Change[] = []
    for (const name of fresh) {
      try {
        const parsed = ChangeSchema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')))
        if (parsed.success) changes.push(parsed.data)
      } catch {
        // Pruned in between, or not written by this code: nothing to tell.
      }
    }
    await this.prune()
    return changes
  }

  private async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => NAME.test(n)).sort()
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
  }

  /** Deletes notes older than KEEP_MS, at most once a minute. */
  private async prune(): Promise<void> {
    const now = Date.now()
    if (now - this.lastPrune < 60_000) return
    this.lastPrune = now
    for (const name of await this.names()) {
      const at = Number(NAME.exec(name)?.[1])
      if (now - at > KEEP_MS) await rm(join(this.dir, name), { force: true })
    }
  }
}
