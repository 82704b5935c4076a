import { readFile, readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CSV_COLUMNS, parseCsv, type MetricsJson } from '../core/export/metrics'
import { NO_CHROMIUM } from '../core/export/testing'
import { decodeSafetensors } from '../core/store/safetensors'
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

  it('writes a summary (--format summary-csv): a row per run, every config leaf, results, time and it/s', async () => {
    const r = await cli(
      ['export', runId, '--format', 'summary-csv', '--out', 'summary.csv', '--data-dir', dataDir],
      { cwd: tmp.path },
    )
    expect(r.code).toBe(0)
    const out = `${tmp.path}/summary.csv`
    const [header, row, ...rest] = parseCsv(await readFile(out, 'utf8'))
    expect(rest).toEqual([])
    expect(header).toEqual([
      'run_id',
      'run_name',
      'status',
      'sweep_id',
      'created_at',
      'started_at',
      'finished_at',
      'version',
      'tags',
      'notes',
      'dataset.name',
      'dataset.numTraining',
      'dataset.numValidation',
      'dataset.numTest',
      'model.kind',
      'model.hiddenDim',
      'model.weightScale',
      'model.reg',
      'solver.updateRule',
      'solver.optimConfig.learningRate',
      'solver.lrDecay',
      'solver.batchSize',
      'solver.numEpochs',
      'solver.numTrainSamples',
      'solver.numValSamples',
      'seed',
      'best_val_acc',
      'final_train_acc',
      'final_val_acc',
      'val_acc',
      'test_acc',
      'iterations',
      'planned_iterations',
      'epochs',
      'planned_epochs',
      'duration_s',
      'it_per_s',
      'error_reason',
      'error_iteration',
      'error_message',
    ])
    expect(r.stdout).toBe(`Wrote the summary of 1 run (a row each, ${header!.length} columns) to ${out}\n`)
    const cell = (name: string) => row![header!.indexOf(name)]
    expect([cell('run_id'), cell('run_name'), cell('status')]).toEqual([runId, name, 'completed'])
    expect([cell('dataset.numTraining'), cell('model.hiddenDim'), cell('iterations')]).toEqual([
      '500',
      '20',
      '5',
    ])
    expect(Number(cell('test_acc'))).toBeGreaterThan(0)
    // it/s is the iterations over the training time.
    expect(Number(cell('it_per_s'))).toBeCloseTo(5 / Number(cell('duration_s')), 6)
    // Atomic: no temporary file is left next to it.
    expect((await readdir(tmp.path)).filter((f) => f.includes('summary.csv'))).toEqual(['summary.csv'])
  })

  it('writes the summary as JSON (--all --format summary-json); --json prints {out, runs, format, columns, bytes}', async () => {
    const out = `${tmp.path}/summary.json`
    const r = await cli([
      'export',
      '--all',
      '--format',
      'summary-json',
      '--out',
      out,
      '--json',
      '--data-dir',
      dataDir,
    ])
    expect(r.code).toBe(0)
    const text = await readFile(out, 'utf8')
    const doc = JSON.parse(text) as { columns: string[]; varied: string[]; runs: Record<string, unknown>[] }
    expect(r.json()).toEqual({
      out,
      runs: 1,
      format: 'summary-json',
      columns: doc.columns.length,
      bytes: Buffer.byteLength(text),
    })
    expect(doc.runs).toEqual([expect.objectContaining({ run_id: runId, 'model.hiddenDim': 20, tags: [] })])
    expect(doc.varied).toEqual([])
  })

  it('exits 2 on an unknown id and writes nothing', async () => {
    const out = `${tmp.path}/none.csv`
    const r = await cli(['export', runId, '20200101-000000-zzzzzz', '--out', out, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error: no run with id 20200101-000000-zzzzzz')
    await expect(readFile(out)).rejects.toThrow()
  })

  it('exits 2 when --out is a folder, saying to give a file name', async () => {
    const r = await cli(['export', runId, '--out', tmp.path, '--data-dir', dataDir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--out: ${tmp.path} is a folder; give a file name`)
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

  it('writes the HTML report (format from the extension) in the language asked for', async () => {
    const r = await cli(
      ['export', runId, '--out', 'report.htm', '--locale', 'zh-CN', '--data-dir', dataDir],
      {
        cwd: tmp.path,
      },
    )
    expect(r.code).toBe(0)
    const out = `${tmp.path}/report.htm`
    expect(r.stdout).toMatch(new RegExp(`^Wrote the HTML report of 1 run to ${out} \\(\\d+ KiB\\)\\n$`))
    const html = await readFile(out, 'utf8')
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('<svg')
    expect(html).toContain('data:image/png;base64,')
  })

  it('smooths the report as --smoothing says (the app passes its slider the same way)', async () => {
    const r = await cli(
      ['export', runId, '--out', 'smooth.html', '--smoothing', '0.25', '--data-dir', dataDir],
      {
        cwd: tmp.path,
      },
    )
    expect(r.code).toBe(0)
    expect(await readFile(`${tmp.path}/smooth.html`, 'utf8')).toContain('(weight 0.25)')
  })

  it('pdf without a browser: exit 1 naming the variable to set, nothing written', async () => {
    const out = `${tmp.path}/nobrowser.pdf`
    const r = await cli(['export', runId, '--out', out, '--data-dir', dataDir], {
      env: { WORKBENCH_CHROMIUM: `${tmp.path}/no-such-chrome` },
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      `error: WORKBENCH_CHROMIUM is set to ${tmp.path}/no-such-chrome, but there is no such file`,
    )
    await expect(readFile(out)).rejects.toThrow()
  })

  it.skipIf(NO_CHROMIUM)(`writes the PDF report through Chromium ${NO_CHROMIUM ?? ''}`, async () => {
    const out = `${tmp.path}/report.pdf`
    const r = await cli(['export', '--all', '--format', 'pdf', '--out', out, '--json', '--data-dir', dataDir])
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({ out, runs: 1, format: 'pdf', bytes: expect.any(Number) })
    expect((await readFile(out)).subarray(0, 5).toString('latin1')).toBe('%PDF-')
  })

  it.each([
    [['--locale', 'fr'], "argument 'fr' is invalid"],
    [['--format', 'docx'], "argument 'docx' is invalid"],
    [['--smoothing', '1.5'], "argument '1.5' is invalid. a number from 0 (no smoothing) to 0.999"],
    [['--smoothing', 'lots'], "argument 'lots' is invalid"],
  ])('exits 2 on a bad report option: %j', async (args, message) => {
    const r = await cli(['export', runId, '--out', 'x.html', ...args, '--data-dir', dataDir], {
      cwd: tmp.path,
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(message)
  })
})

describe('checkpoint', () => {
  it("writes the run's best parameters as .safetensors, atomically", async () => {
    const r = await cli(['checkpoint', runId, '--out', 'ckpt/best.safetensors', '--data-dir', dataDir], {
      cwd: tmp.path,
    })
    expect(r.code).toBe(0)
    const out = `${tmp.path}/ckpt/best.safetensors`
    expect(r.stdout).toMatch(
      new RegExp(`^Wrote the best parameters of ${runId} to ${out} \\(\\d+ KiB\\)\\n$`),
    )
    const { tensors, metadata } = decodeSafetensors(await readFile(out), out)
    expect(Object.keys(tensors).sort()).toEqual(['W1', 'W2', 'b1', 'b2'])
    expect(metadata).toMatchObject({ runId, name, final: 'true' })
    expect(await readdir(`${tmp.path}/ckpt`)).toEqual(['best.safetensors'])
  })

  it('exits 2 on an unknown id, and on a missing --out', async () => {
    const unknown = await cli([
      'checkpoint',
      '20200101-000000-zzzzzz',
      '--out',
      `${tmp.path}/x.st`,
      '--data-dir',
      dataDir,
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no run with id 20200101-000000-zzzzzz')
    const noOut = await cli(['checkpoint', runId, '--data-dir', dataDir])
    expect(noOut.code).toBe(2)
    expect(noOut.stderr).toContain("'--out <file>' not specified")
  })
})
