import type { ShallowRef } from 'vue'
import { chartToPng, chartToSvg } from '../lib/chartExport'
import { saveBlob } from '../lib/download'
import type { EChartsType } from '../lib/echarts'

export type ChartExportKind = 'png' | 'svg'

/**
 * The PNG/SVG buttons of a chart component (LineChart, SweepChart): saves the live instance as
 * `<name>.png` or `<name>.svg`. `flush` brings the chart up to date first, for charts that redraw lazily.
 */
export function useChartExport(
  chart: Readonly<ShallowRef<EChartsType | null>>,
  name: () => string,
  flush?: (chart: EChartsType) => void,
): (kind: ChartExportKind) => void {
  return (kind) => {
    const c = chart.value
    if (!c) return
    flush?.(c)
    saveBlob(`${name()}.${kind}`, kind === 'png' ? chartToPng(c) : chartToSvg(c))
  }
}
