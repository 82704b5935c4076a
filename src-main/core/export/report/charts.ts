/**
 * The report's charts as SVG strings, drawn by ECharts' server-side renderer: no canvas, no DOM, no
 * script in the report, and vector output that stays sharp in a PDF.
 */
import { lossNeedsLog as spansDecades } from '../../../../src-shared/lossScale'
import * as echarts from 'echarts'
import { layoutLegend, legendComponents, type LegendLayout } from '../../../../src-shared/chartLegend'
import { DEFAULT_SMOOTHING, ema } from '../../../../src-shared/smoothing'
import { envelope } from '../../../../src-shared/envelope'
import { fontStack } from '../../../../src-shared/fonts'
import { CHART_GRID, CHART_TEXT, SERIES_COLORS } from '../../../../src-shared/palette'
import type { Formats } from './format'
import type { Translate } from './messages'
import type { Curves } from './series'

export interface ChartRun {
  name: string
  color: string
  curves: Curves
}

export const CHART_WIDTH = 720
export const CHART_HEIGHT = 320
/** The loss curves' smoothing when the request names none: the UI's default. */
export const EMA_WEIGHT = DEFAULT_SMOOTHING
/** The plot's width in pixels: one envelope bucket each, beyond which the file only grows. */
const PLOT_PIXELS = 640
/** A legend for more runs than this would cover the plot: the results table's swatches take over. */
export const MAX_LEGEND = 10

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!
}

type Option = echarts.EChartsOption
type Point = [number, number | null]

export function render(option: Option, legendHeight: number): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    // The legend gets rows of its own above the plot, which keeps its size.
    height: CHART_HEIGHT + legendHeight,
  })
  try {
    chart.setOption(option)
    return chart.renderToSVGString()
  } finally {
    // An SSR chart that is not disposed keeps timers (and Node) alive.
    chart.dispose()
  }
}

/**
 * The legend both charts share, or null for one run (nothing to tell apart) and for more than
 * MAX_LEGEND (the results table's swatches take over). Names too long for it are cut: the report lists
 * those in full under the figure.
 */
export function reportLegend(runs: ChartRun[]): LegendLayout | null {
  if (runs.length <= 1 || runs.length > MAX_LEGEND) return null
  return layoutLegend(
    runs.map((r) => ({ name: r.name, color: r.color })),
    { width: CHART_WIDTH, fontSize: LEGEND_FONT_SIZE },
  )
}

const LEGEND_FONT_SIZE = 12
/** Room between the legend's last row and the plot (the y axis' top label sits there). */
const LEGEND_GAP = 16

/**
 * A legend of the given entries laid out in rows above the plot, and the height it adds to the chart;
 * none (height 0) for more than MAX_LEGEND entries. The grouped figures name their groups with it.
 */
export function legendRows(entries: { name: string; color: string }[]): {
  legend: Option['legend']
  height: number
} {
  if (entries.length === 0 || entries.length > MAX_LEGEND) return { legend: { show: false }, height: 0 }
  const layout = layoutLegend(entries, { width: CHART_WIDTH, fontSize: LEGEND_FONT_SIZE })
  return {
    legend: legendComponents(layout, CHART_TEXT, LEGEND_FONT_SIZE) as Option['legend'],
    height: layout.height + LEGEND_GAP,
  }
}

