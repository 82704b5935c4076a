import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ApiError, MethodName, TrashedRun } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/runs'
import { makeRecord } from '../core/store/testing'
import { Workbench, type WorkbenchEvent } from '../core/workbench'
import { toApiError } from './errors'
import { forwardEvents, type ApiEvent } from './events'
import { createHandlers, type Handlers } from './handlers'
import { MAX_BULK_RUNS } from './runManagementHandlers'

const ID = '20261126-194501-ab12cd'
const SWEEP = `sweep-${ID}`
const EXAMPLES = resolve(__dirname, '../../examples')

const BAD_IDS: unknown[] = [
  '../x',
  '',
  '20261126-194501-AB12CD',
  `${ID}/..`,
  ` ${ID}`,
  123,
  null,
  {},
  [ID],
  true,
]

/** Every core method a spy: validation must refuse before any of them runs. */
function spyWorkbench() {
  const spies = {
    editRuns: vi.fn(async () => ({ done: [], failed: [] })),
    trashRuns: vi.fn(async () => ({ done: [], failed: [] })),
    restoreRuns: vi.fn(async () => ({ done: [], failed: [] })),
    purgeRuns: vi.fn(async () => ({ done: [], failed: [] })),
    listTrash: vi.fn(async () => []),
    rerunSweep: vi.fn(async () => ({ sweepId: SWEEP, runs: [] })),
    extendSweep: vi.fn(async () => ({ sweepId: SWEEP, runs: [] })),
  }
  const calls = (): number => Object.values(spies).reduce((n, s) => n + s.mock.calls.length, 0)
  return { wb: { ...spies, maxThreads: 1 } as unknown as Workbench, spies, calls }
}

async function failure(h: Handlers, method: MethodName, args: unknown[]): Promise<ApiError | null> {
  return h[method](...args).then(() => null, toApiError)
}

