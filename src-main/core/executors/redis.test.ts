import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { makeCapture } from '../store/testingLayers'
import { parseRedisUrl } from '../cluster/connection'
import { SKIP_MESSAGE, testRedis, type TestRedis } from '../cluster/testing/redisServer'
import { ClusterWorker } from '../cluster/worker'
import { Workbench, type WorkbenchEvent } from '../workbench'
import { Queue } from 'bullmq'
import { decodeMessage } from '../cluster/codec'
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

async function setup(
  queue = `t${randomBytes(4).toString('hex')}`,
  workers = 1,
  workerOptions: Partial<ConstructorParameters<typeof ClusterWorker>[0]> = {},
) {
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
      ...workerOptions,
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

  it("forwards a worker's layer captures: stored in layers.jsonl here and sent to subscribers (issue 15)", async (ctx) => {
    if (!redis) return ctx.skip()
    const marks = await tempDir('wb-layers-marks-')
    process.env.WB_LAYERS_TEST_DIR = marks
    cleanups.push(async () => void delete process.env.WB_LAYERS_TEST_DIR)
    const { wb, workers, cluster } = await setup(undefined, 1, {
      workerFile: join(__dirname, '..', 'testing', 'layers-worker.cjs'),
    })
    await until('a worker to register', async () => cluster.capacity > 0)
    const live: LayerCapture[] = []
    wb.subscribe((e) => {
      if (e.type === 'layers') live.push(...e.captures)
    })
    const run = await wb.createRun(tiny('remote layers', { solver: { batchSize: 100, numEpochs: 2 } }), {
      trainOn: 'cluster',
    })
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
    const series = await wb.readLayers(run.id)
    // 1000 images in batches of 100, 2 epochs: one capture per iteration, as the test worker takes them.
    expect(series.captures.map((c) => c.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(series.captures[4]).toEqual(makeCapture(5, { seed: 1, epoch: series.captures[4]!.epoch }))
    expect(live).toEqual(series.captures)
    expect(workers[0]!.messagesSent).toBeLessThan(60)
  })

  it('a sweep mixes local and cluster runs: queued here, extended on the cluster, one sweep', async (ctx) => {
    if (!redis) return ctx.skip()
    const { wb, cluster } = await setup()
    await until('a worker to register', async () => cluster.capacity > 0)
    const spec = {
      name: 'mixed',
      method: 'random',
      samples: 2,
      seed: 3,
      base: tiny('mixed', { solver: { numEpochs: 1 } }),
      params: { 'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log' } },
    }
    const { sweepId, runs: first } = await wb.createSweep(spec)
    const { runs: added } = await wb.extendSweep(sweepId, 2, { trainOn: 'cluster' })
    await wb.whenIdle()
    const all = await Promise.all([...first, ...added].map((r) => wb.getRun(r.id)))
    expect(all.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed'])
    expect(all.map((r) => r.sweepId)).toEqual([sweepId, sweepId, sweepId, sweepId])
    expect(all.slice(0, 2).map((r) => r.placement)).toEqual([undefined, undefined])
    for (const r of all.slice(2)) expect(r.placement?.executor).toBe('cluster')
    expect((await wb.getSweep(sweepId)).sweep.runIds).toEqual(all.map((r) => r.id))
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

describe('cluster worker: datasets by digest, validation, budget', () => {
  it('fetches a dataset it lacks from the submitting machine, verifies it, and keeps it for the next run', async (ctx) => {
    if (!redis) return ctx.skip()
    const empty = await tempDir('wb-no-builtin-')
    const { wb, workers, cluster, queue } = await setup(undefined, 1, { builtinDatasetsDir: empty })
    await until('a worker to register', async () => cluster.capacity > 0)
    const first = await wb.createRun(tiny('fetched'), { trainOn: 'cluster' })
    await wb.whenIdle()
    expect((await wb.getRun(first.id)).status).toBe('completed')
    const digest = [
      ...(workers[0] as unknown as { datasets: { sources: Map<string, string> } }).datasets.sources,
    ]
    expect(digest).toHaveLength(1)
    expect(digest[0]![1]).toBe('transfer')
    // The chunks left Redis once no run needed them.
    const client = redis.client()
    await until('the dataset chunks to go', async () => (await client.keys(`wb:${queue}:ds:*`)).length === 0)
    // A second worker process with the same data folder finds its kept copy.
    const again = new ClusterWorker({
      address: address(),
      queue,
      concurrency: 1,
      dataDir: (workers[0] as unknown as { options: { dataDir: string } }).options.dataDir,
      builtinDatasetsDir: empty,
    })
    await workers[0]!.close()
    await again.start()
    cleanups.push(() => again.close())
    const second = await wb.createRun(tiny('kept'), { trainOn: 'cluster' })
    await wb.whenIdle()
    expect((await wb.getRun(second.id)).status).toBe('completed')
    expect(
      [...(again as unknown as { datasets: { sources: Map<string, string> } }).datasets.sources][0]![1],
    ).toBe('cache')
    expect(losses(await wb.readMetrics(second.id))).toEqual(losses(await wb.readMetrics(first.id)))
  })

  it("holds runs to the worker's own memory budget", async (ctx) => {
    if (!redis) return ctx.skip()
    const { wb, cluster } = await setup(undefined, 1, { memoryBudget: '1MB' })
    await until('a worker to register', async () => cluster.capacity > 0)
    const run = await wb.createRun(tiny('too big here'), { trainOn: 'cluster' })
    await wb.whenIdle()
    const r = await wb.getRun(run.id)
    expect(r.status).toBe('failed')
    expect(r.error?.reason).toBe('memory')
    expect(r.error?.message).toMatch(/on worker/)
  })

  it("validates a job's config as local runs are: a bad one fails, naming the field", async (ctx) => {
    if (!redis) return ctx.skip()
    const queue = `t${randomBytes(4).toString('hex')}`
    const w = new ClusterWorker({
      address: address(),
      queue,
      concurrency: 1,
      dataDir: await tempDir('wb-worker-'),
    })
    await w.start()
    cleanups.push(() => w.close())
    const client = redis.client()
    const origin = randomBytes(8).toString('hex')
    const runId = '20261202-000000-abcdef'
    await client.hset(`wb:${queue}:run:${runId}`, 'origin', origin, 'attempt', '')
    const q = new Queue(queue, { connection: { ...address().options } })
    cleanups.push(() => q.close())
    const config = { ...tiny('bad'), seed: 1, solver: { ...tiny('bad').solver, batchSize: -5 } }
    const digest = 'a'.repeat(64)
    await q.add(
      'train',
      { v: 1, runId, origin, config, dataset: { name: 'fashion-mnist-small', digest }, sanityChecks: false },
      { removeOnComplete: true },
    )
    const done = await until('the outcome on the stream', async () => {
      const res = (await client.xrangeBuffer(`wb:${queue}:out:${origin}`, '-', '+')) as [Buffer, Buffer[]][]
      const bodies = res.map(
        ([, f]) =>
          (
            decodeMessage(f[1]!) as {
              body: {
                type: string
                outcome?: { status: string; error?: { reason: string; message: string } }
              }
            }
          ).body,
      )
      return bodies.find((b) => b.type === 'done')
    })
    expect(done.outcome?.status).toBe('failed')
    expect(done.outcome?.error?.reason).toBe('invalid')
    expect(done.outcome?.error?.message).toMatch(/solver\.batchSize/)
    await client.del(`wb:${queue}:run:${runId}`, `wb:${queue}:out:${origin}`)
  })
})
