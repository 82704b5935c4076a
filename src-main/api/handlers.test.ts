import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { METHODS, METRICS_POINTS_MAX, type ApiError, type MethodName } from '../../src-shared/contract'
import { Workbench } from '../core/workbench'
import { toApiError } from './errors'
import { createHandlers, type Handlers } from './handlers'

const ID = '20261126-194501-ab12cd'
const EXAMPLES = resolve(__dirname, '../../examples')

/** A workbench whose every method is a spy: validation must refuse before any of them runs. */
function spyWorkbench(): { wb: Workbench; calls: () => number } {
  const spies = {
    listRuns: vi.fn(async () => []),
    getRun: vi.fn(),
    readMetrics: vi.fn(),
    readMetricsWith: vi.fn(),
    createRun: vi.fn(),
    createSweep: vi.fn(),
    cancel: vi.fn(),
    resume: vi.fn(),
    reorder: vi.fn(),
    queueState: vi.fn(() => ({ running: [], queued: [] })),
    mosaic: vi.fn(async () => null),
    datasets: { list: vi.fn(async () => []) },
  }
  const calls = () =>
    Object.values(spies).reduce(
      (n, s) => n + ('mock' in s ? s.mock.calls.length : s.list.mock.calls.length),
      0,
    )
  return { wb: { ...spies, maxThreads: 2 } as unknown as Workbench, calls }
}

async function failure(h: Handlers, method: MethodName, args: unknown[]): Promise<ApiError | null> {
  return h[method](...args).then(() => null, toApiError)
}

const BAD_IDS: unknown[] = [
  '../x',
  '..',
  '',
  '20261126-194501-AB12CD',
  `${ID}/..`,
  `${ID}\0`,
  ` ${ID}`,
  'x'.repeat(10_000),
  123,
  null,
  undefined,
  {},
  [ID],
  true,
]
const BAD_INTS: unknown[] = [-1, 1.5, '1', NaN, Infinity, -Infinity, null, {}, [], true, 2 ** 60]

