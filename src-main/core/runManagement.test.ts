/**
 * Run management in the core: edits (meta.json), the trash (delete, restore, delete forever), and sweeps
 * run again or extended; with runs training here and in other workbenches on the same folder (another
 * Workbench instance has its own identity, so its locks are another owner's, as another process's are).
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, writeFile, cp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunConfigInput } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { expandSweep, type SweepSpecInput } from '../../src-shared/sweep'
import { WorkbenchError } from './errors'
import { makeRecord } from './store/testing'
import { Workbench, type WorkbenchEvent } from './workbench'

const dirs: string[] = []
const open: Workbench[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function newDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'wb-manage-'))
  dirs.push(d)
  return d
}

async function workbench(dataDir: string, maxThreads = 1): Promise<Workbench> {
  const wb = await Workbench.open({ dataDir, maxThreads, progressIntervalMs: 20, pollIntervalMs: 50 })
  open.push(wb)
  return wb
}

function tiny(name: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 600, numValidation: 100, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: 2 },
    seed: 7,
    ...over,
  }
}

/** Trains for many seconds: long enough to be edited and deleted while it does. */
const long = (name: string): RunConfigInput =>
  tiny(name, {
    dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
    model: { kind: 'fc', hiddenDims: [256, 256] },
    solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 50, numEpochs: 40 },
  })