describe('run management handlers: argument validation', () => {
  const { wb, spies, calls } = spyWorkbench()
  const h = createHandlers(wb, { mode: 'browser', dataDir: '/data', examplesDir: EXAMPLES })
  const idLists: MethodName[] = ['runs.edit', 'runs.trash', 'runs.restore', 'runs.purge']

  it.each(idLists)('%s refuses anything but a list of 1 to MAX run ids, naming the bad one', async (m) => {
    const rest = m === 'runs.edit' ? [{ archived: true }] : []
    for (const bad of ['x', ID, null, {}, 3]) {
      expect(await failure(h, m, [bad, ...rest]), String(bad)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'ids', message: expect.stringContaining('must be an array of run ids') }],
      })
    }
    expect(await failure(h, m, [[], ...rest])).toMatchObject({ fields: [{ path: 'ids' }] })
    const many = Array.from({ length: MAX_BULK_RUNS + 1 }, () => ID)
    expect(await failure(h, m, [many, ...rest])).toMatchObject({
      fields: [{ path: 'ids', message: `must list 1 to ${MAX_BULK_RUNS} run ids, got ${MAX_BULK_RUNS + 1}` }],
    })
    for (const bad of BAD_IDS) {
      expect(await failure(h, m, [[ID, bad], ...rest]), String(bad)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'ids[1]', message: expect.stringContaining('not a run id') }],
      })
    }
    // eslint-disable-next-line no-sparse-arrays
    expect(await failure(h, m, [[ID, , ID], ...rest])).toMatchObject({ fields: [{ path: 'ids[1]' }] })
    expect(calls()).toBe(0)
  })

  it('runs.edit needs an edit object; its fields are the core’s to check', async () => {
    for (const bad of [undefined, null, 'rename', 1, [], true]) {
      expect(await failure(h, 'runs.edit', [[ID], bad]), String(bad)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'edit' }],
      })
    }
    expect(await failure(h, 'runs.edit', [[ID], {}, 1])).toMatchObject({ fields: [{ path: 'args' }] })
    expect(calls()).toBe(0)
    await h['runs.edit']([ID], { name: 'x' })
    expect(spies.editRuns).toHaveBeenCalledWith([ID], { name: 'x' })
  })

  it('runs.trash takes {cancel?: boolean} only', async () => {
    const before = calls()
    for (const [options, path] of [
      ['yes', 'options'],
      [[], 'options'],
      [{ cancel: 1 }, 'options.cancel'],
      [{ cancel: 'true' }, 'options.cancel'],
      [{ force: true }, 'options.force'],
    ] as const) {
      expect(await failure(h, 'runs.trash', [[ID], options]), JSON.stringify(options)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path }],
      })
    }
    expect(calls()).toBe(before)
    await h['runs.trash']([ID])
    await h['runs.trash']([ID], null)
    await h['runs.trash']([ID], { cancel: true })
    expect(spies.trashRuns.mock.calls).toEqual([
      [[ID], {}],
      [[ID], {}],
      [[ID], { cancel: true }],
    ])
  })

  it('runs.trashed takes nothing; sweeps.* take a sweep id and a sample count', async () => {
    const before = calls()
    expect(await failure(h, 'runs.trashed', [1])).toMatchObject({ fields: [{ path: 'args' }] })
    for (const bad of [ID, 'sweep-..', '', null, 3]) {
      expect(await failure(h, 'sweeps.rerun', [bad])).toMatchObject({ fields: [{ path: 'sweepId' }] })
      expect(await failure(h, 'sweeps.extend', [bad, 2])).toMatchObject({ fields: [{ path: 'sweepId' }] })
    }
    for (const bad of [0, -1, 1.5, '2', null, NaN, 10_001, 2 ** 60]) {
      expect(await failure(h, 'sweeps.extend', [SWEEP, bad]), String(bad)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'samples', message: expect.stringContaining('an integer from 1 to 10000') }],
      })
    }
    expect(await failure(h, 'sweeps.extend', [SWEEP])).toMatchObject({ fields: [{ path: 'samples' }] })
    expect(calls()).toBe(before)
    await h['sweeps.extend'](SWEEP, 3)
    expect(spies.extendSweep).toHaveBeenCalledWith(SWEEP, 3, {})
  })

  it('sweeps.rerun and sweeps.extend place their new runs: trainOn checked, cluster refused without one', async () => {
    const before = calls()
    for (const [method, args] of [
      ['sweeps.rerun', [SWEEP]],
      ['sweeps.extend', [SWEEP, 2]],
    ] as const) {
      expect(await failure(h, method, [...args, { trainOn: 'gpu' }])).toMatchObject({
        fields: [
          { path: 'options.trainOn', message: expect.stringContaining("must be 'local' or 'cluster'") },
        ],
      })
      expect(await failure(h, method, [...args, { where: 'local' }])).toMatchObject({
        fields: [{ path: 'options.where' }],
      })
      // This workbench has no cluster: asking for one is refused before the core is reached.
      expect(await failure(h, method, [...args, { trainOn: 'cluster' }])).toMatchObject({
        fields: [{ path: 'options.trainOn', message: expect.stringContaining('no cluster') }],
      })
      expect(await failure(h, method, [...args, {}, 1])).toMatchObject({ fields: [{ path: 'args' }] })
    }
    expect(calls()).toBe(before)
    await h['sweeps.extend'](SWEEP, 2, { trainOn: 'local' })
    expect(spies.extendSweep).toHaveBeenLastCalledWith(SWEEP, 2, { trainOn: 'local' })
    await h['sweeps.rerun'](SWEEP, { trainOn: 'local' })
    expect(spies.rerunSweep).toHaveBeenLastCalledWith(SWEEP, { trainOn: 'local' })
  })
})

