// Fault injection through the core: hand-damaged run.json, sweep records and checkpoints. One damaged
// file costs its own run (or checkpoint), never the listing, the sweep or the other runs.
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import { createdAtOf } from '../../src-shared/corruptRun'
import type { MetricEvent, RunRecord } from '../../src-shared/runs'
import { WorkbenchError } from './errors'
import { StoreError } from './store/errors'
import { Workbench } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function workbench(dataDir?: string): Promise<Workbench> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'wb-damage-')))
  if (!dataDir) dirs.push(dir)
  // A checkpoint at every epoch end, so a run has a previous one to fall back to.
  const wb = await Workbench.open({
    dataDir: dir,
    maxThreads: 2,
    progressIntervalMs: 20,
    checkpointIntervalMs: 0,
  })
  open.push(wb)
  return wb
}

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

const losses = (events: MetricEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'iteration' ? [e.loss] : []))

/** Rewrites a run's run.json as valid JSON with `damage` applied: what a hand edit leaves. */
async function damageRecord(
  wb: Workbench,
  id: string,
  damage: (r: Record<string, unknown>) => void,
): Promise<string> {
  const file = join(wb.store.runDir(id), 'run.json')
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  damage(raw)
  await writeFile(file, JSON.stringify(raw, null, 2))
  return file
}

const noDataset = (r: Record<string, unknown>) => delete (r.config as Record<string, unknown>).dataset

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
}

describe('a damaged run.json', () => {
  it('lists as corrupt beside the other runs; getting it is a corrupt error naming the file and field', async () => {
    const wb = await workbench()
    const [a, b, c] = [
      await wb.createRun(tiny('a')),
      await wb.createRun(tiny('b')),
      await wb.createRun(tiny('c')),
    ]
    await wb.whenIdle()
    const fileB = await damageRecord(wb, b.id, noDataset)
    const fileC = await damageRecord(wb, c.id, (r) => ((r.config as Record<string, unknown>).name = null))

    // Ids made in the same second sort in random order: by creation time, as the views show them.
    const listed = (await wb.listRuns()).sort((x, y) => createdAtOf(x).localeCompare(createdAtOf(y)))
    expect(listed.map((r) => [r.id, r.status])).toEqual([
      [a.id, 'completed'],
      [b.id, 'corrupt'],
      [c.id, 'corrupt'],
    ])
    expect(listed[1]).toMatchObject({
      problem: { file: fileB, message: expect.stringMatching(/^config\.dataset: /) },
      name: 'b',
    })
    // The name is what is damaged here: nothing to salvage it from.
    expect(listed[2]).toMatchObject({
      problem: { file: fileC, message: expect.stringMatching(/^config\.name: /) },
    })
    expect(listed[2]).not.toHaveProperty('name')

    const err = await rejection(wb.getRun(b.id))
    expect(err).toBeInstanceOf(StoreError)
    expect(err).toMatchObject({ code: 'corrupt', file: fileB })
    expect((err as Error).message).toMatch(
      new RegExp(`^run ${b.id} is damaged: .*run\\.json: config\\.dataset: `),
    )
    await expect(wb.resume(b.id)).rejects.toMatchObject({ code: 'corrupt' })
    await expect(wb.readMetrics(a.id)).resolves.not.toHaveLength(0)
  })
})

describe('a sweep with a damaged member', () => {
  it('still shows the other runs and names the damaged one; a damaged sweep record is an error naming its file', async () => {
    const wb = await workbench()
    const { sweepId, runs } = await wb.createSweep({
      version: 1,
      name: 'lr',
      base: tiny('base', { solver: { numEpochs: 1 } }),
      method: 'grid',
      params: { 'solver.optimConfig.learningRate': { values: [1e-4, 5e-4, 1e-3] } },
    })
    await wb.whenIdle()
    const file = await damageRecord(wb, runs[1]!.id, noDataset)

    const got = await wb.getSweep(sweepId)
    expect(got.runs.map((r) => r.id)).toEqual([runs[0]!.id, runs[2]!.id])
    expect(got.corrupt).toEqual([
      expect.objectContaining({
        id: runs[1]!.id,
        status: 'corrupt',
        problem: { file, message: expect.stringMatching(/^config\.dataset/) },
      }),
    ])

    // A sweep whose record lost its run ids (a crash before they were written) finds them by sweepId,
    // the damaged one by the sweepId salvaged from its record.
    const sweepFile = join(wb.store.runsDir, '..', 'sweeps', `${sweepId}.json`)
    const record = JSON.parse(await readFile(sweepFile, 'utf8')) as Record<string, unknown>
    await writeFile(sweepFile, JSON.stringify({ ...record, runIds: [] }))
    const scanned = await wb.getSweep(sweepId)
    expect(scanned.runs.map((r) => r.id).sort()).toEqual([runs[0]!.id, runs[2]!.id].sort())
    expect(scanned.corrupt.map((r) => r.id)).toEqual([runs[1]!.id])

    await writeFile(
      sweepFile,
      JSON.stringify({ ...record, spec: { ...(record.spec as object), method: 'bayes' } }),
    )
    const err = await rejection(wb.getSweep(sweepId))
    expect(err).toMatchObject({ code: 'corrupt', file: sweepFile })
    expect((err as Error).message).toMatch(/not a valid sweep record: spec\.method: /)
  })
})