function events(wb: Workbench): WorkbenchEvent[] {
  const seen: WorkbenchEvent[] = []
  wb.subscribe((e) => seen.push(e))
  return seen
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function training(wb: Workbench, id: string): Promise<void> {
  await until(
    async () => (await wb.getRun(id)).status === 'running' && (await wb.getRun(id)).progress.iteration > 0,
  )
}

async function completedRun(wb: Workbench, name: string): Promise<RunRecord> {
  const r = await wb.store.create(
    makeRecord({
      status: 'completed',
      config: { ...makeRecord().config, name, tags: ['keep'] },
      finishedAt: new Date().toISOString(),
    }),
  )
  return r
}

const named = (e: WorkbenchEvent[], id: string): string[] =>
  e.flatMap((x) => (x.type === 'run' && x.run.id === id ? [x.run.config.name] : []))

describe('edits', () => {
  it('rename, notes and tags go to meta.json, every read shows them, and events carry them', async () => {
    const dir = await newDir()
    const wb = await workbench(dir)
    const seen = events(wb)
    const run = await completedRun(wb, 'before')
    const runJson = await readFile(join(wb.store.runDir(run.id), 'run.json'), 'utf8')

    const renamed = await wb.editRuns([run.id], {
      name: '  lr 1e-3, second try ',
      notes: 'line one\nline two',
    })
    expect(renamed.failed).toEqual([])
    expect(renamed.done[0]!.config).toMatchObject({
      name: 'lr 1e-3, second try',
      notes: 'line one\nline two',
    })
    const tagged = await wb.editRuns([run.id], { addTags: ['baseline', 'keep'], removeTags: ['absent'] })
    expect(tagged.done[0]!.config.tags).toEqual(['keep', 'baseline'])
    const untagged = await wb.editRuns([run.id], { removeTags: ['keep'] })
    expect(untagged.done[0]!.config.tags).toEqual(['baseline'])

    // run.json is the trainer's: untouched; meta.json holds every edited field.
    expect(await readFile(join(wb.store.runDir(run.id), 'run.json'), 'utf8')).toBe(runJson)
    const meta = JSON.parse(await readFile(join(wb.store.runDir(run.id), 'meta.json'), 'utf8'))
    expect(meta).toMatchObject({
      version: 1,
      name: 'lr 1e-3, second try',
      notes: 'line one\nline two',
      tags: ['baseline'],
      archived: false,
    })
    // Another workbench on the folder (a fresh read from disk) shows the same.
    const other = await Workbench.open({ dataDir: dir, readOnly: true })
    expect((await other.getRun(run.id)).config).toMatchObject({
      name: 'lr 1e-3, second try',
      tags: ['baseline'],
    })
    expect(named(seen, run.id)).toEqual(['lr 1e-3, second try', 'lr 1e-3, second try', 'lr 1e-3, second try'])
  })

  it('archives and unarchives in bulk; each run on its own, unknown and damaged ones reported', async () => {
    const wb = await workbench(await newDir())
    const a = await completedRun(wb, 'a')
    const b = await completedRun(wb, 'b')
    const bad = await completedRun(wb, 'damaged')
    await writeFile(join(wb.store.runDir(bad.id), 'run.json'), '{ not json')
    const unknown = '20200101-000000-zzzzzz'
    const r = await wb.editRuns([a.id, b.id, bad.id, unknown], { archived: true })
    expect(r.done.map((x) => [x.id, x.archived])).toEqual([
      [a.id, true],
      [b.id, true],
    ])
    expect(r.failed).toEqual([
      { id: bad.id, code: 'corrupt', message: expect.stringContaining('run.json') },
      { id: unknown, code: 'not-found', message: `no run with id ${unknown}` },
    ])
    expect((await wb.getRun(a.id)).archived).toBe(true)
    await wb.editRuns([a.id], { archived: false })
    expect((await wb.getRun(a.id)).archived).toBe(false)
    expect((await wb.getRun(b.id)).archived).toBe(true)
  })

  it('refuses a bad edit whole, naming the field, before any run changes', async () => {
    const wb = await workbench(await newDir())
    const a = await completedRun(wb, 'a')
    const b = await completedRun(wb, 'b')
    const refused = async (edit: unknown, ids = [a.id]): Promise<WorkbenchError> => {
      const e = await wb.editRuns(ids, edit).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(WorkbenchError)
      return e as WorkbenchError
    }
    expect((await refused({ name: '   ' })).fields).toEqual([
      { path: 'edit.name', message: 'a name is required' },
    ])
    expect((await refused({})).fields[0]).toMatchObject({
      path: 'edit',
      message: expect.stringContaining('nothing to change'),
    })
    expect((await refused({ title: 'x' })).fields[0]).toMatchObject({
      path: 'edit.title',
      message: expect.stringContaining('unknown field'),
    })
    expect((await refused({ addTags: ['ok', ''] })).fields[0]!.path).toBe('edit.addTags.1')
    expect((await refused({ archived: 'yes' })).fields[0]!.path).toBe('edit.archived')
    expect((await refused({ notes: 'x'.repeat(20_001) })).fields[0]!.path).toBe('edit.notes')
    const two = await refused({ name: 'same' }, [a.id, b.id])
    expect(two.fields).toEqual([{ path: 'edit.name', message: 'a rename names one run; got 2 ids' }])
    // Too many tags for this run: its own failure.
    const many = Array.from({ length: 64 }, (_, i) => `t${i}`)
    const r = await wb.editRuns([a.id], { addTags: many })
    expect(r.failed[0]).toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('at most 64 tags'),
    })
    expect((await wb.getRun(a.id)).config.name).toBe('a')
  })

  it('an edit of a run training here is in its events at once and survives its progress writes', async () => {
    const wb = await workbench(await newDir())
    const seen = events(wb)
    const run = await wb.createRun(long('long run'))
    await training(wb, run.id)
    await wb.editRuns([run.id], { name: 'renamed while training', addTags: ['live'] })
    const at = seen.length
    // Past an epoch end and the 2 s progress write, both of which rewrite run.json.
    await until(async () => (await wb.getRun(run.id)).progress.epoch >= 1)
    await new Promise((r) => setTimeout(r, 2200))
    const after = seen.slice(at).flatMap((e) => (e.type === 'run' ? [e.run.config.name] : []))
    expect(after.length).toBeGreaterThan(3)
    expect(new Set(after)).toEqual(new Set(['renamed while training']))
    await wb.cancel(run.id)
    await wb.whenIdle()
    const final = JSON.parse(await readFile(join(wb.store.runDir(run.id), 'run.json'), 'utf8')) as RunRecord
    expect(final.status).toBe('cancelled')
    expect((await wb.getRun(run.id)).config).toMatchObject({ name: 'renamed while training', tags: ['live'] })
  }, 60_000)

  it('an edit made by another workbench reaches the one training the run, and its subscribers', async () => {
    const dir = await newDir()
    const trainer = await workbench(dir)
    const seen = events(trainer)
    const run = await trainer.createRun(long('theirs'))
    await training(trainer, run.id)
    const editor = await Workbench.open({ dataDir: dir, readOnly: true })
    const r = await editor.editRuns([run.id], { name: 'edited elsewhere', notes: 'from a terminal' })
    expect(r.failed).toEqual([])
    await until(() => named(seen, run.id).at(-1) === 'edited elsewhere')
    expect((await trainer.getRun(run.id)).config.notes).toBe('from a terminal')
    await trainer.cancel(run.id)
    await trainer.whenIdle()
    expect((await editor.getRun(run.id)).config.name).toBe('edited elsewhere')
  }, 60_000)
})

