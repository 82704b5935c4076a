// The API over a data folder with hand-damaged files: what the UI (and any client) receives.
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiError, MethodName } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/runs'
import { Workbench } from '../core/workbench'
import { toApiError } from './errors'
import { createHandlers, type Handlers } from './handlers'

let dir: string
let wb: Workbench
let h: Handlers
let good: RunRecord
let bad: RunRecord
let sweepId: string
let swept: RunRecord[]

const tiny = (name: string, numEpochs = 2) => ({
  name,
  dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
  model: { kind: 'two-layer', hiddenDim: 20 },
  solver: { numEpochs, batchSize: 100 },
  seed: 3,
})

async function damage(id: string, f: (r: Record<string, unknown>) => void): Promise<string> {
  const file = join(wb.store.runDir(id), 'run.json')
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  f(raw)
  await writeFile(file, JSON.stringify(raw))
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-api-damage-'))
  wb = await Workbench.open({ dataDir: dir, maxThreads: 2, checkpointIntervalMs: 0 })
  h = createHandlers(wb, { mode: 'browser', dataDir: dir, examplesDir: resolve(__dirname, '../../examples') })
  good = await h['runs.create'](tiny('good'))
  bad = await h['runs.create'](tiny('bad'))
  ;({ sweepId, runs: swept } = await h['runs.createSweep']({
    name: 'pair',
    method: 'grid',
    base: tiny('base', 1),
    params: { 'model.hiddenDim': { values: [5, 6] } },
  }))
  await wb.whenIdle()
  await damage(bad.id, (r) => delete (r.config as Record<string, unknown>).model)
  await damage(swept[0]!.id, (r) => delete (r.config as Record<string, unknown>).dataset)
}, 60_000)
afterAll(async () => {
  await wb.close()
  await rm(dir, { recursive: true, force: true })
})

async function failure(method: MethodName, args: unknown[]): Promise<ApiError> {
  return h[method](...args).then(() => {
    throw new Error(`${method} resolved`)
  }, toApiError)
}

describe('the API over damaged files', () => {
  it('runs.list: the good runs and one corrupt entry per damaged run, as plain JSON', async () => {
    const list = JSON.parse(JSON.stringify(await h['runs.list']())) as { id: string; status: string }[]
    expect(list.map((r) => [r.id, r.status]).sort()).toEqual(
      [
        [good.id, 'completed'],
        [bad.id, 'corrupt'],
        [swept[0]!.id, 'corrupt'],
        [swept[1]!.id, 'completed'],
      ].sort(),
    )
    expect(list.find((r) => r.id === bad.id)).toEqual({
      id: bad.id,
      status: 'corrupt',
      problem: {
        file: join(wb.store.runDir(bad.id), 'run.json'),
        message: expect.stringMatching(/^config\.model: /),
      },
      name: 'bad',
      createdAt: bad.createdAt,
      sweepId: null,
    })
  })

  it('runs.get and runs.resume of a damaged run: a corrupt error naming the file and field', async () => {
    const file = join(wb.store.runDir(bad.id), 'run.json')
    for (const method of ['runs.get', 'runs.resume'] as const) {
      const e = await failure(method, [bad.id])
      expect(e, method).toEqual({
        code: 'corrupt',
        message: expect.stringContaining(`${file}: config.model: `),
      })
    }
  })

  it('sweeps.get still shows the other runs and lists the damaged one', async () => {
    const got = await h['sweeps.get'](sweepId)
    expect(got.runs.map((r) => r.id)).toEqual([swept[1]!.id])
    expect(got.corrupt).toMatchObject([{ id: swept[0]!.id, status: 'corrupt', sweepId }])
  })

  it('runs.export refuses a selection with a damaged run, naming it; the others export', async () => {
    const e = await failure('runs.export', [[good.id, bad.id], 'csv'])
    expect(e.code).toBe('corrupt')
    expect(e.message).toMatch(new RegExp(`^run ${bad.id} is damaged: `))
    expect((await h['runs.export']([good.id], 'csv')).fileName).toBe(`good-${good.id}.csv`)
  })

  it('runs.mosaic: a damaged epoch leaves the list and is named; asking for it is a corrupt error', async () => {
    await truncate(join(wb.store.runDir(good.id), 'snapshots', 'w1-epoch-1.safetensors'), 9)
    expect(await h['runs.mosaic'](good.id)).toMatchObject({ epoch: 2, epochs: [0, 2], damagedEpochs: [1] })
    expect(await failure('runs.mosaic', [good.id, 1])).toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/^epoch 1's weights are damaged: /),
    })
  })

  it('runs.resume without a usable checkpoint: no-checkpoint, then {fresh: true} restarts', async () => {
    const run = await wb.store.update(good.id, { status: 'interrupted', finishedAt: null, result: null })
    const ckpt = join(wb.store.runDir(run.id), 'checkpoints')
    await writeFile(join(ckpt, 'last.safetensors'), '')
    await writeFile(join(ckpt, 'last.previous.safetensors'), '')
    const e = await failure('runs.resume', [run.id])
    expect(e.code).toBe('no-checkpoint')
    expect(e.message).toContain(`workbench resume --fresh ${run.id}`)
    expect(await h['runs.resume'](run.id, { fresh: true })).toMatchObject({
      status: 'queued',
      checkpointEpoch: 0,
    })
    await wb.whenIdle()
    expect((await h['runs.get'](run.id)).status).toBe('completed')
  })

  it('sweeps.get of a damaged sweep record: a corrupt error naming its file', async () => {
    const file = join(dir, 'sweeps', `${sweepId}.json`)
    await writeFile(file, JSON.stringify({ id: sweepId }))
    const e = await failure('sweeps.get', [sweepId])
    expect(e).toEqual({
      code: 'corrupt',
      message: expect.stringMatching(new RegExp(`^${file}: not a valid sweep record: `)),
    })
  })
})
