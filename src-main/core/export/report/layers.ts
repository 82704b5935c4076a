/**
 * The report's "Layer dynamics" section (issue 15): for one run, the update/weight ratio of each layer
 * over its captures on a log axis with CS231n's healthy 1e-3 drawn, and the last capture's weight,
 * gradient and activation histograms per layer; for several runs, the ratio chart of each layer with one
 * line per run. Charts are SVG, drawn like the others (charts.ts).
 */
import type * as echarts from 'echarts'
import {
  CENTRE_BIN,
  BINS_PER_DECADE,
  MIN_MAGNITUDE,
  expandHistogram,
  type LayerCapture,
  type LayerRecord,
  type TensorStats,
} from '../../../../src-shared/layerStats'
import { fontStack } from '../../../../src-shared/fonts'
import { CHART_GRID, CHART_TEXT } from '../../../../src-shared/palette'
import { CHART_HEIGHT, legendRows, render, seriesColor } from './charts'
import type { Formats } from './format'
import { esc } from './html'
import { layerTranslator, type LayerTranslate } from './layerMessages'
import type { Translate } from './messages'
import type { ReportRun } from './types'

/** CS231n: "a rough heuristic is that this ratio should be somewhere around 1e-3". */
export const HEALTHY_RATIO = 1e-3
/** The band drawn around it: half a decade either side. */
export const HEALTHY_BAND: readonly [number, number] = [10 ** -3.5, 10 ** -2.5]
/** Layers drawn at most (a deep conv net's 20 layers would be 20 pages of histograms). */
export const MAX_LAYER_CHARTS = 8
const BAND_COLOR = 'rgba(22, 163, 74, 0.12)'
const LINE_COLOR = '#16a34a'
/** The 1e-3 line's series name (never shown: legends name their entries). */
export const HEALTHY_LINE = '\u0000healthy'
const HIST_HEIGHT = 220

type Option = echarts.EChartsOption
type Point = [number, number | null]

export interface RatioLine {
  name: string
  color: string
  points: Point[]
}

/** A ratio as a log axis can draw it: null (a gap) for 0, negative or non-finite. */
const positive = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null)

/** Each capture's ratio for the layer named `layer` (absent from a capture: a gap). */
export function ratioPoints(captures: LayerCapture[], layer: string): Point[] {
  return captures.map((c) => {
    const l = c.layers.find((x) => x.name === layer)
    return [c.iteration, l ? positive(l.updateRatio) : null]
  })
}

/** The layer names of the captures, in net order (as the first capture that has each lists them). */
export function layerNames(captures: LayerCapture[]): string[] {
  const names: string[] = []
  for (const c of captures) for (const l of c.layers) if (!names.includes(l.name)) names.push(l.name)
  return names
}

/** Whole decades covering the lines and the band, so the band is always in view. */
function decades(lines: RatioLine[]): [number, number] {
  let lo: number = HEALTHY_BAND[0]
  let hi: number = HEALTHY_BAND[1]
  for (const l of lines) {
    for (const [, y] of l.points) {
      if (y === null) continue
      lo = Math.min(lo, y)
      hi = Math.max(hi, y)
    }
  }
  // 1e-4 exactly, where 10 ** -4 is 0.00009999999999999999.
  return [Number(`1e${Math.floor(Math.log10(lo))}`), Number(`1e${Math.ceil(Math.log10(hi))}`)]
}

/** 1e-3 as the axis labels it: 10⁻³ reads the same in every language. */
function power(v: number): string {
  const e = Math.round(Math.log10(v))
  const sup = String(e).replace(/[-0-9]/g, (c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]!)
  return `10${sup}`
}

