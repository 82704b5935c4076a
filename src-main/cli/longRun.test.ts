/**
 * A legal run of 7.5M iterations logs a metrics.jsonl of 637 MB, longer than V8's longest string
 * (512 MiB): reading it with readFile(..., 'utf8') failed with "Invalid string length", so the run page,
 * `show` and exports all failed. One such log is written once (a few seconds) and read by the API, by
 * `show` in a process of its own whose peak memory is measured, and by `export`.
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:buffer'
import { open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHandlers } from '../api/handlers'
import { makeRecord, makeTempDir } from '../core/store/testing'
import { RunStore } from '../core/store/runStore'
import {
  SPIKE_LOSS,
  STEPS_PER_EPOCH,
  stepLoss,
  writeLongRunLog,
  type LongRunLog,
} from '../core/store/testingLongRun'
import { Workbench } from '../core/workbench'
import { parseCsv } from '../core/export/metrics'
import { cli } from './testing'

/** A step's loss as the log holds it (15 decimals) and as an export writes it back. */
const logged = (i: number): string => String(Number(stepLoss(i).toFixed(15)))

let tmp: { dir: string; cleanup: () => Promise<void> }
let log: LongRunLog
const long = makeRecord({
  status: 'completed',
  progress: { iteration: 7_500_000, numIterations: 7_500_000, epoch: 1000, numEpochs: 1000 },
})
const short = makeRecord({ status: 'completed' })

beforeAll(async () => {
  tmp = await makeTempDir('wb-long-run-')
  const store = new RunStore(tmp.dir)
  await store.create(long)
  await store.create(short)
  log = await writeLongRunLog(join(store.runDir(long.id), 'metrics.jsonl'))
  const tiny = await open(join(store.runDir(short.id), 'metrics.jsonl'), 'w')
  await tiny.write('{"type":"iteration","iteration":1,"loss":2.3}\n')
  await tiny.close()
}, 60_000)

afterAll(async () => {
  await tmp.cleanup()
})

/** The CLI in a child process: its stdout and its peak resident memory in MB. */
function cliChild(args: string[]): Promise<{ code: number | null; stdout: string; maxRssMb: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '../core/testing/cli-child.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => {
      const m = /maxRSS (\d+)\s*$/.exec(stderr)
      if (!m) reject(new Error(`no memory report from the child: ${stderr}`))
      else resolve({ code, stdout, maxRssMb: Number(m[1]) / 1024 })
    })
  })
}

describe('a 7.5M-iteration run', () => {
  it('has a log longer than a string can be', () => {
    expect(log.iterations).toBe(7_500_000)
    expect(log.bytes).toBeGreaterThan(constants.MAX_STRING_LENGTH)
  })

  it('runs.metrics sends it as a few thousand points in under 1 MB, reading it in bounded memory', async () => {
    const wb = await Workbench.open({ dataDir: tmp.dir, readOnly: true })
    const h = createHandlers(wb, { mode: 'browser', dataDir: tmp.dir, examplesDir: tmp.dir })
    let peak = 0
    const base = process.memoryUsage().rss
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - base)), 25)
    const series = await h['runs.metrics'](long.id, { maxPoints: 8000 }).finally(() => clearInterval(sample))
    expect(series.iterationCount).toBe(7_500_000)
    expect(series.bucket).toBe(1024)
    expect(series.iterations.length).toBeLessThanOrEqual(8000)
    expect(series.iterations.length).toBeGreaterThan(4000)
    expect(series.counts.reduce((a, b) => a + b, 0)).toBe(7_500_000)
    expect(series.epochs).toHaveLength(1000)
    expect(series.last).toMatchObject({ iteration: 7_500_000, loss: Number(stepLoss(7_500_000).toFixed(15)) })
    // The spike at one step out of 7.5M is still the highest point of the curve.
    const spike = series.iterations.findIndex((i) => i >= log.spikeAt)
    expect(series.lossMax[spike]).toBe(SPIKE_LOSS)
    expect(Math.max(...series.lossMax.map(Number))).toBe(SPIKE_LOSS)
    expect(series.losses[spike]).toBeLessThan(2)
    const bytes = Buffer.byteLength(JSON.stringify(series))
    expect(bytes).toBeLessThan(1_000_000)
    // Reading all of it as one string would have needed over 600 MB (and failed).
    expect(peak).toBeLessThan(100 * 2 ** 20)
    await wb.close()
  }, 120_000)

  it('show summarizes it in bounded memory', async () => {
    const baseline = await cliChild(['show', short.id, '--json', '--data-dir', tmp.dir])
    expect(baseline.code).toBe(0)
    const r = await cliChild(['show', long.id, '--json', '--data-dir', tmp.dir])
    expect(r.code).toBe(0)
    const shown = JSON.parse(r.stdout) as { metrics: Record<string, unknown> & { epochs: unknown[] } }
    expect(shown.metrics).toMatchObject({
      iterations: 7_500_000,
      lastIteration: 7_500_000,
      minLoss: Number(stepLoss(STEPS_PER_EPOCH - 1).toFixed(15)),
      resumes: 0,
    })
    expect(shown.metrics.epochs).toHaveLength(1000)
    // The same process showing a one-line log, plus a little: nowhere near the size of the log.
    expect(r.maxRssMb - baseline.maxRssMb).toBeLessThan(100)
  }, 120_000)

  it('export writes every iteration of it to a CSV file, streamed', async () => {
    const out = join(tmp.dir, 'long.csv')
    const r = await cli(['export', long.id, '--out', out, '--json', '--data-dir', tmp.dir])
    expect(r.code).toBe(0)
    expect(r.json()).toEqual({ out, runs: 1, rows: 7_500_000 })
    const size = (await stat(out)).size
    expect(size).toBeGreaterThan(300 * 2 ** 20)
    // The head and tail of the file: the first rows, and the last with its epoch check.
    const fh = await open(out, 'r')
    const head = Buffer.alloc(4096)
    const tail = Buffer.alloc(4096)
    await fh.read(head, 0, head.length, 0)
    await fh.read(tail, 0, tail.length, size - tail.length)
    await fh.close()
    const first = parseCsv(head.toString().slice(0, head.toString().lastIndexOf('\n') + 1))
    expect(first[1]).toEqual([long.id, long.config.name, '1', '', logged(1), '', '', ''])
    const last = parseCsv(tail.toString().slice(tail.toString().indexOf('\n') + 1)).at(-1)
    expect(last).toEqual([
      long.id,
      long.config.name,
      '7500000',
      '1000',
      logged(7_500_000),
      '0.875',
      '0.8125',
      '0.001',
    ])
    await rm(out)
  }, 180_000)
})
