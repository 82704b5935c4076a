/**
 * Redis for the cluster tests. $WORKBENCH_TEST_REDIS names one (CI starts it under a supervisor that
 * brings it back when it exits, as a service manager would); otherwise a `redis-server` on PATH is
 * started on a free loopback port with a password and stopped by its PID. Without either, the tests say
 * they were skipped and why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { parseRedisUrl } from '../connection'

export const TEST_REDIS_ENV = 'WORKBENCH_TEST_REDIS'
export const SKIP_MESSAGE = `skipped: no Redis (set ${TEST_REDIS_ENV})`

export interface TestRedis {
  url: string
  /** Redis goes down (losing everything: no persistence) and comes back on the same port. */
  restart(): Promise<void>
  stop(): Promise<void>
  /** A client on it (closed by stop). */
  client(): Redis
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** Until Redis answers PING (bounded). */
async function untilUp(url: string, timeoutMs = 20_000): Promise<void> {
  const parsed = parseRedisUrl(url)
  if (!parsed.ok) throw new Error(parsed.message)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = new Redis({
      ...parsed.value.options,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      lazyConnect: true,
    })
    r.on('error', () => undefined)
    try {
      await r.connect()
      if ((await r.ping()) === 'PONG') return
    } catch {
      // not yet
    } finally {
      r.disconnect()
    }
    if (Date.now() > deadline)
      throw new Error(`Redis at ${parsed.value.display} did not come up in ${timeoutMs} ms`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

/**
 * Redis for a test, or null (print SKIP_MESSAGE) when there is none. `envOnly`: the one
 * $WORKBENCH_TEST_REDIS names, else none; otherwise a server of the test's own when `redis-server` is on
 * PATH, else the shared one.
 */
export async function testRedis({ envOnly = false } = {}): Promise<TestRedis | null> {
  const clients: Redis[] = []
  const client = (url: string) => (): Redis => {
    const parsed = parseRedisUrl(url)
    if (!parsed.ok) throw new Error(parsed.message)
    const r = new Redis({ ...parsed.value.options })
    r.on('error', () => undefined)
    clients.push(r)
    return r
  }
  const closeClients = () => {
    for (const c of clients.splice(0)) c.disconnect()
  }
  const shared = process.env[TEST_REDIS_ENV]
  // Tests that do not restart Redis get one of their own when they can: the shared one restarts under
  // the multi-process test, which runs in parallel with them.
  if (shared && (envOnly || !hasRedisServer())) {
    await untilUp(shared)
    return {
      url: shared,
      client: client(shared),
      restart: async () => {
        const parsed = parseRedisUrl(shared)
        if (!parsed.ok) throw new Error(parsed.message)
        // Sent once: a client that resends unanswered commands after reconnecting would shut it down again.
        const r = new Redis({
          ...parsed.value.options,
          maxRetriesPerRequest: 0,
          autoResendUnfulfilledCommands: false,
          retryStrategy: () => null,
        })
        r.on('error', () => undefined)
        await r.call('SHUTDOWN', 'NOSAVE').catch(() => undefined)
        r.disconnect()
        await new Promise((res) => setTimeout(res, 300))
        await untilUp(shared)
      },
      stop: async () => closeClients(),
    }
  }
  if (envOnly || !hasRedisServer()) return null
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const url = `redis://:${password}@127.0.0.1:${port}`
  let child: ChildProcess | null = null
  const startServer = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--requirepass',
        password,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    )
    await untilUp(url)
  }
  const stopServer = async () => {
    const c = child
    child = null
    if (!c || c.exitCode !== null) return
    const exited = new Promise((res) => c.once('exit', res))
    c.kill('SIGKILL')
    await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))])
  }
  await startServer()
  return {
    url,
    client: client(url),
    restart: async () => {
      await stopServer()
      await startServer()
    },
    stop: async () => {
      closeClients()
      await stopServer()
    },
  }
}