export function ratioChartOption(
  lines: RatioLine[],
  t: Translate,
  lt: LayerTranslate,
  f: Formats,
): Option & { legendHeight: number } {
  const { legend, height } = legendRows(lines.length > 1 ? lines : [])
  const [min, max] = decades(lines)
  const series: echarts.LineSeriesOption[] = lines.map((l, i) => ({
    type: 'line',
    name: l.name,
    data: l.points,
    color: l.color,
    showSymbol: l.points.length <= 40,
    symbolSize: 4,
    connectNulls: false,
    lineStyle: { width: 2 },
    silent: true,
    z: 2,
    // Drawn once, under the first line.
    ...(i === 0
      ? {
          markArea: {
            silent: true,
            itemStyle: { color: BAND_COLOR },
            data: [[{ yAxis: HEALTHY_BAND[0] }, { yAxis: HEALTHY_BAND[1] }]],
          },
        }
      : {}),
  }))
  // The 1e-3 line as a series of its own across the captured iterations (ECharts' SVG renderer drops a
  // markLine on an axis with a fixed range). The legends list their entries, so it gets none.
  const xs = lines.flatMap((l) => l.points.map((p) => p[0]))
  if (xs.length > 0) {
    series.push({
      type: 'line',
      name: HEALTHY_LINE,
      data: [
        [Math.min(...xs), HEALTHY_RATIO],
        [Math.max(...xs), HEALTHY_RATIO],
      ],
      showSymbol: false,
      color: LINE_COLOR,
      lineStyle: { width: 1, type: 'dashed' },
      silent: true,
      z: 1,
    })
  }
  return {
    legendHeight: height,
    animation: false,
    textStyle: { color: CHART_TEXT, fontFamily: fontStack() },
    grid: { left: 64, right: 24, top: 20 + height, bottom: 48 },
    legend,
    xAxis: {
      type: 'value',
      name: t('iteration'),
      nameLocation: 'middle',
      nameGap: 28,
      minInterval: 1,
      scale: true,
      axisLabel: { formatter: (v: number) => f.number(v) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'log',
      name: lt('ratio'),
      nameLocation: 'middle',
      nameGap: 48,
      min,
      max,
      axisLabel: { formatter: power },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series,
  }
}

/**
 * Where a histogram bin sits on the chart's x axis: its centre in decades of magnitude above
 * MIN_MAGNITUDE, negative for negative values, 0 for the centre bin. Integer n is ±MIN_MAGNITUDE·10^n.
 */
export function binPosition(bin: number): number {
  if (bin === CENTRE_BIN) return 0
  const d = bin > CENTRE_BIN ? bin - CENTRE_BIN : CENTRE_BIN - bin
  return (Math.sign(bin - CENTRE_BIN) * (d - 0.5)) / BINS_PER_DECADE
}

/** The label of an integer position n: ±10⁻⁵ for n = ±3 (with MIN_MAGNITUDE 1e-8), 0 at the centre. */
export function positionLabel(n: number): string {
  if (n === 0) return '0'
  const e = Math.round(Math.log10(MIN_MAGNITUDE)) + Math.abs(n)
  return `${n < 0 ? '−' : ''}${power(10 ** e)}`
}

interface HistLine {
  name: string
  stats: TensorStats
  dash: 'solid' | 'dashed' | 'dotted'
}

/** Each bin's share of the tensor's finite values, on the whole bin range the lines use. */
export function histPoints(stats: TensorStats): Point[] {
  const counts = expandHistogram(stats.hist)
  const total = counts.reduce((a, b) => a + b, 0)
  if (total === 0) return []
  const lo = stats.hist.lo
  const hi = lo + stats.hist.counts.length - 1
  const out: Point[] = []
  for (let b = lo; b <= hi; b++) out.push([binPosition(b), counts[b]! / total])
  return out
}

export function histChartOption(
  lines: HistLine[],
  lt: LayerTranslate,
  f: Formats,
): Option & { legendHeight: number } {
  const data = lines.map((l) => ({ ...l, points: histPoints(l.stats) }))
  const xs = data.flatMap((d) => d.points.map((p) => p[0]))
  const lo = xs.length > 0 ? Math.min(...xs) : -1
  const hi = xs.length > 0 ? Math.max(...xs) : 1
  // Ticks every `step` decades, at multiples of it, so 0 is one of them whenever it is in view.
  const step = Math.max(1, Math.ceil((hi - lo) / 8))
  const min = Math.floor(lo / step) * step
  const max = Math.ceil(hi / step) * step
  const { legend, height } = legendRows(lines.map((l, i) => ({ name: l.name, color: seriesColor(i) })))
  return {
    legendHeight: height,
    animation: false,
    textStyle: { color: CHART_TEXT, fontFamily: fontStack() },
    grid: { left: 64, right: 24, top: 20 + height, bottom: 48 },
    legend,
    xAxis: {
      type: 'value',
      name: lt('value'),
      nameLocation: 'middle',
      nameGap: 28,
      min,
      max,
      interval: step,
      axisLabel: { formatter: positionLabel },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'value',
      name: lt('share'),
      nameLocation: 'middle',
      nameGap: 48,
      min: 0,
      // At the plot's left edge, not across the middle where the x axis has its 0.
      axisLine: { onZero: false },
      axisLabel: { formatter: (v: number) => f.percent(v) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    series: data.map((d, i): echarts.LineSeriesOption => ({
      type: 'line',
      name: d.name,
      data: d.points,
      step: 'middle',
      showSymbol: false,
      color: seriesColor(i),
      lineStyle: { width: 2, type: d.dash },
      silent: true,
    })),
  }
}

function histogramFigure(layer: LayerRecord, iteration: number, lt: LayerTranslate, f: Formats): string {
  const lines: HistLine[] = [
    { name: lt('weights'), stats: layer.weight, dash: 'solid' },
    { name: lt('gradients'), stats: layer.grad, dash: 'dashed' },
  ]
  const act = layer.postact ?? layer.preact
  if (act) lines.push({ name: lt('activations'), stats: act, dash: 'dotted' })
  const { legendHeight, ...option } = histChartOption(lines, lt, f)
  const title = lt('histChart', { layer: layer.name, iteration: f.integer(iteration) })
  // Shorter than the curves' charts (render's height is CHART_HEIGHT plus what it is given).
  const svg = render(option, HIST_HEIGHT - CHART_HEIGHT + legendHeight)
  return `<figure class="chart"><h3>${esc(title)}</h3>${svg}</figure>`
}

function ratioFigure(
  title: string,
  lines: RatioLine[],
  caption: string,
  { t, lt, f }: { t: Translate; lt: LayerTranslate; f: Formats },
): string {
  const drawn = lines.some((l) => l.points.some((p) => p[1] !== null))
  if (!drawn) return `<h3>${esc(title)}</h3><p class="meta">${esc(lt('ratioNone'))}</p>`
  const { legendHeight, ...option } = ratioChartOption(lines, t, lt, f)
  const under = caption ? `<figcaption class="caption">${esc(caption)}</figcaption>` : ''
  return `<figure class="chart"><h3>${esc(title)}</h3>${render(option, legendHeight)}${under}</figure>`
}

/** The section, or '' when no run has captures. */
export function layersSection(runs: ReportRun[], t: Translate, f: Formats): string {
  const with_ = runs.filter((r) => (r.layers?.length ?? 0) > 0)
  if (with_.length === 0) return ''
  const lt = layerTranslator(f.locale)
  const ctx = { t, lt, f }
  const parts: string[] = [`<section id="layers"><h2>${esc(lt('layers'))}</h2>`]
  const thinned = with_.filter((r) => (r.layersTotal ?? 0) > r.layers!.length)
  if (runs.length === 1) {
    const r = with_[0]!
    const captures = r.layers!
    const names = layerNames(captures)
    const shown = names.slice(0, MAX_LAYER_CHARTS)
    const lines = shown.map((name, i) => ({
      name,
      color: seriesColor(i),
      points: ratioPoints(captures, name),
    }))
    parts.push(ratioFigure(lt('ratioChart'), lines, captionOf(lt('ratioCaption'), thinned, lt, f), ctx))
    const last = captures[captures.length - 1]!
    for (const name of shown) {
      const layer = last.layers.find((l) => l.name === name)
      if (layer) parts.push(histogramFigure(layer, last.iteration, lt, f))
    }
    parts.push(`<p class="caption">${esc(lt('histCaption'))}</p>`)
    const dead = last.layers.filter((l) => l.deadFraction !== undefined && l.deadFraction > 0)
    if (dead.length > 0) {
      const items = dead.map(
        (l) => `<li>${esc(lt('deadFraction', { layer: l.name, dead: f.percent(l.deadFraction) }))}</li>`,
      )
      parts.push(`<ul class="notes">${items.join('')}</ul>`)
    }
    if (names.length > shown.length) {
      parts.push(
        `<p class="caption">${esc(lt('layersCapped', { shown: shown.length, count: names.length }))}</p>`,
      )
    }
  } else {
    const names = layerNames(with_.flatMap((r) => r.layers!))
    const shown = names.slice(0, MAX_LAYER_CHARTS)
    for (const name of shown) {
      const lines = with_.map((r) => ({
        name: r.record.config.name,
        color: r.color,
        points: ratioPoints(r.layers!, name),
      }))
      parts.push(ratioFigure(lt('ratioLayerChart', { layer: name }), lines, '', ctx))
    }
    parts.push(`<p class="caption">${esc(captionOf(lt('ratioCompareCaption'), thinned, lt, f))}</p>`)
    const without = runs.filter((r) => !with_.includes(r)).map((r) => r.record.config.name)
    if (without.length > 0) {
      parts.push(`<p class="caption">${esc(lt('runsWithout', { names: without.join(', ') }))}</p>`)
    }
    if (names.length > shown.length) {
      parts.push(
        `<p class="caption">${esc(lt('layersCapped', { shown: shown.length, count: names.length }))}</p>`,
      )
    }
  }
  parts.push('</section>')
  return parts.join('\n')
}

function captionOf(text: string, thinned: ReportRun[], lt: LayerTranslate, f: Formats): string {
  const notes = thinned.map((r) =>
    lt('thinned', { shown: f.integer(r.layers!.length), total: f.integer(r.layersTotal!) }),
  )
  return [text, ...new Set(notes)].join(' ')
}
