// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAppI18n } from '../i18n'
import { saveBlob } from '../lib/download'
import SweepChart from './SweepChart.vue'

// happy-dom has no canvas: the chart on the page is an SSR SVG instance of the same size instead, which
// still takes options, reports them back and exports.
vi.mock('../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: null, opts: Parameters<typeof real.init>[2]) =>
      real.init(null, theme, el ? { renderer: 'svg', ssr: true, width: 480, height: 260 } : opts),
  }
})
vi.mock('../lib/download', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../lib/download')>()),
  saveBlob: vi.fn(),
}))

afterEach(() => {
  vi.mocked(saveBlob).mockClear()
  document.body.innerHTML = ''
})

/** A scatter of `n` runs in one colour, shaped like lib/sweepCharts.ts's (runId on each point). */
function scatter(n: number, color: string, xName: string): Record<string, unknown> {
  return {
    animation: false,
    xAxis: { type: 'log', name: xName },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'scatter',
        symbolSize: 8,
        itemStyle: { color },
        data: Array.from({ length: n }, (_, i) => ({
          value: [10 ** -(i + 1), 0.1 * (i + 1)],
          runId: `r${i}`,
        })),
      },
    ],
  }
}

function mountChart(option: Record<string, unknown>, exportName: string) {
  return mount(SweepChart, {
    attachTo: document.body,
    props: { option, exportName },
    global: { plugins: [createAppI18n('en')] },
  })
}

/** Points drawn in `color`: ECharts' SVG renderer writes each scatter symbol as a filled path. */
const points = (svg: string, color: string) => [
  ...svg.matchAll(new RegExp(`<path [^>]*fill="${color}"`, 'g')),
]

describe('SweepChart export', () => {
  it('saves the option it shows as an SVG, after the option changed', async () => {
    const wrapper = mountChart(
      scatter(3, '#2563eb', 'learningRate'),
      'my sweep-solver.optimConfig.learningRate',
    )
    await flushPromises()
    // The view replaces the option as runs finish: the file holds the newest one.
    await wrapper.setProps({ option: scatter(5, '#16a34a', 'lr (log)') })
    expect(wrapper.get('[data-testid="chart-svg"]').attributes('title')).toBe('Save as SVG')
    await wrapper.get('[data-testid="chart-svg"]').trigger('click')

    expect(saveBlob).toHaveBeenCalledTimes(1)
    const [name, blob] = vi.mocked(saveBlob).mock.calls[0]!
    expect(name).toBe('my sweep-solver.optimConfig.learningRate.svg')
    expect(blob.type).toBe('image/svg+xml')
    const svg = await blob.text()
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('width="480"')
    expect(svg).toContain('lr (log)')
    expect(points(svg, '#16a34a')).toHaveLength(5)
    expect(points(svg, '#2563eb')).toHaveLength(0)
    // White background, so the file reads on any page.
    expect(svg).toMatch(/fill="#fff(fff)?"/)
    wrapper.unmount()
  })

  it('saves a PNG under the PNG name', async () => {
    const wrapper = mountChart(scatter(2, '#2563eb', 'x'), 'my sweep-parallel')
    await flushPromises()
    expect(wrapper.get('[data-testid="chart-png"]').attributes('title')).toBe('Save as PNG')
    await wrapper.get('[data-testid="chart-png"]').trigger('click')
    expect(vi.mocked(saveBlob).mock.calls.map((c) => c[0])).toEqual(['my sweep-parallel.png'])
    wrapper.unmount()
  })
})
