import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { RunRecord } from '../../../src-shared/runs'
import { StoreError, type StoreProblem } from './errors'
import { RUN_ID, assertRunId, isRunId } from './ids'
import { RunStore, newRunId } from './runStore'
import { encodeSafetensors, withDtypes } from './safetensors'
import { makeRecord, makeTempDir } from './testing'

let tmp: { dir: string; cleanup: () => Promise<void> }
let store: RunStore
let problems: StoreProblem[]

beforeEach(async () => {
  tmp = await makeTempDir()
  problems = []
  store = new RunStore(join(tmp.dir, 'data'), {
    onProblem: (p) => problems.push(p),
    metricsFlushIntervalMs: 10,
  })
})

afterEach(async () => {
  await tmp.cleanup()
})

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<StoreError> {
  let err: unknown
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(StoreError)
  return err as StoreError
}

function idAt(seconds: number, suffix = 'aaaaaa'): string {
  return newRunId(new Date(Date.UTC(2026, 10, 26, 19, 45, seconds))).replace(/[0-9a-z]{6}$/, suffix)
}

describe('run ids', () => {
  it('are the UTC creation time and a random suffix, and sort by time', () => {
    const id = newRunId(new Date(Date.UTC(2026, 10, 26, 19, 45, 1)))
    expect(id).toMatch(/^20261126-194501-[0-9a-z]{6}$/)
    expect(newRunId(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toMatch(/^20260102-030405-/)
    expect(idAt(1) < idAt(2)).toBe(true)
    const many = new Set(Array.from({ length: 2000 }, () => newRunId()))
    expect(many.size).toBe(2000)
    for (const i of many) expect(i).toMatch(RUN_ID)
  })

  it('refuses anything else, naming the field', async () => {
    const bad: unknown[] = [
      '',
      '..',
      '../20261126-194501-ab12cd',
      '20261126-194501-ab12cd/..',
      '20261126-194501-ab12cd/../../etc',
      '20261126-194501-AB12CD',
      '20261126-194501-ab12c',
      '20261126-194501-ab12cd\n',
      ' 20261126-194501-ab12cd',
      '20261126\\194501-ab12cd',
      42,
      null,
      { toString: () => '20261126-194501-ab12cd' },
    ]
    for (const id of bad) {
      expect(isRunId(id)).toBe(false)
      const err = await rejection(() => store.get(id as string))
      expect(err).toMatchObject({ code: 'invalid-argument', field: 'id' })
      expect(err.message).toMatch(/^id: not a run id/)
    }
    expect(() => assertRunId('x', 'runId')).toThrow(/^runId: /)
    const err = await rejection(store.create(makeRecord({ id: '../../evil' })))
    expect(err).toMatchObject({ code: 'invalid-argument', field: 'record.id' })
    expect(await readdir(tmp.dir)).toEqual([])
  })
})

describe('RunStore', () => {
  it('creates, reads, lists and removes runs', async () => {
    const a = makeRecord({ id: idAt(1) })
    const b = makeRecord({ id: idAt(2) })
    await store.create(b)
    await store.create(a)
    expect(await store.get(a.id)).toEqual(a)
    expect(await store.list()).toEqual([a, b])
    const text = await readFile(join(store.runsDir, a.id, 'run.json'), 'utf8')
    expect(text).toBe(`${JSON.stringify(a, null, 2)}\n`)

    await store.remove(a.id)
    expect(await store.list()).toEqual([b])
    expect(await readdir(store.runsDir)).toEqual([b.id])
    expect(await rejection(store.get(a.id))).toMatchObject({ code: 'not-found', field: 'id' })
    expect(await rejection(store.remove(a.id))).toMatchObject({ code: 'not-found' })
    expect(problems).toEqual([])
  })

  it('refuses to create a run twice', async () => {
    const a = makeRecord()
    await store.create(a)
    expect(await rejection(store.create({ ...a, status: 'running' }))).toMatchObject({ code: 'exists' })
    expect((await store.get(a.id)).status).toBe('queued')
  })

  it('refuses records with an unknown status', async () => {
    const err = await rejection(store.create(makeRecord({ status: 'done' as never })))
    expect(err).toMatchObject({ code: 'invalid-argument', field: 'record.status' })
  })

  it('lists nothing when the data folder is new', async () => {
    expect(await store.list()).toEqual([])
  })

  it('updates with a patch or a function, keeping the id', async () => {
    const a = await store.create(makeRecord())
    const started = await store.update(a.id, { status: 'running', startedAt: '2026-11-26T19:45:02.000Z' })
    expect(started).toMatchObject({
      status: 'running',
      startedAt: '2026-11-26T19:45:02.000Z',
      config: a.config,
    })
    const moved = await store.update(a.id, (r) => ({ ...r, progress: { ...r.progress, iteration: 7 } }))
    expect(moved.progress.iteration).toBe(7)
    expect(await store.get(a.id)).toEqual(moved)
    expect(await rejection(store.update(a.id, (r) => ({ ...r, id: newRunId() })))).toMatchObject({
      code: 'invalid-argument',
      field: 'id',
    })
    expect(await rejection(store.update(a.id, { status: 'bogus' as never }))).toMatchObject({
      field: 'status',
    })
    expect(await rejection(store.update(newRunId(), { notes: 'x' } as never))).toMatchObject({
      code: 'not-found',
    })
    expect(await store.get(a.id)).toEqual(moved)
  })

  it('applies concurrent updates one at a time, none lost', async () => {
    const a = await store.create(makeRecord())
    const bump = (r: RunRecord): RunRecord => ({
      ...r,
      progress: { ...r.progress, iteration: r.progress.iteration + 1 },
    })
    await Promise.all([
      ...Array.from({ length: 40 }, () => store.update(a.id, bump)),
      store.update(a.id, { checkpointEpoch: 3 }),
      store.update(a.id, { status: 'running' }),
    ])
    const r = await store.get(a.id)
    expect(r).toMatchObject({ status: 'running', checkpointEpoch: 3, progress: { iteration: 40 } })
    expect((await readdir(join(store.runsDir, a.id))).sort()).toEqual(['run.json'])
  })

  it('a failed update does not block the next one', async () => {
    const a = await store.create(makeRecord())
    const failing = store.update(a.id, () => {
      throw new Error('boom')
    })
    const next = store.update(a.id, { status: 'running' })
    await expect(failing).rejects.toThrow('boom')
    expect((await next).status).toBe('running')
  })

  it('lists folders whose run.json is damaged, missing or misplaced apart, with what is wrong', async () => {
    const good = await store.create(makeRecord({ id: idAt(1) }))
    const broken = idAt(2)
    const empty = idAt(3)
    const moved = idAt(4)
    const badStatus = idAt(5)
    await mkdir(join(store.runsDir, broken))
    await writeFile(join(store.runsDir, broken, 'run.json'), '{"id": "')
    await mkdir(join(store.runsDir, empty))
    await writeFile(join(store.runsDir, empty, 'metrics.jsonl'), '')
    // Being created: the folder exists, its run.json not yet. Not a problem.
    await mkdir(join(store.runsDir, idAt(6)))
    await writeFile(join(store.runsDir, idAt(6), '.run.json.0123456789ab.tmp'), '{')
    await mkdir(join(store.runsDir, moved))
    await writeFile(join(store.runsDir, moved, 'run.json'), JSON.stringify(makeRecord({ id: idAt(9) })))
    await mkdir(join(store.runsDir, badStatus))
    await writeFile(
      join(store.runsDir, badStatus, 'run.json'),
      JSON.stringify({ ...good, id: badStatus, status: 'x' }),
    )
    // Not run folders at all: ignored silently.
    await mkdir(join(store.runsDir, '.trash-old'))
    await writeFile(join(store.runsDir, '.DS_Store'), '')
    await mkdir(join(store.runsDir, 'notes'))

    expect(await store.list()).toEqual([good])
    expect(problems).toEqual([])
    const reported = (await store.listEntries()).flatMap((e) =>
      e.status === 'corrupt' ? [[e.problem.file.slice(store.runsDir.length + 1), e.problem.message]] : [],
    )
    expect(reported).toEqual([
      [`${broken}/run.json`, expect.stringMatching(/^not valid JSON/)],
      [`${empty}/run.json`, 'run.json is missing (the folder holds metrics.jsonl)'],
      [`${moved}/run.json`, expect.stringMatching(/does not match its folder/)],
      [`${badStatus}/run.json`, expect.stringMatching(/^status: Invalid option: expected one of "queued"/)],
    ])
    expect(await rejection(store.get(broken))).toMatchObject({
      code: 'corrupt',
      file: join(store.runsDir, broken, 'run.json'),
    })
  })

  it('marks runs left running as interrupted, and clears what a cut-short removal left', async () => {
    const running = await store.create(makeRecord({ id: idAt(1), status: 'running' }))
    const live = await store.create(makeRecord({ id: idAt(2), status: 'running' }))
    const done = await store.create(makeRecord({ id: idAt(3), status: 'completed' }))
    await mkdir(join(store.runsDir, '.trash-20261126-194500-zzzzzz-abcd', 'checkpoints'), { recursive: true })
    const log = store.metricsLog(live.id)
    expect(await store.recoverInterrupted()).toEqual([running.id])
    expect((await store.get(running.id)).status).toBe('interrupted')
    expect((await store.get(live.id)).status).toBe('running')
    expect(await store.get(done.id)).toEqual(done)
    expect((await readdir(store.runsDir)).sort()).toEqual([running.id, live.id, done.id])
    await log.close()
    expect(await store.recoverInterrupted()).toEqual([live.id])
    expect(await store.recoverInterrupted()).toEqual([])
  })

  it('hands out one metrics log per run at a time', async () => {
    const a = await store.create(makeRecord())
    const log = store.metricsLog(a.id)
    expect(() => store.metricsLog(a.id)).toThrow(expect.objectContaining({ code: 'busy' }))
    expect(await rejection(store.remove(a.id))).toMatchObject({ code: 'busy' })
    log.append({ type: 'iteration', iteration: 1, loss: 2 })
    log.append({ type: 'epoch', epoch: 1, iteration: 1, trainAcc: 0.1, valAcc: 0.2, lr: null })
    await log.close()
    expect(await store.readMetrics(a.id)).toEqual([
      { type: 'iteration', iteration: 1, loss: 2 },
      { type: 'epoch', epoch: 1, iteration: 1, trainAcc: 0.1, valAcc: 0.2, lr: null },
    ])
    const again = store.metricsLog(a.id)
    await again.close()
    expect(() => store.metricsLog(newRunId())).toThrow(expect.objectContaining({ code: 'not-found' }))
    expect(await rejection(store.readMetrics(newRunId()))).toMatchObject({ code: 'not-found' })
  })

  it('reports corrupt metrics lines through onProblem', async () => {
    const a = await store.create(makeRecord())
    await writeFile(
      join(store.runsDir, a.id, 'metrics.jsonl'),
      'nope\n{"type":"resume","fromIteration":0,"fromEpoch":0}\n',
    )
    expect(await store.readMetrics(a.id)).toEqual([{ type: 'resume', fromIteration: 0, fromEpoch: 0 }])
    expect(problems).toEqual([
      { file: join(store.runsDir, a.id, 'metrics.jsonl'), line: 1, message: 'not valid JSON' },
    ])
  })
})

describe('RunStore checkpoints', () => {
  const engineTensors = () => ({
    'params.W1': { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]), dtype: 'float32' as const },
    'params.b1': { shape: [2], data: Float64Array.from([0.5, -0.5]), dtype: 'float64' as const },
  })

  it('writes and reads tensors, metadata and state', async () => {
    const a = await store.create(makeRecord())
    expect(await store.readCheckpoint(a.id, 'last')).toBeNull()
    const state = { version: 1, iteration: 49, epoch: 1, rng: [1, 2, 3] }
    await store.writeCheckpoint(a.id, 'last', engineTensors(), state, { epoch: '1' })
    await store.writeCheckpoint(a.id, 'best', { w: { shape: [1], data: new Uint8Array([7]) } })

    const last = await store.readCheckpoint(a.id, 'last')
    expect(last?.state).toEqual(state)
    expect({ ...last?.metadata }).toEqual({ epoch: '1' })
    expect(last?.tensors['params.W1']).toMatchObject({
      dtype: 'F32',
      shape: [2, 2],
      data: Float32Array.from([1, 2, 3, 4]),
    })
    expect(last?.tensors['params.b1']).toMatchObject({
      dtype: 'F64',
      shape: [2],
      data: Float64Array.from([0.5, -0.5]),
    })
    const best = await store.readCheckpoint(a.id, 'best')
    expect(best?.state).toBeNull()
    expect([...best!.tensors.w!.data]).toEqual([7])

    const files = (await readdir(join(store.runsDir, a.id, 'checkpoints'))).sort()
    expect(files).toEqual(['best.safetensors', 'last.safetensors', 'last.state.json'])
  })

  it('passes over tensors whose state is from another write, back to the previous checkpoint', async () => {
    const a = await store.create(makeRecord())
    const dir = join(store.runsDir, a.id, 'checkpoints')
    await store.writeCheckpoint(a.id, 'last', engineTensors(), { epoch: 1 })
    await copyFile(join(dir, 'last.state.json'), join(tmp.dir, 'epoch1.state.json'))
    await store.writeCheckpoint(a.id, 'last', engineTensors(), { epoch: 2 })
    expect((await store.readCheckpoint(a.id, 'last'))?.state).toEqual({ epoch: 2 })
    // As if the state file beside the epoch-2 tensors were the epoch-1 one.
    await copyFile(join(tmp.dir, 'epoch1.state.json'), join(dir, 'last.state.json'))
    const torn = await store.readCheckpoint(a.id, 'last')
    expect(torn).toMatchObject({ state: { epoch: 1 }, file: join(dir, 'last.previous.safetensors') })
    expect(problems).toEqual([
      {
        file: join(dir, 'last.safetensors'),
        message: 'the state written with these tensors is missing or damaged',
      },
    ])
  })

  it('keeps the newest two checkpoints; one written without a state reads with none', async () => {
    const a = await store.create(makeRecord())
    const dir = join(store.runsDir, a.id, 'checkpoints')
    for (const epoch of [1, 2, 3]) await store.writeCheckpoint(a.id, 'last', engineTensors(), { epoch })
    expect((await readdir(dir)).sort()).toEqual([
      'last.previous.safetensors',
      'last.previous.state.json',
      'last.safetensors',
      'last.state.json',
    ])
    expect((await store.readCheckpoint(a.id, 'last'))?.state).toEqual({ epoch: 3 })
    await store.writeCheckpoint(a.id, 'last', engineTensors())
    expect(await store.readCheckpoint(a.id, 'last')).toMatchObject({
      state: null,
      file: join(dir, 'last.safetensors'),
    })
    await store.writeCheckpoint(a.id, 'last', engineTensors())
    // The previous (stateless) pair has no state file, not the epoch-3 one.
    expect((await readdir(dir)).sort()).toEqual(['last.previous.safetensors', 'last.safetensors'])
    await store.removeCheckpoint(a.id, 'last')
    expect(await readdir(dir)).toEqual([])
    expect(await store.readCheckpoint(a.id, 'last')).toBeNull()
    expect(problems).toEqual([])
  })

  it('a damaged state file is reported and the checkpoint passed over; with no other, there is none', async () => {
    const a = await store.create(makeRecord())
    const dir = join(store.runsDir, a.id, 'checkpoints')
    await store.writeCheckpoint(a.id, 'last', engineTensors(), { epoch: 1 })
    await writeFile(join(dir, 'last.state.json'), '{')
    expect(await store.readCheckpoint(a.id, 'last')).toBeNull()
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.message])).toEqual([
      ['last.state.json', expect.stringMatching(/^not valid JSON/)],
      ['last.safetensors', 'the state written with these tensors is missing or damaged'],
    ])
  })

  it('validates the run, the kind and the tensors', async () => {
    const a = await store.create(makeRecord())
    expect(await rejection(store.writeCheckpoint(newRunId(), 'last', engineTensors()))).toMatchObject({
      code: 'not-found',
    })
    expect(await rejection(store.readCheckpoint(newRunId(), 'last'))).toMatchObject({ code: 'not-found' })
    expect(await rejection(store.readCheckpoint(a.id, '../run' as never))).toMatchObject({ field: 'kind' })
    expect(await rejection(store.writeCheckpoint(a.id, 'first' as never, {}))).toMatchObject({
      field: 'kind',
    })
    const bad = { w: { shape: [3], data: new Float32Array(2) } }
    expect(await rejection(store.writeCheckpoint(a.id, 'last', bad))).toMatchObject({ field: 'tensors.w' })
    await writeFile(join(store.runsDir, a.id, 'checkpoints.txt'), '')
    await mkdir(join(store.runsDir, a.id, 'checkpoints'))
    await writeFile(join(store.runsDir, a.id, 'checkpoints', 'best.safetensors'), 'short')
    expect(await store.readCheckpoint(a.id, 'best')).toBeNull()
    expect(problems).toEqual([
      {
        file: join(store.runsDir, a.id, 'checkpoints', 'best.safetensors'),
        message: 'too short for a safetensors header (5 bytes)',
      },
    ])
  })
})

