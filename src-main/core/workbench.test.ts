import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../src-shared/runs'
import { WorkbenchError } from './errors'
import { Workbench, type WorkbenchEvent } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(maxThreads = 2, dataDir?: string, workerFile?: string): Promise<Workbench> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'wb-core-')))
  if (!dataDir) dirs.push(dir)
  const wb = await Workbench.open({
    dataDir: dir,
    maxThreads,
    progressIntervalMs: 20,
    ...(workerFile ? { workerFile } : {}),
  })
  open.push(wb)
  return wb
}

/** A run that trains in well under a second on the embedded dataset. */
function tiny(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 3 },
    seed: 7,
    ...over,
  }
}

async function finished(wb: Workbench, id: string): Promise<RunRecord> {
  await wb.whenIdle()
  return wb.getRun(id)
}

const losses = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

describe('Workbench', () => {
  it('queues, trains and persists a run: status, result, environment, metrics and checkpoints', async () => {
    const wb = await workbench()
    const events: WorkbenchEvent[] = []
    wb.subscribe((e) => events.push(e))
    const created = await wb.createRun(tiny('first'))
    expect(created.status).toBe('queued')
    expect(created.progress.numIterations).toBe(18)
    const run = await finished(wb, created.id)
    expect(run.status).toBe('completed')
    // 3 epochs on 600 images: far above chance (0.1), not yet good.
    expect(run.result!.bestValAcc).toBeGreaterThan(0.3)
    expect(run.result!.testAcc).toBeGreaterThan(0.3)
    expect(run.result!.confusion).toHaveLength(10)
    expect(run.result!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200)
    expect(run.environment!.backend).toMatch(/native|ts/)
    expect(run.progress.iteration).toBe(18)
    expect(run.owner).toBeNull()
    const metrics = await wb.readMetrics(run.id)
    expect(losses(metrics)).toHaveLength(18)
    expect(metrics.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch)).toEqual([
      0, 1, 2, 3,
    ])
    const dir = wb.store.runDir(run.id)
    expect(existsSync(join(dir, 'checkpoints', 'best.safetensors'))).toBe(true)
    expect(existsSync(join(dir, 'checkpoints', 'last.safetensors'))).toBe(true)
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')).status).toBe('completed')
    const mosaic = await wb.mosaic(run.id)
    expect(mosaic!.epochs).toEqual([0, 1, 2, 3])
    expect(mosaic!.shape).toEqual([1, 28, 28])
    expect(mosaic!.units).toBe(30)
    expect(Buffer.from(mosaic!.weights, 'base64').length).toBe(784 * 30 * 4)
    expect((await wb.mosaic(run.id, 0))!.weights).not.toBe(mosaic!.weights)
    expect(await wb.mosaic(run.id, 99)).toBeNull()
    expect(events.some((e) => e.type === 'metrics' && e.runId === run.id)).toBe(true)
    expect(events.filter((e) => e.type === 'run' && e.run.status === 'running').length).toBeGreaterThan(0)
  })

  it('rejects invalid configs before queueing, naming each field', async () => {
    const wb = await workbench()
    const bad = { ...tiny('bad'), solver: { batchSize: 0, optimConfig: { learningRat: 1 } } }
    const err = await wb.createRun(bad).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkbenchError)
    const paths = (err as WorkbenchError).fields.map((f) => f.path)
    expect(paths).toContain('solver.batchSize')
    expect(paths).toContain('solver.optimConfig')
    await expect(wb.createRun(tiny('x', { dataset: { name: 'nope' } }))).rejects.toThrow(
      /dataset.name: no dataset 'nope'/,
    )
    expect(await wb.listRuns()).toHaveLength(0)
  })

  it('trains a sweep in parallel under one sweep id', async () => {
    const wb = await workbench(2)
    let maxRunning = 0
    wb.subscribe((e) => {
      if (e.type === 'queue') maxRunning = Math.max(maxRunning, e.running.length)
    })
    const { sweepId, runs } = await wb.createSweep({
      version: 1,
      name: 'lr',
      base: tiny('base'),
      method: 'grid',
      params: { 'solver.optimConfig.learningRate': { values: [1e-4, 5e-4, 1e-3] } },
    })
    expect(runs).toHaveLength(3)
    await wb.whenIdle()
    const all = await wb.listRuns()
    expect(all.filter((r) => r.sweepId === sweepId && r.status === 'completed')).toHaveLength(3)
    expect(maxRunning).toBe(2)
    // The sweep view needs the searched ranges back, not only the sampled values.
    const { sweep, runs: swept } = await wb.getSweep(sweepId)
    expect(sweep.spec.params).toEqual({ 'solver.optimConfig.learningRate': { values: [1e-4, 5e-4, 1e-3] } })
    expect(sweep.runIds).toEqual(runs.map((r) => r.id))
    expect(swept.map((r) => r.id).sort()).toEqual(runs.map((r) => r.id).sort())
    // Every step is timestamped for the compare view's wall-time axis.
    const steps = (await wb.readMetrics(runs[0]!.id)).filter((e) => e.type === 'iteration')
    expect(steps.length).toBeGreaterThan(0)
    for (const e of steps) expect(e.t).toBeGreaterThan(Date.parse('2026-01-01'))
  })

  it('cancels a queued run at once and a running one after its current step', async () => {
    const wb = await workbench(1)
    const a = await wb.createRun(tiny('a', { solver: { numEpochs: 50, batchSize: 100 } }))
    const b = await wb.createRun(tiny('b'))
    expect((await wb.cancel(b.id)).status).toBe('cancelled')
    await new Promise<void>((resolve) => {
      const off = wb.subscribe((e) => {
        if (e.type === 'metrics' && e.runId === a.id) {
          off()
          resolve()
        }
      })
    })
    await wb.cancel(a.id)
    const ra = await finished(wb, a.id)
    expect(ra.status).toBe('cancelled')
    expect(ra.progress.iteration).toBeLessThan(300)
    await expect(wb.cancel(a.id)).rejects.toThrow(/is cancelled: only queued or running runs/)
  })

  it('a worker that dies fails its run only; the pool trains the next one', async () => {
    const wb = await workbench(1, undefined, join(__dirname, 'testing/crashy-worker.cjs'))
    const bad = await wb.createRun(tiny('crash'))
    const good = await wb.createRun(tiny('fine'))
    await wb.whenIdle()
    const b = await wb.getRun(bad.id)
    expect(b.status).toBe('failed')
    expect(b.error!.reason).toBe('crashed')
    expect((await wb.getRun(good.id)).status).toBe('completed')
  })

  it('reorders the queue', async () => {
    const wb = await workbench(1)
    const a = await wb.createRun(tiny('a', { solver: { numEpochs: 20 } }))
    const b = await wb.createRun(tiny('b'))
    const c = await wb.createRun(tiny('c'))
    expect(wb.queueState()).toEqual({ running: [a.id], queued: [b.id, c.id] })
    expect(wb.reorder(c.id, 0)).toEqual([c.id, b.id])
    expect(() => wb.reorder(a.id, 0)).toThrow(/is not queued/)
    await wb.whenIdle()
    const [rb, rc] = [await wb.getRun(b.id), await wb.getRun(c.id)]
    expect(rc.startedAt! <= rb.startedAt!).toBe(true)
  })

  it('fails a diverging run with reason diverged and the iteration', async () => {
    const wb = await workbench()
    const r = await wb.createRun(
      tiny('boom', { solver: { optimConfig: { learningRate: 1e6 }, numEpochs: 2 } }),
    )
    const run = await finished(wb, r.id)
    expect(run.status).toBe('failed')
    expect(run.error!.reason).toBe('diverged')
    expect(run.error!.iteration).toBeGreaterThan(0)
    // What the loss became and at which learning rate, for the page to say it in either language.
    expect(['NaN', 'Infinity', '-Infinity']).toContain(run.error!.lossValue)
    expect(run.error!.learningRate).toBe(1e6)
    expect(run.error!.message).toMatch(run.error!.lossValue === 'NaN' ? /NaN/ : /infinit/i)
  })

  it('survives SIGKILL mid-run: the run is interrupted, resumes from its checkpoint and continues the same curve', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-crash-'))
    dirs.push(dataDir)
    // Big enough (batchnorm, dropout, adam: every kind of state a resume must restore) to still be
    // training when the test kills it.
    const config = tiny('crash', {
      dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
      model: { kind: 'fc', hiddenDims: [256, 256], normalization: 'batchnorm', dropoutKeepRatio: 0.9 },
      solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 20 },
    })
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'testing/train-child.ts'), dataDir, JSON.stringify(config)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const id = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { id: string }).id))
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)))
    })
    const inspect = await Workbench.open({ dataDir, readOnly: true })
    open.push(inspect)
    // Kill once at least two epoch checkpoints are on disk, well before the run's 20 epochs end.
    for (;;) {
      const r = await inspect.getRun(id)
      if (r.checkpointEpoch >= 2) break
      if (r.status !== 'running' && r.status !== 'queued') throw new Error(`run ended as ${r.status}`)
      await new Promise((res) => setTimeout(res, 10))
    }
    child.kill('SIGKILL')
    await new Promise((res) => child.once('exit', res))

    const before = await inspect.readMetrics(id)
    const wb = await workbench(1, dataDir)
    const interrupted = await wb.getRun(id)
    expect(interrupted.status).toBe('interrupted')
    expect(losses(before).length).toBeGreaterThanOrEqual(interrupted.checkpointEpoch * 50)
    expect(interrupted.checkpointEpoch).toBeLessThan(20)
    await wb.resume(id)
    const done = await finished(wb, id)
    expect(done.status).toBe('completed')

    // The same config and seed trained without interruption gives the same curve, bit for bit.
    const reference = await wb.createRun({ ...config, name: 'reference' })
    await wb.whenIdle()
    const resumedLosses = losses(await wb.readMetrics(id))
    expect(resumedLosses).toEqual(losses(await wb.readMetrics(reference.id)))
    expect(resumedLosses).toHaveLength(1000)
    expect((await wb.getRun(id)).result!.testAcc).toBe((await wb.getRun(reference.id)).result!.testAcc)
  }, 180_000)
})
