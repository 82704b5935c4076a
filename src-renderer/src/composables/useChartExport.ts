import type { ShallowRef } from 'vue'
import { chartToPng, chartToSvg } from '../lib/chartExport'
import { chartThemeName, EXPORT_THEME } from '../lib/chartTheme'
import { saveBlob } from '../lib/download'
import type { EChartsType } from '../lib/echarts'
import { useColorScheme } from './useColorScheme'

export type ChartExportKind = 'png' | 'svg'

/**
 * The PNG/SVG buttons of a chart component (LineChart, SweepChart): saves the live instance as
 * `<name>.png` or `<name>.svg`. `flush` brings the chart up to date first, for charts that redraw lazily.
 * Files are drawn in the light theme whatever the page's (they go on white pages and slides): the chart
 * switches for the moment of the export, within one task, so the page never shows it.
 */
export function useChartExport(
  chart: Readonly<ShallowRef<EChartsType | null>>,
  name: () => string,
  flush?: (chart: EChartsType) => void,
): (kind: ChartExportKind) => void {
  const scheme = useColorScheme()
  return (kind) => {
    const c = chart.value
    if (!c) return
    flush?.(c)
    const live = chartThemeName(scheme.value)
    if (live !== EXPORT_THEME) c.setTheme(EXPORT_THEME)
    try {
      saveBlob(`${name()}.${kind}`, kind === 'png' ? chartToPng(c) : chartToSvg(c))
    } finally {
      if (live !== EXPORT_THEME) c.setTheme(live)
    }
  }
}
