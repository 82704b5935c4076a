/**
 * The charts' colours for the light and the dark page, as ECharts themes: options carry data and
 * layout only, so `chart.setTheme()` recolours a chart in place when the system switches. Exports are
 * always drawn light: they go on white pages and slides.
 */
import { CHART_GRID, CHART_TEXT, SERIES_COLORS } from '../../../src-shared/palette'
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

export const CHART_COLORS: Record<ColorScheme, ChartColors> = {
  light: {
    text: CHART_TEXT,
    grid: CHART_GRID,
    tooltipBackground: '#ffffff',
    tooltipBorder: '#e2e8f0',
    tooltipText: '#0f172a',
  },
  dark: {
    text: '#a5b4c8',
    grid: '#2e3a4e',
    tooltipBackground: '#182235',
    tooltipBorder: '#334155',
    tooltipText: '#e2e8f0',
  },
}

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
