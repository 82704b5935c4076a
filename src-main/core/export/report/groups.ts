/**
 * A report of a grouped comparison: the same groups the compare view drew (src-shared/runGroups), one
 * line and band per group (src-shared/aggregate) in the loss and accuracy figures, group sizes in the
 * legend, and a table of each group's results.
 */
import type * as echarts from 'echarts'
import {
  aggregateCurves,
  drawnRanges,
  sampleStats,
  thinning,
  type Aggregate,
  type Curve,
} from '../../../../src-shared/aggregate'
import { groupLabel, groupPaths, groupRuns, type GroupOptions } from '../../../../src-shared/runGroups'
import { ema } from '../../../../src-shared/smoothing'
import {
  base,
  EMA_WEIGHT,
  legendRows,
  lossLabel,
  lossNeedsLog,
  MAX_LEGEND,
  render,
  seriesColor,
  type ChartRun,
} from './charts'
import type { Formats } from './format'
import { groupTranslator, type GroupTranslate } from './groupMessages'
import { esc } from './html'
import type { Translate } from './messages'
import { curves, type Curves } from './series'
import type { ReportRun } from './types'

export interface ReportGroup {
  label: string
  color: string
  runs: ReportRun[]
}

/** Group colours: the palette in legend order, as in the compare view. */
export function reportGroups(runs: ReportRun[], group: GroupOptions): ReportGroup[] {
  return groupRuns(
    runs.map((r) => r.record.config),
    group.by,
  ).map((g, i) => ({
    label: groupLabel(g),
    color: seriesColor(i),
    runs: g.members.map((m) => runs[m]!),
  }))
}

type Series = echarts.LineSeriesOption

const LOSS = { min: 0 }
const ACCURACY = { min: 0, max: 1 }

/** Per unbroken stretch: an invisible lower edge, the band's width stacked on it and filled, the line. */
function aggregateLines(
  agg: Aggregate,
  o: { name: string; color: string; stack: string; floor?: number; dashed?: boolean },
): Series[] {
  const out: Series[] = []
  drawnRanges(agg).forEach(([start, end], s) => {
    const xs = Array.from(agg.x.subarray(start, end))
    if (agg.members > 1) {
      const lower = xs.map((_, i) => {
        const lo = agg.lower[start + i]!
        return o.floor === undefined ? lo : Math.max(lo, o.floor)
      })
      const width = xs.map((_, i) => Math.max(0, agg.upper[start + i]! - lower[i]!))
      const edge: Series = {
        type: 'line',
        stack: `${o.stack}:${s}`,
        showSymbol: false,
        lineStyle: { opacity: 0 },
        color: o.color,
        silent: true,
        z: 1,
      }
      out.push({ ...edge, name: `${o.name} lower`, data: xs.map((x, i) => [x, lower[i]!]) })
      out.push({
        ...edge,
        name: `${o.name} band`,
        data: xs.map((x, i) => [x, width[i]!]),
        areaStyle: { color: o.color, opacity: 0.2 },
      })
    }
    out.push({
      type: 'line',
      name: o.name,
      data: xs.map((x, i) => [x, agg.center[start + i]!]),
      showSymbol: xs.length <= 1,
      symbolSize: 4,
      color: o.color,
      lineStyle: { width: 2, type: o.dashed ? 'dashed' : 'solid' },
      silent: true,
      z: 3,
    })
  })
  return out
}

function memberLine(
  name: string,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  color: string,
  dashed = false,
): Series {
  return {
    type: 'line',
    name,
    data: Array.from(x, (v, i) => [v, Number.isFinite(y[i]!) ? y[i]! : null]),
    showSymbol: false,
    connectNulls: false,
    color,
    lineStyle: { width: 1, opacity: 0.3, type: dashed ? 'dashed' : 'solid' },
    silent: true,
    z: 0,
  }
}

interface Drawn {
  svg: string
  aggregates: Aggregate[]
}

