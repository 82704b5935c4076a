/**
 * At most one owner per run, across every process sharing a data folder (the app, `workbench serve`, CLI
 * runs): `<dataDir>/locks/<runId>.lock` names the process that queued or trains the run. Taking a lock is
 * one atomic filesystem step: the holder's identity is written to a private file first, then hard-linked to
 * the lock's name, which fails if the name exists (so a lock is never seen half-written, and two
 * claimants can never both win).
 *
 * A lock whose holder is dead (identity.ts: PID gone, PID reused, another boot; or, where the OS cannot
 * tell, no heartbeat for `staleMs`) may be broken. Breaking happens under a second, short-lived lock
 * (`<runId>.lock.break`) and only after re-reading that the lock still names the same dead holder, so a
 * claimant never deletes a lock a live process has just taken.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, readFile, readdir, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { isRunId } from '../store/ids'
import { isErrno } from '../store/errors'
import { liveness, type ProcessIdentity } from './identity'

export const LOCKS_DIR = 'locks'
/** What link() fails with where a filesystem has no hard links. */
const NO_HARD_LINKS = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']
const SUFFIX = '.lock'
const BREAK_SUFFIX = '.lock.break'

/** What a lock file holds. */
export interface LockHolder extends ProcessIdentity {
  /** When the lock was taken (ISO). */
  since: string
}

export interface HolderInfo {
  holder: LockHolder
  alive: boolean
}

export type ClaimResult = { ok: true } | { ok: false; holder: LockHolder }

export interface RunLocksOptions {
  /** Where the OS cannot say whether a holder lives, a lock without a heartbeat this long is dead. */
  staleMs?: number
  /**
   * A folder under `locks/` for locks of another kind (short ones around edits: ShortLocks), kept apart
   * from the ownership locks every process scans.
   */
  subdir?: string
}

/** How often held locks are touched; well under the default staleness. */
export const HEARTBEAT_MS = 5_000
const DEFAULT_STALE_MS = 30_000

export class RunLocks {
  readonly dir: string
  private readonly staleMs: number
  /** Locks this owner holds. */
  private readonly heldIds = new Set<string>()

  constructor(
    dataDir: string,
    readonly self: ProcessIdentity,
    options: RunLocksOptions = {},
  ) {
    this.dir = options.subdir ? join(dataDir, LOCKS_DIR, options.subdir) : join(dataDir, LOCKS_DIR)
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS
  }

  get held(): ReadonlySet<string> {
    return this.heldIds
  }

  holds(id: string): boolean {
    return this.heldIds.has(id)
  }

