/**
 * Review findings on the run store's ownership (in-process: several Workbench instances on one folder,
 * which the locks tell apart by nonce). Each test describes what should hold; it fails on main at a39d5ab.
 */
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { runDurationMs } from '../../src-shared/runTiming'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-'))
  dirs.push(d)
  return d
}

async function openAt(dir: string, over: Partial<Parameters<typeof Workbench.open>[0]> = {}) {
  const wb = await Workbench.open({ dataDir: dir, maxThreads: 1, progressIntervalMs: 20, ...over })
  open.push(wb)
  return wb
}

function config(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 3 },
    seed: 11,
    ...over,
  }
}

const long = (name: string, numEpochs = 40): RunConfigInput =>
  config(name, {
    dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
    model: { kind: 'fc', hiddenDims: [256, 256] },
    solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 50, numEpochs },
  })

async function stored(dir: string, id: string): Promise<RunRecord> {
  return JSON.parse(await readFile(join(dir, 'runs', id, 'run.json'), 'utf8')) as RunRecord
}

async function rewrite(dir: string, id: string, change: (r: RunRecord) => RunRecord): Promise<void> {
  const file = join(dir, 'runs', id, 'run.json')
  await writeFile(file, JSON.stringify(change(await stored(dir, id))))
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('one trainer per run inside one process', () => {
  it.each([1, 2])(
    'two resume() calls at once (two windows, a double click) queue the run once (%i threads)',
    async (maxThreads) => {
      const dir = await dataDir()
      const wb = await openAt(dir, { maxThreads })
      const run = await wb.createRun(config('double resume'))
      await wb.cancel(run.id)
      await wb.whenIdle()
      expect((await wb.getRun(run.id)).status).toBe('cancelled')
      const results = await Promise.allSettled([wb.resume(run.id), wb.resume(run.id)])
      const queueStates = [wb.queueState()]
      const finals: RunRecord[] = []
      wb.subscribe((e) => {
        if (e.type === 'queue') queueStates.push({ running: e.running, queued: e.queued })
        if (e.type === 'run' && e.run.id === run.id && e.run.finishedAt) finals.push(e.run)
      })
      await wb.whenIdle()
      const r = await stored(dir, run.id)
      // Never queued and running at once; never out of the queue state while it trains.
      for (const q of queueStates) expect(q.running.includes(run.id) && q.queued.includes(run.id)).toBe(false)
      // The run trains once, is never failed by a second start, and completes.
      expect(finals.map((f) => f.status)).toEqual(['completed'])
      expect(r.status).toBe('completed')
      expect(r.error).toBeNull()
      // One resume wins, the other is refused.
      expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected'])
    },
  )
})

describe('queued runs nobody will train', () => {
  it('a session that closes with queued runs leaves them to the app that is open next to it', async () => {
    const dir = await dataDir()
    const app = await openAt(dir, { pollIntervalMs: 50 })
    const other = await openAt(dir, { adoptOrphans: false })
    await other.createRun(long('first'))
    const left = await other.createRun(config('left queued'))
    expect(other.queueState().queued).toEqual([left.id])
    await other.close()
    expect((await stored(dir, left.id)).status).toBe('queued')
    // The app adopts queued runs no live process owns (a crash or a closed session left them).
    for (let i = 0; i < 60 && (await stored(dir, left.id)).status === 'queued'; i++) await sleep(50)
    const q = app.queueState()
    const taken = q.queued.includes(left.id) || q.running.includes(left.id)
    const r = await stored(dir, left.id)
    expect(taken || r.status !== 'queued').toBe(true)
  })

  it("a CLI run's poll breaking a dead owner's lock on a queued run does not hide it from the app", async () => {
    const dir = await dataDir()
    const app = await openAt(dir, { pollIntervalMs: 1000 })
    const cli = await openAt(dir, { adoptOrphans: false, pollIntervalMs: 20 })
    // A queued run whose owner was SIGKILLed: its record and its (dead) lock.
    const maker = await openAt(dir, { adoptOrphans: false })
    const run = await maker.createRun(config('orphan'))
    await maker.cancel(run.id)
    await maker.close()
    await rewrite(dir, run.id, (r) => ({ ...r, status: 'queued', finishedAt: null }))
    await mkdir(join(dir, 'locks'), { recursive: true })
    await writeFile(
      join(dir, 'locks', `${run.id}.lock`),
      JSON.stringify({
        pid: deadPid(),
        host: hostname(),
        bootId: null,
        startTime: null,
        nonce: 'dead',
        since: new Date().toISOString(),
      }),
    )
    await sleep(3000)
    void cli
    const q = app.queueState()
    const r = await stored(dir, run.id)
    expect(q.queued.includes(run.id) || q.running.includes(run.id) || r.status !== 'queued').toBe(true)
  })
})

describe('adopting while open', () => {
  it("an idle app that adopts a dead process's queued run starts it", async () => {
    const dir = await dataDir()
    const app = await openAt(dir, { pollIntervalMs: 50 })
    const maker = await openAt(dir, { adoptOrphans: false })
    const run = await maker.createRun(config('orphan'))
    await maker.cancel(run.id)
    await maker.close()
    await rewrite(dir, run.id, (r) => ({ ...r, status: 'queued', finishedAt: null }))
    await mkdir(join(dir, 'locks'), { recursive: true })
    await writeFile(
      join(dir, 'locks', `${run.id}.lock`),
      JSON.stringify({
        pid: deadPid(),
        host: hostname(),
        bootId: null,
        startTime: null,
        nonce: 'dead',
        since: new Date().toISOString(),
      }),
    )
    const adopted = () => [...app.queueState().queued, ...app.queueState().running].includes(run.id)
    for (let i = 0; i < 40 && !adopted(); i++) await sleep(50)
    expect(adopted()).toBe(true)
    // ...and, its thread being free, trained to the end.
    await app.whenIdle()
    expect(app.queueState()).toEqual({ running: [], queued: [] })
    expect((await stored(dir, run.id)).status).toBe('completed')
  })
})

describe('records of the previous version', () => {
  it('resuming a cancelled run written before attempts were timed keeps the time it trained', async () => {
    const dir = await dataDir()
    const wb = await openAt(dir)
    const run = await wb.createRun(config('legacy'))
    await wb.cancel(run.id)
    await wb.whenIdle()
    await wb.close()
    // As the previous version wrote it: trained 10 minutes, then cancelled; no activeMs/attemptStartedAt.
    const started = Date.now() - 3_600_000
    await rewrite(dir, run.id, (r) => {
      const { activeMs: _a, attemptStartedAt: _b, updatedAt: _c, ...old } = r
      return {
        ...old,
        status: 'cancelled',
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(started + 600_000).toISOString(),
        owner: null,
      } as RunRecord
    })
    expect(runDurationMs(await stored(dir, run.id), Date.now())).toBe(600_000)
    const again = await openAt(dir)
    await again.resume(run.id)
    await again.whenIdle()
    const r = await stored(dir, run.id)
    expect(r.status).toBe('completed')
    expect(runDurationMs(r, Date.now())!).toBeGreaterThanOrEqual(600_000)
  })
  it('a run the previous version left running when killed does not count the days it lay dead', async () => {
    const dir = await dataDir()
    const wb = await openAt(dir)
    const run = await wb.createRun(config('legacy killed'))
    await wb.cancel(run.id)
    await wb.whenIdle()
    await wb.close()
    // The previous version: owner {pid, host} only, no lock file, no attempt times. It trained 10 minutes
    // (its last write, run.json's mtime) and was killed; that was two days ago.
    const started = Date.now() - 2 * 86_400_000
    await rewrite(dir, run.id, (r) => {
      const { activeMs: _a, attemptStartedAt: _b, updatedAt: _c, ...old } = r
      return {
        ...old,
        status: 'running',
        startedAt: new Date(started).toISOString(),
        finishedAt: null,
        owner: { pid: deadPid(), host: hostname() },
      } as RunRecord
    })
    const lastWrite = new Date(started + 600_000)
    await utimes(join(dir, 'runs', run.id, 'run.json'), lastWrite, lastWrite)
    const again = await openAt(dir)
    const r = await stored(dir, run.id)
    expect(r.status).toBe('interrupted')
    void again
    // Not two days: at most what it trained up to its last sign of life (plus a little).
    expect(runDurationMs(r, Date.now())!).toBeLessThan(3_600_000)
  })
})

describe('cancel requests', () => {
  it('a cancel request its owner never read does not cancel the run when it is resumed later', async () => {
    const dir = await dataDir()
    // The owner polls rarely here so that it closes (Ctrl-C) before it reads the request.
    const owner = await openAt(dir, { pollIntervalMs: 60_000, adoptOrphans: false })
    const run = await owner.createRun(long('asked to stop'))
    for (let i = 0; i < 400 && (await stored(dir, run.id)).status !== 'running'; i++) await sleep(25)
    const inspect = await Workbench.open({ dataDir: dir, readOnly: true })
    open.push(inspect)
    await inspect.cancel(run.id) // `workbench cancel`: the owner lives, so a request file is left
    await owner.close()
    expect((await stored(dir, run.id)).status).toBe('interrupted')
    // Days later: resumed in the app.
    const app = await openAt(dir, { pollIntervalMs: 50 })
    await app.resume(run.id)
    const seen = new Set<string>()
    app.subscribe((e) => {
      if (e.type === 'run' && e.run.id === run.id) seen.add(e.run.status)
    })
    await sleep(1500)
    expect([...seen]).not.toContain('cancelled')
    expect((await app.getRun(run.id)).status).toBe('running')
  })
})

describe('a CLI-only user', () => {
  it('`resume <id>` of a queued run whose owner was killed (terminal closed) trains it', async () => {
    const dir = await dataDir()
    const maker = await openAt(dir, { adoptOrphans: false })
    const run = await maker.createRun(config('left by a killed sweep'))
    await maker.cancel(run.id)
    await maker.close()
    await rewrite(dir, run.id, (r) => ({ ...r, status: 'queued', finishedAt: null }))
    await mkdir(join(dir, 'locks'), { recursive: true })
    await writeFile(
      join(dir, 'locks', `${run.id}.lock`),
      JSON.stringify({
        pid: deadPid(),
        host: hostname(),
        bootId: null,
        startTime: null,
        nonce: 'dead',
        since: new Date().toISOString(),
      }),
    )
    // What `workbench resume <id>` opens: a training workbench that adopts nothing.
    const cli = await openAt(dir, { adoptOrphans: false })
    expect((await cli.getRun(run.id)).status).toBe('queued')
    await cli.resume(run.id)
    await cli.whenIdle()
    expect((await stored(dir, run.id)).status).toBe('completed')
  })
})