function lossFigure(
  groups: ReportGroup[],
  all: Curves[][],
  opts: GroupOptions,
  names: string[],
  t: Translate,
  f: Formats,
  smoothing: number,
): Drawn {
  const pseudo: ChartRun[] = groups.flatMap((g, gi) =>
    g.runs.map((r, ri) => ({ name: r.record.config.name, color: g.color, curves: all[gi]![ri]! })),
  )
  const log = lossNeedsLog(pseudo)
  const members: Series[] = []
  const lines: Series[] = []
  const aggregates: Aggregate[] = []
  groups.forEach((g, gi) => {
    const smoothed: Curve[] = all[gi]!.map((c) => ({
      x: c.iterations,
      y: c.loss?.smoothed ?? ema(c.losses, smoothing),
    }))
    const agg = aggregateCurves(smoothed, { center: opts.center, spread: opts.spread, bounds: LOSS })
    aggregates.push(agg)
    let floor: number | undefined
    if (log) {
      floor = Infinity
      for (const c of smoothed)
        for (let i = 0; i < c.y.length; i++) if (c.y[i]! > 0) floor = Math.min(floor, c.y[i]!)
      if (!Number.isFinite(floor)) floor = undefined
    }
    if (opts.members)
      g.runs.forEach((r, ri) =>
        members.push(memberLine(r.record.config.name, smoothed[ri]!.x, smoothed[ri]!.y, g.color)),
      )
    lines.push(...aggregateLines(agg, { name: names[gi]!, color: g.color, stack: `loss:${gi}`, floor }))
  })
  const { legendHeight: _, ...option } = base(pseudo, f, t('iteration'), t('loss'))
  const rows = legendRows(groups.map((g, i) => ({ name: names[i]!, color: g.color })))
  option.legend = rows.legend
  option.grid = { ...(option.grid as object), top: 20 + rows.height }
  option.yAxis = {
    ...(option.yAxis as echarts.YAXisComponentOption),
    ...(log ? { type: 'log' as const, scale: false } : {}),
    axisLabel: { formatter: lossLabel(f) },
  } as echarts.YAXisComponentOption
  return { svg: render({ ...option, series: [...members, ...lines] }, rows.height), aggregates }
}

function accuracyFigure(
  groups: ReportGroup[],
  all: Curves[][],
  opts: GroupOptions,
  names: string[],
  t: Translate,
  f: Formats,
): string {
  const members: Series[] = []
  const lines: Series[] = []
  groups.forEach((g, gi) => {
    const xs = all[gi]!.map((c) => c.epochs.map((e) => e.epoch))
    for (const pick of ['valAcc', 'trainAcc'] as const) {
      const dashed = pick === 'trainAcc'
      const cs: Curve[] = all[gi]!.map((c, ri) => ({ x: xs[ri]!, y: c.epochs.map((e) => e[pick]) }))
      if (opts.members)
        g.runs.forEach((r, ri) =>
          members.push(memberLine(r.record.config.name, cs[ri]!.x, cs[ri]!.y, g.color, dashed)),
        )
      const agg = aggregateCurves(cs, { center: opts.center, spread: opts.spread, bounds: ACCURACY })
      lines.push(...aggregateLines(agg, { name: names[gi]!, color: g.color, stack: `${pick}:${gi}`, dashed }))
    }
  })
  const { legendHeight: _, ...option } = base([], f, t('epoch'), t('accuracy'))
  const rows = legendRows(groups.map((g, i) => ({ name: names[i]!, color: g.color })))
  option.legend = rows.legend
  option.grid = { ...(option.grid as object), top: 20 + rows.height }
  option.yAxis = {
    ...(option.yAxis as echarts.YAXisComponentOption),
    axisLabel: { formatter: (v: number) => f.percent(v) },
  } as echarts.YAXisComponentOption
  return render({ ...option, series: [...members, ...lines] }, rows.height)
}

/** Where a group's loss line rests on fewer runs than the group has, in words; '' when nowhere. */
function thinningNote(
  groups: ReportGroup[],
  aggregates: Aggregate[],
  names: string[],
  gt: GroupTranslate,
  f: Formats,
): string {
  const notes = groups.flatMap((g, i) => {
    const steps = thinning(aggregates[i]!, g.runs.length)
    if (!steps) return []
    const text = steps
      .map((s) => gt('step', { n: f.integer(s.n), x: f.integer(s.to) }))
      .join(gt('listSeparator'))
    return [gt('thinning', { label: names[i]!, steps: text })]
  })
  return notes.join(' ')
}

