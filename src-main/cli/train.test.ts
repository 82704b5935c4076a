import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunRecord } from '../../src-shared/runs'
import type { RunSummary } from './summary'
import { ANSI_ESCAPE, cli, fakeTerminal, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = `${tmp.path}/data`
})
afterAll(async () => {
  await tmp.remove()
})

const ls = async (): Promise<RunSummary[]> => (await cli(['ls', '--json', '--data-dir', dataDir])).json()

describe('run', () => {
  it('trains a config to completion and reports best val and test accuracy', async () => {
    const file = await tmp.file('run.json', tinyConfig({ name: 'first run' }))
    const r = await cli(['run', file, '--data-dir', dataDir, '--threads', '1'])
    expect(r.stderr).toMatch(/epoch 1\/1/)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/"first run": completed in/)
    expect(r.stdout).toMatch(/best val acc\s+\d+\.\d%/)
    expect(r.stdout).toMatch(/test acc\s+\d+\.\d%/)
    expect(r.stdout).toContain(`${dataDir}/runs/`)
    expect(r.stdout + r.stderr).not.toMatch(ANSI_ESCAPE)

    const run = (await ls()).find((s) => s.name === 'first run')
    expect(run).toMatchObject({
      status: 'completed',
      sweepId: null,
      dataset: 'fashion-mnist-small',
      model: 'two-layer',
    })
    expect(run?.bestValAcc).toBeGreaterThan(0)
    expect(run?.testAcc).toBeGreaterThan(0)
    expect(typeof run?.createdAt).toBe('string')
    expect(r.stdout).toContain(run?.id)
  })

  it('--json prints the run summary and no progress', async () => {
    const file = await tmp.file('json-run.json', tinyConfig({ name: 'json run' }))
    const r = await cli(['run', file, '--json', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const s = r.json<RunSummary>()
    expect(s).toMatchObject({ name: 'json run', status: 'completed', error: null })
    expect(s.bestValAcc).toBeGreaterThan(0)
    expect(s.testAcc).toBeGreaterThan(0)
  })

  it('rejects an invalid config with one line per field and exit 2, queueing nothing', async () => {
    const before = (await ls()).length
    const bad = tinyConfig({ solver: { numEpochs: 1, batchSize: 0, optimConfig: { learningRate: -1 } } })
    const file = await tmp.file('bad.json', bad)
    const r = await cli(['run', file, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}: invalid run config (2 errors)`)
    expect(r.stderr).toMatch(/^solver\.optimConfig\.learningRate: .+$/m)
    expect(r.stderr).toMatch(/^solver\.batchSize: .+$/m)
    expect((await ls()).length).toBe(before)

    const j = await cli(['run', file, '--json', '--data-dir', dataDir])
    expect(j.code).toBe(2)
    const { error } = JSON.parse(j.stderr) as { error: { code: string; fields: { path: string }[] } }
    expect(error.code).toBe('invalid-config')
    expect(error.fields.map((f) => f.path)).toEqual(['solver.optimConfig.learningRate', 'solver.batchSize'])
  })

  it('names an unknown dataset as a field error', async () => {
    const file = await tmp.file('nodata.json', tinyConfig({ dataset: { name: 'no-such-dataset' } }))
    const r = await cli(['run', file, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^dataset\.name: no dataset 'no-such-dataset'/m)
  })

  it('reports a JSON syntax error with its line, column and position', async () => {
    const file = await tmp.file('syntax.json', '{\n  "name": "x",\n  "model": {"kind": "two-layer",}\n}\n')
    const r = await cli(['run', file, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      `${file}: invalid JSON at line 3, column 33 (position 49): Expected double-quoted property name`,
    )
  })

  it('reports a missing file with exit 2', async () => {
    const r = await cli(['run', `${tmp.path}/missing.json`, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('cannot read')
    expect(r.stderr).toContain('no such file')
  })

  it('Ctrl-C leaves the run interrupted (exit 130); resume finishes it', async () => {
    const file = await tmp.file(
      'long.json',
      tinyConfig({ name: 'long run', solver: { numEpochs: 60, batchSize: 100 } }),
    )
    const stop = new AbortController()
    const r = await cli(['run', file, '--data-dir', dataDir], {
      interrupt: stop.signal,
      onStderr: (s) => {
        if (/epoch [1-9]/.test(s)) stop.abort()
      },
    })
    expect(r.code).toBe(130)
    expect(r.stderr).toContain('Interrupted')
    expect(r.stdout).toMatch(/"long run": interrupted at iteration \d+\/300/)
    expect(r.stdout).toMatch(/resume\s+workbench resume \d{8}-\d{6}-[0-9a-z]{6} --data-dir /)
    const run = (await ls()).find((s) => s.name === 'long run') as RunSummary
    expect(run.status).toBe('interrupted')

    const resumed = await cli(['resume', run.id, '--data-dir', dataDir, '--json'])
    expect(resumed.code).toBe(0)
    expect(resumed.json<RunSummary>()).toMatchObject({ id: run.id, status: 'completed' })
  })
})

describe('sweep', () => {
  const sweep = {
    name: 'lr sweep',
    method: 'grid',
    base: tinyConfig(),
    params: { 'solver.optimConfig.learningRate': { values: [1e-4, 1e-3, 1e-2] } },
  }

  it('trains every run in parallel and ranks them by best val acc', async () => {
    const file = await tmp.file('sweep.json', sweep)
    const r = await cli(['sweep', file, '--data-dir', dataDir, '--threads', '2'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/3 runs queued, 2 at a time/)
    expect(r.stderr).toMatch(/\(3\/3\) #\d lr=.*: completed/)
    expect(r.stdout).toMatch(/3 runs: 3 completed/)
    expect(r.stdout).toMatch(/#\s+id\s+name\s+learningRate\s+best val\s+test acc\s+status/)
    expect(r.stdout + r.stderr).not.toMatch(ANSI_ESCAPE)

    const runs = (await ls()).filter((s) => s.name.startsWith('lr sweep'))
    expect(runs).toHaveLength(3)
    expect(new Set(runs.map((s) => s.sweepId)).size).toBe(1)
    expect(runs[0]?.sweepId).toMatch(/^sweep-/)
    for (const s of runs) {
      expect(s.status).toBe('completed')
      expect(s.bestValAcc).not.toBeNull()
      expect(s.testAcc).not.toBeNull()
    }
  })

  it('--json lists the runs best first with their params; bars draw on a terminal', async () => {
    const file = await tmp.file('sweep2.json', { ...sweep, name: 'json sweep' })
    const json = await cli(['sweep', file, '--json', '--data-dir', dataDir, '--threads', '2'])
    expect(json.code).toBe(0)
    const out = json.json<{ sweepId: string; params: string[]; runs: (RunSummary & { params: object })[] }>()
    expect(out.params).toEqual(['solver.optimConfig.learningRate'])
    expect(out.runs).toHaveLength(3)
    const best = out.runs.map((s) => s.bestValAcc as number)
    expect(best).toEqual([...best].sort((a, b) => b - a))
    expect(out.runs[0]?.params).toHaveProperty(['solver.optimConfig.learningRate'])

    const terminal = fakeTerminal()
    const bars = await cli(['sweep', file, '--data-dir', dataDir, '--threads', '2'], { terminal })
    expect(bars.code).toBe(0)
    expect(terminal.output).toMatch(/\d+\/5 it \| epoch \d\/1/)
  })

  it('rejects a sweep whose param does not fit the config, naming the param', async () => {
    const bad = { ...sweep, params: { 'solver.batchSize': { values: [100, -5] } } }
    const r = await cli(['sweep', await tmp.file('badsweep.json', bad), '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^params\.solver\.batchSize: /m)
  })
})

describe('show', () => {
  it('prints the record with summary metrics as JSON, and the confusion matrix with class names', async () => {
    const run = (await ls()).find((s) => s.name === 'first run') as RunSummary
    const j = await cli(['show', run.id, '--json', '--data-dir', dataDir])
    expect(j.code).toBe(0)
    const shown = j.json<
      RunRecord & { metrics: { epochs: unknown[]; lastLoss: number }; bestValAcc: number }
    >()
    expect(shown).toMatchObject({ id: run.id, status: 'completed', config: { name: 'first run' } })
    expect(shown.result?.classNames).toContain('Trouser')
    expect(shown.environment?.backend).toMatch(/native|ts/)
    expect(shown.metrics.epochs.length).toBeGreaterThan(0)
    expect(shown.metrics.lastLoss).toBeGreaterThan(0)
    expect(shown.bestValAcc).toBe(run.bestValAcc)

    const h = await cli(['show', run.id, '--data-dir', dataDir])
    expect(h.code).toBe(0)
    expect(h.stdout).toContain('Confusion matrix')
    expect(h.stdout).toMatch(/1\s+Trouser\s+\d+/)
    expect(h.stdout).toMatch(/solver\.optimConfig\.learningRate\s+0\.001/)
    expect(h.stdout).toMatch(/backend\s+(native|ts)/)
  })
})
