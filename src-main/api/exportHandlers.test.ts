import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ApiError, MethodName } from '../../src-shared/contract'
import { MAX_API_EXPORT_BYTES } from '../../src-shared/exportLimit'
import { parseCsv } from '../core/export/metrics'
import { tinyRun, trainRuns, type TrainedRuns } from '../core/export/testing'
import { newRunId } from '../core/store/runStore'
import { writeLongRunLog } from '../core/store/testingLongRun'
import { decodeSafetensors } from '../core/store/safetensors'
import type { Workbench } from '../core/workbench'
import { toApiError } from './errors'
import { createHandlers, type Handlers } from './handlers'

const ID = '20261126-194501-ab12cd'
const ctx = { mode: 'browser' as const, dataDir: '/data', examplesDir: '/examples' }

/** An array of `length` holding `value` at `at` and at 0, holes elsewhere. */
function sparse(value: string, length: number, at: number): string[] {
  const a = new Array<string>(length)
  a[0] = value
  a[at] = value
  return a
}

async function failure(h: Handlers, method: MethodName, args: unknown[]): Promise<ApiError | null> {
  return h[method](...args).then(() => null, toApiError)
}

describe('runs.export / runs.exportCheckpoint: argument validation', () => {
  const getRun = vi.fn()
  const h = createHandlers({ getRun, readMetrics: vi.fn(), mosaic: vi.fn() } as unknown as Workbench, ctx)

  it.each([
    [[], 'ids', /^ids: runs.export needs 2 to 3 arguments/],
    [[[ID]], 'format', /^format: /],
    [[ID, 'html'], 'ids', /^ids: must be an array of run ids, got string/],
    [[[], 'html'], 'ids', /^ids: must list 1 to 200 run ids, got 0/],
    [[Array(201).fill(ID), 'html'], 'ids', /^ids: must list 1 to 200 run ids, got 201/],
    [[[ID, ID, '../x'], 'html'], 'ids[2]', /^ids\[2\]: not a run id/],
    [[[ID, 7], 'html'], 'ids[1]', /^ids\[1\]: not a run id \(.*got number\)/],
    // A sparse array (IPC's structured clone keeps holes): the hole is checked like any other element.
    [[sparse(ID, 3, 2), 'html'], 'ids[1]', /^ids\[1\]: not a run id \(.*got undefined\)/],
    [
      [[ID], 'xml'],
      'format',
      /^format: must be one of html, pdf, csv, json, summary-csv, summary-json, got "xml"/,
    ],
    // A summary is a row per run: a data folder's worth of runs, not a report's 200.
    [[Array(10_001).fill(ID), 'summary-csv'], 'ids', /^ids: must list 1 to 10000 run ids, got 10001/],
    [[[ID, 'x y'], 'summary-json'], 'ids[1]', /^ids\[1\]: not a run id/],
    [[[ID], null], 'format', /^format: must be one of .*, got null/],
    [[[ID], 'html', 'en'], 'options', /^options: must be an object/],
    [
      [[ID], 'html', { locale: 'fr' }],
      'options.locale',
      /^options.locale: must be one of en, zh-CN, got "fr"/,
    ],
    [[[ID], 'html', { locale: 3 }], 'options.locale', /got number/],
    [
      [[ID], 'html', { theme: 'dark' }],
      'options.theme',
      /^options.theme: unknown option \(known: locale, group, smoothing\)/,
    ],
    // Group and aggregate: the grouping a report draws, field by field.
    [[[ID], 'html', { group: 'lr' }], 'options.group', /^options.group: must be an object/],
    [[[ID], 'html', { group: {} }], 'options.group.by', /^options.group.by: must be/],
    [
      [[ID], 'html', { group: { by: { kind: 'fields', fields: ['lr', 'a b'] } } }],
      'options.group.by.fields[1]',
      /must be a dotted config path/,
    ],
    [
      [[ID], 'html', { group: { by: { kind: 'except-seed' }, spread: 'iqr' } }],
      'options.group.spread',
      /^options.group.spread: must be one of minmax, std, ci95, got "iqr"/,
    ],
    // The view's EMA slider: 0 (raw) to 0.999, a number.
    [
      [[ID], 'html', { smoothing: -0.1 }],
      'options.smoothing',
      /^options.smoothing: must be a number from 0 \(no smoothing\) to 0.999, got -0.1/,
    ],
    [[[ID], 'html', { smoothing: 1 }], 'options.smoothing', /got 1$/],
    [[[ID], 'html', { smoothing: NaN }], 'options.smoothing', /got NaN$/],
    [[[ID], 'html', { smoothing: '0.5' }], 'options.smoothing', /got "0.5"$/],
    [[[ID], 'pdf', { locale: 'en', smoothing: [0.5] }], 'options.smoothing', /got array$/],
    [[[ID], 'html', {}, 1], 'args', /takes 2 to 3 arguments/],
  ])('runs.export%j: invalid-argument naming %s', async (args, field, message) => {
    const e = await failure(h, 'runs.export', args)
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: field }] })
    expect(e!.message).toMatch(message)
  })

  it('runs.exportCheckpoint checks its one id', async () => {
    expect(await failure(h, 'runs.exportCheckpoint', [])).toMatchObject({ fields: [{ path: 'id' }] })
    expect(await failure(h, 'runs.exportCheckpoint', ['../x'])).toMatchObject({ fields: [{ path: 'id' }] })
    expect(await failure(h, 'runs.exportCheckpoint', [ID, ID])).toMatchObject({ fields: [{ path: 'args' }] })
  })

  it('never reached the core', () => {
    expect(getRun).not.toHaveBeenCalled()
  })
})

