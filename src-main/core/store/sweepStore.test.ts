import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
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
    const record = { version: 1, id: ID, createdAt: '2026-11-26T19:45:01.000Z', spec, runIds: ['a'] }
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
    await expect(s.get(ID)).rejects.toThrow(/sweeps\/sweep-20261126-194501-ab12cd\.json: expected/)
    await writeFile(join(dir, 'sweeps', `${ID}.json`), '{not json')
    await expect(s.get(ID)).rejects.toThrow(/not valid JSON/)
  })
})
