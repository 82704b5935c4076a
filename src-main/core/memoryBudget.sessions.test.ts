/**
 * Review findings on the memory budget in the scheduler. Each test describes what should hold; it fails on
 * main at a39d5ab.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RunConfigSchema, type RunConfigInput } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { estimateForDataset } from '../../src-worker/taskMemory'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-mem-'))
  dirs.push(d)
  return d
}

async function openAt(
  dir: string,
  memoryBudget: string,
  over: Partial<Parameters<typeof Workbench.open>[0]> = {},
) {
  const wb = await Workbench.open({
    dataDir: dir,
    maxThreads: 2,
    memoryBudget,
    progressIntervalMs: 20,
    ...over,
  })
  open.push(wb)
  return wb
}

const info = {
  format: 'idx' as const,
  shape: [1, 28, 28] as const,
  classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  counts: { train: 6000, test: 1000 },
}

function cfg(name: string, hiddenDim: number, numEpochs = 2): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 2000, numValidation: 200, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim },
    solver: { numEpochs, batchSize: 100 },
    seed: 1,
  }
}

const estimate = (c: RunConfigInput) =>
  estimateForDataset(RunConfigSchema.parse(c), info, { sanityChecks: false })

async function stored(dir: string, id: string): Promise<RunRecord> {
  return JSON.parse(await readFile(join(dir, 'runs', id, 'run.json'), 'utf8')) as RunRecord
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('the memory budget across processes and sessions', () => {
  it("a CLI opened next to a training app counts the app's run before starting its own", async () => {
    const dir = await dataDir()
    const c = cfg('half', 1500, 30)
    const e = estimate(c)
    // Room for one run and each process's own copy of the dataset, not for two runs.
    const budget = `${Math.floor(1.5 * e.bytes + 2 * e.datasetBytes)}B`
    const app = await openAt(dir, budget)
    const a = await app.createRun({ ...c, name: 'in the app' })
    for (let i = 0; i < 200 && (await stored(dir, a.id)).status !== 'running'; i++) await sleep(25)
    expect((await stored(dir, a.id)).status).toBe('running')
    const cli = await openAt(dir, budget, { adoptOrphans: false })
    const b = await cli.createRun({ ...c, name: 'from the cli' })
    // It does not fit next to the app's run: it waits (as it does once the CLI's first poll has run).
    expect(cli.queueState()).toEqual({ running: [], queued: [b.id] })
  })

  it('a queued run adopted from another session is checked against this budget', async () => {
    const dir = await dataDir()
    const c = cfg('adopted', 1500, 1)
    const e = estimate(c)
    // A session with a larger budget (or the previous version, which had none) queued it and died.
    const first = await openAt(dir, '50%', { maxThreads: 1 })
    const r = await first.createRun(c)
    await first.cancel(r.id)
    await first.whenIdle()
    await first.close()
    const file = join(dir, 'runs', r.id, 'run.json')
    await writeFile(
      file,
      JSON.stringify({ ...(await stored(dir, r.id)), status: 'queued', finishedAt: null }),
    )
    // This app's budget is below the run's estimate: createRun would refuse this config.
    const small = `${Math.floor((e.bytes + e.datasetBytes) / 2)}B`
    const app = await openAt(dir, small, { maxThreads: 1 })
    await expect(app.createRun({ ...c, name: 'same config' })).rejects.toMatchObject({
      code: 'invalid-config',
    })
    await app.whenIdle()
    const after = await stored(dir, r.id)
    // Never trained past the budget: refused when adopted, saying why, and not run again.
    expect(after.status).toBe('failed')
    expect(after.error).toMatchObject({ reason: 'memory' })
    expect(after.error!.message).toMatch(/needs about .*; the budget is/)
    expect(after.attemptStartedAt ?? null).toBeNull()
  })

  it('a run the budget holds back is not overtaken without end by smaller runs queued after it', async () => {
    const dir = await dataDir()
    const small = cfg('small', 50, 2)
    const big = cfg('big', 1500, 1)
    const [s, b] = [estimate(small), estimate(big)]
    // The big run fits alone, two small ones fit together, a small one and the big one do not.
    const budget = Math.floor(b.bytes + b.datasetBytes + 0.5 * s.bytes)
    expect(2 * s.bytes + s.datasetBytes).toBeLessThan(budget)
    expect(s.bytes + b.bytes + b.datasetBytes).toBeGreaterThan(budget)
    const wb = await openAt(dir, `${budget}B`)
    const s0 = await wb.createRun({ ...small, name: 's0' })
    const bg = await wb.createRun(big)
    const rest = []
    for (let i = 1; i <= 4; i++) rest.push(await wb.createRun({ ...small, name: `s${i}` }))
    await wb.whenIdle()
    const started = async (id: string) => Date.parse((await stored(dir, id)).startedAt!)
    const bigAt = await started(bg.id)
    const overtook = []
    for (const r of rest) if ((await started(r.id)) < bigAt) overtook.push(r.id)
    void s0
    // At most the one that filled the free thread when the big run first waited may go ahead of it.
    expect(overtook.length).toBeLessThanOrEqual(1)
  })
})
