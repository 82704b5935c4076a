import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { expandSweep } from '../../../src-shared/sweep'
import { SWEEP_ID, SweepStore } from './sweepStore'
import { StoreError } from './errors'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function store(): Promise<{ dir: string; s: SweepStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-sweeps-'))
  dirs.push(dir)
  return { dir, s: new SweepStore(dir) }
}

const ID = 'sweep-20261126-194501-ab12cd'
const spec = {
  version: 1,
  name: 'lr',
  base: {},
  method: 'random' as const,
  samples: 4,
  seed: 1,
  params: {
    'solver.optimConfig.learningRate': { min: 1e-5, max: 1e-2, scale: 'log' as const, integer: false },
  },
}

describe('SweepStore', () => {
  it('round-trips a sweep record', async () => {
    const { s } = await store()
    const record = {
      version: 1,
      id: ID,
      createdAt: '2026-11-26T19:45:01.000Z',
      spec,
      runIds: ['20261126-194501-aaaaaa'],
    }
    await s.write(record as never)
    expect(await s.get(ID)).toEqual(record)
  })

  it('reads back the spec of every example sweep as createSweep stores it (expanded, defaults filled)', async () => {
    const { s } = await store()
    const grid = {
      name: 'g',
      base: { dataset: { name: 'cifar10' }, model: { kind: 'fc' } },
      method: 'grid',
      params: {
        'model.reg': { min: 0, max: 1, scale: 'linear', steps: 3 },
        'solver.batchSize': { values: [50, 100] },
      },
    }
    const example = JSON.parse(
      await readFile(join(__dirname, '../../../examples/seed-random-search.json'), 'utf8'),
    ) as unknown
    for (const input of [example, grid]) {
      const expanded = expandSweep(input)
      if (!expanded.ok) throw new Error(JSON.stringify(expanded.errors))
      const record = {
        version: 1,
        id: ID,
        createdAt: '2026-11-26T19:45:01.000Z',
        spec: expanded.value.spec,
        runIds: [],
      }
      await s.write(record)
      expect(await s.get(ID)).toEqual(record)
    }
  })

  it('keeps what a later version added to a record', async () => {
    const { s } = await store()
    const record = { version: 2, id: ID, createdAt: '2026-11-26T19:45:01.000Z', spec, runIds: [], notes: 'x' }
    await s.write(record as never)
    expect(await s.get(ID)).toEqual(record)
  })

  it('accepts only sweep ids that are safe file names', () => {
    expect(SWEEP_ID.test(ID)).toBe(true)
    for (const bad of ['sweep-../x', 'sweep-20261126-194501-ab12cd/..', '20261126-194501-ab12cd', 'sweep-'])
      expect(SWEEP_ID.test(bad), bad).toBe(false)
  })

  it('names the sweep when it is missing and the file when it is corrupt', async () => {
    const { dir, s } = await store()
    await expect(s.get(ID)).rejects.toThrow(/no sweep sweep-20261126-194501-ab12cd/)
    await expect(s.get('../etc')).rejects.toBeInstanceOf(StoreError)
    await mkdir(join(dir, 'sweeps'))
    await writeFile(join(dir, 'sweeps', `${ID}.json`), '{"id": "other"}')
    await expect(s.get(ID)).rejects.toThrow(
      /sweeps\/sweep-20261126-194501-ab12cd\.json: not a valid sweep record/,
    )
    await writeFile(join(dir, 'sweeps', `${ID}.json`), '{not json')
    await expect(s.get(ID)).rejects.toThrow(/not valid JSON/)
  })

  it('names the field of a hand-damaged record, and refuses one that holds another sweep', async () => {
    const { dir, s } = await store()
    await mkdir(join(dir, 'sweeps'))
    const file = join(dir, 'sweeps', `${ID}.json`)
    const good = { version: 1, id: ID, createdAt: '2026-11-26T19:45:01.000Z', spec, runIds: [] }
    const damaged: [unknown, RegExp][] = [
      [
        { ...good, spec: { ...spec, params: { 'solver.optimConfig.learningRate': { min: 1 } } } },
        /spec\.params/,
      ],
      [{ ...good, spec: { ...spec, method: 'bayes' } }, /spec\.method: /],
      [{ ...good, runIds: ['../../etc'] }, /runIds\.0: a run id/],
      [{ ...good, runIds: null }, /runIds: /],
      [{ ...good, createdAt: undefined }, /createdAt: /],
      [[], /\(record\): /],
      [{ ...good, id: 'sweep-20261126-194501-zzzzzz' }, /holds sweep sweep-20261126-194501-zzzzzz, not/],
    ]
    for (const [value, message] of damaged) {
      await writeFile(file, JSON.stringify(value))
      const err = await s.get(ID).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err, JSON.stringify(value)).toMatchObject({ code: 'corrupt', file })
      expect((err as Error).message).toMatch(message)
    }
  })
})
