import { describe, expect, it } from 'vitest'
import { seedSweep } from '../testing/sweepFixtures'
import { init } from './echarts'
import {
  escapeHtml,
  parallelOption,
  scatterOption,
  type ChartOption,
  type SweepChartText,
} from './sweepCharts'
import { rankRuns, sweptParams } from './sweepView'

const TEXT: SweepChartText = { locale: 'en', bestVal: 'Best val', top: 'Top 2', others: 'Others' }

/** Renders an option with ECharts itself (SVG, server-side): an option it rejects throws here. */
function render(option: ChartOption): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: 800, height: 360 })
  try {
    chart.setOption(option)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

function setup() {
  const { sweep, runs } = seedSweep()
  const params = sweptParams(sweep.spec)
  return { spec: sweep.spec, runs, params, rows: rankRuns(sweep.spec, runs) }
}

describe('parallelOption', () => {
  it('has an axis per param (log for log ranges, categories for choices) and one for accuracy', () => {
    const { spec, params, rows } = setup()
    const o = parallelOption(spec, params, rows, 2, TEXT)
    const axes = o.parallelAxis as Record<string, unknown>[]
    expect(axes.map((a) => [a.dim, a.name, a.type])).toEqual([
      [0, 'hiddenDim', 'category'],
      [1, 'learningRate', 'log'],
      [2, 'numEpochs', 'category'],
      [3, 'reg', 'log'],
      [4, 'Best val', 'value'],
    ])
    expect(axes[1]).toMatchObject({ min: 1e-4, max: 5e-3 })
    expect(axes[0]!.data).toEqual(['50', '100', '150', '200'])
    expect(o.visualMap).toMatchObject({ dimension: 4, min: 0.41, max: 0.86, seriesIndex: [0, 1] })
  })

  it('draws the top K apart from the rest, each line carrying its run', () => {
    const { spec, params, rows, runs } = setup()
    const [rest, top] = parallelOption(spec, params, rows, 2, TEXT).series as {
      name: string
      data: { runId: string; value: unknown[] }[]
      lineStyle: { width: number }
    }[]
    expect(top!.name).toBe('Top 2')
    expect(top!.data.map((d) => d.runId)).toEqual([runs[1]!.id, runs[0]!.id])
    expect(top!.data[0]!.value).toEqual(['200', 4.8e-3, '10', 0.02, 0.86])
    expect(rest!.data).toHaveLength(3)
    expect(top!.lineStyle.width).toBeGreaterThan(rest!.lineStyle.width)
  })

  it('renders with ECharts, axis names and percentages included', () => {
    const { spec, params, rows } = setup()
    const svg = render(parallelOption(spec, params, rows, 2, TEXT))
    expect(svg).toContain('learningRate')
    expect(svg).toContain('Best val')
    expect(svg).toMatch(/\d+%/)
    // Five runs drawn as polylines across the five axes.
    expect((svg.match(/<path d="M/g) ?? []).length).toBeGreaterThan(5)
  })

  it('renders an empty sweep (nothing finished yet) without failing', () => {
    const { spec, params } = setup()
    expect(render(parallelOption(spec, params, [], 5, TEXT))).toContain('<svg')
  })
})

describe('scatterOption', () => {
  it('puts a log-scale param on a log x axis against best validation accuracy', () => {
    const { spec, params, rows, runs } = setup()
    const o = scatterOption(spec, params[1]!, 1, rows, 2, TEXT)
    expect(o.xAxis).toMatchObject({ type: 'log', name: 'learningRate', min: 1e-4, max: 5e-3 })
    const [rest, top] = o.series as { data: { runId: string; value: unknown[] }[] }[]
    expect(top!.data.map((d) => d.value)).toEqual([
      [4.8e-3, 0.86],
      [1e-3, 0.8],
    ])
    expect(top!.data[0]!.runId).toBe(runs[1]!.id)
    expect(rest!.data).toHaveLength(3)
    expect(render(o)).toContain('learningRate')
  })

  it('puts a choice param on a category axis', () => {
    const { spec, params, rows } = setup()
    const o = scatterOption(spec, params[0]!, 0, rows, 2, { ...TEXT, locale: 'zh-CN' })
    expect(o.xAxis).toMatchObject({ type: 'category', data: ['50', '100', '150', '200'] })
    const svg = render(o)
    expect(svg).toContain('150')
  })
})

describe('escapeHtml', () => {
  it('escapes what a run name could smuggle into a tooltip', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    )
  })
})
