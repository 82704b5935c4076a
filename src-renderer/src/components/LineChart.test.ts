// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAppI18n } from '../i18n'
import { saveBlob } from '../lib/download'
import { optionToSvg } from '../lib/chartExport'
import LineChart from './LineChart.vue'

// happy-dom has no canvas: the chart on the page is an SSR SVG instance of the same size instead, which
// still takes options, reports them back and exports.
vi.mock('../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: null, opts: Parameters<typeof real.init>[2]) =>
      real.init(null, theme, el ? { renderer: 'svg', ssr: true, width: 640, height: 320 } : opts),
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

describe('LineChart export', () => {
  it('saves the chart as an SVG with its current data', async () => {
    const wrapper = mount(LineChart, {
      attachTo: document.body,
      props: {
        series: [{ name: 'val acc', x: [0, 1, 2], y: [0.1, 0.5, 0.9], color: '#ea580c' }],
        exportName: 'compare-accuracy',
        yName: 'accuracy',
      },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    // A change the 250 ms throttle has not drawn yet must still be in the file.
    await wrapper.setProps({
      series: [{ name: 'val acc', x: [0, 1, 2, 3], y: [0.1, 0.5, 0.9, 0.95], color: '#ea580c' }],
    })
    await wrapper.get('[data-testid="chart-svg"]').trigger('click')

    expect(saveBlob).toHaveBeenCalledTimes(1)
    const [name, blob] = vi.mocked(saveBlob).mock.calls[0]!
    expect(name).toBe('compare-accuracy.svg')
    expect(blob.type).toBe('image/svg+xml')
    const svg = await blob.text()
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('width="640"')
    expect(svg).toContain('accuracy')
    // The line in the series colour, through four points (M + 3 L).
    const line = [...svg.matchAll(/<path d="([^"]+)"[^>]*stroke="#ea580c"/g)].map((m) => m[1]!)
    expect(line.length).toBeGreaterThan(0)
    expect(line.some((d) => (d.match(/L/g) ?? []).length === 3)).toBe(true)
    wrapper.unmount()
  })

  it('saves a PNG via getDataURL under the PNG name', async () => {
    const wrapper = mount(LineChart, {
      attachTo: document.body,
      props: { series: [{ name: 'loss', x: [1, 2], y: [2, 1] }], exportName: 'loss' },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    await wrapper.get('[data-testid="chart-png"]').trigger('click')
    const [name] = vi.mocked(saveBlob).mock.calls[0]!
    expect(name).toBe('loss.png')
    wrapper.unmount()
  })
})

describe('LineChart marks', () => {
  it("draws a diverged run's curve on a log axis, a dashed line where it diverged and a dot at the last finite loss", async () => {
    const wrapper = mount(LineChart, {
      attachTo: document.body,
      props: {
        series: [{ name: 'loss', x: [1, 2, 3], y: [2.3, 3.4e14, 2.8e31], color: '#2563eb' }],
        yLog: true,
        xMax: 5,
        marks: [
          { x: 4, label: 'diverged at 4' },
          { x: 3, y: 2.8e31, label: 'last finite loss 2.80E31' },
        ],
        exportName: 'loss',
      },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    await wrapper.get('[data-testid="chart-svg"]').trigger('click')
    const svg = await vi.mocked(saveBlob).mock.calls[0]![1].text()
    expect(svg).toContain('diverged at 4')
    expect(svg).toContain('last finite loss 2.80E31')
    // The curve: three points spread over the plot by the log axis (a linear one would put the first
    // two at the bottom, 1e31 apart from the third).
    const line = [...svg.matchAll(/<path d="([^"]+)"[^>]*stroke="#2563eb"/g)].map((m) => m[1]!)
    const points = line
      .map((d) => [...d.matchAll(/[ML]\s*(-?[\d.]+)[ ,](-?[\d.]+)/g)].map((m) => Number(m[2])))
      .find((ys) => ys.length === 3)!
    expect(points).toHaveLength(3)
    const [a, b, c] = points as [number, number, number]
    expect(a - b).toBeGreaterThan(40)
    expect(b - c).toBeGreaterThan(40)
    // The mark line is dashed, the point filled, both in the danger colour.
    expect(svg).toMatch(/stroke="#c62828"[^>]*stroke-dasharray|stroke-dasharray[^>]*stroke="#c62828"/)
    expect(svg).toMatch(/fill="#c62828"/)
    wrapper.unmount()
  })
})

describe('optionToSvg', () => {
  it('renders a stacked ± band as a filled area and disposes its instance', () => {
    const svg = optionToSvg(
      {
        xAxis: { type: 'value' },
        yAxis: { type: 'value' },
        series: [
          {
            type: 'line',
            stack: 'b',
            data: [
              [0, 1],
              [1, 1],
            ],
            lineStyle: { opacity: 0 },
            showSymbol: false,
          },
          {
            type: 'line',
            stack: 'b',
            data: [
              [0, 2],
              [1, 2],
            ],
            areaStyle: { color: '#123456', opacity: 0.2 },
            showSymbol: false,
          },
        ],
      },
      300,
      200,
    )
    expect(svg).toContain('width="300"')
    expect(svg).toMatch(/fill="#123456"/)
    // White background, so the file reads on any page.
    expect(svg).toMatch(/fill="#fff(fff)?"/)
  })
})
