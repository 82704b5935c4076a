/**
 * ECharts options of the Layers panel and the compare view's per-layer charts, built from plain data so
 * they can be checked without a canvas: a histogram over time as a heatmap on the fixed signed-log bins,
 * the update/weight ratio on a log axis with CS231n's healthy band, and per-layer lines.
 */
import { binEdges, MIN_MAGNITUDE } from '../../../src-shared/layerStats'
import { chartLayout } from './chartFormat'
import { RAMP } from './colorScale'
import { formatPercent } from './format'
import { binDecade, binLabel, binRange, edgeLabel } from './layerSeries'
import { escapeHtml, type ChartOption } from './sweepCharts'

/** CS231n: an update/weight ratio around 1e-3 is healthy; the shaded band is a decade either side. */
export const HEALTHY_RATIO = 1e-3
export const HEALTHY_BAND: [number, number] = [1e-4, 1e-2]

/** The light-to-dark half of the ramp for counts: an empty bin stays the page, a full one stands out. */
const COUNT_COLORS = ['#e0e7ff', ...RAMP.slice().reverse()]

/** Decade labels on a histogram's value axis before it names every other decade only. */
const MAX_DECADE_LABELS = 8

export interface HistogramText {
  iteration: string
  count: string
  locale: string
}

export interface HistogramColumn {
  iteration: number
  hist: { lo: number; counts: number[] } | undefined
}

/**
 * A histogram over time: iteration on x (one column per capture), the fixed bins on y labelled at each
 * decade ('-1e-2' … '0' … '1e-2'), colour the count. null when no capture holds a count.
 */
export function histogramOption(columns: HistogramColumn[], text: HistogramText): ChartOption | null {
  const range = binRange(columns.flatMap((c) => (c.hist ? [c.hist] : [])))
  if (!range) return null
  const [lo, hi] = range
  const bins = Array.from({ length: hi - lo + 1 }, (_, j) => lo + j)
  const data: [number, number, number][] = []
  let max = 0
  columns.forEach((c, x) => {
    c.hist?.counts.forEach((n, j) => {
      if (n <= 0) return
      data.push([x, c.hist!.lo + j - lo, n])
      max = Math.max(max, n)
    })
  })
  const { grid } = chartLayout(false)
  // Every decade is named while they fit; a wide range names every other one. Zero is always named,
  // and the decades next to it (±1e-8, one bin away) are not: their labels would sit on top of it.
  const innermost = Math.round(Math.log10(MIN_MAGNITUDE))
  const decades = bins.filter((b) => binDecade(b) !== null).length
  const stride = decades > MAX_DECADE_LABELS ? 2 : 1
  const labelOf = (index: number): string | null => {
    const b = bins[index]!
    const e = binDecade(b)
    if (e === innermost) return null
    return e === null || e % stride === 0 ? binLabel(b) : null
  }
  return {
    animation: false,
    grid: { ...grid, left: 64, right: 72 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { value?: [number, number, number] }) => {
        const v = p.value
        if (!v) return ''
        const [a, b] = binEdges(bins[v[1]]!)
        const it = columns[v[0]]?.iteration ?? ''
        return [
          `${escapeHtml(text.iteration)} ${escapeHtml(String(it))}`,
          `[${edgeLabel(a)}, ${edgeLabel(b)})`,
          `${escapeHtml(text.count)} <b>${v[2].toLocaleString(text.locale)}</b>`,
        ].join('<br/>')
      },
    },
    xAxis: {
      type: 'category',
      name: text.iteration,
      nameLocation: 'middle',
      nameGap: 26,
      data: columns.map((c) => String(c.iteration)),
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: bins.map(String),
      axisTick: { interval: (i: number) => labelOf(i) !== null },
      axisLabel: {
        interval: (i: number) => labelOf(i) !== null,
        formatter: (_: string, i: number) => labelOf(i) ?? '',
      },
    },
    visualMap: {
      type: 'continuous',
      min: 0,
      max: Math.max(1, max),
      calculable: false,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemWidth: 10,
      itemHeight: 120,
      inRange: { color: COUNT_COLORS },
    },
    series: [{ type: 'heatmap', data, progressive: 0 }],
  }
}

