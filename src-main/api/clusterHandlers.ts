/**
 * Train on other machines (issue 16), as the contract shows it: `cluster.status` and the `cluster` event
 * say whether this process sends runs to a cluster, where (the address without its password), whether
 * Redis answers and which workers are up; `trainOn` of runs.create / runs.createSweep is checked here, so a
 * renderer never queues a run for a cluster this process does not have.
 */
import type { ClusterInfo, TrainOnOptions } from '../../src-shared/contract'
import type { ClusterStatus, RedisExecutor } from '../core/executors/redis'
import type { Workbench } from '../core/workbench'
import { invalidArgument } from './errors'
import type { Handlers } from './handlers'
import { checkArity } from './validate'

/** How a person configures one, for the refusal when none is. */
export const NO_CLUSTER =
  'no cluster is configured: start the app with $WORKBENCH_REDIS_URL set, or serve with --redis <url>'

type ClusterSource = Pick<Workbench, 'cluster'>

/** The cluster's executor when it reports its status (the Redis one does). */
function statusSource(wb: ClusterSource): Pick<RedisExecutor, 'status' | 'subscribe'> | null {
  const c = wb.cluster as Partial<RedisExecutor> | null
  return c && typeof c.status === 'function' && typeof c.subscribe === 'function'
    ? (c as RedisExecutor)
    : null
}

/** What the renderer is told: hosts and sizes of the workers, never ids, memory or the password. */
export function clusterInfo(s: ClusterStatus | null): ClusterInfo {
  if (s === null) return { configured: false }
  return {
    configured: true,
    address: s.address,
    queue: s.queue,
    state: s.state,
    message: s.message,
    workers: s.workers.map((w) => ({ host: w.host, cpu: w.cpu, cores: w.cores, concurrency: w.concurrency })),
    slots: s.state === 'ready' ? s.workers.reduce((n, w) => n + w.concurrency, 0) : 0,
    waiting: s.waiting,
    training: s.training,
  }
}

/** The cluster's info now, and on every change that shows (counts included); returns the unsubscribe. */
export function subscribeCluster(wb: ClusterSource, listener: (info: ClusterInfo) => void): () => void {
  const source = statusSource(wb)
  if (!source) return () => undefined
  let last = JSON.stringify(clusterInfo(source.status()))
  return source.subscribe((s) => {
    const info = clusterInfo(s)
    const json = JSON.stringify(info)
    if (json === last) return
    last = json
    listener(info)
  })
}

/** runs.create's and runs.createSweep's options: `{trainOn?: 'local' | 'cluster'}`. */
export function trainOnArg(value: unknown, wb: ClusterSource): TrainOnOptions {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'array' : typeof value
    throw invalidArgument('options', `must be an object like {trainOn: 'cluster'}, got ${got}`)
  }
  const out: TrainOnOptions = {}
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'trainOn') {
      throw invalidArgument(`options.${key.slice(0, 40)}`, 'unknown option (known: trainOn)')
    }
    if (v === undefined || v === null) continue
    if (v !== 'local' && v !== 'cluster') {
      const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v
      throw invalidArgument('options.trainOn', `must be 'local' or 'cluster', got ${shown}`)
    }
    if (v === 'cluster' && !wb.cluster) throw invalidArgument('options.trainOn', NO_CLUSTER)
    out.trainOn = v
  }
  return out
}

export function createClusterHandlers(wb: ClusterSource): Pick<Handlers, 'cluster.status'> {
  return {
    'cluster.status': async (...args) => {
      checkArity('cluster.status', args, [])
      const source = statusSource(wb)
      return clusterInfo(source ? source.status() : null)
    },
  }
}