describe('handlers: argument validation', () => {
  const { wb, calls } = spyWorkbench()
  const h = createHandlers(wb, { mode: 'browser', dataDir: '/data', examplesDir: EXAMPLES })

  it('implements every method of the contract', () => {
    expect(Object.keys(h).sort()).toEqual([...METHODS].sort())
  })

  const noArgs: MethodName[] = ['app.info', 'runs.list', 'runs.queue', 'datasets.list', 'examples.list']
  it.each(noArgs)('%s refuses any argument', async (m) => {
    const e = await failure(h, m, [1])
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'args' }] })
    expect(e!.message).toContain(m)
    expect(await failure(h, m, [undefined])).toMatchObject({ code: 'invalid-argument' })
  })

  const byId: MethodName[] = ['runs.get', 'runs.metrics', 'runs.cancel']
  it.each(byId)('%s refuses a missing id, bad ids and extra arguments', async (m) => {
    const extra = m === 'runs.metrics' ? [ID, {}, ID] : [ID, ID]
    expect(await failure(h, m, [])).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'id' }] })
    for (const id of BAD_IDS) {
      const e = await failure(h, m, [id])
      expect(e, String(id)).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'id' }] })
      expect(e!.message).toMatch(/^id: not a run id/)
      expect(e!.message.length).toBeLessThan(200)
    }
    expect(await failure(h, m, extra)).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'args' }],
    })
  })

  it('runs.metrics checks its options: maxPoints an integer from 1 to the most it ever sends', async () => {
    const badPoints: unknown[] = [
      0,
      -1,
      1.5,
      METRICS_POINTS_MAX + 1,
      2 ** 60,
      NaN,
      Infinity,
      '100',
      true,
      {},
      [],
    ]
    for (const maxPoints of badPoints) {
      const e = await failure(h, 'runs.metrics', [ID, { maxPoints }])
      expect(e, String(maxPoints)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'options.maxPoints' }],
      })
      expect(e!.message).toMatch(/^options\.maxPoints: must be an integer from 1 to 20000/)
    }
    for (const options of ['all', 5, [1], true]) {
      const e = await failure(h, 'runs.metrics', [ID, options])
      expect(e, String(options)).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'options' }] })
    }
    expect(await failure(h, 'runs.metrics', [ID, { maxPoints: 10, full: true }])).toMatchObject({
      fields: [{ path: 'options.full' }],
    })
  })

  it('runs.resume checks the id and its optional options: {fresh: boolean}, nothing else', async () => {
    expect(await failure(h, 'runs.resume', [])).toMatchObject({ fields: [{ path: 'id' }] })
    expect(await failure(h, 'runs.resume', ['../x', { fresh: true }])).toMatchObject({
      fields: [{ path: 'id' }],
    })
    const bad: [unknown, string, RegExp][] = [
      [ID, 'options', /^options: must be an object like \{fresh: true\}, got string/],
      [[], 'options', /got array/],
      [true, 'options', /got boolean/],
      [{ fresh: 'yes' }, 'options.fresh', /^options\.fresh: must be true or false, got string/],
      [{ fresh: 1 }, 'options.fresh', /got number/],
      [{ from: 3 }, 'options.from', /^options\.from: unknown option \(known: fresh\)/],
    ]
    for (const [options, path, message] of bad) {
      const e = await failure(h, 'runs.resume', [ID, options])
      expect(e, JSON.stringify(options)).toMatchObject({ code: 'invalid-argument', fields: [{ path }] })
      expect(e!.message).toMatch(message)
    }
    expect(await failure(h, 'runs.resume', [ID, {}, 1])).toMatchObject({ fields: [{ path: 'args' }] })
  })

  it('runs.reorder checks the id and that index is a non-negative integer', async () => {
    expect(await failure(h, 'runs.reorder', [ID])).toMatchObject({ fields: [{ path: 'index' }] })
    expect(await failure(h, 'runs.reorder', ['../x', 0])).toMatchObject({ fields: [{ path: 'id' }] })
    for (const index of BAD_INTS) {
      const e = await failure(h, 'runs.reorder', [ID, index])
      expect(e, String(index)).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'index' }] })
      expect(e!.message).toMatch(/^index: must be a non-negative integer/)
    }
    expect(await failure(h, 'runs.reorder', [ID, 0, 0])).toMatchObject({ fields: [{ path: 'args' }] })
  })

  it('runs.mosaic checks the id and an optional non-negative integer epoch', async () => {
    expect(await failure(h, 'runs.mosaic', [])).toMatchObject({ fields: [{ path: 'id' }] })
    expect(await failure(h, 'runs.mosaic', ['../x'])).toMatchObject({ fields: [{ path: 'id' }] })
    for (const epoch of BAD_INTS.filter((v) => v !== null)) {
      expect(await failure(h, 'runs.mosaic', [ID, epoch]), String(epoch)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'epoch' }],
      })
    }
    expect(await failure(h, 'runs.mosaic', [ID, 1, 2])).toMatchObject({ fields: [{ path: 'args' }] })
  })

  it.each(['runs.create', 'runs.createSweep'] as const)('%s takes one or two arguments', async (m) => {
    const name = m === 'runs.create' ? 'config' : 'spec'
    expect(await failure(h, m, [])).toMatchObject({ code: 'invalid-argument', fields: [{ path: name }] })
    expect(await failure(h, m, [{}, {}, {}])).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'args' }],
    })
  })

  it('never reached the core with an invalid argument', () => {
    expect(calls()).toBe(0)
  })

  it('passes valid arguments through: mosaic with the epoch left out, or null from JSON', async () => {
    await h['runs.mosaic'](ID)
    await h['runs.mosaic'](ID, null)
    await h['runs.mosaic'](ID, 3)
    expect((wb.mosaic as ReturnType<typeof vi.fn>).mock.calls).toEqual([
      [ID, undefined],
      [ID, undefined],
      [ID, 3],
    ])
    await h['runs.reorder'](ID, 0)
    expect((wb.reorder as ReturnType<typeof vi.fn>).mock.calls).toEqual([[ID, 0]])
    const config = { name: 'x' }
    await h['runs.create'](config)
    expect((wb.createRun as ReturnType<typeof vi.fn>).mock.calls[0]![0]).toBe(config)
    await h['runs.resume'](ID)
    await h['runs.resume'](ID, null)
    await h['runs.resume'](ID, { fresh: true })
    await h['runs.resume'](ID, { fresh: null })
    expect((wb.resume as ReturnType<typeof vi.fn>).mock.calls).toEqual([
      [ID, {}],
      [ID, {}],
      [ID, { fresh: true }],
      [ID, {}],
    ])
  })
})

