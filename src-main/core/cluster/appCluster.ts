/**
 * The cluster the long-lived processes (the desktop app, `serve`) send runs to: `--redis` / `--queue`
 * where there is a command line, else $WORKBENCH_REDIS_URL / $WORKBENCH_REDIS_QUEUE (the desktop app has no
 * command line a student types). The password comes from the URL or $WORKBENCH_REDIS_PASSWORD and stays in
 * this process: the renderer only ever sees the masked address.
 */
import { clusterExecutor } from '../executors/redis'
import type { WorkbenchOptions } from '../workbench'
import { DEFAULT_QUEUE, parseRedisUrl, QUEUE_NAME } from './connection'

export const REDIS_URL_ENV = 'WORKBENCH_REDIS_URL'
export const REDIS_QUEUE_ENV = 'WORKBENCH_REDIS_QUEUE'

export type AppCluster =
  | { ok: true; cluster: WorkbenchOptions['cluster']; display: string | null }
  | { ok: false; field: string; message: string }

/** Nothing configured is fine (runs train here only); a bad URL or queue names where it came from. */
export function appCluster(
  options: { redis?: string; queue?: string },
  env: NodeJS.ProcessEnv = process.env,
): AppCluster {
  const fromEnv = options.redis === undefined
  const url = options.redis ?? (env[REDIS_URL_ENV] || undefined)
  const queue = options.queue ?? (env[REDIS_QUEUE_ENV] || undefined)
  const urlField = fromEnv ? `$${REDIS_URL_ENV}` : '--redis'
  const queueField = options.queue === undefined ? `$${REDIS_QUEUE_ENV}` : '--queue'
  if (url === undefined) {
    if (options.queue !== undefined) {
      return { ok: false, field: '--queue', message: `needs --redis <url> (or $${REDIS_URL_ENV})` }
    }
    return { ok: true, cluster: undefined, display: null }
  }
  const parsed = parseRedisUrl(url, env)
  if (!parsed.ok) return { ok: false, field: urlField, message: parsed.message }
  if (queue !== undefined && !QUEUE_NAME.test(queue)) {
    return { ok: false, field: queueField, message: 'letters, digits, - and _ only, at most 64' }
  }
  return {
    ok: true,
    cluster: clusterExecutor({ address: parsed.value, queue: queue ?? DEFAULT_QUEUE }),
    display: parsed.value.display,
  }
}