/** The y-axis labels a histogram option shows, lowest bin first (what a test and the e2e read). */
export function histogramLabels(option: ChartOption): string[] {
  const y = option['yAxis'] as { data: string[]; axisLabel: { formatter: (v: string, i: number) => string } }
  return y.data.map((b, i) => y.axisLabel.formatter(b, i)).filter((l) => l !== '')
}

export interface Line {
  name: string
  color: string
  /** [iteration, value]; values that cannot be drawn (0 on a log axis, non-finite) are left out. */
  points: [number, number][]
}

export interface LineText {
  iteration: string
  locale: string
}

type YKind = 'log' | 'percent' | 'value'

/** A log axis' tick: its decade as the bins are named ('1e-3', '1', '1e2'), other values in three digits. */
export function logTick(v: number): string {
  const e = Math.round(Math.log10(v))
  if (Number.isFinite(e) && Math.abs(v / 10 ** e - 1) < 1e-9) return e === 0 ? '1' : `1e${e}`
  return edgeLabel(v)
}

function yFormat(kind: YKind, locale: string): (v: number) => string {
  if (kind === 'percent') return (v) => formatPercent(v, locale)
  if (kind === 'log') return logTick
  return edgeLabel
}

function drawable(points: [number, number][], kind: YKind): [number, number][] {
  return points.filter(([, y]) => Number.isFinite(y) && (kind !== 'log' || y > 0))
}

/** A line per layer (or per run) over iterations; a legend when there is more than one. */
export function linesOption(lines: Line[], kind: YKind, text: LineText): ChartOption {
  const legend = lines.length > 1
  const layout = chartLayout(legend)
  const fmt = yFormat(kind, text.locale)
  return {
    animation: false,
    grid: layout.grid,
    legend: layout.legend,
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: (params: { seriesName?: string; marker?: string; value?: [number, number] }[]) => {
        const list = Array.isArray(params) ? params : [params]
        if (list.length === 0) return ''
        const x = list[0]!.value?.[0]
        const rows = list.map(
          (p) =>
            `${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b>${p.value ? escapeHtml(fmt(p.value[1])) : '—'}</b>`,
        )
        return [`${escapeHtml(text.iteration)} ${x ?? ''}`, ...rows].join('<br/>')
      },
    },
    xAxis: {
      type: 'value',
      name: text.iteration,
      nameLocation: 'middle',
      nameGap: 26,
      min: 'dataMin',
      max: 'dataMax',
    },
    yAxis:
      kind === 'log'
        ? { type: 'log', axisLabel: { formatter: fmt } }
        : kind === 'percent'
          ? { type: 'value', min: 0, max: 1, axisLabel: { formatter: fmt } }
          : { type: 'value', scale: true, axisLabel: { formatter: fmt } },
    series: lines.map((l) => ({
      type: 'line',
      name: l.name,
      data: drawable(l.points, kind),
      showSymbol: false,
      symbolSize: 4,
      lineStyle: { width: 1.5, color: l.color },
      itemStyle: { color: l.color },
    })),
  }
}

// Parsed from text: 10 ** -5 is 9.999999999999999e-6 in floating point, 1e-5 is the nearest double.
const decadeBelow = (v: number): number => Number(`1e${Math.floor(Math.log10(v))}`)
const decadeAbove = (v: number): number => Number(`1e${Math.ceil(Math.log10(v))}`)

export interface RatioText extends LineText {
  /** The band's name in the tooltip and the legend of exports. */
  band: string
}

/**
 * The update/weight ratio per layer (or per run) on a log axis, with the healthy band (1e-4 … 1e-2)
 * shaded and the 1e-3 line drawn; the axis always shows the whole band, so a ratio far off it reads as
 * far off.
 */
