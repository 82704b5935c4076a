/**
 * Locks held for a moment, across processes: around a read-modify-write of a small file that several
 * processes may change (a run's meta.json, a sweep record), so that two edits at once (a bulk tag in the
 * app, a `workbench tag` in a terminal) never lose one another. Built on the ownership locks' primitive
 * (runLocks.ts: atomic hard link, dead holders broken), in a folder of their own under `locks/`.
 */
import { KeyedLock } from '../store/lock'
import { WorkbenchError } from '../errors'
import type { ProcessIdentity } from './identity'
import { RunLocks } from './runLocks'

/** How long an edit waits for another process's edit of the same file (they take milliseconds). */
const WAIT_MS = 5000

export class ShortLocks {
  private readonly locks: RunLocks
  /** In this process, one at a time per key: the lock itself admits its holder again. */
  private readonly local = new KeyedLock()

  constructor(dataDir: string, identity: ProcessIdentity, subdir: string) {
    this.locks = new RunLocks(dataDir, identity, { subdir })
  }

  /** Runs `fn` holding the lock named `key` (a run id); waits for another holder, then gives up. */
  with<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const deadline = Date.now() + WAIT_MS
      for (;;) {
        const claim = await this.locks.claim(key)
        if (claim.ok) break
        if (Date.now() > deadline) {
          const h = claim.holder
          throw new WorkbenchError(
            'conflict',
            `${what} is being changed by another process (pid ${h.pid} on ${h.host}); try again`,
          )
        }
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20))
      }
      try {
        return await fn()
      } finally {
        await this.locks.release(key)
      }
    })
  }
}