describe('RunStore with hand-damaged run.json files', () => {
  /** The damage the issue measured: valid JSON that lacks config.dataset or config.model, or has name null. */
  const damages: [string, (r: Record<string, unknown>) => void, RegExp][] = [
    ['no config.dataset', (r) => delete (r.config as Record<string, unknown>).dataset, /^config\.dataset: /],
    ['no config.model', (r) => delete (r.config as Record<string, unknown>).model, /^config\.model: /],
    ['name null', (r) => ((r.config as Record<string, unknown>).name = null), /^config\.name: /],
    ['no progress', (r) => delete r.progress, /^progress: /],
  ]

  async function damaged(damage: (r: Record<string, unknown>) => void, overrides: Partial<RunRecord> = {}) {
    const record = await store.create(makeRecord(overrides))
    const file = join(store.runsDir, record.id, 'run.json')
    const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    damage(raw)
    await writeFile(file, JSON.stringify(raw))
    return { record, file }
  }

  it('get is a corrupt error naming the file and the field', async () => {
    for (const [what, damage, reason] of damages) {
      const { record, file } = await damaged(damage)
      const err = await rejection(store.get(record.id))
      expect(err, what).toMatchObject({ code: 'corrupt', file })
      expect(err.message, what).toContain(`run ${record.id} is damaged: ${file}: `)
      expect(err.message.slice(err.message.indexOf('run.json: ') + 10), what).toMatch(reason)
    }
  })

  it('lists the others, and each damaged run as a corrupt entry with what could be salvaged', async () => {
    const good = await store.create(makeRecord({ id: idAt(1) }))
    const bad = await damaged(damages[0]![1], { id: idAt(2), sweepId: 'sweep-20261126-194500-abcdef' })
    const notJson = idAt(3)
    await mkdir(join(store.runsDir, notJson))
    await writeFile(join(store.runsDir, notJson, 'run.json'), '{"id": "' + notJson)

    expect(await store.list()).toEqual([good])
    expect(await store.listEntries()).toEqual([
      good,
      {
        id: bad.record.id,
        status: 'corrupt',
        problem: { file: bad.file, message: expect.stringMatching(/^config\.dataset: /) },
        name: 'test run',
        createdAt: bad.record.createdAt,
        sweepId: 'sweep-20261126-194500-abcdef',
      },
      {
        id: notJson,
        status: 'corrupt',
        problem: {
          file: join(store.runsDir, notJson, 'run.json'),
          message: expect.stringMatching(/^not valid JSON/),
        },
      },
    ])
    expect(await store.getEntry(bad.record.id)).toMatchObject({
      status: 'corrupt',
      problem: { file: bad.file },
    })
    expect(await store.getEntry(good.id)).toEqual(good)
  })

  it('never overwrites a damaged record, and recovery at startup passes it by', async () => {
    const { record, file } = await damaged(damages[2]![1], { status: 'running' })
    const before = await readFile(file, 'utf8')
    expect(await rejection(store.update(record.id, { status: 'interrupted' }))).toMatchObject({
      code: 'corrupt',
    })
    expect(await store.recoverInterrupted()).toEqual([])
    expect(await readFile(file, 'utf8')).toBe(before)
  })

  it('refuses to write a record it would read back as damaged', async () => {
    const bad = makeRecord()
    delete (bad.config as Partial<RunRecord['config']>).dataset
    expect(await rejection(store.create(bad))).toMatchObject({
      code: 'invalid-argument',
      field: 'record.config.dataset',
    })
    const a = await store.create(makeRecord())
    const err = await rejection(store.update(a.id, { progress: { iteration: -1 } as RunRecord['progress'] }))
    expect(err).toMatchObject({ code: 'invalid-argument', field: 'progress.iteration' })
    expect(await store.get(a.id)).toEqual(a)
  })

  it('keeps fields it does not know when it rewrites a record', async () => {
    const a = await store.create(makeRecord())
    const file = join(store.runsDir, a.id, 'run.json')
    const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(
      file,
      JSON.stringify({ ...raw, fromLater: [1, 2], progress: { ...(raw.progress as object), phase: 'x' } }),
    )
    await store.update(a.id, { status: 'running' })
    const after = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    expect(after).toMatchObject({ status: 'running', fromLater: [1, 2], progress: { phase: 'x' } })
  })
})

