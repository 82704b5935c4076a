import { describe, expect, it } from 'vitest'
import type { MetricEvent } from '../../../src-shared/runs'
import { seriesFromEvents } from '../../../src-shared/metricsSeries'
import { appendEvents, emptySeries, seriesFromPayload } from '../stores/runs'
import { makeRun } from '../testing/fakeApi'
import {
  accCurves,
  accSeries,
  bandSeries,
  lossCurve,
  lossSeries,
  timeAxisAvailable,
  xExtent,
  type CompareRun,
  type SeriesOptions,
} from './compareSeries'

/** A run of `iters` iterations, `perEpoch` per epoch, batch `batch`, one step every `stepMs` from t0. */
function run(opts: {
  iters: number
  perEpoch: number
  batch: number
  stepMs?: number
  timed?: boolean
  loss?: (i: number) => number
  color?: string
  /** The EMA weight the series is smoothed with (the store's, as main reads it). */
  smoothing?: number
}): CompareRun {
  const { iters, perEpoch, batch, stepMs = 100, timed = true, loss = (i) => 2 / i } = opts
  const record = makeRun({
    config: { solver: { batchSize: batch, optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95 } },
    progress: {
      iteration: iters,
      numIterations: iters,
      epoch: iters / perEpoch,
      numEpochs: iters / perEpoch,
    },
  })
  const events: MetricEvent[] = []
  for (let i = 1; i <= iters; i++) {
    events.push(
      timed
        ? { type: 'iteration', iteration: i, loss: loss(i), t: 1_000_000 + i * stepMs }
        : { type: 'iteration', iteration: i, loss: loss(i) },
    )
    if (i % perEpoch === 0)
      events.push({
        type: 'epoch',
        epoch: i / perEpoch,
        iteration: i,
        trainAcc: i / 100,
        valAcc: i / 200,
        lr: 1e-3,
      })
  }
  const series = emptySeries(undefined, opts.smoothing)
  appendEvents(series, events)
  return { record, series, color: opts.color ?? '#000000' }
}

const labels = { train: 'train', val: 'val', mean: 'mean' }
const opts = (o: Partial<SeriesOptions> = {}): SeriesOptions => ({
  axis: 'iteration',
  band: false,
  labels,
  ...o,
})

