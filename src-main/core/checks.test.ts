// Sanity checks in the core: Workbench.check (validated, in a worker), the report stored with a run queued
// on the identical config, and the checks as the first phase of a training task.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfig, RunConfigInput } from '../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../src-shared/runs'
import type { SanityReport } from '../../src-shared/sanity'
import {
  checksKey,
  LONG_RUN_ITERATIONS,
  RecentChecks,
  shouldCheckInWorker,
  type ChecksPolicy,
} from './checks'
import { WorkbenchError } from './errors'
import { Workbench, type WorkbenchEvent } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(checksBeforeTraining?: ChecksPolicy): Promise<Workbench> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-checks-'))
  dirs.push(dir)
  const wb = await Workbench.open({
    dataDir: dir,
    maxThreads: 2,
    progressIntervalMs: 20,
    ...(checksBeforeTraining ? { checksBeforeTraining } : {}),
  })
  open.push(wb)
  return wb
}

function tiny(over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name: 'tiny',
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 2 },
    seed: 7,
    ...over,
  }
}

const losses = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

describe('Workbench.check', () => {
  it('checks a config in a worker and reports every check with its numbers', async () => {
    const wb = await workbench()
    const report = await wb.check(tiny())
    expect(report).toMatchObject({ version: 1, passed: true, seed: 7, source: 'request' })
    expect(report.checks.map((c) => [c.name, c.passed])).toEqual([
      ['initial-loss', true],
      ['regularization', true],
      ['gradient', true],
      ['overfit', true],
    ])
    expect(report.checks[0]!.expected.loss).toBeCloseTo(Math.log(10), 10)
    expect(report.checks[2]!.params!.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2'])
  })

  it('fails the initial-loss check of a config whose weights start far too large', async () => {
    const wb = await workbench()
    const report = await wb.check(tiny({ model: { kind: 'two-layer', hiddenDim: 30, weightScale: 1 } }))
    expect(report.passed).toBe(false)
    expect(report.checks.find((c) => c.name === 'initial-loss')).toMatchObject({ passed: false })
  })

  it('refuses an invalid config with field errors, and an unknown dataset, before any work', async () => {
    const wb = await workbench()
    const bad = await wb.check({ ...tiny(), solver: { batchSize: 0 } }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(WorkbenchError)
    expect(bad).toMatchObject({ code: 'invalid-config', fields: [{ path: 'solver.batchSize' }] })
    const missing = await wb.check(tiny({ dataset: { name: 'nope' } })).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'invalid-config', fields: [{ path: 'dataset.name' }] })
  })

  it('gives a config without a seed one, and a run queued with it stores the report', async () => {
    const wb = await workbench('never')
    const { seed: _, ...unseeded } = tiny()
    const report = await wb.check(unseeded)
    expect(Number.isInteger(report.seed)).toBe(true)
    // A new name does not change what was checked; another seed or learning rate does.
    const same = await wb.createRun({ ...unseeded, name: 'renamed', seed: report.seed })
    const otherSeed = await wb.createRun({ ...unseeded, seed: (report.seed + 1) % 2 ** 32 })
    const otherLr = await wb.createRun({
      ...unseeded,
      seed: report.seed,
      solver: { optimConfig: { learningRate: 2e-3 } },
    })
    expect(same.checks).toEqual(report)
    expect(otherSeed.checks).toBeNull()
    expect(otherLr.checks).toBeNull()
    await wb.whenIdle()
    const stored = JSON.parse(await readFile(join(wb.store.runDir(same.id), 'run.json'), 'utf8')) as RunRecord
    expect(stored.checks).toEqual(report)
  })
})

describe('checks before training', () => {
  it('stores the report before the first metrics, and leaves the loss curve exactly as without', async () => {
    const checked = await workbench('always')
    const events: WorkbenchEvent[] = []
    checked.subscribe((e) => events.push(e))
    const a = await checked.createRun(tiny())
    await checked.whenIdle()
    const runA = await checked.getRun(a.id)
    expect(runA.status).toBe('completed')
    expect(runA.checks).toMatchObject({ source: 'worker', seed: 7, passed: true })
    const onDisk = JSON.parse(await readFile(join(checked.store.runDir(a.id), 'run.json'), 'utf8'))
    expect(onDisk.checks).toEqual(runA.checks)
    const firstChecks = events.findIndex((e) => e.type === 'run' && e.run.checks)
    const firstMetrics = events.findIndex((e) => e.type === 'metrics')
    expect(firstChecks).toBeGreaterThanOrEqual(0)
    expect(firstChecks).toBeLessThan(firstMetrics)

    const plain = await workbench('never')
    const b = await plain.createRun(tiny())
    await plain.whenIdle()
    expect((await plain.getRun(b.id)).checks).toBeNull()
    const curveA = losses(await checked.readMetrics(a.id))
    expect(curveA).toHaveLength(12)
    expect(curveA).toEqual(losses(await plain.readMetrics(b.id)))
    expect((await plain.getRun(b.id)).result!.testAcc).toBe(runA.result!.testAcc)
  })

  it("'auto' leaves short runs unchecked", async () => {
    const wb = await workbench()
    const run = await wb.createRun(tiny())
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).checks).toBeNull()
  })
})

describe('checks policy and memory', () => {
  const record = (over: Partial<RunRecord> = {}): RunRecord =>
    ({
      startedAt: null,
      checks: null,
      progress: { iteration: 0, numIterations: LONG_RUN_ITERATIONS, epoch: 0, numEpochs: 10 },
      ...over,
    }) as RunRecord

  it('checks fresh long runs without a report under auto; never resumed ones', () => {
    expect(shouldCheckInWorker('auto', record(), false)).toBe(true)
    const short = record({ progress: { iteration: 0, numIterations: 999, epoch: 0, numEpochs: 1 } })
    expect(shouldCheckInWorker('auto', short, false)).toBe(false)
    expect(shouldCheckInWorker('always', short, false)).toBe(true)
    expect(shouldCheckInWorker('never', record(), false)).toBe(false)
    expect(shouldCheckInWorker('always', record(), true)).toBe(false)
    expect(shouldCheckInWorker('always', record({ startedAt: '2026-11-26T00:00:00Z' }), false)).toBe(false)
    const has = record({ checks: { passed: true } as SanityReport })
    expect(shouldCheckInWorker('always', has, false)).toBe(false)
  })

  it('remembers the latest 32 configs by what the checks depend on', () => {
    const config = (lr: number): RunConfig & { seed: number } =>
      ({
        name: 'x',
        dataset: { name: 'd' },
        model: { kind: 'two-layer', hiddenDim: 10, weightScale: 1e-3, reg: 0 },
        solver: { updateRule: 'sgd', optimConfig: { learningRate: lr }, batchSize: 10, numEpochs: 1 },
        seed: 1,
      }) as RunConfig & { seed: number }
    const recent = new RecentChecks()
    const report = (n: number) => ({ seed: n }) as SanityReport
    for (let i = 0; i < 40; i++) recent.remember(config(i + 1), report(i))
    expect(recent.find(config(1))).toBeNull()
    expect(recent.find(config(40))).toEqual(report(39))
    expect(
      recent.find({ ...config(40), name: 'other', solver: { ...config(40).solver, numEpochs: 9 } }),
    ).toEqual(report(39))
    expect(checksKey(config(2))).not.toBe(checksKey(config(3)))
  })
})
