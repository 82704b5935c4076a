/**
 * `--redis <url>` and `--queue <name>` for the commands that talk to the cluster (`worker`, and `run`,
 * `sweep`, `resume` sending runs to it), and the lines that tell a person what the cluster is doing.
 */
import { InvalidArgumentError, Option } from 'commander'
import {
  DEFAULT_QUEUE,
  parseRedisUrl,
  QUEUE_NAME,
  REDIS_PASSWORD_ENV,
  type ClusterAddress,
} from '../core/cluster/connection'
import { clusterExecutor, type ClusterStatus, type RedisExecutor } from '../core/executors/redis'
import type { Workbench, WorkbenchOptions } from '../core/workbench'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

export interface ClusterCliOptions {
  redis?: string
  queue?: string
  /** Least seconds between epoch checkpoints (what a killed worker or process can lose). */
  checkpointInterval?: number
}

export function redisOption(description: string): Option {
  return new Option(
    '--redis <url>',
    `${description} (redis://[user:password@]host:port[/db] or rediss:// for TLS; the password may come from $${REDIS_PASSWORD_ENV} instead)`,
  )
}

export function queueOption(): Option {
  return new Option('--queue <name>', `the cluster's queue (default: ${DEFAULT_QUEUE})`)
}

/** The parsed address and queue, or a usage error naming the option. */
export function clusterAddress(
  ctx: Context,
  o: ClusterCliOptions & { redis: string },
): { address: ClusterAddress; queue: string } {
  const parsed = parseRedisUrl(o.redis, ctx.io.env)
  if (!parsed.ok) {
    throw new CliError('usage', `--redis: ${parsed.message}`, EXIT.usage, [
      { path: '--redis', message: parsed.message },
    ])
  }
  const queue = o.queue ?? DEFAULT_QUEUE
  if (!QUEUE_NAME.test(queue)) {
    const message = 'letters, digits, - and _ only, at most 64'
    throw new CliError('usage', `--queue: ${message}`, EXIT.usage, [{ path: '--queue', message }])
  }
  return { address: parsed.value, queue }
}

/** What Workbench.open needs to send runs to the cluster; nothing without --redis. */
export function clusterWorkbenchOptions(
  ctx: Context,
  o: ClusterCliOptions,
): Pick<WorkbenchOptions, 'cluster' | 'checkpointIntervalMs'> {
  const interval =
    o.checkpointInterval !== undefined
      ? { checkpointIntervalMs: Math.round(o.checkpointInterval * 1000) }
      : {}
  if (o.redis === undefined) return interval
  const { address, queue } = clusterAddress(ctx, { ...o, redis: o.redis })
  return { ...interval, cluster: clusterExecutor({ address, queue }) }
}

export function checkpointIntervalOption(): Option {
  return new Option(
    '--checkpoint-interval <seconds>',
    'least time between epoch checkpoints, what a crash or a killed worker can lose (default: 5)',
  ).argParser((v) => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('seconds from 0 to 3600')
    return n
  })
}

/** Prints what the cluster is doing whenever it changes (connection, workers); returns the unsubscribe. */
export function followCluster(wb: Workbench, note: (line: string) => void): () => void {
  const cluster = wb.cluster as RedisExecutor | null
  if (!cluster) return () => undefined
  let last = ''
  const say = (s: ClusterStatus): void => {
    const line = describeCluster(s)
    if (line !== last) note(line)
    last = line
  }
  say(cluster.status())
  return cluster.subscribe(say)
}

export function describeCluster(s: ClusterStatus): string {
  const where = `cluster ${s.queue} at ${s.address}`
  if (s.state === 'connecting') return `Connecting to the ${where}…${s.message ? ` ${s.message}` : ''}`
  if (s.state === 'reconnecting') return `Lost the ${where}; reconnecting…${s.message ? ` ${s.message}` : ''}`
  const slots = s.workers.reduce((n, w) => n + w.concurrency, 0)
  const workers =
    s.workers.length === 0
      ? 'no worker connected yet: start one with `workbench worker --redis <url>`'
      : `${s.workers.length} worker${s.workers.length === 1 ? '' : 's'} (${slots} at a time): ${s.workers.map((w) => w.host).join(', ')}`
  return `${where[0]!.toUpperCase()}${where.slice(1)}: ${workers}${s.message ? `; ${s.message}` : ''}`
}