describe('curves on the chosen x axis', () => {
  // Batch 50 for 8 iterations (4 per epoch) and batch 100 for 4 (2 per epoch): 400 samples, 2 epochs each.
  const small = run({ iters: 8, perEpoch: 4, batch: 50, stepMs: 100 })
  const big = run({ iters: 4, perEpoch: 2, batch: 100, stepMs: 250 })

  it('lines runs of different batch sizes up by epochs and samples seen', () => {
    expect(Array.from(lossCurve(small, 'iteration')!.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(lossCurve(small, 'epoch')!.x[7]).toBe(2)
    expect(lossCurve(big, 'epoch')!.x[3]).toBe(2)
    expect(lossCurve(small, 'samples')!.x[7]).toBe(400)
    expect(lossCurve(big, 'samples')!.x[3]).toBe(400)
  })

  it('measures wall time from the first logged step, in seconds', () => {
    expect(Array.from(lossCurve(big, 'time')!.x)).toEqual([0, 0.25, 0.5, 0.75])
    // Accuracies are placed at the time of the iteration they were checked at.
    expect(Array.from(accCurves(big, 'time')!.x)).toEqual([0.25, 0.75])
  })

  it('places accuracy checks on every axis', () => {
    expect(Array.from(accCurves(small, 'iteration')!.x)).toEqual([4, 8])
    expect(Array.from(accCurves(small, 'epoch')!.x)).toEqual([1, 2])
    expect(Array.from(accCurves(small, 'samples')!.x)).toEqual([200, 400])
    expect(accCurves(small, 'epoch')!.val).toEqual([0.02, 0.04])
  })

  it('has no time axis for logs without timestamps', () => {
    const old = run({ iters: 4, perEpoch: 2, batch: 100, timed: false })
    expect(timeAxisAvailable([small, big])).toBe(true)
    expect(timeAxisAvailable([small, old])).toBe(false)
    expect(lossCurve(old, 'time')).toBeNull()
    expect(lossCurve(old, 'iteration')).not.toBeNull()
  })

  it('leaves out a run not yet planned on the epoch axis', () => {
    const queued = {
      ...small,
      record: { ...small.record, progress: { iteration: 0, numIterations: 0, epoch: 0, numEpochs: 0 } },
    }
    expect(lossCurve(queued, 'epoch')).toBeNull()
    expect(lossSeries([queued, big], opts({ axis: 'epoch' }))).toHaveLength(2)
  })
})

describe('series for the charts', () => {
  it('draws each run as a faint raw curve behind its EMA, in the run colour', () => {
    const a = run({
      iters: 3,
      perEpoch: 3,
      batch: 10,
      color: '#ff0000',
      loss: (i) => [4, 2, 4][i - 1]!,
      smoothing: 0.5,
    })
    const [raw, smooth] = lossSeries([a], opts())
    expect(raw).toMatchObject({ color: '#ff0000', quiet: true })
    expect(raw!.opacity).toBeLessThan(0.5)
    expect(Array.from(raw!.y)).toEqual([4, 2, 4])
    expect(smooth!.name).toBe(a.record.config.name)
    // Debiased EMA with w = 0.5: 2 / 0.5, 2 / 0.75, 3 / 0.875.
    expect(Array.from(smooth!.y).map((v) => Number(v!.toFixed(4)))).toEqual([4, 2.6667, 3.4286])
  })

  it('draws a long run’s raw loss as its envelope and main’s smoothing; a zoomed window with finer buckets', () => {
    const loss = (i: number) => (i === 7_777 ? 40 : 2)
    const a = { ...run({ iters: 20_000, perEpoch: 1000, batch: 10, loss }), series: null } as CompareRun
    const events: MetricEvent[] = Array.from({ length: 20_000 }, (_, k) => ({
      type: 'iteration',
      iteration: k + 1,
      loss: loss(k + 1),
    }))
    a.series = seriesFromPayload(seriesFromEvents(events, { maxPoints: 1000, smoothing: 0.6 }), 1000)
    const [raw, smooth] = lossSeries([a], opts())
    expect(a.series.bucket).toBe(32)
    expect(Math.max(...Array.from(raw!.yMax!, Number))).toBe(40)
    expect(Math.max(...Array.from(raw!.y, Number))).toBe(2)
    expect(Array.from(smooth!.y)).toEqual(a.series.smoothed)
    // Zoomed on the spike: the window's points come from main's range answer, one step each.
    a.detail = seriesFromEvents(events, { smoothing: 0.6, range: { from: 7_700, to: 7_800, buckets: 500 } })
    const [zRaw] = lossSeries([a], opts())
    const inside = Array.from(zRaw!.x).filter((x) => x >= 7_700 && x <= 7_800)
    expect(inside).toHaveLength(101)
    expect(Math.max(...Array.from(zRaw!.y, Number))).toBe(40)
    // On the epoch axis the same points, divided by the iterations per epoch.
    const [eRaw] = lossSeries([a], opts({ axis: 'epoch' }))
    expect(Array.from(eRaw!.x).filter((x) => x >= 7.7 && x <= 7.8)).toHaveLength(101)
  })

  it('draws validation solid and training dashed', () => {
    const a = run({ iters: 4, perEpoch: 2, batch: 10 })
    const [val, train] = accSeries([a], opts())
    expect(val!.name).toMatch(/val$/)
    expect(val!.dash).toBeFalsy()
    expect(train!.name).toMatch(/train$/)
    expect(train!.dash).toBe(true)
  })

  it('folds seed repeats into a mean ± std band', () => {
    const a = run({ iters: 4, perEpoch: 2, batch: 10, loss: () => 1 })
    const b = run({ iters: 4, perEpoch: 2, batch: 10, loss: () => 3 })
    const series = lossSeries([a, b], opts({ band: true }))
    expect(series).toHaveLength(3)
    const [lower, width, mean] = series
    expect(lower!.stack).toBe('loss')
    expect(width!.stack).toBe('loss')
    expect(width!.area).toBeGreaterThan(0)
    for (const v of Array.from(mean!.y)) expect(v).toBeCloseTo(2, 12)
    expect(Array.from(lower!.y)[0]).toBeCloseTo(1, 12)
    expect(Array.from(width!.y)[0]).toBeCloseTo(2, 12)
    // Without the option, two runs are two pairs of curves.
    expect(lossSeries([a, b], opts())).toHaveLength(4)
    // Accuracy gets a band for validation and one for training.
    expect(accSeries([a, b], opts({ band: true })).filter((s) => s.area)).toHaveLength(2)
  })

  it('stops the band at a floor on a log axis', () => {
    const band = { x: Float64Array.of(0, 1), mean: Float64Array.of(1, 1), std: Float64Array.of(2, 0.5) }
    const [lower, width] = bandSeries(band, { name: 'm', color: '#000', stack: 's', floor: 0.1 })
    expect(Array.from(lower!.y)).toEqual([0.1, 0.5])
    // lower + width is still mean + std.
    expect(Array.from(width!.y)).toEqual([2.9, 1])
  })

  it('finds the largest x for shared axes', () => {
    expect(
      xExtent([
        { name: 'a', x: [1, 5], y: [0, 0] },
        { name: 'b', x: [2, 9], y: [0, 0] },
      ]),
    ).toBe(9)
    expect(xExtent([{ name: 'a', x: [], y: [] }])).toBeNull()
  })
})