/** The charts section of a grouped report: both figures with their captions. */
export function groupedChartsSection(
  runs: ReportRun[],
  opts: GroupOptions,
  t: Translate,
  f: Formats,
  smoothing = EMA_WEIGHT,
): string {
  const gt = groupTranslator(f.locale)
  const groups = reportGroups(runs, opts)
  const names = groups.map((g) =>
    gt('legend', { label: g.label || gt('allRuns'), n: f.integer(g.runs.length) }),
  )
  const all = groups.map((g) => g.runs.map((r) => curves(r.metrics, r.loss)))
  const band = gt(`band_${opts.spread}`)
  const center = gt(`center_${opts.center}`)
  const loss = lossFigure(groups, all, opts, names, t, f, smoothing)
  const thin = thinningNote(groups, loss.aggregates, names, gt, f)
  const tail = [opts.members ? gt('members') : '', gt('ends'), thin].filter(Boolean).join(' ')
  const legendNote =
    groups.length > MAX_LEGEND
      ? `<p class="caption">${esc(t('legendCapped', { count: f.integer(groups.length) }))}</p>`
      : ''
  return [
    `<section id="charts"><h2>${esc(t('charts'))}</h2>${legendNote}`,
    `<figure class="chart" data-groups="${groups.length}"><h3>${esc(t('lossChart'))}</h3>${loss.svg}`,
    `<figcaption class="caption">${esc(gt('lossCaption', { center, band, weight: f.number(smoothing) }))} ${esc(tail)}</figcaption></figure>`,
    `<figure class="chart" data-groups="${groups.length}"><h3>${esc(t('accuracyChart'))}</h3>${accuracyFigure(groups, all, opts, names, t, f)}`,
    `<figcaption class="caption">${esc(gt('accuracyCaption', { center, band }))} ${esc(gt('ends'))}</figcaption></figure></section>`,
  ].join('\n')
}

/** Each group's size and results: centre ± std of its runs' best validation and test accuracy. */
export function groupsSection(runs: ReportRun[], opts: GroupOptions, f: Formats): string {
  const gt = groupTranslator(f.locale)
  const groups = reportGroups(runs, opts)
  const by =
    opts.by.kind === 'except-seed'
      ? gt('byExceptSeed')
      : groupPaths(
          runs.map((r) => r.record.config),
          opts.by,
        ).join(', ')
  const stat = (values: (number | undefined)[]): string => {
    const s = sampleStats(values.map((v) => v ?? NaN))
    if (s.n === 0) return f.percent(null)
    const c = opts.center === 'median' ? s.median : s.mean
    return s.n > 1 ? `${f.percent(c)} ± ${f.percent(s.std)}` : f.percent(c)
  }
  const center = gt(`center_${opts.center}`)
  const head = [
    `<th>${esc(gt('group'))}</th>`,
    `<th class="num">${esc(gt('runs'))}</th>`,
    `<th class="num">${esc(gt('bestVal'))} (${esc(gt('spreadOf', { center }))})</th>`,
    `<th class="num">${esc(gt('testAcc'))} (${esc(gt('spreadOf', { center }))})</th>`,
  ].join('')
  const rows = groups.map((g) => {
    const names = g.runs.map((r) => r.record.config.name).join(', ')
    return (
      `<tr data-n="${g.runs.length}"><td><span class="swatch" style="background:${esc(g.color)}"></span>` +
      `${esc(g.label || gt('allRuns'))}<div class="meta">${esc(names)}</div></td>` +
      `<td class="num">${esc(f.integer(g.runs.length))}</td>` +
      `<td class="num">${esc(stat(g.runs.map((r) => r.record.result?.bestValAcc)))}</td>` +
      `<td class="num">${esc(stat(g.runs.map((r) => r.record.result?.testAcc)))}</td></tr>`
    )
  })
  return (
    `<section id="groups"><h2>${esc(gt('groups'))}</h2>` +
    `<p class="caption">${esc(gt('caption', { by }))}</p>` +
    `<table class="groups"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  )
}
