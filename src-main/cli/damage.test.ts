// The CLI over hand-damaged run folders: `ls`, `show`, `export` and `resume` keep working for every
// other run, and name the damaged file and what is wrong with it.
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CorruptSummary, RunSummary } from './summary'
import { cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string
let ids: string[]
/** The damage the issue measured, one run each: no config.dataset, no config.model, name null. */
let noDataset: string
let noModel: string
let nullName: string
let good: string

const runJson = (id: string) => join(dataDir, 'runs', id, 'run.json')

async function edit(id: string, f: (r: Record<string, unknown>) => void): Promise<void> {
  const raw = JSON.parse(await readFile(runJson(id), 'utf8')) as Record<string, unknown>
  f(raw)
  await writeFile(runJson(id), JSON.stringify(raw, null, 2))
}
const config = (r: Record<string, unknown>) => r.config as Record<string, unknown>

beforeAll(async () => {
  tmp = await tempDir('workbench-cli-damage-')
  dataDir = join(tmp.path, 'data')
  const sweep = await tmp.file('sweep.json', {
    name: 'four',
    method: 'grid',
    base: tinyConfig(),
    params: { 'model.hiddenDim': { values: [5, 6, 7, 8] } },
  })
  const r = await cli(['sweep', sweep, '--json', '--data-dir', dataDir])
  expect(r.code).toBe(0)
  ids = (await cli(['ls', '--json', '--data-dir', dataDir])).json<RunSummary[]>().map((s) => s.id)
  expect(ids).toHaveLength(4)
  ;[good, noDataset, noModel, nullName] = ids as [string, string, string, string]
  await edit(noDataset, (r) => delete config(r).dataset)
  await edit(noModel, (r) => delete config(r).model)
  await edit(nullName, (r) => (config(r).name = null))
}, 60_000)
afterAll(() => tmp.remove())

describe('ls', () => {
  it('lists every run, the damaged ones as corrupt with the file and the reason, and exits 0', async () => {
    const r = await cli(['ls', '--data-dir', dataDir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${good}\\s+four #1 .*\\s+completed\\s+sweep-`, 'm'))
    expect(r.stdout).toMatch(
      new RegExp(`^${noDataset}\\s+four #2 .*\\s+corrupt\\s+sweep-\\S+\\s+-\\s+-\\s+-$`, 'm'),
    )
    expect(r.stdout).toMatch(new RegExp(`^${nullName}\\s+\\(unreadable\\)\\s+corrupt\\s+`, 'm'))
    expect(r.stdout).toContain('\n3 runs cannot be read:\n')
    expect(r.stdout).toContain(`  ${noDataset}: ${runJson(noDataset)}: config.dataset: `)
    expect(r.stdout).toContain(`  ${noModel}: ${runJson(noModel)}: config.model: `)
    expect(r.stdout).toContain(`  ${nullName}: ${runJson(nullName)}: config.name: `)
  })

  it('--json gives the corrupt entries with their problem', async () => {
    const list = (await cli(['ls', '--json', '--data-dir', dataDir])).json<(RunSummary | CorruptSummary)[]>()
    expect(list.map((s) => s.status)).toEqual(['completed', 'corrupt', 'corrupt', 'corrupt'])
    expect(list[1]).toEqual({
      id: noDataset,
      name: expect.stringMatching(/^four #2 /),
      status: 'corrupt',
      sweepId: expect.stringMatching(/^sweep-/),
      createdAt: expect.any(String),
      problem: { file: runJson(noDataset), message: expect.stringMatching(/^config\.dataset: /) },
      folder: join(dataDir, 'runs', noDataset),
    })
    expect(list[3]).toMatchObject({ id: nullName, name: null })
  })
})

describe('show', () => {
  it('of a damaged run exits 2 with a corrupt error naming the file and field; others show', async () => {
    const r = await cli(['show', noModel, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(
      new RegExp(`^error: run ${noModel} is damaged: ${runJson(noModel)}: config\\.model: `),
    )
    const j = await cli(['show', noModel, '--json', '--data-dir', dataDir])
    expect((JSON.parse(j.stderr) as { error: { code: string } }).error.code).toBe('corrupt')
    expect((await cli(['show', good, '--data-dir', dataDir])).code).toBe(0)
  })
})

describe('export', () => {
  it('refuses a selection that names a damaged run, writing nothing', async () => {
    const out = join(tmp.path, 'refused.csv')
    const r = await cli(['export', good, nullName, '--out', out, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^error: run ${nullName} is damaged: .*config\\.name: `))
    expect(existsSync(out)).toBe(false)
  })

  it('--all exports the readable runs and says which it skipped', async () => {
    const out = join(tmp.path, 'all.csv')
    const r = await cli(['export', '--all', '--out', out, '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Wrote \d+ rows of 1 run to /)
    for (const id of [noDataset, noModel, nullName]) {
      expect(r.stderr).toContain(`Skipped run ${id}, which cannot be read: ${runJson(id)}: `)
    }
    const csv = await readFile(out, 'utf8')
    expect(csv).toContain(good)
    expect(csv).not.toContain(noDataset)
    const j = await cli([
      'export',
      '--all',
      '--json',
      '--out',
      join(tmp.path, 'all.json'),
      '--data-dir',
      dataDir,
    ])
    expect(j.stderr).toBe('')
    expect(j.json<{ runs: number; skipped: { id: string }[] }>()).toMatchObject({
      runs: 1,
      skipped: [{ id: noDataset }, { id: noModel }, { id: nullName }],
    })
  })
})

describe('resume', () => {
  it('without a usable checkpoint refuses (exit 2) offering --fresh; --fresh restarts and completes', async () => {
    // As a kill leaves it: interrupted, and its only checkpoint truncated.
    await edit(good, (r) => Object.assign(r, { status: 'interrupted', finishedAt: null, result: null }))
    const last = join(dataDir, 'runs', good, 'checkpoints', 'last.safetensors')
    await writeFile(last, (await readFile(last)).subarray(0, 40))

    const r = await cli(['resume', good, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`error: run ${good} cannot resume: no usable checkpoint (${last}: `)
    expect(r.stderr).toContain(`workbench resume --fresh ${good}`)
    expect(
      (await cli(['show', good, '--json', '--data-dir', dataDir])).json<{ status: string }>().status,
    ).toBe('interrupted')

    expect((await cli(['resume', '--fresh=yes', good, '--data-dir', dataDir])).code).toBe(2)
    const fresh = await cli(['resume', '--fresh', good, '--data-dir', dataDir])
    expect(fresh.code).toBe(0)
    expect(fresh.stderr).toContain(`Resuming ${good} (fresh, from iteration 0)`)
    expect(
      (await cli(['show', good, '--json', '--data-dir', dataDir])).json<{ status: string }>().status,
    ).toBe('completed')
  }, 60_000)

  it('of a damaged run refuses before any other run is queued', async () => {
    const r = await cli(['resume', noDataset, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^error: run ${noDataset} is damaged: `))
  })
})
