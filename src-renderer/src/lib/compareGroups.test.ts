import { describe, expect, it } from 'vitest'
import { SERIES_COLORS } from '../../../src-shared/palette'
import type { RunRecord } from '../../../src-shared/runs'
import { emptySeries, type RunSeries } from '../stores/runs'
import { makeRun } from '../testing/fakeApi'
import { thinning } from '../../../src-shared/aggregate'
import { groupAccSeries, groupCompareRuns, groupLossSeries, type GroupSeriesOptions } from './compareGroups'
import type { CompareRun } from './compareSeries'

const LR = 'solver.optimConfig.learningRate'

/** A run of `n` iterations (2 per epoch) whose loss is `level` throughout. */
function compareRun(lr: number, seed: number, n: number, level: number, batchSize = 100): CompareRun {
  const record: RunRecord = makeRun({
    config: { name: `lr ${lr} s${seed}`, seed, solver: { optimConfig: { learningRate: lr }, batchSize } },
    progress: { iteration: n, numIterations: n, epoch: n / 2, numEpochs: n / 2 },
  })
  const s: RunSeries = emptySeries()
  for (let i = 1; i <= n; i++) {
    s.iterations.push(i)
    s.losses.push(level)
    // One step per point: its last, lowest, highest and smoothed (a constant's EMA is itself) are the level.
    s.lossLast.push(level)
    s.lossMin.push(level)
    s.lossMax.push(level)
    s.smoothed.push(level)
    s.counts.push(1)
    s.times.push(1000 * i)
    if (i % 2 === 0) {
      s.epochs.push(i / 2)
      s.epochIterations.push(i)
      s.trainAcc.push(level / 10)
      s.valAcc.push(level / 20)
    }
  }
  return { record, series: s, color: '#000' }
}

const options = (over: Partial<GroupSeriesOptions> = {}): GroupSeriesOptions => ({
  axis: 'iteration',
  center: 'mean',
  spread: 'minmax',
  members: false,
  name: (g) => `${g.label} (n=${g.runs.length})`,
  labels: { train: 'train', val: 'val' },
  ...over,
})

const runs = () => [
  compareRun(1e-2, 1, 10, 1),
  compareRun(1e-3, 1, 10, 2),
  compareRun(1e-3, 2, 10, 4),
  compareRun(1e-2, 2, 10, 3),
  compareRun(1e-3, 3, 6, 9),
]

describe('groupCompareRuns', () => {
  it('groups by field in ascending order, one palette colour per group given to its runs', () => {
    const groups = groupCompareRuns(runs(), { kind: 'fields', fields: [LR] })
    expect(groups.map((g) => g.label)).toEqual(['learningRate=1e-3', 'learningRate=0.01'])
    expect(groups.map((g) => g.runs.length)).toEqual([3, 2])
    expect(groups.map((g) => g.color)).toEqual([SERIES_COLORS[0], SERIES_COLORS[1]])
    expect(groups[0]!.runs.every((r) => r.color === SERIES_COLORS[0])).toBe(true)
  })
})

