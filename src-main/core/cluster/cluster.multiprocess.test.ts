/**
 * The cluster as it runs for real, in separate processes: 3 `workbench worker`s, a 6-run sweep sent from
 * `workbench sweep --redis`, one worker SIGKILLed mid-run, Redis restarted once (losing everything: it
 * keeps no data). Every run completes exactly once, the killed run's curve equals a local run's with the
 * same seed bit for bit, and Redis is left holding only BullMQ's own bookkeeping of the queue.
 *
 * Needs $WORKBENCH_TEST_REDIS (`.ci/run` starts one, under a loop that restarts it when it exits).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { appRoot } from '../appPaths'
import { Workbench } from '../workbench'
import { SKIP_MESSAGE, testRedis, type TestRedis } from './testing/redisServer'

let redis: TestRedis | null = null
const children: ChildProcess[] = []
const dirs: string[] = []
beforeAll(async () => {
  redis = await testRedis({ envOnly: true })
  if (!redis) console.log(`cluster.multiprocess.test.ts: ${SKIP_MESSAGE}`)
})
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await redis?.stop()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const CLI = join(appRoot(), 'src-main', 'cli', 'main.ts')

function cli(args: string[], log: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  const file = process.env.WORKBENCH_TEST_LOGS
    ? join(process.env.WORKBENCH_TEST_LOGS, `${args[0]}-${children.length}.log`)
    : null
  const keep = (d: Buffer): void => {
    log.push(d.toString())
    if (file) appendFileSync(file, d)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  children.push(child)
  return child
}

const logs = new Map<string, string[]>()
const t0 = Date.now()
function stage(line: string): void {
  if (process.env.WORKBENCH_TEST_LOGS)
    appendFileSync(join(process.env.WORKBENCH_TEST_LOGS, 'stages.log'), `${line}\n`)
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${line}`)
}

/** On a failure, what each process said (its last lines). */
function dumpLogs(): void {
  for (const [name, log] of logs)
    console.log(`--- ${name}\n${log.join('').split('\n').slice(-40).join('\n')}`)
}

function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`process ${child.pid} still running after ${ms} ms`)), ms)
    child.once('exit', (code) => {
      clearTimeout(t)
      resolve(code)
    })
  })
}

