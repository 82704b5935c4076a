/**
 * Who a process is, in a form that outlives PID reuse: the PID alone names a different process once the
 * owner has died and the kernel hands the number out again. On Linux the kernel's boot id and the
 * process's start time (in clock ticks since boot, /proc/<pid>/stat field 22) pin it exactly; on macOS
 * `ps -o lstart=` gives the start time; elsewhere only the PID and the owner's heartbeat tell.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

export interface ProcessIdentity {
  pid: number
  host: string
  /** The kernel's boot id (Linux); null where unknown. A different boot id means the owner is gone. */
  bootId: string | null
  /** The process's start time as the OS tells it; null where unknown. */
  startTime: string | null
  /**
   * Random per Workbench instance: tells two owners in one process apart (tests open several), and is what
   * a lock's holder is compared by.
   */
  nonce: string
}

/** What can be said about the process an identity names. */
export type Liveness = 'alive' | 'dead' | 'unknown'

export function currentIdentity(): ProcessIdentity {
  return {
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    startTime: processStartTime(process.pid),
    nonce: randomBytes(8).toString('hex'),
  }
}

/**
 * Whether the process `id` names still runs. `unknown` for another host (its PIDs mean nothing here) and
 * where the OS gives no start time for a PID that exists: the caller then decides by the heartbeat.
 */
export function liveness(id: ProcessIdentity, self: ProcessIdentity = currentIdentityCached()): Liveness {
  if (id.host !== self.host) return 'unknown'
  if (id.bootId !== null && self.bootId !== null && id.bootId !== self.bootId) return 'dead'
  if (id.pid === self.pid) {
    // This very process (another Workbench instance in it, or ourselves).
    return id.startTime === null || id.startTime === self.startTime ? 'alive' : 'dead'
  }
  if (!pidExists(id.pid)) return 'dead'
  if (id.startTime === null) return 'unknown'
  const now = processStartTime(id.pid)
  if (now === null) return pidExists(id.pid) ? 'unknown' : 'dead'
  return now === id.startTime ? 'alive' : 'dead'
}

let cached: ProcessIdentity | null = null
function currentIdentityCached(): ProcessIdentity {
  return (cached ??= currentIdentity())
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function bootId(): string | null {
  if (process.platform !== 'linux') return null
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
  } catch {
    return null
  }
}

/** The start time of `pid`, or null if the OS does not say (or the process is gone). */
export function processStartTime(pid: number): string | null {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // Field 2 (the command) is in parentheses and may itself hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // Fields counted from 3 (state) on: starttime is field 22.
      const ticks = fields[22 - 3]
      return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : null
    } catch {
      return null
    }
  }
  if (process.platform === 'darwin') {
    // `ps` is a process spawn: remembered for a few seconds, since every listing asks about each holder.
    const known = psCache.get(pid)
    if (known && Date.now() - known.at < PS_CACHE_MS) return known.startTime
    const startTime = psStartTime(pid)
    psCache.set(pid, { at: Date.now(), startTime })
    if (psCache.size > 256) psCache.delete(psCache.keys().next().value!)
    return startTime
  }
  return null
}

const PS_CACHE_MS = 5_000
const psCache = new Map<number, { at: number; startTime: string | null }>()

function psStartTime(pid: number): string | null {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return out.trim() || null
  } catch {
    return null
  }
}
