/**
 * ECharts options for the sweep view, built from plain data so they can be checked without a canvas:
 * parallel coordinates over every swept param plus best validation accuracy, and one scatter per param.
 * The top K runs are drawn apart (thicker, on top) so they stand out among dozens of lines.
 */
import type { SweepSpec } from '../../../src-shared/sweep'
import { formatHyper, formatPercent } from './format'
import { SERIES_COLORS } from '../../../src-shared/palette'
import { axisValue, type SweptParam, type SweepRow } from './sweepView'

export interface SweepChartText {
  locale: string
  /** Axis name of best validation accuracy. */
  bestVal: string
  /** Series names: the top K runs and the rest. */
  top: string
  others: string
}

export type ChartOption = Record<string, unknown>

/**
 * Low accuracy fades towards the background and high accuracy is dark and saturated, so the eye goes to
 * the good runs; one hue keeps it readable for colour-vision deficiencies.
 */
export const ACC_COLORS = ['#dbe4f0', '#93b4e6', '#2563eb', '#1e3a8a']

/** Tooltips are HTML, and run names are whatever the user typed. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}

interface Item {
  name: string
  value: (string | number | null)[]
  /** Read back from click events to open the run. */
  runId: string
}

function accRange(rows: SweepRow[]): { min: number; max: number } {
  const accs = rows.map((r) => r.bestValAcc)
  const min = accs.length > 0 ? Math.min(...accs) : 0
  const max = accs.length > 0 ? Math.max(...accs) : 1
  // A single run (or a tie) still needs a span for the colour scale.
  return max > min ? { min, max } : { min: Math.max(0, min - 0.01), max: max + 0.01 }
}

function axisOf(p: SweptParam): ChartOption {
  if (p.kind === 'category') return { type: 'category', data: p.categories }
  return {
    type: p.kind === 'log' ? 'log' : 'value',
    // The searched range, not the values drawn from it: a best run near an end then shows as one.
    min: p.min,
    max: p.max,
    axisLabel: { formatter: (v: number) => formatHyper(v) },
  }
}

function tooltip(text: SweepChartText): ChartOption {
  return {
    trigger: 'item',
    confine: true,
    formatter: (params: { data?: Item; name?: string }) => {
      const item = params.data
      if (!item) return ''
      const acc = item.value[item.value.length - 1]
      const pct = typeof acc === 'number' ? formatPercent(acc, text.locale) : '—'
      return `${escapeHtml(item.name)}<br/>${escapeHtml(text.bestVal)}: <b>${pct}</b>`
    },
  }
}

function split<T>(rows: SweepRow[], topK: number, item: (r: SweepRow) => T): { top: T[]; rest: T[] } {
  const k = Math.max(0, Math.floor(topK))
  return { top: rows.slice(0, k).map(item), rest: rows.slice(k).map(item) }
}

/** One axis per swept param and one for best validation accuracy; lines coloured by that accuracy. */
export function parallelOption(
  spec: SweepSpec,
  params: SweptParam[],
  rows: SweepRow[],
  topK: number,
  text: SweepChartText,
): ChartOption {
  const accDim = params.length
  const percent = (v: number): string => formatPercent(v, text.locale, 0)
  const { min, max } = accRange(rows)
  const item = (r: SweepRow): Item => ({
    name: r.run.config.name,
    runId: r.run.id,
    value: [...params.map((p, i) => axisValue(spec, p, r.values[i])), r.bestValAcc],
  })
  const { top, rest } = split(rows, topK, item)
  return {
    animation: false,
    // Text and axis colours come from the chart theme (lib/chartTheme.ts), which follows the page.
    textStyle: { fontFamily: 'inherit' },
    parallel: { left: 48, right: 120, top: 40, bottom: 28 },
    parallelAxis: [
      ...params.map((p, i) => ({ dim: i, name: p.label, ...axisOf(p) })),
      { dim: accDim, name: text.bestVal, type: 'value', scale: true, axisLabel: { formatter: percent } },
    ],
    visualMap: {
      type: 'continuous',
      dimension: accDim,
      seriesIndex: [0, 1],
      min,
      max,
      right: 8,
      top: 'middle',
      calculable: true,
      precision: 3,
      formatter: percent,
      inRange: { color: ACC_COLORS },
    },
    tooltip: tooltip(text),
    series: [
      {
        type: 'parallel',
        name: text.others,
        data: rest,
        lineStyle: { width: 1.2, opacity: 0.55 },
        emphasis: { lineStyle: { width: 2.5, opacity: 1 } },
        z: 1,
      },
      {
        type: 'parallel',
        name: text.top,
        data: top,
        lineStyle: { width: 3.5, opacity: 1 },
        emphasis: { lineStyle: { width: 5 } },
        z: 2,
      },
    ],
  }
}

/** One hyperparameter against best validation accuracy; log x for log-scale ranges. */
export function scatterOption(
  spec: SweepSpec,
  param: SweptParam,
  index: number,
  rows: SweepRow[],
  topK: number,
  text: SweepChartText,
): ChartOption {
  const item = (r: SweepRow): Item => ({
    name: r.run.config.name,
    runId: r.run.id,
    value: [axisValue(spec, param, r.values[index]), r.bestValAcc],
  })
  const { top, rest } = split(rows, topK, item)
  const points = (data: Item[]): Item[] => data.filter((d) => d.value[0] !== null)
  return {
    animation: false,
    // Text and axis colours come from the chart theme (lib/chartTheme.ts), which follows the page.
    textStyle: { fontFamily: 'inherit' },
    grid: { left: 52, right: 16, top: 16, bottom: 44 },
    xAxis: {
      ...axisOf(param),
      name: param.label,
      nameLocation: 'middle',
      nameGap: 28,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      splitLine: { show: true },
      axisLabel: { formatter: (v: number) => formatPercent(v, text.locale, 0) },
    },
    tooltip: tooltip(text),
    series: [
      {
        type: 'scatter',
        name: text.others,
        data: points(rest),
        symbolSize: 7,
        itemStyle: { color: SERIES_COLORS[7], opacity: 0.55 },
      },
      {
        type: 'scatter',
        name: text.top,
        data: points(top),
        symbolSize: 11,
        itemStyle: { color: SERIES_COLORS[0], borderColor: '#fff', borderWidth: 1 },
        z: 3,
      },
    ],
  }
}
