/**
 * The cluster's address: a Redis URL (`redis://` or `rediss://` for TLS), read once and turned into
 * connection options. The password may come from the URL or, to keep it out of shell history and `ps`,
 * from $WORKBENCH_REDIS_PASSWORD; it is never written to job data, run records or logs (`display` is the
 * URL without it).
 */
import type { RedisOptions } from 'ioredis'

export const REDIS_PASSWORD_ENV = 'WORKBENCH_REDIS_PASSWORD'
export const DEFAULT_QUEUE = 'workbench'

export interface ClusterAddress {
  /** For ioredis and BullMQ: reconnects for ever, commands wait while Redis is away. */
  options: RedisOptions
  /** The URL with the password masked, for messages. */
  display: string
}

export type AddressCheck = { ok: true; value: ClusterAddress } | { ok: false; message: string }

/** Queue names: one path segment of Redis keys, safe in messages. */
export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,64}$/

export function parseRedisUrl(url: string, env: NodeJS.ProcessEnv = process.env): AddressCheck {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return {
      ok: false,
      message: `not a URL: expected redis://[user:password@]host[:port][/db] or rediss://...`,
    }
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    return { ok: false, message: `expected a redis:// or rediss:// URL, got ${u.protocol}//` }
  }
  if (!u.hostname) return { ok: false, message: 'the URL names no host' }
  const port = u.port === '' ? 6379 : Number(u.port)
  const dbPath = u.pathname.replace(/^\//, '')
  const db = dbPath === '' ? 0 : Number(dbPath)
  if (!Number.isInteger(db) || db < 0 || db > 15) {
    return { ok: false, message: `the database (/${dbPath}) must be a number from 0 to 15` }
  }
  if (u.search || u.hash) return { ok: false, message: 'the URL takes no query or fragment' }
  const password = u.password ? decodeURIComponent(u.password) : env[REDIS_PASSWORD_ENV] || undefined
  const username = u.username ? decodeURIComponent(u.username) : undefined
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    // TLS verifies the server's certificate against the system's CAs (NODE_EXTRA_CA_CERTS adds one).
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    // BullMQ's workers need it; for everything else it means "wait for Redis to come back".
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    // Connect in the background: the app opens even while Redis is away.
    lazyConnect: false,
  }
  const auth = username || password ? `${username ?? ''}${password ? ':***' : ''}@` : ''
  const display = `${u.protocol}//${auth}${u.host}${db ? `/${db}` : ''}`
  return { ok: true, value: { options, display } }
}

/** A Redis error a person can act on, without the password. */
export function describeRedisError(e: unknown, display: string): string {
  const err = e as NodeJS.ErrnoException & { message?: string }
  const message = err?.message ?? String(e)
  if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
    return `Redis at ${display} refused the password (set it in the URL or $${REDIS_PASSWORD_ENV})`
  }
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'ETIMEDOUT') {
    return `Redis at ${display} cannot be reached (${err.code}); waiting for it`
  }
  return `Redis at ${display}: ${message}`
}
