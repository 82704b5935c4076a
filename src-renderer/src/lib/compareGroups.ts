/**
 * The compare view's grouped curves: runs grouped by config (src-shared/runGroups), each group drawn as
 * one line (mean or median of its members' smoothed curves) with a band (src-shared/aggregate), in the
 * group's colour, its members' own curves behind it on demand. Pure, so the view only renders.
 */
import type { LineSeries } from '../components/LineChart.vue'
import {
  aggregateCurves,
  drawnRanges,
  type Aggregate,
  type Center,
  type Curve,
  type Spread,
} from '../../../src-shared/aggregate'
import { SERIES_COLORS } from '../../../src-shared/palette'
import { groupLabel, groupRuns, type GroupBy } from '../../../src-shared/runGroups'
import type { XAxis } from './compare'
import { accCurves, lossCurve, type CompareRun } from './compareSeries'

/** What a band may span: losses are never negative, accuracies within 0..1. */
const LOSS = { min: 0 }
const ACCURACY = { min: 0, max: 1 }

export interface CompareGroup {
  key: string
  /** "learningRate=1e-3"; empty when every run is in the one group. */
  label: string
  color: string
  /** Its runs, coloured as the group. */
  runs: CompareRun[]
}

/** Groups in legend order, one palette colour each (the colour a report of the same grouping uses). */
export function groupCompareRuns(runs: CompareRun[], by: GroupBy): CompareGroup[] {
  return groupRuns(
    runs.map((r) => r.record.config),
    by,
  ).map((g, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!
    return {
      key: g.key,
      label: groupLabel(g),
      color,
      runs: g.members.map((m) => ({ ...runs[m]!, color })),
    }
  })
}

export interface GroupSeriesOptions {
  axis: XAxis
  center: Center
  spread: Spread
  members: boolean
  /** A log y axis cannot show values <= 0: the band's lower edge stops at the lowest value shown. */
  logLoss?: boolean
  /** The group's name in the chart (tooltip), e.g. "learningRate=1e-3 (n=4)". */
  name: (g: CompareGroup) => string
  labels: { train: string; val: string }
}

/**
 * The line and band of one aggregate as series: per unbroken stretch (see drawnRanges), an invisible
 * lower edge, the band's width stacked on it and filled (so the fill spans lower..upper), and the line.
 * A group of one run has no band. Only the first stretch's line is named in the tooltip.
 */
export function aggregateSeries(
  agg: Aggregate,
  opts: { name: string; color: string; stack: string; floor?: number; dash?: boolean },
): LineSeries[] {
  const out: LineSeries[] = []
  drawnRanges(agg).forEach(([start, end], s) => {
    const x = agg.x.subarray(start, end)
    const center = agg.center.subarray(start, end)
    if (agg.members > 1) {
      const lower = new Float64Array(end - start)
      const width = new Float64Array(end - start)
      for (let i = 0; i < lower.length; i++) {
        const lo = agg.lower[start + i]!
        const hi = agg.upper[start + i]!
        lower[i] = opts.floor === undefined ? lo : Math.max(lo, opts.floor)
        width[i] = Math.max(0, hi - lower[i]!)
      }
      const stack = `${opts.stack}:${s}`
      const edge = { x, color: opts.color, opacity: 0, quiet: true, stack }
      out.push({ ...edge, name: `${opts.name} lower`, y: lower })
      out.push({ ...edge, name: `${opts.name} band`, y: width, area: 0.2 })
    }
    out.push({ name: opts.name, x, y: center, color: opts.color, width: 2, dash: opts.dash, quiet: s > 0 })
  })
  return out
}

function minPositive(curves: Curve[]): number | undefined {
  let m = Infinity
  for (const c of curves)
    for (let i = 0; i < c.y.length; i++) {
      const v = c.y[i] as number
      if (v > 0 && v < m) m = v
    }
  return Number.isFinite(m) ? m : undefined
}

export interface GroupedLoss {
  series: LineSeries[]
  /** Per group, in order: the loss aggregate (how many members stand behind each point). */
  aggregates: Aggregate[]
}

/** Each group's smoothed loss as a line and band, its members faint behind it when asked. */
export function groupLossSeries(groups: CompareGroup[], opts: GroupSeriesOptions): GroupedLoss {
  const members: LineSeries[] = []
  const lines: LineSeries[] = []
  const aggregates: Aggregate[] = []
  groups.forEach((g, gi) => {
    const smoothed = g.runs.flatMap((r) => {
      const c = lossCurve(r, opts.axis)
      // main's EMA over every logged step (smoothed before bucketing, with the view's weight).
      return c ? [{ r, c: { x: c.x, y: c.smoothed } }] : []
    })
    const agg = aggregateCurves(
      smoothed.map((s) => s.c),
      { center: opts.center, spread: opts.spread, bounds: LOSS },
    )
    aggregates.push(agg)
    if (opts.members)
      for (const { r, c } of smoothed)
        members.push({
          name: r.record.config.name,
          ...c,
          color: g.color,
          opacity: 0.3,
          width: 1,
          quiet: true,
        })
    lines.push(
      ...aggregateSeries(agg, {
        name: opts.name(g),
        color: g.color,
        stack: `loss:${gi}`,
        floor: opts.logLoss ? minPositive(smoothed.map((s) => s.c)) : undefined,
      }),
    )
  })
  // Members first, so every group's line and band are drawn over the faint curves.
  return { series: [...members, ...lines], aggregates }
}

/** Each group's validation (solid) and training (dashed) accuracy as lines and bands. */
export function groupAccSeries(groups: CompareGroup[], opts: GroupSeriesOptions): LineSeries[] {
  const members: LineSeries[] = []
  const lines: LineSeries[] = []
  groups.forEach((g, gi) => {
    const placed = g.runs.flatMap((r) => {
      const c = accCurves(r, opts.axis)
      return c ? [{ r, c }] : []
    })
    for (const pick of ['val', 'train'] as const) {
      const curves = placed.map(({ c }) => ({ x: c.x, y: c[pick] }))
      const agg = aggregateCurves(curves, { center: opts.center, spread: opts.spread, bounds: ACCURACY })
      const dash = pick === 'train'
      if (opts.members)
        for (const { r, c } of placed)
          members.push({
            name: `${r.record.config.name} · ${opts.labels[pick]}`,
            x: c.x,
            y: c[pick],
            color: g.color,
            opacity: 0.3,
            width: 1,
            dash,
            quiet: true,
          })
      lines.push(
        ...aggregateSeries(agg, {
          name: `${opts.name(g)} · ${opts.labels[pick]}`,
          color: g.color,
          stack: `${pick}:${gi}`,
          dash,
        }),
      )
    }
  })
  return [...members, ...lines]
}