  /**
   * Takes the run's lock, breaking it if its holder is dead. `ok: false` names the live holder. Claiming a
   * lock this owner holds already succeeds.
   */
  async claim(id: string): Promise<ClaimResult> {
    checkId(id)
    if (this.heldIds.has(id)) return { ok: true }
    await mkdir(this.dir, { recursive: true })
    const path = this.path(id)
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.linkNew(path)) {
        this.heldIds.add(id)
        return { ok: true }
      }
      const info = await this.holder(id)
      if (info === null) continue // released in between: try again
      if (info.holder.nonce === this.self.nonce) {
        this.heldIds.add(id)
        return { ok: true }
      }
      if (info.alive) return { ok: false, holder: info.holder }
      await this.breakDead(id, info.holder)
    }
    const info = await this.holder(id)
    if (info === null) throw new Error(`could not take the lock ${path}: it keeps changing`)
    return { ok: false, holder: info.holder }
  }

  /** Gives the lock up (only if this owner holds it; a lock another took over is left alone). */
  async release(id: string): Promise<void> {
    if (!this.heldIds.delete(id)) return
    const current = await this.read(this.path(id))
    if (current?.nonce !== this.self.nonce) return
    await unlink(this.path(id)).catch((err: unknown) => {
      if (!isErrno(err, 'ENOENT')) throw err
    })
  }

  /** The run's lock holder and whether it lives; null when nobody holds the run. */
  async holder(id: string): Promise<HolderInfo | null> {
    checkId(id)
    const path = this.path(id)
    const [holder, mtimeMs] = await Promise.all([this.read(path), this.mtime(path)])
    if (mtimeMs === null) return null
    if (holder === null) {
      // Unreadable: not written by this code (link makes every lock complete). Dead once it is old.
      const fake = { pid: 0, host: '', bootId: null, startTime: null, nonce: '', since: '' }
      return { holder: fake, alive: Date.now() - mtimeMs < this.staleMs }
    }
    return { holder, alive: this.alive(holder, mtimeMs) }
  }

  /** Ids of every run some owner holds (or held, if it died) a lock on. */
  async lockedIds(): Promise<string[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
    return names
      .filter((n) => n.endsWith(SUFFIX))
      .map((n) => n.slice(0, -SUFFIX.length))
      .filter(isRunId)
  }

  /**
   * Touches every held lock (the heartbeat other hosts and PID-blind platforms judge by) and returns the
   * ids whose lock is no longer this owner's: another process broke it, so this owner must stop.
   */
  async heartbeat(): Promise<string[]> {
    const lost: string[] = []
    const t = new Date()
    for (const id of [...this.heldIds]) {
      const path = this.path(id)
      const current = await this.read(path)
      if (current?.nonce !== this.self.nonce) {
        this.heldIds.delete(id)
        lost.push(id)
        continue
      }
      await utimes(path, t, t).catch(() => undefined)
    }
    return lost
  }

  private path(id: string): string {
    return join(this.dir, `${id}${SUFFIX}`)
  }

  private alive(holder: LockHolder, mtimeMs: number): boolean {
    const state = liveness(holder, this.self)
    if (state !== 'unknown') return state === 'alive'
    return Date.now() - mtimeMs < this.staleMs
  }

  /**
   * Creates `path` holding this owner's identity, atomically; false if it exists. Filesystems without
   * hard links (FAT and exFAT drives, some network shares) get an exclusive create instead: a reader may
   * then see the lock empty for an instant, which counts as a live holder while the lock is new.
   */
  private async linkNew(path: string): Promise<boolean> {
    const holder: LockHolder = { ...this.self, since: new Date().toISOString() }
    const text = JSON.stringify(holder) + '\n'
    const tmp = join(this.dir, `.${randomBytes(8).toString('hex')}.tmp`)
    await writeFile(tmp, text, { flag: 'wx' })
    try {
      await link(tmp, path)
      return true
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false
      if (!NO_HARD_LINKS.some((code) => isErrno(err, code))) throw err
    } finally {
      await unlink(tmp).catch(() => undefined)
    }
    try {
      await writeFile(path, text, { flag: 'wx' })
      return true
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false
      throw err
    }
  }

  /**
   * Deletes the lock of a dead holder, under the break lock, and only if the lock still names that
   * holder. Returns without doing anything when another process is breaking it right now.
   */
  private async breakDead(id: string, dead: LockHolder): Promise<void> {
    const breaker = join(this.dir, `${id}${BREAK_SUFFIX}`)
    if (!(await this.linkNew(breaker))) {
      // A breaker holds its lock for a few milliseconds; one that died doing so leaves it behind. An
      // unreadable breaker is one that vanished since (links are never half-written): not stuck, unless
      // it stays unreadable for long (damaged by hand).
      const [info, mtimeMs] = await Promise.all([this.read(breaker), this.mtime(breaker)])
      const stuck =
        mtimeMs !== null && (info !== null ? !this.alive(info, mtimeMs) : Date.now() - mtimeMs > this.staleMs)
      if (stuck) await unlink(breaker).catch(() => undefined)
      await sleep(5 + Math.random() * 20)
      return
    }
    try {
      const current = await this.read(this.path(id))
      if (current !== null && current.nonce !== dead.nonce) return
      if (current === null && dead.nonce !== '') return
      await unlink(this.path(id)).catch((err: unknown) => {
        if (!isErrno(err, 'ENOENT')) throw err
      })
    } finally {
      await unlink(breaker).catch(() => undefined)
    }
  }

  private async read(path: string): Promise<LockHolder | null> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null
      throw err
    }
    try {
      return parseHolder(JSON.parse(text))
    } catch {
      return null
    }
  }

  private async mtime(path: string): Promise<number | null> {
    try {
      return (await stat(path)).mtimeMs
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null
      throw err
    }
  }
}

const LockHolderSchema = z.object({
  pid: z.number().int().nonnegative(),
  host: z.string(),
  bootId: z.string().nullable(),
  startTime: z.string().nullable(),
  nonce: z.string(),
  since: z.string(),
})

function parseHolder(v: unknown): LockHolder | null {
  const r = LockHolderSchema.safeParse(v)
  return r.success ? r.data : null
}

function checkId(id: string): void {
  if (!isRunId(id)) throw new Error(`not a run id: ${JSON.stringify(id)}`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
