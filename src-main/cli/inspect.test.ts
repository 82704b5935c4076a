import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/runs'
import type { SanityReport } from '../../src-shared/sanity'
import { LONG_RUN_ITERATIONS } from '../core/checks'
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

describe('show with sanity checks', () => {
  // Its own folder, so the ls tests above still see one run.
  let checkedDir: string
  let checkedId: string

  beforeAll(async () => {
    checkedDir = `${tmp.path}/checked`
    // 500 images in batches of 5 for 10 epochs: LONG_RUN_ITERATIONS, so the worker checks it before
    // training and the run stores the report (core/checks.ts, policy 'auto').
    const solver = { numEpochs: 10, batchSize: 5, optimConfig: { learningRate: 1e-3 } }
    expect((500 / solver.batchSize) * solver.numEpochs).toBe(LONG_RUN_ITERATIONS)
    const file = await tmp.file('checked.json', tinyConfig({ name: 'checked', seed: 3, solver }))
    const r = await cli(['run', file, '--json', '--data-dir', checkedDir])
    expect(r.code).toBe(0)
    checkedId = r.json<RunSummary>().id
  }, 60_000)

  it('--json includes the stored report; null for a run without one', async () => {
    const j = await cli(['show', checkedId, '--json', '--data-dir', checkedDir])
    expect(j.code).toBe(0)
    const { checks } = j.json<RunRecord & { checks: SanityReport | null }>()
    expect(checks).toMatchObject({ version: 1, passed: true, seed: 3, source: 'worker' })
    expect(checks?.checks.map((c) => [c.name, c.passed])).toEqual([
      ['initial-loss', true],
      ['regularization', true],
      ['gradient', true],
      ['overfit', true],
    ])

    const plain = await cli(['show', runId, '--json', '--data-dir', dataDir])
    expect(plain.json<{ checks: unknown }>().checks).toBeNull()
  })

  it("prints them in check's table under the config, with where they ran; nothing for a run without", async () => {
    const h = await cli(['show', checkedId, '--data-dir', checkedDir])
    expect(h.code).toBe(0)
    const out = h.stdout
    expect(out).not.toMatch(ANSI_ESCAPE)
    const at = out.indexOf('\nSanity checks\n')
    expect(at).toBeGreaterThan(out.indexOf('\nConfig\n'))
    expect(at).toBeLessThan(out.indexOf('\nResult\n'))
    const section = out.slice(at).split('\n\n')[0]!
    expect(section).toMatch(/^ {2}ran by the worker before training, \d{4}-\d\d-\d\dT/m)
    expect(section).toMatch(/^ {2}check\s+result\s+measured\s+expected\s+time$/m)
    expect(section).toMatch(
      /^ {2}initial-loss\s+pass\s+loss 2\.\d+\s+2\.303 ± 0\.3454 \(ln C\)\s+\d[\d.]* m?s$/m,
    )
    expect(section).toMatch(/^ {2}regularization\s+pass\s+2\.\d+ -> \d+\.\d+ \(reg 1\)/m)
    expect(section).toMatch(
      /^ {2}gradient\s+pass\s+rel\. error \d(\.\d+)?e-\d+ \((W|b)\d at reg 0(\.7)?\)\s+<= 1\.00e-5 at reg 0 and 0\.7/m,
    )
    expect(section).toMatch(/^ {2}overfit\s+pass\s+100% of 50 in \d+ epochs\s+100% within 200 epochs/m)
    expect(section).toMatch(/^ {2}all checks passed \(seed 3, \S+/m)

    const plain = await cli(['show', runId, '--data-dir', dataDir])
    expect(plain.stdout).not.toContain('Sanity checks')
  })
})
