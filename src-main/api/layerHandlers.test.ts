/**
 * runs.layers (issue 15): arguments checked before anything is read, the store's reader behind it: a run
 * without captures has an empty series, damaged lines are skipped and counted, afterIteration and
 * maxCaptures bound the answer.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { LAYERS_CAPTURES_DEFAULT, LAYERS_CAPTURES_MAX, type ApiError } from '../../src-shared/contract'
import { BIN_COUNT } from '../../src-shared/layerStats'
import { makeRecord } from '../core/store/testing'
import { layersText, makeCapture } from '../core/store/testingLayers'
import { Workbench } from '../core/workbench'
import { toApiError } from './errors'
import { createHandlers, type Handlers } from './handlers'

const EXAMPLES = resolve(__dirname, '../../examples')
const failure = (p: Promise<unknown>): Promise<ApiError | null> => p.then(() => null, toApiError)

describe('runs.layers', () => {
  let dir: string
  let wb: Workbench
  let h: Handlers
  const problems: string[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-layers-api-'))
    wb = await Workbench.open({
      dataDir: dir,
      maxThreads: 1,
      onProblem: (p) => problems.push(`${p.line}: ${p.message}`),
    })
    h = createHandlers(wb, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES })
  })
  afterAll(async () => {
    await wb.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses bad ids and bad options, naming the field, before reading anything', async () => {
    const read = vi.spyOn(wb, 'readLayers')
    for (const id of ['', '../x', 42, null, '20261126-194501-AB12CD']) {
      expect(await failure(h['runs.layers'](id as string)), String(id)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'id' }],
      })
    }
    const run = makeRecord()
    const cases: [unknown, string][] = [
      ['all', 'options'],
      [[1], 'options'],
      [{ afterIteration: -1 }, 'options.afterIteration'],
      [{ afterIteration: 1.5 }, 'options.afterIteration'],
      [{ afterIteration: '3' }, 'options.afterIteration'],
      [{ maxCaptures: 0 }, 'options.maxCaptures'],
      [{ maxCaptures: LAYERS_CAPTURES_MAX + 1 }, 'options.maxCaptures'],
      [{ maxCaptures: 2.5 }, 'options.maxCaptures'],
      [{ maxCaptures: Infinity }, 'options.maxCaptures'],
      [{ everything: true }, 'options.everything'],
    ]
    for (const [options, path] of cases) {
      const e = await failure(h['runs.layers'](run.id, options as object))
      expect(e, JSON.stringify(options)).toMatchObject({ code: 'invalid-argument', fields: [{ path }] })
    }
    const e = await failure(h['runs.layers'](run.id, { maxCaptures: 0 }))
    expect(e!.message).toMatch(/^options\.maxCaptures: must be an integer from 1 to 2000/)
    const extra = await failure((h['runs.layers'] as (...a: unknown[]) => Promise<unknown>)(run.id, {}, 1))
    expect(extra).toMatchObject({ fields: [{ path: 'args' }] })
    expect(read).not.toHaveBeenCalled()
    read.mockRestore()
  })

  it('an unknown run is not-found; a run without layers.jsonl has an empty series', async () => {
    expect(await failure(h['runs.layers'](makeRecord().id))).toMatchObject({ code: 'not-found' })
    const run = await wb.store.create(makeRecord({ status: 'completed' }))
    const s = await h['runs.layers'](run.id)
    expect(s).toMatchObject({ captures: [], skippedLines: 0, totalCaptures: 0 })
    expect(s.bins).toMatchObject({ count: BIN_COUNT, perDecade: 10 })
  })

  it('skips and counts damaged lines, and returns those after afterIteration', async () => {
    const run = await wb.store.create(makeRecord({ status: 'completed' }))
    const file = join(wb.store.runDir(run.id), 'layers.jsonl')
    await writeFile(file, layersText([10, 20].map((i) => makeCapture(i))))
    await appendFile(file, '{"iteration": 25, "layers": [{"name": 3}]}\nnot json\n')
    await appendFile(file, layersText([30].map((i) => makeCapture(i))))
    // A write cut short by a crash: not a line yet, so neither read nor counted.
    await appendFile(file, '{"iteration": 40, "epo')
    problems.length = 0
    const all = await h['runs.layers'](run.id)
    expect(all.captures.map((c) => c.iteration)).toEqual([10, 20, 30])
    expect(all.captures[1]).toEqual(makeCapture(20))
    expect(all.skippedLines).toBe(2)
    expect(problems).toEqual([
      '4: not a layer capture (no iteration, or cut short)',
      expect.stringMatching(/^3: not a layer capture \(epoch: /),
    ])
    const later = await h['runs.layers'](run.id, { afterIteration: 20 })
    expect(later.captures.map((c) => c.iteration)).toEqual([30])
    expect((await h['runs.layers'](run.id, { afterIteration: 30 })).captures).toEqual([])
  })

  it(`caps the answer at maxCaptures (default ${LAYERS_CAPTURES_DEFAULT}), thinned evenly`, async () => {
    const run = await wb.store.create(makeRecord({ status: 'completed' }))
    const n = LAYERS_CAPTURES_DEFAULT * 2 + 1
    const captures = Array.from({ length: n }, (_, i) => makeCapture(i + 1, { layers: 1 }))
    await writeFile(join(wb.store.runDir(run.id), 'layers.jsonl'), layersText(captures))
    const s = await h['runs.layers'](run.id)
    expect(s.captures).toHaveLength(LAYERS_CAPTURES_DEFAULT)
    expect(s.totalCaptures).toBe(n)
    expect(s.captures[0]!.iteration).toBe(1)
    expect(s.captures.at(-1)!.iteration).toBe(n)
    const few = await h['runs.layers'](run.id, { maxCaptures: 5 })
    expect(few.captures.map((c) => c.iteration)).toEqual([1, 101, 201, 301, 401])
  })
})
