import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { parseRedisUrl } from '../cluster/connection'
import { SKIP_MESSAGE, testRedis, type TestRedis } from '../cluster/testing/redisServer'
import { ClusterWorker } from '../cluster/worker'
import { Workbench, type WorkbenchEvent } from '../workbench'
import { clusterExecutor, type RedisExecutor } from './redis'

let redis: TestRedis | null = null
beforeAll(async () => {
  redis = await testRedis()
  if (!redis) console.log(`executors/redis.test.ts: ${SKIP_MESSAGE}`)
})
afterAll(async () => {
  await redis?.stop()
})

const dirs: string[] = []
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}

function address() {
  const parsed = parseRedisUrl(redis!.url)
  if (!parsed.ok) throw new Error(parsed.message)
  return parsed.value
}

async function setup(queue = `t${randomBytes(4).toString('hex')}`, workers = 1) {
  const wb = await Workbench.open({
    dataDir: await tempDir('wb-cluster-'),
    maxThreads: 1,
    progressIntervalMs: 20,
    cluster: clusterExecutor({ address: address(), queue, reconcileMs: 300 }),
  })
  cleanups.push(() => wb.close())
  const started: ClusterWorker[] = []
  for (let i = 0; i < workers; i++) {
    const w = new ClusterWorker({
      address: address(),
      queue,
      concurrency: 1,
      dataDir: await tempDir('wb-worker-'),
      lockDurationMs: 3000,
    })
    await w.start()
    cleanups.push(() => w.close())
    started.push(w)
  }
  return { wb, workers: started, queue, cluster: wb.cluster as RedisExecutor }
}

function tiny(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 1000, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 20, numEpochs: 4 },
    seed: 11,
    ...over,
  }
}

const losses = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('cluster executor (BullMQ on Redis)', () => {
  it('trains a run on a worker: the same curve and result as the local pool, records and events here', async (ctx) => {
    if (!redis) return ctx.skip()
    const { wb, workers, cluster } = await setup()
    await until('a worker to register', async () => cluster.capacity > 0)
    const events: WorkbenchEvent[] = []
    wb.subscribe((e) => events.push(e))
    const remote = await wb.createRun(tiny('remote'), { trainOn: 'cluster' })
    expect(remote.placement).toEqual({ executor: 'cluster', worker: null })
    await wb.whenIdle()
    const local = await wb.createRun(tiny('local'))
    await wb.whenIdle()
    const r = await wb.getRun(remote.id)
    const l = await wb.getRun(local.id)
    expect(r.status).toBe('completed')
    expect(r.placement?.worker?.id).toBe(workers[0]!.id)
    expect(r.placement?.worker?.cores).toBeGreaterThan(0)
    expect(l.placement).toBeUndefined()
    expect(r.environment?.backend).toBe(l.environment?.backend)
    expect(r.result).toEqual(l.result)
    const remoteLosses = losses(await wb.readMetrics(remote.id))
    expect(remoteLosses).toHaveLength(200)
    expect(remoteLosses).toEqual(losses(await wb.readMetrics(local.id)))
    // Everything a local run leaves on disk, here, in the submitting data folder.
    const dir = wb.store.runDir(remote.id)
    for (const f of ['best.safetensors', 'last.safetensors'])
      expect(existsSync(join(dir, 'checkpoints', f))).toBe(true)
    expect((await wb.mosaic(remote.id))!.epochs).toEqual([0, 1, 2, 3, 4])
    // Live like a local run: its metrics and its placement reached subscribers.
    const live = events.filter((e) => e.type === 'metrics' && e.runId === remote.id)
    expect(live.length).toBeGreaterThan(0)
    expect(events.some((e) => e.type === 'run' && e.run.id === remote.id && e.run.placement?.worker)).toBe(
      true,
    )
    // Batched: far fewer messages through Redis than iterations.
    expect(workers[0]!.messagesSent).toBeLessThan(60)
    // No secret in the record.
    const stored = await readFile(join(dir, 'run.json'), 'utf8')
    expect(stored).not.toContain(new URL(redis.url).password)
    expect(stored).not.toContain('redis://')
  })

  it('cancels a run a worker trains, and leaves no key of it in Redis', async (ctx) => {
    if (!redis) return ctx.skip()
    const { wb, cluster, queue } = await setup()
    await until('a worker to register', async () => cluster.capacity > 0)
    const run = await wb.createRun(
      tiny('long', {
        solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 10, numEpochs: 200 },
      }),
      { trainOn: 'cluster' },
    )
    await until('the run to train on the worker', async () => {
      const r = await wb.getRun(run.id)
      return r.placement?.worker && r.progress.iteration > 5
    })
    const t0 = Date.now()
    await wb.cancel(run.id)
    await wb.whenIdle()
    // The worker confirmed it (not the executor's give-up timeout of 10 s).
    expect(Date.now() - t0).toBeLessThan(8000)
    const r: RunRecord = await wb.getRun(run.id)
    expect(r.status).toBe('cancelled')
    expect(r.progress.iteration).toBeLessThan(20_000)
    const client = redis.client()
    await until('the run keys to go', async () => (await client.keys(`wb:${queue}:run:*`)).length === 0)
    expect(await client.keys(`wb:${queue}:ckpt:*`)).toEqual([])
  })

  it('refuses a cluster run when no cluster is configured', async () => {
    const wb = await Workbench.open({ dataDir: await tempDir('wb-nocluster-'), maxThreads: 1 })
    cleanups.push(() => wb.close())
    await expect(wb.createRun(tiny('x'), { trainOn: 'cluster' })).rejects.toThrow(/no cluster is configured/)
  })
})