async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms
  for (let i = 0; ; i++) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (${i} looks)`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function records(dataDir: string): Promise<RunRecord[]> {
  const ids = await readdir(join(dataDir, 'runs')).catch(() => [] as string[])
  const out: RunRecord[] = []
  for (const id of ids) {
    const text = await readFile(join(dataDir, 'runs', id, 'run.json'), 'utf8').catch(() => null)
    if (text) out.push(JSON.parse(text) as RunRecord)
  }
  return out
}

const BASE: RunConfigInput = {
  name: 'cluster',
  dataset: { name: 'fashion-mnist-small', numTraining: 3000, numValidation: 200, numTest: 200 },
  // Batchnorm and adam: every kind of state a resume must restore.
  model: { kind: 'fc', hiddenDims: [128], normalization: 'batchnorm' },
  solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 50, numEpochs: 10 },
  seed: 5,
}

const losses = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

describe('cluster: worker processes, a CLI sweep, a killed worker and a Redis restart', () => {
  it('completes every run exactly once; the killed run continues the same curve; Redis keeps nothing else', async (ctx) => {
    if (!redis) return ctx.skip()
    try {
      await scenario(redis)
    } catch (e) {
      dumpLogs()
      throw e
    }
  }, 600_000)
})

async function scenario(redis: TestRedis): Promise<void> {
  {
    const queue = `mp${randomBytes(4).toString('hex')}`
    const submitDir = await mkdtemp(join(tmpdir(), 'wb-mp-submit-'))
    dirs.push(submitDir)
    const workerLogs: string[][] = []
    const workers: ChildProcess[] = []
    for (let i = 0; i < 3; i++) {
      const dir = await mkdtemp(join(tmpdir(), `wb-mp-worker${i}-`))
      dirs.push(dir)
      const log: string[] = []
      workerLogs.push(log)
      logs.set(`worker ${i}`, log)
      workers.push(
        cli(
          [
            'worker',
            '--redis',
            redis.url,
            '--queue',
            queue,
            '--concurrency',
            '1',
            '--data-dir',
            dir,
            '--lock-duration',
            '3000',
          ],
          log,
        ),
      )
    }
    const client = redis.client()
    await until(
      '3 workers to register',
      async () => (await client.scard(`wb:${queue}:workers`)) === 3,
      60_000,
    )

    const sweepFile = join(submitDir, 'sweep.json')
    await writeFile(
      sweepFile,
      JSON.stringify({
        version: 1,
        name: 'cluster sweep',
        method: 'grid',
        base: BASE,
        params: { 'solver.optimConfig.learningRate': { values: [1e-3, 2e-3, 5e-4, 1.5e-3, 8e-4, 3e-3] } },
      }),
    )
    const sweepLog: string[] = []
    logs.set('sweep', sweepLog)
    const sweep = cli(
      [
        'sweep',
        sweepFile,
        '--redis',
        redis.url,
        '--queue',
        queue,
        '--data-dir',
        submitDir,
        '--checkpoint-interval',
        '0',
      ],
      sweepLog,
    )
    const sweepExit = exited(sweep, 400_000)
    sweepExit.catch(() => undefined)
    stage('sweep sent')

    // A run a worker trains, with a checkpoint on disk here and well before its end: its worker dies.
    const victim = await until(
      'a run with a checkpoint, mid-run',
      async () =>
        (await records(submitDir)).find(
          (r) =>
            r.status === 'running' &&
            r.placement?.worker &&
            r.checkpointEpoch >= 2 &&
            r.progress.iteration < r.progress.numIterations * 0.7,
        ),
      240_000,
    )
    const victimWorker = victim.placement!.worker!
    const pid = Number(/-(\d+)-[0-9a-f]{6}$/.exec(victimWorker.id)![1])
    const killed = workers.find((w) => w.pid === pid)!
    expect(killed).toBeDefined()
    killed.kill('SIGKILL')
    await exited(killed, 10_000)
    stage(
      `killed worker ${victimWorker.id} training run ${victim.id} at iteration ${victim.progress.iteration}`,
    )

    // Another worker takes it over from its last checkpoint (after the dead one's lock expires).
    await until(
      'the killed run to continue on another worker',
      async () => {
        const r = (await records(submitDir)).find((x) => x.id === victim.id)
        return r?.placement?.worker && r.placement.worker.id !== victimWorker.id
      },
      120_000,
    )
    // Redis goes down and comes back empty while runs train; the sweep carries on.
    const unfinished = (await records(submitDir)).filter((r) => r.status !== 'completed')
    expect(unfinished.length).toBeGreaterThan(0)
    await redis.restart()
    stage('Redis restarted')

    expect(await sweepExit).toBe(0)
    stage('sweep done')
    const all = await records(submitDir)
    expect(all).toHaveLength(6)
    for (const r of all) expect(r.status).toBe('completed')

    // Exactly once: each run's log, read as every view reads it, is its iterations once each, in order;
    // and no segment between resume markers holds an iteration twice (no message applied twice).
    const wb = await Workbench.open({ dataDir: submitDir, readOnly: true })
    try {
      for (const r of all) {
        const its = (await wb.readMetrics(r.id)).flatMap((e) => (e.type === 'iteration' ? [e.iteration] : []))
        expect(its).toEqual(Array.from({ length: r.progress.numIterations }, (_, i) => i + 1))
        const raw = (await readFile(join(submitDir, 'runs', r.id, 'metrics.jsonl'), 'utf8'))
          .trim()
          .split('\n')
        let seen = new Set<number>()
        for (const line of raw) {
          const e = JSON.parse(line) as MetricEvent
          if (e.type === 'resume') seen = new Set()
          else if (e.type === 'iteration') {
            expect(seen.has(e.iteration)).toBe(false)
            seen.add(e.iteration)
          }
        }
      }
      // The killed run's curve is the uninterrupted one: the same config and seed trained locally.
      const victimRecord = all.find((r) => r.id === victim.id)!
      const killedLosses = losses(await wb.readMetrics(victim.id))
      const localDir = await mkdtemp(join(tmpdir(), 'wb-mp-local-'))
      dirs.push(localDir)
      const local = await Workbench.open({ dataDir: localDir, maxThreads: 1 })
      try {
        const ref = await local.createRun(victimRecord.config)
        await local.whenIdle()
        expect(killedLosses).toEqual(losses(await local.readMetrics(ref.id)))
        expect((await local.getRun(ref.id)).result!.testAcc).toBe(victimRecord.result!.testAcc)
      } finally {
        await local.close()
      }
    } finally {
      await wb.close()
    }

    // The workers stop cleanly; what stays in Redis is BullMQ's bookkeeping of the queue (README).
    for (const w of workers) if (w !== killed) w.kill('SIGTERM')
    for (const w of workers) await exited(w, 30_000)
    const left = (await client.keys(`*${queue}*`)).sort()
    for (const k of left)
      expect(k).toMatch(new RegExp(`^bull:${queue}:(meta|id|events|stalled-check|marker)$`))
    await client.del(...(left.length > 0 ? left : ['none']))
  }
}