describe('run management handlers over a real workbench', () => {
  let dir: string
  let wb: Workbench
  let h: Handlers
  let run: RunRecord
  const sent: ApiEvent[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-manage-api-'))
    wb = await Workbench.open({ dataDir: dir, maxThreads: 1, pollIntervalMs: 50 })
    h = createHandlers(wb, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES })
    forwardEvents(wb, (e) => sent.push(e), { runIntervalMs: 0, queueIntervalMs: 0 })
    run = await wb.store.create(makeRecord({ status: 'completed' }))
  })
  afterAll(async () => {
    await wb.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('edits: field errors as the API reports them; per-run failures in the result', async () => {
    const bad = await failure(h, 'runs.edit', [[run.id], { name: '', addTags: [''] }])
    expect(bad).toMatchObject({ code: 'invalid-argument' })
    expect(bad!.fields!.map((f) => f.path).sort()).toEqual(['edit.addTags.0', 'edit.name'])
    const r = await h['runs.edit']([run.id, ID], { addTags: ['best'], archived: true })
    expect(r.done.map((x) => [x.id, x.config.tags, x.archived])).toEqual([[run.id, ['best'], true]])
    expect(r.failed).toEqual([{ id: ID, code: 'not-found', message: `no run with id ${ID}` }])
    const listed = (await h['runs.list']()).find((x) => x.id === run.id) as RunRecord
    expect(listed.archived).toBe(true)
    expect(sent.some((e) => e.event === 'run' && e.payload.id === run.id && e.payload.archived)).toBe(true)
  })

  it('runs.list says archived: false for runs never edited', async () => {
    const plain = await wb.store.create(makeRecord({ status: 'completed' }))
    const listed = (await h['runs.list']()).find((x) => x.id === plain.id) as RunRecord
    expect(listed.archived).toBe(false)
  })

  it('trash, trashed, restore, purge; with events for every window', async () => {
    const damaged = await wb.store.create(makeRecord({ status: 'completed' }))
    await writeFile(join(wb.store.runDir(damaged.id), 'run.json'), '[]')
    expect(await h['runs.trash']([run.id, damaged.id])).toEqual({ done: [run.id, damaged.id], failed: [] })
    const trashed: TrashedRun[] = await h['runs.trashed']()
    expect(trashed.map((t) => t.run.id).sort()).toEqual([run.id, damaged.id].sort())
    expect(sent).toContainEqual({ event: 'runRemoved', payload: { id: run.id } })
    expect(sent.filter((e) => e.event === 'trash').at(-1)).toEqual({
      event: 'trash',
      payload: { ids: [run.id, damaged.id] },
    })
    const restored = await h['runs.restore']([run.id, ID])
    expect(restored.done.map((x) => x.id)).toEqual([run.id])
    expect(restored.failed[0]).toMatchObject({ id: ID, code: 'not-found' })
    expect(await h['runs.purge']([damaged.id])).toEqual({ done: [damaged.id], failed: [] })
    expect(await h['runs.trashed']()).toEqual([])
  })

  it('sweeps.extend and sweeps.rerun; a grid extend is a conflict', async () => {
    const base = {
      name: 'b',
      dataset: { name: 'fashion-mnist-small', numTraining: 200, numValidation: 50, numTest: 50 },
      model: { kind: 'two-layer', hiddenDim: 10 },
      solver: { numEpochs: 1, batchSize: 100 },
    }
    const random = await wb.createSweep({
      name: 'r',
      base,
      method: 'random',
      samples: 1,
      params: { 'model.reg': { min: 0, max: 1, scale: 'linear' } },
    })
    const more = await h['sweeps.extend'](random.sweepId, 2)
    expect(more.runs.map((r) => r.sweepId)).toEqual([random.sweepId, random.sweepId])
    const again = await h['sweeps.rerun'](random.sweepId)
    expect(again.runs).toHaveLength(3)
    const grid = await wb.createSweep({
      name: 'g',
      base,
      method: 'grid',
      params: { 'model.reg': { values: [0] } },
    })
    expect(await failure(h, 'sweeps.extend', [grid.sweepId, 1])).toMatchObject({ code: 'conflict' })
    expect(await failure(h, 'sweeps.rerun', [`sweep-20200101-000000-zzzzzz`])).toMatchObject({
      code: 'not-found',
    })
    await wb.whenIdle()
  }, 60_000)
})

describe('events of removed runs', () => {
  it('a removal drops the run event held back for that run, so nothing brings it back on screen', async () => {
    vi.useFakeTimers()
    try {
      let listener: (e: WorkbenchEvent) => void = () => undefined
      const source = { subscribe: (l: (e: WorkbenchEvent) => void) => ((listener = l), () => undefined) }
      const sent: ApiEvent[] = []
      forwardEvents(source, (e) => sent.push(e), { runIntervalMs: 200, queueIntervalMs: 100 })
      const r = makeRecord({ status: 'running' })
      listener({ type: 'run', run: r })
      listener({ type: 'run', run: { ...r, progress: { ...r.progress, iteration: 5 } } })
      listener({ type: 'metrics', runId: r.id, events: [{ type: 'iteration', iteration: 6, loss: 1 }] })
      listener({ type: 'runRemoved', id: r.id })
      listener({ type: 'trash', ids: [r.id] })
      listener({ type: 'trash', ids: [ID] })
      vi.advanceTimersByTime(1000)
      expect(sent.map((e) => e.event)).toEqual(['run', 'runRemoved', 'trash'])
      expect(sent[2]).toEqual({ event: 'trash', payload: { ids: [r.id, ID] } })
    } finally {
      vi.useRealTimers()
    }
  })
})
