import type { ShallowRef } from 'vue'
import { chartToPng, chartToSvg, type ExportLabels } from '../lib/chartExport'
import { saveBlob } from '../lib/download'
import type { EChartsType } from '../lib/echarts'

export type ChartExportKind = 'png' | 'svg'

/**
 * The PNG/SVG buttons of a chart component (LineChart, SweepChart): saves the live instance as
 * `<name>.png` or `<name>.svg`, with a legend and axis titles (`labels` names axes the page titles
 * elsewhere). `flush` brings the chart up to date first, for charts that redraw lazily.
 */
export function useChartExport(
  chart: Readonly<ShallowRef<EChartsType | null>>,
  name: () => string,
  flush?: (chart: EChartsType) => void,
  labels: () => ExportLabels = () => ({}),
): (kind: ChartExportKind) => void {
  return (kind) => {
    const c = chart.value
    if (!c) return
    flush?.(c)
    saveBlob(`${name()}.${kind}`, kind === 'png' ? chartToPng(c, labels()) : chartToSvg(c, labels()))
  }
}
