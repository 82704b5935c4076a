/**
 * The report's loss chart (issue 13 §4): smoothed by main over every logged step before the steps are
 * bucketed, and drawn as an envelope, so one spike among 100,000 steps is in the picture.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ema } from '../../../../src-shared/smoothing'
import type { MetricsReader } from '../../store/metricsRead'
import { makeRecord } from '../../store/testing'
import { loadReportRuns, type ReportSource } from './build'
import { EMA_WEIGHT, lossChart } from './charts'
import { formats } from './format'
import { translator } from './messages'
import { curves } from './series'

const N = 100_000
let dir = ''
const losses: number[] = []
let source: ReportSource

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-report-loss-'))
  const path = join(dir, 'metrics.jsonl')
  const lines: string[] = []
  for (let i = 1; i <= N; i++) {
    const loss = i === 70_001 ? 50 : 2 * Math.exp(-i / 30_000) + 0.1 * Math.sin(i * 3.7)
    losses.push(loss)
    lines.push(JSON.stringify({ type: 'iteration', iteration: i, loss }))
  }
  await writeFile(path, `${lines.join('\n')}\n`)
  const record = makeRecord({ status: 'completed' })
  source = {
    getRun: async () => record,
    readMetricsWith: <T>(_id: string, reader: MetricsReader<T>) => reader(path),
    mosaic: async () => null,
  } as unknown as ReportSource
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** The numbers of the y axis' labels in an SVG chart (the x axis' are multiples of 10,000 here, or 0). */
const labels = (svg: string): number[] =>
  [...svg.matchAll(/<text[^>]*>([\d.,]+)<\/text>/g)]
    .map((m) => Number(m[1]!.replace(/,/g, '')))
    .filter((v) => v < 10_000)

describe('the report’s loss chart', () => {
  it('uses the EMA of every step, taken where each bucket ends', async () => {
    const [run] = await loadReportRuns(source, ['20261126-194501-ab12cd'], 0)
    const c = curves(run!.metrics, run!.loss)
    expect(c.iterations.length).toBeLessThan(10_000)
    const full = ema(losses, EMA_WEIGHT)
    c.iterations.forEach((it, i) => expect(c.loss!.smoothed[i]).toBeCloseTo(full[it - 1]!, 12))
    expect(Math.max(...c.loss!.lossMax)).toBe(50)
  })

  it('draws the spike: the axis reaches it, where the bucket means would stay near 3', async () => {
    const [run] = await loadReportRuns(source, ['20261126-194501-ab12cd'], 0)
    const c = curves(run!.metrics, run!.loss)
    expect(Math.max(...c.losses)).toBeLessThan(10)
    const svg = lossChart([{ name: 'spiky', color: '#2563eb', curves: c }], translator('en'), formats('en'))
    expect(Math.max(...labels(svg))).toBeGreaterThanOrEqual(50)
    const { loss: _, ...means } = c
    const without = lossChart(
      [{ name: 'spiky', color: '#2563eb', curves: means }],
      translator('en'),
      formats('en'),
    )
    expect(Math.max(...labels(without))).toBeLessThan(50)
  })
})
