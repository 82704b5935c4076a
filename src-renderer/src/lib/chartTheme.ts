/**
 * The charts' colours for the light and the dark page, as ECharts themes: options carry data and
 * layout only, so `chart.setTheme()` recolours a chart in place when the system switches. Exports are
 * always drawn light: they go on white pages and slides.
 */
import { CHART_SCHEMES, SERIES_COLORS } from '../../../src-shared/palette'
import type { ColorScheme } from '../composables/useColorScheme'
import { registerTheme } from './echarts'

export interface ChartColors {
  text: string
  /** Axis lines and split lines. */
  grid: string
  tooltipBackground: string
  tooltipBorder: string
  tooltipText: string
}

export const CHART_COLORS: Record<ColorScheme, ChartColors> = CHART_SCHEMES

export const chartThemeName = (scheme: ColorScheme): string => `workbench-${scheme}`

function theme(c: ChartColors): object {
  const axis = {
    axisLine: { lineStyle: { color: c.grid } },
    axisTick: { lineStyle: { color: c.grid } },
    axisLabel: { color: c.text },
    splitLine: { lineStyle: { color: c.grid } },
    nameTextStyle: { color: c.text },
  }
  return {
    color: SERIES_COLORS,
    backgroundColor: 'transparent',
    textStyle: { color: c.text },
    legend: { textStyle: { color: c.text } },
    tooltip: {
      backgroundColor: c.tooltipBackground,
      borderColor: c.tooltipBorder,
      textStyle: { color: c.tooltipText },
    },
    valueAxis: axis,
    logAxis: axis,
    categoryAxis: axis,
    timeAxis: axis,
    parallelAxis: { ...axis, axisLabel: { color: c.text } },
    visualMap: { textStyle: { color: c.text } },
  }
}

registerTheme(chartThemeName('light'), theme(CHART_COLORS.light))
registerTheme(chartThemeName('dark'), theme(CHART_COLORS.dark))

export const EXPORT_THEME = chartThemeName('light')

const TO_LIGHT = new Map<string, string>(
  (Object.keys(CHART_COLORS.dark) as (keyof ChartColors)[]).map((k) => [
    CHART_COLORS.dark[k].toLowerCase(),
    CHART_COLORS.light[k],
  ]),
)

/**
 * A chart's getOption() with the dark theme's colours (which ECharts writes into it) replaced by the
 * light theme's; data colours are the same in both themes and stay. A copy: the live chart keeps its own.
 */
export function inLightColors<T>(option: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return TO_LIGHT.get(v.toLowerCase()) ?? v
    if (Array.isArray(v)) return v.map(walk)
    // Typed arrays and other class instances (the data) are kept as they are.
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return walk(option) as T
}
