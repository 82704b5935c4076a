import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from './summary'
import { ANSI_ESCAPE, cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string
let runId: string

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = `${tmp.path}/data`
  const r = await cli([
    'run',
    await tmp.file('run.json', tinyConfig({ name: 'listed' })),
    '--json',
    '--data-dir',
    dataDir,
  ])
  runId = r.json<RunSummary>().id
})
afterAll(async () => {
  await tmp.remove()
})

describe('ls', () => {
  it('prints a table of runs', async () => {
    const r = await cli(['ls', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^id\s+name\s+status\s+sweep\s+best val\s+test acc\s+duration$/m)
    expect(r.stdout).toMatch(
      new RegExp(`^${runId}\\s+listed\\s+completed\\s+-\\s+\\d+\\.\\d%\\s+\\d+\\.\\d%\\s+\\S+`, 'm'),
    )
    expect(r.stdout).not.toMatch(ANSI_ESCAPE)
  })

  it('says so when there are no runs; --json gives []', async () => {
    const empty = `${tmp.path}/empty`
    expect((await cli(['ls', '--data-dir', empty])).stdout).toBe(`No runs in ${empty}\n`)
    expect((await cli(['ls', '--json', '--data-dir', empty])).json()).toEqual([])
  })

  it('uses WORKBENCH_DATA_DIR when no --data-dir is given; a relative --data-dir is from the cwd', async () => {
    const viaEnv = await cli(['ls', '--json'], { env: { WORKBENCH_DATA_DIR: dataDir } })
    expect(viaEnv.json<RunSummary[]>().map((s) => s.id)).toEqual([runId])
    const relative = await cli(['ls', '--json', '--data-dir', 'data'], { cwd: tmp.path })
    expect(relative.json<RunSummary[]>().map((s) => s.id)).toEqual([runId])
  })
})

describe('unknown ids and refused actions', () => {
  it.each([['show'], ['cancel'], ['resume']])('%s of an unknown id exits 2', async (command) => {
    const r = await cli([command, '20200101-000000-zzzzzz', '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: no run with id 20200101-000000-zzzzzz')
  })

  it('a malformed id is a usage error, as JSON under --json', async () => {
    const r = await cli(['show', '../etc', '--json', '--data-dir', dataDir])
    expect(r.code).toBe(2)
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } }
    expect(error.code).toBe('invalid-argument')
    expect(error.message).toContain('not a run id')
  })

  it('cancel and resume of a completed run exit 2', async () => {
    const cancel = await cli(['cancel', runId, '--data-dir', dataDir])
    expect(cancel.code).toBe(2)
    expect(cancel.stderr).toContain('completed')
    const resume = await cli(['resume', runId, '--data-dir', dataDir])
    expect(resume.code).toBe(2)
  })
})