describe('RunStore checkpoints, hand-damaged and cut short', () => {
  const tensors = (v: number) => ({ 'params.W1': { shape: [2], data: Float32Array.from([v, v]) } })
  const W1 = (c: { tensors: Record<string, { data: ArrayLike<number> }> } | null) =>
    Array.from(c!.tensors['params.W1']!.data)
  const State = z.looseObject({ epoch: z.number().int() })

  async function twoEpochs() {
    const a = await store.create(makeRecord())
    const dir = join(store.runsDir, a.id, 'checkpoints')
    await store.writeCheckpoint(a.id, 'last', tensors(1), { epoch: 1 })
    await store.writeCheckpoint(a.id, 'last', tensors(2), { epoch: 2 })
    return { id: a.id, dir }
  }

  it('a truncated last checkpoint falls back to the previous good one, naming the damaged file', async () => {
    const { id, dir } = await twoEpochs()
    const file = join(dir, 'last.safetensors')
    const bytes = await readFile(file)
    for (const cut of [bytes.length - 1, bytes.length - 8, 100, 7, 0]) {
      problems = []
      await writeFile(file, bytes.subarray(0, cut))
      const found = await store.readCheckpoint(id, 'last')
      expect(found?.state, `cut at ${cut}`).toEqual({ epoch: 1 })
      expect(W1(found)).toEqual([1, 1])
      expect(problems).toEqual([{ file, message: expect.any(String) }])
    }
    // Both damaged: none is usable, and both are named.
    await writeFile(join(dir, 'last.previous.safetensors'), 'x')
    const lookup = await store.findCheckpoint(id, 'last')
    expect(lookup.checkpoint).toBeNull()
    expect(lookup.problems.map((p) => p.file)).toEqual([file, join(dir, 'last.previous.safetensors')])
  })

  it('a state that fails the given schema is passed over like a damaged file', async () => {
    const { id, dir } = await twoEpochs()
    await writeFile(
      join(dir, 'last.state.json'),
      JSON.stringify({
        ...JSON.parse(await readFile(join(dir, 'last.state.json'), 'utf8')),
        state: { epoch: 'two' },
      }),
    )
    expect((await store.readCheckpoint(id, 'last'))?.state).toEqual({ epoch: 'two' })
    problems = []
    const found = await store.readCheckpoint(id, 'last', { state: State })
    expect(found?.state).toEqual({ epoch: 1 })
    expect(problems).toEqual([
      {
        file: join(dir, 'last.state.json'),
        message: expect.stringMatching(/^not a valid checkpoint state: state\.epoch: /),
      },
    ])
  })

  it('every point a crash can stop a write at leaves a complete checkpoint', async () => {
    const { id, dir } = await twoEpochs()
    const files = async () => {
      const out: Record<string, Buffer> = {}
      for (const n of await readdir(dir)) out[n] = await readFile(join(dir, n))
      return out
    }
    const restore = async (snapshot: Record<string, Buffer>) => {
      await rm(dir, { recursive: true })
      await mkdir(dir)
      for (const [n, b] of Object.entries(snapshot)) await writeFile(join(dir, n), b)
    }
    const epoch2 = await files()
    await store.writeCheckpoint(id, 'last', tensors(3), { epoch: 3 })
    const epoch3 = await files()
    // The write of epoch 3, step by step: rotate the tensors, rotate the state, new tensors, new state.
    const steps: [string, Record<string, Buffer>, number][] = [
      [
        'tensors rotated',
        { ...omit(epoch2, 'last.safetensors'), 'last.previous.safetensors': epoch2['last.safetensors']! },
        2,
      ],
      [
        'both rotated',
        {
          'last.previous.safetensors': epoch2['last.safetensors']!,
          'last.previous.state.json': epoch2['last.state.json']!,
        },
        2,
      ],
      ['new tensors written', omit(epoch3, 'last.state.json'), 2],
      ['complete', epoch3, 3],
    ]
    for (const [step, snapshot, epoch] of steps) {
      await restore(snapshot)
      const found = await store.readCheckpoint(id, 'last', { state: State })
      expect(found?.state, step).toEqual({ epoch })
      expect(W1(found), step).toEqual([epoch, epoch])
    }
  })

  it('reads checkpoints written before the previous pair and the state flag existed', async () => {
    const a = await store.create(makeRecord())
    const dir = join(store.runsDir, a.id, 'checkpoints')
    await mkdir(dir)
    const old = encodeSafetensors(withDtypes(tensors(5)), { 'workbench.checkpoint': 'abc' })
    await writeFile(join(dir, 'last.safetensors'), old)
    await writeFile(join(dir, 'last.state.json'), JSON.stringify({ checkpoint: 'abc', state: { epoch: 5 } }))
    await writeFile(
      join(dir, 'best.safetensors'),
      encodeSafetensors(withDtypes(tensors(4)), { 'workbench.checkpoint': 'def' }),
    )
    expect(await store.readCheckpoint(a.id, 'last', { state: State })).toMatchObject({
      state: { epoch: 5 },
      metadata: {},
    })
    expect(await store.readCheckpoint(a.id, 'best')).toMatchObject({ state: null })
    // The next write keeps the old one as the previous checkpoint.
    await store.writeCheckpoint(a.id, 'last', tensors(6), { epoch: 6 })
    await writeFile(join(dir, 'last.safetensors'), 'damaged')
    expect((await store.readCheckpoint(a.id, 'last', { state: State }))?.state).toEqual({ epoch: 5 })
  })
})

function omit(o: Record<string, Buffer>, key: string): Record<string, Buffer> {
  const { [key]: _, ...rest } = o
  return rest
}
