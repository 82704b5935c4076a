/** A chart as a PNG or SVG file: what the charts' export buttons save. */
import { layoutLegend, legendComponents, type LegendEntry } from '../../../src-shared/chartLegend'
import { SERIES_COLORS } from '../../../src-shared/palette'
import { CHART_COLORS, EXPORT_THEME, inLightColors } from './chartTheme'
import { init, type EChartsType } from './echarts'
import { dataUrlToBlob } from './download'

/** Exports sit on white pages and slides; the app's transparent background would turn black in some viewers. */
export const EXPORT_BACKGROUND = '#ffffff'

/**
 * Axis titles for the file where the page shows them elsewhere (the card's heading names the y axis of
 * most charts): a chart pasted into a slide has no card around it.
 */
export interface ExportLabels {
  xName?: string
  yName?: string
}

/** What a file draws and at what size (taller than the live chart by the legend's rows). */
export interface ExportFigure {
  option: Record<string, unknown>
  width: number
  height: number
}

/**
 * What a file of the live chart draws: its option (data and zoom included) in the light theme's colours,
 * whatever the page's theme is, since files go on white pages and slides.
 */
export function exportOption(chart: EChartsType): Record<string, unknown> {
  return inLightColors(chart.getOption()) as Record<string, unknown>
}

type Obj = Record<string, unknown>
const first = (v: unknown): Obj | undefined =>
  Array.isArray(v) ? (v[0] as Obj | undefined) : (v as Obj | undefined)

/** Room for the rotated y-axis title left of the labels, and below the legend for the axis' top label. */
const TITLE_LEFT = 72
const Y_NAME_GAP = 52
const LEGEND_GAP = 16

/**
 * The exported figure of a cartesian chart: its legend in rows of its own above the plot (every named
 * series, in its colour; the plot keeps its size, the file grows), and both axes titled. Charts without
 * x/y axes (parallel coordinates) keep their own layout.
 */
export function withLegendAndTitles(
  option: Obj,
  width: number,
  height: number,
  labels: ExportLabels = {},
): ExportFigure {
  const xAxis = first(option['xAxis'])
  const yAxis = first(option['yAxis'])
  if (!xAxis || !yAxis) return { option, width, height }
  const palette = Array.isArray(option['color']) ? (option['color'] as string[]) : SERIES_COLORS
  const entries: LegendEntry[] = []
  const series = (Array.isArray(option['series']) ? option['series'] : []) as Obj[]
  series.forEach((s, i) => {
    const name = typeof s['name'] === 'string' ? s['name'] : ''
    // Quiet series (raw curves behind their EMA, band edges) are left out, as in the live legend.
    if (!name || s['silent'] === true || entries.some((e) => e.name === name)) return
    const line = s['lineStyle'] as Obj | undefined
    const item = s['itemStyle'] as Obj | undefined
    const color = [line?.['color'], item?.['color']].find((c): c is string => typeof c === 'string')
    entries.push({ name, color: color ?? palette[i % palette.length]! })
  })
  const legend = entries.length > 0 ? layoutLegend(entries, { width }) : null
  const legendHeight = legend ? legend.height + LEGEND_GAP : 0
  const grid = first(option['grid']) ?? {}
  const top = typeof grid['top'] === 'number' ? grid['top'] : 20
  const left = typeof grid['left'] === 'number' ? grid['left'] : 56
  const xName = (xAxis['name'] as string | undefined) || labels.xName || ''
  const yName = (yAxis['name'] as string | undefined) || labels.yName || ''
  const titled = { color: CHART_COLORS.light.text }
  return {
    option: {
      ...option,
      legend: legend ? legendComponents(legend, CHART_COLORS.light.text) : [{ show: false }],
      grid: [
        {
          ...grid,
          // The live legend (if any) sat in the plot's top margin; ours has rows of its own.
          top: (legend ? 20 : top) + legendHeight,
          left: yName ? Math.max(left, TITLE_LEFT) : left,
          bottom: Math.max(typeof grid['bottom'] === 'number' ? grid['bottom'] : 40, 40),
        },
      ],
      xAxis: [{ ...xAxis, name: xName, nameLocation: 'middle', nameGap: 26, nameTextStyle: titled }],
      yAxis: [
        {
          ...yAxis,
          name: yName,
          nameLocation: 'middle',
          nameGap: Y_NAME_GAP,
          nameRotate: 90,
          nameTextStyle: titled,
        },
      ],
    },
    width,
    height: height + legendHeight,
  }
}

/** The live chart's file: light colours, legend and axis titles. */
export function exportFigure(chart: EChartsType, labels: ExportLabels = {}): ExportFigure {
  return withLegendAndTitles(exportOption(chart), chart.getWidth(), chart.getHeight(), labels)
}

/**
 * The chart drawn again offscreen from its export figure, at twice the screen resolution: crisp when
 * pasted into a report or zoomed. The live chart is left as it is.
 */
export function chartToPng(chart: EChartsType, labels: ExportLabels = {}): Blob {
  const { option, width, height } = exportFigure(chart, labels)
  const off = init(document.createElement('div'), EXPORT_THEME, { renderer: 'canvas', width, height })
  try {
    off.setOption({ ...option, animation: false })
    return dataUrlToBlob(off.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: EXPORT_BACKGROUND }))
  } finally {
    off.dispose()
  }
}

/**
 * Renders `option` (a live chart's getOption(), data and zoom included) as an SVG document. The live
 * chart draws on a canvas; a second, offscreen instance in server-side mode draws the same option as
 * vectors and is disposed at once (an undisposed one keeps its timers alive).
 */
export function optionToSvg(option: object, width: number, height: number): string {
  const ssr = init(null, EXPORT_THEME, { renderer: 'svg', ssr: true, width, height })
  try {
    ssr.setOption({ ...option, animation: false, backgroundColor: EXPORT_BACKGROUND })
    return ssr.renderToSVGString()
  } finally {
    ssr.dispose()
  }
}

export function chartToSvg(chart: EChartsType, labels: ExportLabels = {}): Blob {
  const { option, width, height } = exportFigure(chart, labels)
  return new Blob([optionToSvg(option, width, height)], { type: 'image/svg+xml' })
}
