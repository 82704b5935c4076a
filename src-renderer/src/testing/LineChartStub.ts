import { defineComponent, h, type PropType } from 'vue'
import type { ChartMark, LineSeries } from '../components/LineChart.vue'

/** ECharts needs a real canvas; views are tested with the chart stubbed (its props are still checked). */
export default defineComponent({
  name: 'LineChart',
  props: {
    series: { type: Array as PropType<LineSeries[]>, required: true },
    version: { type: Number, default: 0 },
    xName: { type: String, default: '' },
    yName: { type: String, default: '' },
    yLog: Boolean,
    yPercent: Boolean,
    legend: Boolean,
    zoom: Boolean,
    xMax: { type: Number, default: null },
    emptyText: { type: String, default: '' },
    group: { type: String, default: '' },
    exportName: { type: String, default: 'chart' },
    marks: { type: Array as PropType<ChartMark[]>, default: () => [] },
    xKind: { type: String, default: 'value' },
    yLr: Boolean,
    xRange: { type: Array as unknown as PropType<[number, number] | null>, default: null },
    linkScale: { type: Number, default: 1 },
  },
  emits: ['update:xRange', 'zoom'],
  setup(props) {
    return () => h('div', { class: 'line-chart-stub', 'data-series': props.series.length })
  },
})
