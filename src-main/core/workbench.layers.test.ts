/**
 * Layer captures through the Workbench (issue 15): what the worker posts is appended to layers.jsonl,
 * sent to every subscriber as `layers` events, read back through readLayers, cut back to the checkpoint
 * when a failed run resumes, and carried along when the run goes to the trash and back.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { LayerCapture } from '../../src-shared/layerStats'
import type { Executor, ExecutorMessage } from './executors/types'
import { makeCapture } from './store/testingLayers'
import { Workbench, type WorkbenchEvent } from './workbench'

const WORKER = join(__dirname, 'testing', 'layers-worker.cjs')
const dirs: string[] = []
const open: Workbench[] = []
// Where the test worker counts each run's attempts (it must be set before the pool's threads start).
let marks = ''
beforeAll(async () => {
  marks = await mkdtemp(join(tmpdir(), 'wb-layers-marks-'))
  process.env.WB_LAYERS_TEST_DIR = marks
})
afterAll(async () => {
  delete process.env.WB_LAYERS_TEST_DIR
  await rm(marks, { recursive: true, force: true })
})
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(): Promise<Workbench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-layers-'))
  dirs.push(dataDir)
  const wb = await Workbench.open({ dataDir, maxThreads: 1, progressIntervalMs: 5, workerFile: WORKER })
  open.push(wb)
  return wb
}

/** 6 iterations an epoch, 3 epochs: 18 iterations. */
function tiny(name: string): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 20 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 3 },
    seed: 3,
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)
const iterations = (cs: LayerCapture[]): number[] => cs.map((c) => c.iteration)

describe('Workbench: layer captures', () => {
  it('stores what the worker captures in layers.jsonl and sends it to subscribers as it comes', async () => {
    const wb = await workbench()
    const events: Extract<WorkbenchEvent, { type: 'layers' }>[] = []
    wb.subscribe((e) => {
      if (e.type === 'layers') events.push(e)
    })
    const run = await wb.createRun(tiny('captured'))
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
    const series = await wb.readLayers(run.id)
    expect(iterations(series.captures)).toEqual(range(1, 18))
    expect(series.captures[17]).toEqual(makeCapture(18, { seed: 1, epoch: series.captures[17]!.epoch }))
    expect(series.skippedLines).toBe(0)
    expect(events.every((e) => e.runId === run.id)).toBe(true)
    expect(events.flatMap((e) => e.captures)).toEqual(series.captures)
    const lines = (await readFile(join(wb.store.runDir(run.id), 'layers.jsonl'), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(18)
    expect(
      (await wb.readLayers(run.id, { afterIteration: 15, maxCaptures: 2 })).captures.map((c) => c.iteration),
    ).toEqual([16, 18])
  }, 60_000)

  it('a resumed run drops what its failed attempt captured past the checkpoint', async () => {
    const wb = await workbench()
    const run = await wb.createRun(tiny('fail at 9'))
    await wb.whenIdle()
    const failed = await wb.getRun(run.id)
    expect(failed.status).toBe('failed')
    expect(failed.checkpointEpoch).toBe(1)
    const before = await wb.readLayers(run.id)
    expect(Math.max(...iterations(before.captures))).toBeGreaterThanOrEqual(9)

    await wb.resume(run.id)
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
    const after = await wb.readLayers(run.id)
    expect(iterations(after.captures)).toEqual(range(1, 18))
    // Up to the checkpoint (iteration 6) from the first attempt, the rest from the resumed one.
    expect(after.captures.map((c) => c.layers[0]!.weight)).toEqual(
      range(1, 18).map((i) => makeCapture(i, { seed: i <= 6 ? 1 : 2 }).layers[0]!.weight),
    )
    const file = await readFile(join(wb.store.runDir(run.id), 'layers.jsonl'), 'utf8')
    expect(file.trim().split('\n')).toHaveLength(18)
  }, 60_000)

  it('a fresh resume starts layers.jsonl over', async () => {
    const wb = await workbench()
    const run = await wb.createRun(tiny('fail at 9'))
    await wb.whenIdle()
    await wb.resume(run.id, { fresh: true })
    await wb.whenIdle()
    const after = await wb.readLayers(run.id)
    expect(iterations(after.captures)).toEqual(range(1, 18))
    expect(
      after.captures.every(
        (c, i) =>
          c.layers[1]!.grad.summary.mean === makeCapture(i + 1, { seed: 2 }).layers[1]!.grad.summary.mean,
      ),
    ).toBe(true)
  }, 60_000)

  it('layers.jsonl goes to the trash with its run and comes back with it', async () => {
    const wb = await workbench()
    const run = await wb.createRun(tiny('trashed'))
    await wb.whenIdle()
    const before = await wb.readLayers(run.id)
    expect(before.captures).toHaveLength(18)
    await wb.trashRuns([run.id])
    expect(existsSync(join(wb.store.runDir(run.id), 'layers.jsonl'))).toBe(false)
    expect(existsSync(join(wb.trash.store.runDir(run.id), 'layers.jsonl'))).toBe(true)
    await wb.restoreRuns([run.id])
    expect(await wb.readLayers(run.id)).toEqual(before)
    await wb.trashRuns([run.id])
    await wb.purgeRuns([run.id])
    expect(existsSync(join(wb.trash.store.runDir(run.id), 'layers.jsonl'))).toBe(false)
  }, 60_000)

  it('a cluster attempt that takes over from a checkpoint drops what the dead one captured past it', async () => {
    // A stand-in for the Redis executor: one worker captures 1..10 and dies, another is placed from the
    // checkpoint at iteration 6 and captures 7..12.
    const script: ExecutorMessage[] = [
      { type: 'placed', placement: { executor: 'cluster', worker: null }, restartFrom: null },
      { type: 'layers', captures: range(1, 10).map((i) => makeCapture(i, { seed: 1 })) },
      {
        type: 'placed',
        placement: { executor: 'cluster', worker: null },
        restartFrom: { iteration: 6, epoch: 1 },
      },
      { type: 'layers', captures: range(7, 12).map((i) => makeCapture(i, { seed: 2 })) },
    ]
    const cluster: Executor = {
      name: 'cluster',
      capacity: 1,
      usesLocalMemory: false,
      prepare: async (job) => ({ job }),
      start: (_job, onMessage) => ({
        done: (async () => {
          for (const m of script) {
            await new Promise((r) => setTimeout(r, 5))
            onMessage(m)
          }
          return { status: 'cancelled' as const }
        })(),
        cancel: () => {},
      }),
      destroy: async () => {},
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'wb-layers-'))
    dirs.push(dataDir)
    const wb = await Workbench.open({ dataDir, maxThreads: 1, cluster: () => cluster })
    open.push(wb)
    const run = await wb.createRun(tiny('remote'), { trainOn: 'cluster' })
    await wb.whenIdle()
    const series = await wb.readLayers(run.id)
    expect(iterations(series.captures)).toEqual(range(1, 12))
    expect(series.captures.map((c) => c.layers[0]!.grad)).toEqual(
      range(1, 12).map((i) => makeCapture(i, { seed: i <= 6 ? 1 : 2 }).layers[0]!.grad),
    )
    const file = await readFile(join(wb.store.runDir(run.id), 'layers.jsonl'), 'utf8')
    expect(file.trim().split('\n')).toHaveLength(12)
  }, 60_000)
})