describe('groupLossSeries', () => {
  it('draws each group as a named line over a filled band, lower edge and width stacked', () => {
    const groups = groupCompareRuns(runs(), { kind: 'fields', fields: [LR] })
    const { series, aggregates } = groupLossSeries(groups, options())
    const named = series.filter((s) => !s.quiet)
    expect(named.map((s) => s.name)).toEqual(['learningRate=1e-3 (n=3)', 'learningRate=0.01 (n=2)'])
    // lr 1e-3: 2, 4 and 9 up to iteration 6, then 2 and 4: mean 5 then 3, min-max 2..9 then 2..4.
    const line = named[0]!
    expect(Array.from(line.y)).toEqual([5, 5, 5, 5, 5, 5, 3, 3, 3, 3])
    const [lower, width] = series.filter((s) => s.stack === 'loss:0:0')
    expect(Array.from(lower!.y)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    expect(Array.from(width!.y)).toEqual([7, 7, 7, 7, 7, 7, 2, 2, 2, 2])
    expect(width!.area).toBeGreaterThan(0)
    expect(lower!.opacity).toBe(0)
    expect(thinning(aggregates[0]!, groups[0]!.runs.length)).toEqual([
      { n: 3, to: 6 },
      { n: 2, to: 10 },
    ])
    expect(thinning(aggregates[1]!, groups[1]!.runs.length)).toBeNull()
  })

  it('draws the members faintly behind the lines when asked', () => {
    const groups = groupCompareRuns(runs(), { kind: 'fields', fields: [LR] })
    const { series } = groupLossSeries(groups, options({ members: true }))
    const faint = series.filter((s) => s.quiet && s.stack === undefined)
    expect(faint).toHaveLength(5)
    expect(faint.every((s) => (s.opacity ?? 1) < 0.5 && (s.width ?? 2) <= 1)).toBe(true)
    // Members come first, so every band and line is drawn over them.
    expect(series.findIndex((s) => !s.quiet)).toBeGreaterThan(4)
  })

  it('aligns members of different batch sizes on samples seen, and ends where only one is left', () => {
    // Both at lr 1e-3: 10 iterations of 100 samples (levels 1) and 10 of 50 (level 3).
    const groups = groupCompareRuns([compareRun(1e-3, 1, 10, 1, 100), compareRun(1e-3, 2, 10, 3, 50)], {
      kind: 'fields',
      fields: [LR],
    })
    expect(groups).toHaveLength(1)
    const { series, aggregates } = groupLossSeries(groups, options({ axis: 'samples' }))
    const agg = aggregates[0]!
    // x: 50, 100, ..., 1000; both members from 100 to 500 samples.
    expect(agg.x[0]).toBe(50)
    expect(agg.x[agg.x.length - 1]).toBe(1000)
    const line = series.find((s) => !s.quiet)!
    expect(Array.from(line.x)).toEqual([100, 150, 200, 250, 300, 350, 400, 450, 500])
    expect(Array.from(line.y).every((v) => v === 2)).toBe(true)
    expect(thinning(agg, groups[0]!.runs.length)).toEqual([{ n: 2, to: 500 }])
  })

  it('has no band for a group of one run, only its line', () => {
    const groups = groupCompareRuns([compareRun(1e-3, 1, 4, 2), compareRun(1e-2, 1, 4, 1)], {
      kind: 'fields',
      fields: [LR],
    })
    const { series } = groupLossSeries(groups, options())
    expect(series.filter((s) => s.area)).toHaveLength(0)
    expect(series).toHaveLength(2)
  })
})

describe('groupAccSeries', () => {
  it('draws validation solid and training dashed, each with a band, accuracies kept within 0..1', () => {
    const groups = groupCompareRuns(runs(), { kind: 'fields', fields: [LR] })
    const series = groupAccSeries(groups, options({ spread: 'ci95' }))
    const named = series.filter((s) => !s.quiet)
    expect(named.map((s) => s.name)).toEqual([
      'learningRate=1e-3 (n=3) · val',
      'learningRate=1e-3 (n=3) · train',
      'learningRate=0.01 (n=2) · val',
      'learningRate=0.01 (n=2) · train',
    ])
    expect(named.map((s) => !!s.dash)).toEqual([false, true, false, true])
    // The accuracy axis is epochs 1..5 from the iteration axis (checks at iterations 2, 4, ...).
    expect(Array.from(named[0]!.x)).toEqual([2, 4, 6, 8, 10])
    for (const s of series.filter((s) => s.stack)) {
      for (const v of Array.from(s.y)) expect(v as number).toBeGreaterThanOrEqual(0)
    }
    // lower + width = upper <= 1 everywhere.
    const [lower, width] = series.filter((s) => s.stack === 'train:0:0')
    Array.from(lower!.y).forEach((l, i) =>
      expect((l as number) + (width!.y[i] as number)).toBeLessThanOrEqual(1),
    )
  })
})
