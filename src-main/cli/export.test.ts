import { readFile, readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CSV_COLUMNS, parseCsv, type MetricsJson } from '../core/export/metrics'
import type { RunSummary } from './summary'
import { cli, tempDir, tinyConfig, type TempDir } from './testing'

let tmp: TempDir
let dataDir: string
let runId: string
const name = 'tiny, "quoted"'

beforeAll(async () => {
  tmp = await tempDir()
  dataDir = `${tmp.path}/data`
  const r = await cli([
    'run',
    await tmp.file('run.json', tinyConfig({ name })),
    '--json',
    '--data-dir',
    dataDir,
  ])
  runId = r.json<RunSummary>().id
})
afterAll(async () => {
  await tmp.remove()
})

describe('export', () => {
  it('writes a CSV of a trained run and says where, with the row count', async () => {
    const r = await cli(['export', runId, '--out', 'out/metrics.csv', '--data-dir', dataDir], {
      cwd: tmp.path,
    })
    expect(r.code).toBe(0)
    const out = `${tmp.path}/out/metrics.csv`
    const [header, ...rows] = parseCsv(await readFile(out, 'utf8'))
    expect(header).toEqual(CSV_COLUMNS)
    expect(r.stdout).toBe(`Wrote ${rows.length} rows of 1 run to ${out}\n`)
    // 500 images in batches of 100, one epoch: five iterations, plus the checks' rows.
    expect(rows.filter((row) => row[4] !== '').map((row) => row[2])).toEqual(['1', '2', '3', '4', '5'])
    expect(rows.every((row) => row[0] === runId && row[1] === name)).toBe(true)
    const epochs = rows.filter((row) => row[3] !== '')
    expect(epochs.at(-1)?.[3]).toBe('1')
    expect(epochs.every((row) => Number.isFinite(Number(row[6])))).toBe(true)
    // Atomic: no temp file is left next to the export.
    expect(await readdir(`${tmp.path}/out`)).toEqual(['metrics.csv'])
  })

  it('writes JSON (--all, format from the extension); --json prints {out, runs, rows}', async () => {
    const out = `${tmp.path}/all.json`
    const r = await cli(['export', '--all', '--out', out, '--json', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    const summary = r.json<{ out: string; runs: number; rows: number }>()
    expect(summary).toMatchObject({ out, runs: 1 })
    const doc = JSON.parse(await readFile(out, 'utf8')) as MetricsJson
    expect(doc.version).toBe(1)
    expect(doc.runs).toHaveLength(1)
    const [run] = doc.runs
    if (!run) throw new Error('no run in the export')
    expect([run.id, run.name, run.status, run.config.name]).toEqual([runId, name, 'completed', name])
    expect(run.result?.testAcc).toEqual(expect.any(Number))
    expect(run.metrics.iterations).toEqual([1, 2, 3, 4, 5])
    expect(run.metrics.losses).toHaveLength(5)
    expect(run.metrics.epochs.map((e) => e.epoch).at(-1)).toBe(1)
    // Same row count as the CSV of the same runs.
    const csv = await cli([
      'export',
      runId,
      '--format',
      'csv',
      '--out',
      `${tmp.path}/x.json`,
      '--data-dir',
      dataDir,
    ])
    expect(parseCsv(await readFile(`${tmp.path}/x.json`, 'utf8'))).toHaveLength(summary.rows + 1)
    expect(csv.code).toBe(0)
  })

  it('exits 2 on an unknown id and writes nothing', async () => {
    const out = `${tmp.path}/none.csv`
    const r = await cli(['export', runId, '20200101-000000-zzzzzz', '--out', out, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: no run with id 20200101-000000-zzzzzz')
    await expect(readFile(out)).rejects.toThrow()
  })

  it.each([
    [['--out', 'x.csv'], 'give at least one run id'],
    [['--all', 'someid', '--out', 'x.csv'], 'not both'],
    [['--all'], "'--out <file>' not specified"],
    [['--all', '--out', 'x.csv', '--format', 'xml'], 'xml'],
  ])('exits 2 on bad arguments: %j', async (args, message) => {
    const r = await cli(['export', ...args, '--data-dir', dataDir], { cwd: tmp.path })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })
})