describe('the trash', () => {
  it('moves a run folder to trash/<id>/ with trashed.json; restore brings it back; purge deletes it', async () => {
    const dir = await newDir()
    const wb = await workbench(dir)
    const seen = events(wb)
    const run = await completedRun(wb, 'to delete')
    await wb.editRuns([run.id], { notes: 'kept through the trash' })

    expect(await wb.trashRuns([run.id])).toEqual({ done: [run.id], failed: [] })
    expect(existsSync(join(dir, 'runs', run.id))).toBe(false)
    const trashed = JSON.parse(await readFile(join(dir, 'trash', run.id, 'trashed.json'), 'utf8'))
    expect(trashed).toMatchObject({ version: 1, sweepId: null, status: 'completed' })
    expect((await wb.listRuns()).map((r) => r.id)).not.toContain(run.id)
    const trash = await wb.listTrash()
    expect(trash).toHaveLength(1)
    expect(trash[0]).toMatchObject({ sweepId: null, trashedAt: trashed.trashedAt })
    expect((trash[0]!.run as RunRecord).config.notes).toBe('kept through the trash')
    expect(seen).toContainEqual({ type: 'runRemoved', id: run.id })
    expect(seen).toContainEqual({ type: 'trash', ids: [run.id] })
    await expect(wb.getRun(run.id)).rejects.toMatchObject({ code: 'not-found' })
    // Nothing edits a trashed run.
    expect((await wb.editRuns([run.id], { name: 'x' })).failed[0]!.code).toBe('not-found')

    const restored = await wb.restoreRuns([run.id])
    expect(restored.failed).toEqual([])
    expect((restored.done[0] as RunRecord).config.notes).toBe('kept through the trash')
    expect(existsSync(join(dir, 'runs', run.id, 'trashed.json'))).toBe(false)
    expect(await wb.listTrash()).toEqual([])
    expect((await wb.getRun(run.id)).status).toBe('completed')
    expect(seen.filter((e) => e.type === 'run' && e.run.id === run.id).length).toBeGreaterThan(1)

    await wb.trashRuns([run.id])
    expect(await wb.purgeRuns([run.id])).toEqual({ done: [run.id], failed: [] })
    expect(existsSync(join(dir, 'trash', run.id))).toBe(false)
    expect((await readdir(join(dir, 'trash'))).filter((n) => !n.startsWith('.'))).toEqual([])
    expect((await wb.restoreRuns([run.id])).failed[0]).toMatchObject({
      code: 'not-found',
      message: `no run with id ${run.id} in the trash`,
    })
    expect((await wb.purgeRuns([run.id])).failed[0]!.code).toBe('not-found')
  })

  it('deletes a damaged run too, and refuses a restore over a run of the same id', async () => {
    const dir = await newDir()
    const wb = await workbench(dir)
    const bad = await completedRun(wb, 'damaged')
    await writeFile(join(wb.store.runDir(bad.id), 'run.json'), '{ not json')
    expect((await wb.trashRuns([bad.id])).done).toEqual([bad.id])
    expect((await wb.listTrash())[0]!.run).toMatchObject({ id: bad.id, status: 'corrupt' })

    const run = await completedRun(wb, 'twice')
    await wb.trashRuns([run.id])
    await cp(join(dir, 'trash', run.id), join(dir, 'runs', run.id), { recursive: true })
    const r = await wb.restoreRuns([run.id])
    expect(r.failed[0]).toMatchObject({ code: 'exists', message: expect.stringContaining('exists already') })
    expect(existsSync(join(dir, 'trash', run.id))).toBe(true)
  })

  it('a run training here is refused unless cancelled first; then it is cancelled, moved and never trained again', async () => {
    const dir = await newDir()
    const wb = await workbench(dir)
    const seen = events(wb)
    const run = await wb.createRun(long('training'))
    const waiting = await wb.createRun(long('waiting'))
    await training(wb, run.id)
    expect(wb.queueState()).toEqual({ running: [run.id], queued: [waiting.id] })

    const refused = await wb.trashRuns([run.id, waiting.id])
    expect(refused.done).toEqual([])
    expect(refused.failed.map((f) => [f.id, f.code])).toEqual([
      [run.id, 'active'],
      [waiting.id, 'active'],
    ])
    expect(refused.failed[0]!.message).toContain('is training here: cancel it first')

    expect(await wb.trashRuns([run.id, waiting.id], { cancel: true })).toEqual({
      done: [run.id, waiting.id],
      failed: [],
    })
    expect(wb.queueState()).toEqual({ running: [], queued: [] })
    expect(existsSync(join(dir, 'locks', `${run.id}.lock`))).toBe(false)
    expect(existsSync(join(dir, 'locks', `${waiting.id}.lock`))).toBe(false)
    const trash = await wb.listTrash()
    expect(trash.map((t) => [t.run.id, t.run.status]).sort()).toEqual(
      [
        [run.id, 'cancelled'],
        [waiting.id, 'cancelled'],
      ].sort(),
    )
    // The removal is the last word on the run: nothing about it is sent after it.
    const removedAt = seen.findIndex((e) => e.type === 'runRemoved' && e.id === run.id)
    expect(seen.slice(removedAt + 1).some((e) => e.type === 'run' && e.run.id === run.id)).toBe(false)

    // Restored, it is a cancelled run: a fresh open adopts nothing.
    await wb.restoreRuns([run.id, waiting.id])
    const next = await workbench(dir)
    expect(next.queueState()).toEqual({ running: [], queued: [] })
    expect((await next.getRun(waiting.id)).status).toBe('cancelled')
  }, 60_000)

  it('a run another workbench trains is refused, naming that process', async () => {
    const dir = await newDir()
    const trainer = await workbench(dir)
    const run = await trainer.createRun(long('theirs'))
    await training(trainer, run.id)
    const other = await Workbench.open({ dataDir: dir, readOnly: true })
    const r = await other.trashRuns([run.id], { cancel: true })
    expect(r.done).toEqual([])
    expect(r.failed[0]).toMatchObject({ id: run.id, code: 'conflict' })
    expect(r.failed[0]!.message).toMatch(
      new RegExp(
        `run ${run.id} is being trained by another process \\(pid ${process.pid} on .+\\); stop it there first`,
      ),
    )
    expect((await trainer.getRun(run.id)).status).toBe('running')
    await trainer.cancel(run.id)
  }, 60_000)

  it('a run a dead owner left running goes in as interrupted, and is never adopted after a restore', async () => {
    const dir = await newDir()
    const wb = await Workbench.open({ dataDir: dir, readOnly: true })
    const { RunStore } = await import('./store/runStore')
    const store = new RunStore(dir)
    const stale = await store.create(
      makeRecord({
        status: 'queued',
        config: { ...makeRecord().config, dataset: { name: 'fashion-mnist-small' } },
        owner: { pid: 999_999, host: 'elsewhere' },
      }),
    )
    expect((await wb.trashRuns([stale.id])).done).toEqual([stale.id])
    expect((await wb.listTrash())[0]!.run.status).toBe('cancelled')
    await wb.restoreRuns([stale.id])
    const app = await workbench(dir)
    expect(app.queueState().queued).toEqual([])
    expect((await app.getRun(stale.id)).status).toBe('cancelled')
  })

  it('another workbench hears of a deletion and a restore (the change feed)', async () => {
    const dir = await newDir()
    const app = await workbench(dir)
    const seen = events(app)
    const run = await completedRun(app, 'shared')
    const cli = await Workbench.open({ dataDir: dir, readOnly: true })
    await cli.trashRuns([run.id])
    await until(() => seen.some((e) => e.type === 'runRemoved' && e.id === run.id))
    await until(() => seen.some((e) => e.type === 'trash' && e.ids.includes(run.id)))
    await cli.restoreRuns([run.id])
    await until(() => named(seen, run.id).length > 0)
    await cli.editRuns([run.id], { name: 'renamed in a terminal' })
    await until(() => named(seen, run.id).at(-1) === 'renamed in a terminal')
  })
})

