/** ECharts with only what the charts use, registered once (the full build is ~3x larger). */
import { LineChart } from 'echarts/charts'
import {
  DataZoomInsideComponent,
  DatasetComponent,
  GridComponent,
  LegendPlainComponent,
  TooltipComponent,
} from 'echarts/components'
import { init, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([
  LineChart,
  DatasetComponent,
  GridComponent,
  LegendPlainComponent,
  TooltipComponent,
  DataZoomInsideComponent,
  CanvasRenderer,
])

export { init }
export type { EChartsType } from 'echarts/core'
