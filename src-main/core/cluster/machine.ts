/** What a cluster worker says about its machine, so the app can show where each run trains. */
import { randomBytes } from 'node:crypto'
import { availableParallelism, cpus, freemem, hostname, totalmem } from 'node:os'
import type { WorkerMachine } from '../../../src-shared/runs'

export function workerId(): string {
  // Host names may hold dots or other characters: only the safe ones go in a Redis key.
  const host =
    hostname()
      .replace(/[^A-Za-z0-9-]/g, '-')
      .slice(0, 40) || 'host'
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`
}

export function machineInfo(id: string, concurrency: number, blasCore: string | null): WorkerMachine {
  return {
    id,
    host: hostname(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    blasCore,
    freeMemBytes: freemem(),
    totalMemBytes: totalmem(),
    concurrency,
  }
}