describe('sweeps', () => {
  const spec = (over: Partial<SweepSpecInput> = {}): SweepSpecInput => ({
    name: 'lr search',
    base: tiny('base', { solver: { batchSize: 100, numEpochs: 1 } }) as Record<string, unknown>,
    method: 'random',
    samples: 2,
    seed: 42,
    params: { 'solver.optimConfig.learningRate': { min: 1e-5, max: 1e-2, scale: 'log' } },
    ...over,
  })
  const lrs = (runs: RunRecord[]): number[] => runs.map((r) => r.config.solver.optimConfig.learningRate)

  it('a sweep view shows the runs left after some are deleted; a restore brings them back; purging all removes it', async () => {
    const dir = await newDir()
    const wb = await workbench(dir, 2)
    const { sweepId, runs } = await wb.createSweep(spec({ samples: 3 }))
    await wb.whenIdle()
    const [a, b, c] = runs.map((r) => r.id) as [string, string, string]
    await wb.trashRuns([a, b])
    const view = await wb.getSweep(sweepId)
    expect(view.runs.map((r) => r.id)).toEqual([c])
    expect(view.sweep.runIds).toEqual([a, b, c])
    expect((await wb.listTrash()).map((t) => t.sweepId)).toEqual([sweepId, sweepId])
    await wb.restoreRuns([a])
    expect((await wb.getSweep(sweepId)).runs.map((r) => r.id)).toEqual([a, c])
    await wb.purgeRuns([b])
    expect((await wb.getSweep(sweepId)).sweep.runIds).toEqual([a, c])
    await wb.trashRuns([a, c])
    await wb.purgeRuns([a, c])
    await expect(wb.getSweep(sweepId)).rejects.toMatchObject({ code: 'not-found' })
  }, 60_000)

  it('extends a random sweep with new draws under its id; a grid sweep is refused', async () => {
    const dir = await newDir()
    const wb = await workbench(dir, 2)
    const { sweepId, runs } = await wb.createSweep(spec())
    const more = await wb.extendSweep(sweepId, 3)
    expect(more.sweepId).toBe(sweepId)
    expect(more.runs).toHaveLength(3)
    expect(more.runs.every((r) => r.sweepId === sweepId)).toBe(true)
    expect(more.runs.map((r) => r.config.name.split(' ').slice(0, 3).join(' '))).toEqual([
      'lr search #3',
      'lr search #4',
      'lr search #5',
    ])
    // The draws continue the sweep's stream: exactly what a 5-sample sweep of the same seed draws after its 2nd.
    const five = expandSweep({ ...spec(), samples: 5 })
    if (!five.ok) throw new Error('spec')
    expect(lrs(runs)).toEqual(five.value.configs.slice(0, 2).map((c) => c.solver.optimConfig.learningRate))
    expect(lrs(more.runs)).toEqual(five.value.configs.slice(2).map((c) => c.solver.optimConfig.learningRate))
    expect(new Set([...lrs(runs), ...lrs(more.runs)]).size).toBe(5)
    const record = (await wb.getSweep(sweepId)).sweep
    expect(record.spec.samples).toBe(5)
    expect(record.runIds).toEqual([...runs, ...more.runs].map((r) => r.id))

    const grid = await wb.createSweep(
      spec({
        method: 'grid',
        samples: undefined,
        seed: undefined,
        params: { 'model.reg': { values: [0, 0.1] } },
      }),
    )
    await expect(wb.extendSweep(grid.sweepId, 2)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('grid search: it runs every combination already'),
    })
    await expect(wb.extendSweep(sweepId, 0)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(wb.extendSweep(sweepId, 10_000)).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('the sweep has 5 runs'),
    })
    await wb.whenIdle()
  }, 60_000)

  it('runs a sweep again as a new sweep with the same spec', async () => {
    const wb = await workbench(await newDir(), 2)
    const first = await wb.createSweep(spec())
    const again = await wb.rerunSweep(first.sweepId)
    expect(again.sweepId).not.toBe(first.sweepId)
    expect(lrs(again.runs)).toEqual(lrs(first.runs))
    expect((await wb.getSweep(again.sweepId)).sweep.spec).toEqual(
      (await wb.getSweep(first.sweepId)).sweep.spec,
    )
    await expect(wb.rerunSweep('sweep-20200101-000000-zzzzzz')).rejects.toMatchObject({ code: 'not-found' })
    await wb.whenIdle()
  }, 60_000)
})