describe('handlers over a real workbench', () => {
  let dir: string
  let wb: Workbench
  let h: Handlers
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-api-'))
    wb = await Workbench.open({ dataDir: dir, maxThreads: 1 })
    h = createHandlers(wb, { mode: 'electron', dataDir: dir, examplesDir: EXAMPLES })
  })
  afterAll(async () => {
    await wb.close()
    await rm(dir, { recursive: true, force: true })
  })

  const tiny = (name: string, numEpochs = 1) => ({
    name,
    dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
    model: { kind: 'two-layer', hiddenDim: 20 },
    solver: { numEpochs, batchSize: 100 },
  })

  it('app.info: version, contract, engine, mode, data dir, threads', async () => {
    const info = await h['app.info']()
    expect(info).toMatchObject({
      version: expect.any(String),
      contractVersion: 1,
      mode: 'electron',
      dataDir: dir,
      maxThreads: 1,
    })
    expect(info.engine.backend).toMatch(/^(native|ts)$/)
  })

  it('datasets.list: summaries of the registry', async () => {
    const list = await h['datasets.list']()
    const fashion = list.find((d) => d.name === 'fashion-mnist-small')!
    expect(Object.keys(fashion).sort()).toEqual(
      [
        'classNames',
        'counts',
        'format',
        'name',
        'shape',
        'sizeOnDisk',
        'source',
        'splits',
        'path',
        'origin',
        'reference',
        'readOnly',
        'available',
        'addedAt',
      ].sort(),
    )
    expect(fashion).toMatchObject({ source: 'builtin', shape: [1, 28, 28] })
    expect(fashion.classNames).toHaveLength(10)
  })

  it('maps the core’s errors: unknown id, invalid config and sweep, an action the status forbids', async () => {
    expect(await failure(h, 'runs.get', [ID])).toMatchObject({ code: 'not-found' })
    const config = await failure(h, 'runs.create', [{ ...tiny(''), solver: { batchSize: 0 } }])
    expect(config).toMatchObject({ code: 'invalid-config' })
    expect(config!.fields!.map((f) => f.path).sort()).toEqual(['name', 'solver.batchSize'])
    expect(await failure(h, 'runs.create', ['not an object'])).toMatchObject({ code: 'invalid-config' })
    const unknownDataset = await failure(h, 'runs.create', [{ ...tiny('x'), dataset: { name: 'nope' } }])
    expect(unknownDataset).toMatchObject({ code: 'invalid-config', fields: [{ path: 'dataset.name' }] })
    expect(await failure(h, 'runs.createSweep', [{ method: 'grid' }])).toMatchObject({
      code: 'invalid-config',
    })
  })

  it('creates, reorders, cancels and resumes runs; lists them and the queue', async () => {
    const first = await h['runs.create'](tiny('first', 50))
    const second = await h['runs.create'](tiny('second'))
    const third = await h['runs.create'](tiny('third'))
    expect((await h['runs.queue']()).queued).toEqual([second.id, third.id])
    expect(await h['runs.reorder'](third.id, 0)).toEqual([third.id, second.id])
    expect(await failure(h, 'runs.reorder', [first.id, 0])).toMatchObject({ code: 'conflict' })
    expect((await h['runs.cancel'](second.id)).status).toBe('cancelled')
    expect((await h['runs.cancel'](third.id)).status).toBe('cancelled')
    expect((await h['runs.resume'](third.id)).status).toBe('queued')
    expect(await failure(h, 'runs.resume', [first.id])).toMatchObject({ code: 'conflict' })
    const ids = (await h['runs.list']()).map((r) => r.id)
    expect(ids.sort()).toEqual([first.id, second.id, third.id].sort())
    await h['runs.cancel'](first.id)
    await wb.whenIdle()
    expect((await h['runs.get'](first.id)).status).toBe('cancelled')
    expect((await h['runs.get'](third.id)).status).toBe('completed')
    const series = await h['runs.metrics'](third.id)
    expect([series.bucket, series.iterationCount, series.iterations]).toEqual([1, 5, [1, 2, 3, 4, 5]])
    const coarse = await h['runs.metrics'](third.id, { maxPoints: 2 })
    expect([coarse.bucket, coarse.iterationCount, coarse.counts]).toEqual([4, 5, [3, 2]])
    expect(coarse.epochs).toEqual(series.epochs)
    expect((await h['runs.mosaic'](third.id))!.epochs).toEqual([0, 1])
    expect(await h['runs.mosaic'](third.id, 7)).toBeNull()
  })

  it('creates a sweep', async () => {
    const spec = {
      name: 'grid',
      method: 'grid',
      base: tiny('base'),
      params: { 'model.hiddenDim': { values: [5, 6] } },
    }
    const { sweepId, runs } = await h['runs.createSweep'](spec)
    expect(sweepId).toMatch(/^sweep-/)
    expect(runs).toHaveLength(2)
    for (const r of runs) await h['runs.cancel'](r.id)
  })

  it('examples.list: the shipped presets', async () => {
    expect((await h['examples.list']()).map((e) => e.file)).toContain('seed-random-search.json')
  })
})
