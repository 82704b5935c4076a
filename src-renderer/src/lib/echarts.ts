/** ECharts with only what the charts use, registered once (the full build is ~3x larger). */
import { HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomInsideComponent,
  DatasetComponent,
  GridComponent,
  LegendPlainComponent,
  LegendScrollComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components'
import { connect, init, registerTheme, use } from 'echarts/core'
// SVG: charts exported as vector files are rendered again offscreen (server-side mode, no DOM).
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers'

use([
  LineChart,
  // The sweep view: parallel coordinates coloured by accuracy, and scatter plots.
  ParallelChart,
  ScatterChart,
  ParallelComponent,
  VisualMapContinuousComponent,
  DatasetComponent,
  GridComponent,
  LegendPlainComponent,
  // A legend of many long run names stays one row (chartLayout reserves it) and pages.
  LegendScrollComponent,
  TooltipComponent,
  DataZoomInsideComponent,
  // Where a diverged run's loss left the finite range, and its last finite loss.
  MarkLineComponent,
  MarkPointComponent,
  // The Layers panel: histograms over time, and the update/weight ratio's healthy band.
  HeatmapChart,
  MarkAreaComponent,
  CanvasRenderer,
  SVGRenderer,
])

export { connect, init, registerTheme }
export type { EChartsType } from 'echarts/core'