export function base(
  runs: ChartRun[],
  f: Formats,
  xName: string,
  yName: string,
): Option & { legendHeight: number } {
  const legend = reportLegend(runs)
  const legendHeight = legend ? legend.height + LEGEND_GAP : 0
  return {
    legendHeight,
    animation: false,
    textStyle: { color: CHART_TEXT, fontFamily: fontStack() },
    grid: { left: 64, right: 24, top: 20 + legendHeight, bottom: 48 },
    legend: (legend
      ? legendComponents(legend, CHART_TEXT, LEGEND_FONT_SIZE)
      : { show: false }) as Option['legend'],
    xAxis: {
      type: 'value',
      name: xName,
      nameLocation: 'middle',
      nameGap: 28,
      minInterval: 1,
      axisLabel: { formatter: (v: number) => f.number(v) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
    yAxis: {
      type: 'value',
      name: yName,
      nameLocation: 'middle',
      nameGap: 48,
      scale: true,
      axisLabel: { formatter: (v: number) => f.number(v) },
      splitLine: { lineStyle: { color: CHART_GRID } },
    },
  }
}

/** Whether the report draws the loss on a log scale: some run's loss spans more than 3 decades. */
export function lossNeedsLog(runs: ChartRun[]): boolean {
  return spansDecades(runs.map((r) => r.curves.losses))
}

/** Axis labels: plain numbers for everyday losses, 1.5e+26 rather than 27 digits for exploded ones. */
export function lossLabel(f: Formats): (v: number) => string {
  return (v) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(0) : f.number(v))
}

/**
 * Loss per iteration: each run's EMA (with `smoothing`, the UI's slider) solid and named, its raw loss
 * faint underneath; with no smoothing, the raw loss alone, solid.
 */
export function lossChart(runs: ChartRun[], t: Translate, f: Formats, smoothing = EMA_WEIGHT): string {
  const log = lossNeedsLog(runs)
  const series: echarts.LineSeriesOption[] = []
  for (const run of runs) {
    const { iterations, losses, loss } = run.curves
    // Non-finite losses become gaps; ECharts would otherwise stretch the axis to infinity.
    // On a log axis a loss of 0 (or below) has no place either.
    const keep = (l: number) => (Number.isFinite(l) && (!log || l > 0) ? l : null)
    const raw = losses.map(keep)
    // main smoothed every logged step before bucketing (with the request's weight); a bare list of events is smoothed here.
    const smooth = Array.from(loss?.smoothed ?? ema(losses, smoothing), keep)
    const band = loss ? { yMin: loss.lossMin.map(keep), yMax: loss.lossMax.map(keep) } : {}
    const line = (y: (number | null)[], faint: boolean): echarts.LineSeriesOption => ({
      type: 'line',
      name: run.name,
      data: points(iterations, y, faint ? band : {}),
      showSymbol: iterations.length <= 1,
      symbolSize: 4,
      connectNulls: false,
      color: run.color,
      lineStyle: { width: faint ? 1 : 2, opacity: faint ? 0.25 : 1 },
      silent: true,
      z: faint ? 1 : 2,
    })
    if (smoothing > 0) series.push(line(raw, true), line(smooth, false))
    else series.push(line(raw, false))
  }
  const { legendHeight, ...option } = base(runs, f, t('iteration'), t('loss'))
  option.yAxis = {
    ...(option.yAxis as echarts.YAXisComponentOption),
    ...(log ? { type: 'log' as const, scale: false } : {}),
    axisLabel: { formatter: lossLabel(f) },
  } as echarts.YAXisComponentOption
  return render({ ...option, series }, legendHeight)
}

/** Accuracy per epoch: validation solid, training dashed, one colour per run. */
export function accuracyChart(runs: ChartRun[], t: Translate, f: Formats): string {
  const series: echarts.LineSeriesOption[] = []
  for (const run of runs) {
    const { epochs } = run.curves
    const x = epochs.map((e) => e.epoch)
    const line = (y: number[], dashed: boolean): echarts.LineSeriesOption => ({
      type: 'line',
      name: run.name,
      data: x.map((e, i) => [e, y[i]!]),
      symbolSize: 5,
      color: run.color,
      lineStyle: { width: 2, type: dashed ? 'dashed' : 'solid' },
      silent: true,
    })
    series.push(
      line(
        epochs.map((e) => e.valAcc),
        false,
      ),
      line(
        epochs.map((e) => e.trainAcc),
        true,
      ),
    )
  }
  const { legendHeight, ...option } = base(runs, f, t('epoch'), t('accuracy'))
  option.yAxis = {
    ...(option.yAxis as echarts.YAXisComponentOption),
    axisLabel: { formatter: (v: number) => f.percent(v) },
  } as echarts.YAXisComponentOption
  return render({ ...option, series }, legendHeight)
}

/**
 * [x, y] pairs, one envelope bucket per pixel (src-shared/envelope.ts): a point's lowest and highest
 * step are drawn, so a spike a bucket's mean would flatten stays in the faint raw line.
 */
function points(
  x: number[],
  y: (number | null)[],
  band: { yMin?: (number | null)[]; yMax?: (number | null)[] },
): Point[] {
  const d = envelope({ x, y, ...band }, PLOT_PIXELS)
  return d.x.map((v, i) => [v, d.y[i] ?? null])
}
