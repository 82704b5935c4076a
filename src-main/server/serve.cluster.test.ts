/**
 * `serve --redis`: the UI learns whether a cluster is configured, its address without the password, its
 * connection and its workers (cluster.status and the `cluster` event), and a run may be sent to it. A
 * worker is announced the way `workbench worker` announces itself (its machine info in Redis), so the test
 * needs a Redis but no training on another process.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ClusterInfo } from '../../src-shared/contract'
import { Context, type CliIo } from '../cli/context'
import { CliError } from '../cli/errors'
import { clusterKeys } from '../core/cluster/keys'
import { SKIP_MESSAGE, testRedis, type TestRedis } from '../core/cluster/testing/redisServer'
import { serveCommand, type ServeOptions } from './serve'
import { connect, INDEX_HTML, TOKEN, type Client } from './testing'

const dirs: string[] = []
let redis: TestRedis | null = null
beforeAll(async () => {
  redis = await testRedis()
  if (!redis) console.log(`serve.cluster.test.ts: ${SKIP_MESSAGE}`)
})
afterAll(async () => {
  await redis?.stop()
})
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

function serve(options: ServeOptions, env: NodeJS.ProcessEnv) {
  const run = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wb-serve-cluster-'))
    dirs.push(dir)
    const staticDir = join(dir, 'renderer')
    await mkdir(staticDir)
    await writeFile(join(staticDir, 'index.html'), INDEX_HTML)
    let out = ''
    let err = ''
    let printed: (port: number) => void = () => {}
    const port = new Promise<number>((r) => (printed = r))
    const interrupt = new AbortController()
    const io: CliIo = {
      stdout: (s) => {
        out += s
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
        if (m) printed(Number(m[1]))
      },
      stderr: (s) => void (err += s),
      terminal: null,
      stdoutIsTerminal: false,
      env: { WORKBENCH_TOKEN: TOKEN, ...env },
      cwd: process.cwd(),
      interrupt: interrupt.signal,
    }
    const done = serveCommand(new Context(io, { dataDir: join(dir, 'data'), json: false }), {
      threads: 1,
      staticDir,
      port: 0,
      ...options,
    })
    return { port, done, stop: () => interrupt.abort(), stderr: () => err }
  }
  return run()
}

/** Until a `cluster` event (bounded: the executor looks at workers every 2 s). */
async function clusterEvent(c: Client, match: (i: ClusterInfo) => boolean, since: number) {
  const frame = await Promise.race([
    c.waitFor(
      (f) => 'event' in f && f.event === 'cluster' && match((f as { payload: ClusterInfo }).payload),
      since,
    ),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no cluster event in 15 s')), 15_000),
    ),
  ])
  return (frame as { payload: ClusterInfo }).payload
}

describe('serve --redis', () => {
  it('refuses a bad URL or queue as a usage error naming the option', async () => {
    const s = await serve({ redis: 'http://x' }, {})
    await expect(s.done).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--redis: /) })
    const q = await serve({}, { WORKBENCH_REDIS_URL: 'redis://127.0.0.1:1', WORKBENCH_REDIS_QUEUE: 'a b' })
    await expect(q.done).rejects.toBeInstanceOf(CliError)
    await expect(q.done).rejects.toMatchObject({
      message: expect.stringMatching(/^\$WORKBENCH_REDIS_QUEUE: /),
    })
  })

  it('without a cluster: cluster.status says none, and trainOn cluster is refused', async () => {
    const s = await serve({}, {})
    const c = await connect(await s.port)
    expect(await c.call('cluster.status')).toMatchObject({ result: { configured: false } })
    const refused = await c.call('runs.create', { name: 'x' }, { trainOn: 'cluster' })
    expect(refused).toMatchObject({
      error: { code: 'invalid-argument', fields: [{ path: 'options.trainOn' }] },
    })
    c.close()
    s.stop()
    expect(await s.done).toBe(0)
  })

  it('shows the masked address, connects, counts the workers and queues a run for them', async (t) => {
    if (!redis) return t.skip(SKIP_MESSAGE)
    const url = new URL(redis.url)
    const password = decodeURIComponent(url.password)
    expect(password).not.toBe('')
    url.password = ''
    const queue = `serve-${process.pid}`
    // The password comes from the environment, as the README tells people to pass it.
    const s = await serve(
      { redis: url.href.replace(/\/$/, ''), queue },
      { WORKBENCH_REDIS_PASSWORD: password },
    )
    const c = await connect(await s.port)
    const first = (await c.call('cluster.status')) as { result: ClusterInfo }
    expect(first.result).toMatchObject({ configured: true, queue, address: `redis://:***@${url.host}` })
    const keys = clusterKeys(queue)
    const client = redis.client()
    const machine = {
      id: 'lab-1-1234-abcd',
      host: 'lab-1',
      cpu: 'AMD EPYC',
      cores: 8,
      blasCore: 'Zen',
      freeMemBytes: 1e9,
      totalMemBytes: 2e9,
      concurrency: 3,
    }
    await client.set(keys.worker(machine.id), JSON.stringify(machine), 'EX', 30)
    await client.sadd(keys.workers, machine.id)
    const ready = await clusterEvent(c, (i) => i.configured && i.state === 'ready' && i.slots === 3, 0)
    expect(ready).toMatchObject({ workers: [{ host: 'lab-1', cores: 8, concurrency: 3 }] })
    // Queued for the cluster: the record says so before a worker takes it.
    const created = (await c.call(
      'runs.create',
      {
        name: 'remote',
        dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
        model: { kind: 'two-layer', hiddenDim: 20 },
        solver: { numEpochs: 1, batchSize: 100 },
      },
      { trainOn: 'cluster' },
    )) as { result?: { placement?: unknown }; error?: unknown }
    expect(created.error).toBeUndefined()
    expect(created.result?.placement).toEqual({ executor: 'cluster', worker: null })
    // Nothing the renderer received holds the password.
    expect(JSON.stringify(c.frames)).not.toContain(password)
    await client.srem(keys.workers, machine.id)
    await client.del(keys.worker(machine.id))
    c.close()
    s.stop()
    expect(await s.done).toBe(0)
    expect(s.stderr()).toContain(
      `Cluster ${queue} at redis://:***@${url.host}: 1 worker (3 at a time): lab-1`,
    )
    expect(s.stderr()).not.toContain(password)
  })
})
