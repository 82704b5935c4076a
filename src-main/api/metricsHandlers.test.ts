/**
 * runs.metrics for charts (issue 13 §4): the smoothing weight and a zoomed range are checked in main
 * before anything is read, and the answer holds each bucket's lowest, highest and last loss, so a chart
 * drawn from it shows a single spike among 100,000 steps, whole-run or zoomed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { METRICS_POINTS_MAX, type ApiError } from '../../src-shared/contract'
import type { MetricEvent } from '../../src-shared/runs'
import { ema } from '../../src-shared/smoothing'
import type { MetricsReader } from '../core/store/metricsRead'
import type { Workbench } from '../core/workbench'
import { toApiError } from './errors'
import { createHandlers } from './handlers'

const ID = '20261126-194501-ab12cd'
const EXAMPLES = resolve(__dirname, '../../examples')
const N = 100_000
const SPIKE_AT = 61_804

let dir = ''
let path = ''
const losses: number[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-metrics-'))
  path = join(dir, 'metrics.jsonl')
  const events: MetricEvent[] = []
  for (let i = 1; i <= N; i++) {
    const loss = i === SPIKE_AT ? 50 : 2 * Math.exp(-i / 30_000) + 0.1 * Math.sin(i * 3.7)
    losses.push(loss)
    events.push({ type: 'iteration', iteration: i, loss, t: 1_764_000_000_000 + i })
  }
  await writeFile(path, events.map((e) => `${JSON.stringify(e)}\n`).join(''))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

function handlers() {
  const readMetricsWith = vi.fn(<T>(_id: string, reader: MetricsReader<T>) => reader(path))
  const wb = { readMetricsWith, maxThreads: 1 } as unknown as Workbench
  return { h: createHandlers(wb, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES }), readMetricsWith }
}

const failure = (p: Promise<unknown>): Promise<ApiError | null> => p.then(() => null, toApiError)

describe('runs.metrics: smoothing and range arguments', () => {
  it('refuses a smoothing weight outside [0, 1), naming options.smoothing', async () => {
    const { h, readMetricsWith } = handlers()
    for (const smoothing of [-0.1, 1, 1.5, NaN, Infinity, '0.5', true, {}]) {
      const e = await failure(h['runs.metrics'](ID, { smoothing }))
      expect(e, String(smoothing)).toMatchObject({
        code: 'invalid-argument',
        fields: [{ path: 'options.smoothing' }],
      })
      expect(e!.message).toMatch(/^options\.smoothing: must be a number from 0 up to \(not including\) 1/)
    }
    expect(readMetricsWith).not.toHaveBeenCalled()
  })

  it('refuses a malformed range, naming the field and what was expected', async () => {
    const { h, readMetricsWith } = handlers()
    const cases: [unknown, string, RegExp][] = [
      [5, 'options.range', /must be an object like \{from: 0, to: 1000, buckets: 800\}/],
      [[0, 10], 'options.range', /must be an object like/],
      [{ to: 10, buckets: 5 }, 'options.range.from', /non-negative integer, got undefined/],
      [{ from: -1, to: 10, buckets: 5 }, 'options.range.from', /non-negative integer, got -1/],
      [{ from: 0, to: 1.5, buckets: 5 }, 'options.range.to', /non-negative integer, got 1.5/],
      [{ from: 20, to: 10, buckets: 5 }, 'options.range.to', /must be at least from \(20\), got 10/],
      [{ from: 0, to: 10, buckets: 0 }, 'options.range.buckets', /integer from 1 to 20000, got 0/],
      [{ from: 0, to: 10, buckets: METRICS_POINTS_MAX + 1 }, 'options.range.buckets', /got 20001/],
      [{ from: 0, to: 10 }, 'options.range.buckets', /got undefined/],
      [{ from: 0, to: 10, buckets: 5, step: 2 }, 'options.range.step', /unknown field/],
    ]
    for (const [range, field, message] of cases) {
      const e = await failure(h['runs.metrics'](ID, { range }))
      expect(e, JSON.stringify(range)).toMatchObject({ code: 'invalid-argument', fields: [{ path: field }] })
      expect(e!.message).toMatch(message)
    }
    const both = await failure(
      h['runs.metrics'](ID, { maxPoints: 10, range: { from: 0, to: 9, buckets: 2 } }),
    )
    expect(both).toMatchObject({ fields: [{ path: 'options.maxPoints' }] })
    expect(await failure(h['runs.metrics'](ID, { zoom: 2 }))).toMatchObject({
      fields: [{ path: 'options.zoom' }],
    })
    expect(readMetricsWith).not.toHaveBeenCalled()
  })
})

describe('runs.metrics: bucketed for a chart', () => {
  it('the whole run: per-bucket min, max and last, the spike kept, the EMA taken at full resolution', async () => {
    const { h } = handlers()
    const s = await h['runs.metrics'](ID, { maxPoints: 1000, smoothing: 0.9 })
    expect(s.range).toBeNull()
    expect(s.bucket).toBe(128)
    expect(s.iterations.length).toBeLessThanOrEqual(1000)
    expect(Math.max(...(s.lossMax as number[]))).toBe(50)
    const j = s.iterations.findIndex((it) => it >= SPIKE_AT)
    expect(s.lossMax[j]).toBe(50)
    // The mean of its bucket hides most of it: the mean is what LTTB or averaging would draw.
    expect(s.losses[j]!).toBeLessThan(3)
    const full = ema(losses, 0.9)
    s.iterations.forEach((it, i) => {
      expect(s.lossLast[i]).toBe(losses[it - 1])
      expect(s.smoothed[i]).toBeCloseTo(full[it - 1]!, 12)
    })
    expect(s.ema.weight).toBe(0.9)
  })

  it('a zoomed range: only that window, in the buckets asked for, the spike as its own maximum', async () => {
    const { h } = handlers()
    const s = await h['runs.metrics'](ID, {
      range: { from: 61_000, to: 62_999, buckets: 500 },
      smoothing: 0.6,
    })
    expect(s.range).toEqual({ from: 61_000, to: 62_999, buckets: 500 })
    expect(s.bucket).toBe(4)
    expect(s.iterations[0]).toBe(61_003)
    expect(s.iterations.at(-1)).toBe(62_999)
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(2000)
    const j = s.iterations.findIndex((it) => it >= SPIKE_AT)
    expect(s.lossMax[j]).toBe(50)
    // Buckets of 4 aligned at 0: iterations 61,804 to 61,807 share the spike's.
    expect(s.iterations[j]).toBe(61_807)
    expect(s.lossMin[j]).toBe(Math.min(...losses.slice(61_803, 61_807)))
    expect(s.lossLast[j]).toBe(losses[61_806])
    // Smoothed over the whole log, not from the window's start.
    const full = ema(losses, 0.6)
    expect(s.smoothed[0]).toBeCloseTo(full[61_003 - 1]!, 12)
    expect(s.iterationCount).toBe(N)
  })
})
