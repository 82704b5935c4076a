import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SanityReport } from '../../src-shared/sanity'
import { ANSI_ESCAPE, cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = `${tmp.path}/data`
})
afterAll(async () => {
  await tmp.remove()
})

describe('check', () => {
  it('prints a table of passing checks and exits 0', async () => {
    const file = await tmp.file('ok.json', tinyConfig({ seed: 3 }))
    const r = await cli(['check', file, '--data-dir', dataDir])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^check\s+result\s+measured\s+expected\s+time$/)
    for (const name of ['initial-loss', 'regularization', 'gradient', 'overfit']) {
      expect(lines.find((l) => l.startsWith(name))).toMatch(/\bpass\b/)
    }
    expect(r.stdout).toMatch(/initial-loss\s+pass\s+loss 2\.\d+\s+2\.303 ± 0\.3454/)
    // reg 0 in the config: the gradient is checked at CS231n's reg 0.7 as well.
    expect(lines.find((l) => l.startsWith('gradient'))).toMatch(
      /\(\w+ at reg 0(\.7)?\)\s+<= \S+ at reg 0 and 0\.7/,
    )
    expect(r.stdout).toMatch(/all checks passed \(seed 3, /)
    expect(r.stderr).toContain('Checking "tiny" on fashion-mnist-small')
    expect(r.stdout + r.stderr).not.toMatch(ANSI_ESCAPE)
    // Nothing was queued.
    expect((await cli(['ls', '--json', '--data-dir', dataDir])).json()).toEqual([])
  })

  it('exits 1 and says why when a check fails; --json prints the report', async () => {
    const file = await tmp.file('big.json', tinyConfig({ model: { kind: 'two-layer', weightScale: 1 } }))
    const r = await cli(['check', file, '--data-dir', dataDir])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/initial-loss\s+FAIL/)
    expect(r.stdout).toMatch(/initial-loss: initial loss .* far from ln\(10\).*lower weightScale/)
    expect(r.stdout).toMatch(/1 of 4 checks failed/)

    const j = await cli(['check', file, '--data-dir', dataDir, '--json'])
    expect(j.code).toBe(1)
    const report = j.json<SanityReport>()
    expect(report).toMatchObject({ passed: false, source: 'request' })
    expect(report.checks.map((c) => c.name)).toEqual([
      'initial-loss',
      'regularization',
      'gradient',
      'overfit',
    ])
    expect(j.stderr).toBe('')
  })

  it('refuses an invalid config with its fields (exit 2), and a missing file', async () => {
    const file = await tmp.file('bad.json', tinyConfig({ solver: { batchSize: -1 } }))
    const r = await cli(['check', file, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('invalid run config (1 error)')
    expect(r.stderr).toContain('solver.batchSize')
    const unknown = await tmp.file('nodata.json', tinyConfig({ dataset: { name: 'nope' } }))
    const u = await cli(['check', unknown, '--data-dir', dataDir])
    expect(u.code).toBe(2)
    expect(u.stderr).toContain("dataset.name: no dataset 'nope'")
    const missing = await cli(['check', `${tmp.path}/none.json`, '--data-dir', dataDir])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no such file')
  })
})