describe('runs.export / runs.exportCheckpoint over real runs', () => {
  let t: TrainedRuns
  beforeAll(async () => {
    t = await trainRuns([
      tinyRun('plain'),
      {
        ...tinyRun('normed'),
        model: { kind: 'fc', hiddenDims: [12, 8], normalization: 'batchnorm' },
      },
    ])
  })
  afterAll(async () => {
    await t.close()
  })
  const ids = () => t.runs.map((r) => r.id)
  const text = (base64: string) => Buffer.from(base64, 'base64').toString('utf8')

  it('html: the report, named after the run, in the locale asked for', async () => {
    const h = createHandlers(t.wb, ctx)
    const [id] = ids()
    const one = await h['runs.export']([id], 'html', { locale: 'zh-CN' })
    expect(one).toMatchObject({ fileName: `plain-${id}.html`, mime: 'text/html; charset=utf-8' })
    const html = text(one.base64)
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('<svg')
    const both = await h['runs.export'](ids(), 'html', null)
    expect(both.fileName).toBe('workbench-2-runs.html')
    expect(text(both.base64)).toContain('<html lang="en">')
  })

  it('html of a grouped comparison: the groups, their bands and sizes', async () => {
    const h = createHandlers(t.wb, ctx)
    const file = await h['runs.export'](ids(), 'html', {
      locale: 'en',
      group: { by: { kind: 'fields', fields: ['model.kind'] }, spread: 'minmax' },
    })
    const html = text(file.base64)
    expect(html).toContain('<section id="groups">')
    expect(html).toContain('>kind=fc (n=1)<')
    expect(html).toContain('>kind=two-layer (n=1)<')
    expect(html).toContain('band: lowest to highest run')
  })

  it('html: the loss curves smoothed as the view asked (its slider), else as the UI starts', async () => {
    const h = createHandlers(t.wb, ctx)
    const caption = (base64: string) =>
      /<figcaption class="caption">([^<]*)<\/figcaption>/.exec(text(base64))![1]
    const [id] = ids()
    expect(caption((await h['runs.export']([id], 'html', { smoothing: 0.95 })).base64)).toContain(
      'exponential moving average (weight 0.95)',
    )
    expect(caption((await h['runs.export']([id], 'html')).base64)).toContain('(weight 0.6)')
    expect(caption((await h['runs.export']([id], 'html', { smoothing: 0 })).base64)).toBe(
      'Raw loss, not smoothed.',
    )
  })

  it('csv and json: the metrics exporter', async () => {
    const h = createHandlers(t.wb, ctx)
    const csv = await h['runs.export'](ids(), 'csv')
    expect(csv.mime).toBe('text/csv; charset=utf-8')
    const rows = parseCsv(text(csv.base64))
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(ids()))
    const json = await h['runs.export'](ids(), 'json')
    expect(JSON.parse(text(json.base64))).toMatchObject({
      version: 1,
      runs: [{ id: ids()[0] }, { id: ids()[1] }],
    })
  })

  it('summary-csv and summary-json: a row per run with every hyperparameter and result', async () => {
    const h = createHandlers(t.wb, ctx)
    const csv = await h['runs.export'](ids(), 'summary-csv')
    expect(csv).toMatchObject({ fileName: 'workbench-2-runs.summary.csv', mime: 'text/csv; charset=utf-8' })
    const [header, ...rows] = parseCsv(text(csv.base64))
    expect(rows.map((r) => r[0])).toEqual(ids())
    // Both nets' fields, the plain net's empty where it has none.
    const col = (name: string) => header!.indexOf(name)
    expect(rows.map((r) => r[col('model.hiddenDims')])).toEqual(['', '[12,8]'])
    expect(rows.map((r) => r[col('model.hiddenDim')])).toEqual(['20', ''])
    expect(rows.map((r) => r[col('solver.batchSize')])).toEqual(['100', '100'])
    for (const r of rows) {
      expect(Number(r[col('test_acc')])).toBeGreaterThan(0)
      expect(Number(r[col('it_per_s')])).toBeGreaterThan(0)
      expect(Number(r[col('duration_s')])).toBeGreaterThan(0)
    }
    const json = await h['runs.export']([ids()[0]], 'summary-json')
    expect(json.fileName).toBe(`plain-${ids()[0]}.summary.json`)
    const doc = JSON.parse(text(json.base64))
    expect(doc).toMatchObject({
      version: 1,
      runs: [{ run_id: ids()[0], run_name: 'plain', status: 'completed' }],
    })
  })

  it('pdf: the report through the context’s printer; unavailable without one', async () => {
    const print = vi.fn(async (html: string) => new TextEncoder().encode(`%PDF-fake ${html.length}`))
    const h = createHandlers(t.wb, { ...ctx, pdf: { print } })
    const file = await h['runs.export'](ids(), 'pdf', { locale: 'en' })
    expect(file).toMatchObject({ fileName: 'workbench-2-runs.pdf', mime: 'application/pdf' })
    expect(print).toHaveBeenCalledOnce()
    const html = print.mock.calls[0]![0]
    expect(html).toContain('<h1>Report on 2 runs</h1>')
    expect(text(file.base64)).toBe(`%PDF-fake ${html.length}`)
    const e = await failure(createHandlers(t.wb, ctx), 'runs.export', [ids(), 'pdf'])
    expect(e).toMatchObject({ code: 'unavailable' })
    expect(e!.message).toMatch(/PDF/)
  })

  it('csv and json of a run too long to hand over at once: too-large, naming the CLI command', async () => {
    const h = createHandlers(t.wb, ctx)
    const long = { ...t.runs[0]!, id: newRunId() }
    await t.wb.store.create(long)
    // 900,000 iterations: a 77 MB log, more than MAX_API_EXPORT_BYTES as CSV or JSON.
    const log = await writeLongRunLog(join(t.wb.store.runDir(long.id), 'metrics.jsonl'), 120)
    expect(log.bytes).toBeGreaterThan(MAX_API_EXPORT_BYTES * 2)
    for (const format of ['csv', 'json'] as const) {
      const e = await failure(h, 'runs.export', [[long.id], format])
      expect(e).toMatchObject({ code: 'too-large' })
      expect(e!.message).toContain('larger than 32 MB')
      expect(e!.message).toContain(
        `workbench export ${long.id} --format ${format} --out metrics.${format} --data-dir /data`,
      )
    }
    // A report reads the bounded series, so it works at any length.
    const html = text((await h['runs.export']([long.id], 'html')).base64)
    expect(html.length).toBeLessThan(2 * 2 ** 20)
    expect(html).toContain('<svg')
  })

  it('an unknown run id is not-found', async () => {
    const h = createHandlers(t.wb, ctx)
    expect(await failure(h, 'runs.export', [[ids()[0], ID], 'csv'])).toMatchObject({ code: 'not-found' })
    expect(await failure(h, 'runs.exportCheckpoint', [ID])).toMatchObject({ code: 'not-found' })
  })

  it('checkpoint: the best parameters as safetensors, with batchnorm statistics where the model has them', async () => {
    const h = createHandlers(t.wb, ctx)
    const [plainId, normedId] = ids() as [string, string]
    const plain = await h['runs.exportCheckpoint'](plainId)
    expect(plain).toMatchObject({
      fileName: `plain-${plainId}.safetensors`,
      mime: 'application/octet-stream',
    })
    const p = decodeSafetensors(Buffer.from(plain.base64, 'base64'), plain.fileName)
    expect(Object.keys(p.tensors).sort()).toEqual(['W1', 'W2', 'b1', 'b2'])
    expect(p.tensors['W1']!.shape).toEqual([784, 20])
    expect(p.metadata).toMatchObject({ runId: plainId, name: 'plain', final: 'true', status: 'completed' })
    expect(JSON.parse(p.metadata['config']!)).toMatchObject({ model: { hiddenDim: 20 } })
    // The same tensors the run store holds as its best checkpoint.
    const stored = await t.wb.store.readCheckpoint(plainId, 'best')
    expect(Array.from(p.tensors['W2']!.data)).toEqual(Array.from(stored!.tensors['W2']!.data))

    const normed = decodeSafetensors(
      Buffer.from((await h['runs.exportCheckpoint'](normedId)).base64, 'base64'),
      'x',
    )
    expect(Object.keys(normed.tensors).sort()).toEqual(
      [
        'W1',
        'W2',
        'W3',
        'b1',
        'b2',
        'b3',
        'beta1',
        'beta2',
        'gamma1',
        'gamma2',
        'bn1.runningMean',
        'bn1.runningVar',
        'bn2.runningMean',
        'bn2.runningVar',
      ].sort(),
    )
    expect(normed.tensors['bn2.runningVar']!.shape).toEqual([8])
    // Trained statistics, not the zeros they start from.
    expect(Array.from(normed.tensors['bn1.runningVar']!.data).some((v) => v > 0)).toBe(true)
  })

  it('checkpoint of a run that never trained: not-found saying why', async () => {
    const h = createHandlers(t.wb, ctx)
    // Written to the store directly: a run the pool never picked up, so it has no parameters at all.
    const queued = {
      ...t.runs[0]!,
      id: newRunId(),
      status: 'queued' as const,
      result: null,
      checkpointEpoch: 0,
    }
    await t.wb.store.create(queued)
    const e = await failure(h, 'runs.exportCheckpoint', [queued.id])
    expect(e).toMatchObject({ code: 'not-found' })
    expect(e!.message).toMatch(
      new RegExp(`^run ${queued.id} has no saved parameters yet \\(status queued\\)`),
    )
    // Once an epoch checkpoint exists (an interrupted run), its best parameters so far export.
    await t.wb.store.writeCheckpoint(queued.id, 'last', {
      'params.W1': { shape: [2], data: new Float32Array([9, 9]) },
      'best.W1': { shape: [2], data: new Float32Array([1, 2]) },
      'bestBuffers.bn1.runningMean': { shape: [1], data: new Float32Array([3]) },
      'optim.W1.m': { shape: [2], data: new Float32Array([0, 0]) },
    })
    const sofar = await h['runs.exportCheckpoint'](queued.id)
    const d = decodeSafetensors(Buffer.from(sofar.base64, 'base64'), 'x')
    expect(Object.keys(d.tensors).sort()).toEqual(['W1', 'bn1.runningMean'])
    expect(Array.from(d.tensors['W1']!.data)).toEqual([1, 2])
    expect(d.metadata['final']).toBe('false')
  })
})