describe('damaged checkpoints', () => {
  /** A completed 3-epoch run, then marked interrupted as a kill at its end would leave it. */
  async function interruptedAtTheEnd(
    wb: Workbench,
  ): Promise<{ run: RunRecord; curve: number[]; dir: string }> {
    const created = await wb.createRun(tiny('resumable'))
    await wb.whenIdle()
    const done = await wb.getRun(created.id)
    expect(done).toMatchObject({ status: 'completed', checkpointEpoch: 3 })
    const curve = losses(await wb.readMetrics(done.id))
    expect(curve).toHaveLength(18)
    const run = await wb.store.update(done.id, { status: 'interrupted', finishedAt: null, result: null })
    return { run, curve, dir: join(wb.store.runDir(done.id), 'checkpoints') }
  }

  it('a truncated last checkpoint: resume falls back to the previous one, says so, and continues the same curve', async () => {
    const wb = await workbench()
    const { run, curve, dir } = await interruptedAtTheEnd(wb)
    const last = join(dir, 'last.safetensors')
    await truncate(last, (await readFile(last)).length - 100)

    const queued = await wb.resume(run.id)
    // The epoch it actually resumes from: the previous checkpoint's (2 of 3), not the damaged last one's.
    expect(queued.checkpointEpoch).toBe(2)
    await wb.whenIdle()
    const done = await wb.getRun(run.id)
    expect(done.status).toBe('completed')
    const events = await wb.readMetrics(run.id)
    // Six iterations per epoch: epoch 3 was trained again from iteration 12, bit for bit as before.
    expect(events.filter((e) => e.type === 'resume')).toEqual([
      { type: 'resume', fromIteration: 12, fromEpoch: 2 },
    ])
    expect(losses(events)).toEqual(curve)
  })

  it('with none usable, resume refuses naming the files and offering fresh; fresh restarts from iteration 0', async () => {
    const wb = await workbench()
    const { run, curve, dir } = await interruptedAtTheEnd(wb)
    await writeFile(join(dir, 'last.safetensors'), 'damaged')
    await writeFile(join(dir, 'last.previous.state.json'), '{"checkpoint": 1}')

    const err = await rejection(wb.resume(run.id))
    expect(err).toBeInstanceOf(WorkbenchError)
    expect(err).toMatchObject({ code: 'no-checkpoint' })
    const message = (err as Error).message
    expect(message).toContain(`run ${run.id} cannot resume: no usable checkpoint (`)
    expect(message).toContain(`${join(dir, 'last.safetensors')}: too short for a safetensors header`)
    expect(message).toContain(join(dir, 'last.previous.state.json'))
    expect(message).toContain(`workbench resume --fresh ${run.id}`)
    expect((await wb.getRun(run.id)).status).toBe('interrupted')

    const queued = await wb.resume(run.id, { fresh: true })
    expect(queued).toMatchObject({
      status: 'queued',
      checkpointEpoch: 0,
      progress: { iteration: 0, epoch: 0 },
    })
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
    const events = await wb.readMetrics(run.id)
    // The fresh start's marker supersedes the whole old curve: each iteration once, as a first run.
    expect(events.filter((e) => e.type === 'resume')).toEqual([
      { type: 'resume', fromIteration: 0, fromEpoch: 0 },
    ])
    expect(losses(events)).toEqual(curve)
  })

  it('a run that recorded a checkpoint whose files are gone is refused too; one that never checkpointed restarts', async () => {
    const wb = await workbench()
    const { run, dir } = await interruptedAtTheEnd(wb)
    await rm(dir, { recursive: true })
    await expect(wb.resume(run.id)).rejects.toThrow(/its checkpoint of epoch 3 is missing/)

    await wb.store.update(run.id, { checkpointEpoch: 0 })
    expect((await wb.resume(run.id)).checkpointEpoch).toBe(0)
    await wb.whenIdle()
    expect((await wb.getRun(run.id)).status).toBe('completed')
  })
})