export function ratioOption(lines: Line[], text: RatioText): ChartOption {
  const base = linesOption(lines, 'log', text)
  const series = base['series'] as Record<string, unknown>[]
  const values = series.flatMap((s) => (s['data'] as [number, number][]).map(([, y]) => y))
  const lo = Math.min(HEALTHY_BAND[0] / 10, ...values)
  const hi = Math.max(HEALTHY_BAND[1] * 10, ...values)
  const xs = series.flatMap((s) => (s['data'] as [number, number][]).map(([x]) => x))
  const x0 = xs.length > 0 ? Math.min(...xs) : 0
  const x1 = xs.length > 0 ? Math.max(...xs) : 1
  // The band rides on a series of its own, so it is drawn whatever the lines hold. Markers are placed
  // by coordinates across the x extent (the axis runs dataMin…dataMax): ECharts 6 does not draw a
  // marker given as `{yAxis}` on a log axis.
  series.unshift({
    type: 'line',
    name: text.band,
    data: [],
    silent: true,
    lineStyle: { opacity: 0 },
    itemStyle: { color: '#16a34a' },
    markArea: {
      silent: true,
      animation: false,
      itemStyle: { color: 'rgba(22, 163, 74, 0.12)' },
      data: [[{ coord: [x0, HEALTHY_BAND[0]] }, { coord: [x1, HEALTHY_BAND[1]] }]],
    },
    markLine: {
      silent: true,
      animation: false,
      symbol: 'none',
      label: { show: true, position: 'insideEndTop', formatter: '1e-3' },
      lineStyle: { color: '#16a34a', type: 'dashed', width: 1 },
      data: [[{ coord: [x0, HEALTHY_RATIO] }, { coord: [x1, HEALTHY_RATIO] }]],
    },
  })
  return {
    ...base,
    yAxis: { ...(base['yAxis'] as object), min: decadeBelow(lo), max: decadeAbove(hi) },
    legend: { ...(base['legend'] as object), data: lines.map((l) => l.name) },
  }
}

export interface FilterText {
  iteration: string
  filter: string
  locale: string
}

/**
 * One value per filter of a conv layer over time: iteration on x, filter on y, colour the value (on a
 * log scale for ratios and norms, whose filters differ by decades).
 */
export function filterOption(
  columns: { iteration: number; values: number[] }[],
  log: boolean,
  text: FilterText,
): ChartOption | null {
  const filters = Math.max(0, ...columns.map((c) => c.values.length))
  if (filters === 0) return null
  const data: [number, number, number][] = []
  let min = Infinity
  let max = -Infinity
  columns.forEach((c, x) =>
    c.values.forEach((v, f) => {
      const shown = log ? (v > 0 ? Math.log10(v) : NaN) : v
      if (!Number.isFinite(shown)) return
      data.push([x, f, shown])
      min = Math.min(min, shown)
      max = Math.max(max, shown)
    }),
  )
  if (data.length === 0) return null
  if (max === min) max = min + 1
  const shownValue = (v: number): string => (log ? edgeLabel(10 ** v) : formatPercent(v, text.locale))
  const { grid } = chartLayout(false)
  return {
    animation: false,
    grid: { ...grid, left: 64, right: 72 },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { value?: [number, number, number] }) =>
        p.value
          ? `${escapeHtml(text.iteration)} ${columns[p.value[0]]?.iteration ?? ''}<br/>${escapeHtml(text.filter)} ${p.value[1] + 1}: <b>${escapeHtml(shownValue(p.value[2]))}</b>`
          : '',
    },
    xAxis: {
      type: 'category',
      name: text.iteration,
      nameLocation: 'middle',
      nameGap: 26,
      data: columns.map((c) => String(c.iteration)),
    },
    yAxis: {
      type: 'category',
      name: text.filter,
      data: Array.from({ length: filters }, (_, f) => String(f + 1)),
    },
    visualMap: {
      type: 'continuous',
      min,
      max,
      calculable: false,
      right: 4,
      top: 'middle',
      itemWidth: 10,
      itemHeight: 120,
      formatter: (v: number) => shownValue(v),
      inRange: { color: COUNT_COLORS },
    },
    series: [{ type: 'heatmap', data, progressive: 0 }],
  }
}
