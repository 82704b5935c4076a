// @vitest-environment happy-dom
/**
 * The chart options LineChart gives ECharts (issue 13 §4): the tooltip's whole x, epoch and
 * learning-rate ticks, the rows kept free for buttons and legend; and its zoom: an envelope of the
 * visible range (a spike among 100,000 points survives), linked charts, the reset button.
 */
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { createAppI18n } from '../i18n'
import LineChart, { type LineSeries } from './LineChart.vue'

const live = vi.hoisted(() => ({ charts: [] as import('../lib/echarts').EChartsType[] }))
// happy-dom has no canvas: the chart on the page is an SSR SVG instance of the same size instead.
vi.mock('../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: string | null, opts: Parameters<typeof real.init>[2]) => {
      const c = real.init(null, theme, el ? { renderer: 'svg', ssr: true, width: 876, height: 320 } : opts)
      if (el) live.charts.push(c)
      return c
    },
  }
})

afterEach(() => {
  document.body.innerHTML = ''
  live.charts.length = 0
})

type Opt = {
  tooltip: { formatter: (p: unknown) => string }[]
  xAxis: { minInterval?: number; max?: number; axisLabel: { formatter: (v: number) => string } }[]
  yAxis: { axisLabel: { formatter: (v: number) => string } }[]
  grid: { top: number }[]
  legend: { show?: boolean; type?: string; top?: number; height?: number }[]
  dataset: { source: { x: number[]; y: (number | null)[] } }[]
  dataZoom: { start?: number; end?: number }[]
}
const optionOf = (i = 0): Opt => live.charts[i]!.getOption() as unknown as Opt
/** Waits out the 250 ms redraw throttle. */
const settle = async (): Promise<void> => {
  await new Promise((r) => setTimeout(r, 320))
  await flushPromises()
}

function spiky(): LineSeries {
  const n = 100_000
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = i + 1
    y[i] = 2 * Math.exp(-i / 30_000) + 0.05 * Math.sin(i)
  }
  y[77_776] = 30
  return { name: 'loss', x, y }
}

describe('LineChart options', () => {
  it('tooltips show a whole iteration; the x axis ticks whole steps', async () => {
    const w = mount(LineChart, {
      attachTo: document.body,
      props: {
        series: [{ name: 'loss', x: [1, 131, 262], y: [2, 1.5, 1] }],
        xName: 'Iteration',
        xKind: 'iteration',
      },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    const o = optionOf()
    const html = o.tooltip[0]!.formatter([
      { seriesIndex: 0, seriesName: 'loss', axisValue: 131.0000001, value: [131, 1.5], marker: '' },
    ])
    expect(html).toContain('Iteration 131<')
    expect(html).not.toContain('131.00')
    expect(o.xAxis[0]!.minInterval).toBe(1)
    expect(o.xAxis[0]!.axisLabel.formatter(2000)).toBe('2,000')
    w.unmount()
  })

  it('epoch axes tick whole epochs; a learning-rate axis reads 1e-3', async () => {
    const w = mount(LineChart, {
      attachTo: document.body,
      props: {
        series: [{ name: 'lr', x: [1, 2, 3], y: [1e-3, 9.5e-4, 9.025e-4] }],
        xName: 'Epoch',
        xKind: 'epoch',
        yLr: true,
      },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    const o = optionOf()
    expect(o.xAxis[0]!.minInterval).toBe(1)
    expect(o.xAxis[0]!.axisLabel.formatter(3)).toBe('3')
    expect(o.yAxis[0]!.axisLabel.formatter(0.001)).toBe('1e-3')
    expect(o.yAxis[0]!.axisLabel.formatter(0.00095)).toBe('9.5e-4')
    const tip = o.tooltip[0]!.formatter([
      { seriesIndex: 0, seriesName: 'lr', axisValue: 2, value: [2, 9.5e-4] },
    ])
    expect(tip).toContain('Epoch 2<')
    expect(tip).toContain('<b>9.5e-4</b>')
    // The SVG's tick labels are the same.
    const svg = live.charts[0]!.renderToSVGString()
    expect(svg).not.toMatch(/0\.00\d{4}/)
    expect(svg).toMatch(/>\d(\.\d+)?e-4</)
    w.unmount()
  })

  it('keeps a legend in one scrolling row below the buttons, and the plot below both', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `a rather long run name number ${i}`)
    const w = mount(LineChart, {
      attachTo: document.body,
      props: { series: names.map((name, i) => ({ name, x: [0, 1], y: [i, i + 1] })), legend: true },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    const o = optionOf()
    expect(o.legend[0]).toMatchObject({ type: 'scroll', top: 24 })
    expect(o.grid[0]!.top).toBeGreaterThan(o.legend[0]!.top! + o.legend[0]!.height!)
    // The buttons sit in their own row above the plot, where the grid leaves room.
    expect(w.find('.chart-tools [data-testid="chart-png"]').exists()).toBe(true)
    w.unmount()
  })
})

describe('LineChart zoom', () => {
  it('draws an envelope of the visible range: the spike among 100,000 points survives, and zooming refines it', async () => {
    const w = mount(LineChart, {
      attachTo: document.body,
      props: { series: [spiky()], zoom: true, xKind: 'iteration' },
      global: { plugins: [createAppI18n('en')] },
    })
    await settle()
    const whole = optionOf().dataset[0]!.source
    expect(whole.x.length).toBeLessThanOrEqual(4 * 800)
    expect(Math.max(...(whole.y as number[]))).toBe(30)
    expect(optionOf().xAxis[0]!.max).toBe(100_000)

    const zooms: unknown[] = []
    live.charts[0]!.dispatchAction({
      type: 'dataZoom',
      dataZoomIndex: 0,
      startValue: 77_000,
      endValue: 78_000,
    })
    await settle()
    zooms.push(...(w.emitted('zoom') ?? []).map((e) => e[0]))
    const z = zooms.at(-1) as { from: number; to: number; pixels: number }
    expect(z.from).toBeCloseTo(77_000, 6)
    expect(z.to).toBeCloseTo(78_000, 6)
    // happy-dom lays nothing out: the chart takes 800 px, less the axis margins.
    expect(z.pixels).toBe(724)
    expect(w.emitted('update:xRange')!.at(-1)![0]).toEqual([z.from, z.to])
    const fine = optionOf().dataset[0]!.source
    const inWindow = fine.x.filter((v) => v >= 77_000 && v <= 78_000).length
    // Every step of the window (1,001 < 724 buckets x 4) is drawn; the spike too.
    expect(inWindow).toBe(1001)
    expect(Math.max(...(fine.y as number[]))).toBe(30)
    expect(w.get('.line-chart').attributes('data-zoomed')).toBe('true')

    // Reset: the whole axis again, and the linked charts are told.
    await w.get('[data-testid="chart-reset-zoom"]').trigger('click')
    await settle()
    expect(w.emitted('update:xRange')!.at(-1)![0]).toBeNull()
    expect(w.emitted('zoom')!.at(-1)![0]).toBeNull()
    expect(w.find('[data-testid="chart-reset-zoom"]').exists()).toBe(false)
    expect(optionOf().dataset[0]!.source.x.length).toBeLessThanOrEqual(4 * 800)
    w.unmount()
  })

  it('links charts: zooming the loss (iterations) zooms the accuracy (epochs), and back', async () => {
    // 100 iterations per epoch: the accuracy chart's x times 100 is the loss chart's.
    const Pair = defineComponent({
      setup() {
        const range = ref<[number, number] | null>(null)
        return () =>
          h('div', [
            h(LineChart, {
              series: [
                {
                  name: 'loss',
                  x: Array.from({ length: 1000 }, (_, i) => i + 1),
                  y: Array.from({ length: 1000 }, () => 1),
                },
              ],
              zoom: true,
              xMax: 1000,
              xRange: range.value,
              'onUpdate:xRange': (r: [number, number] | null) => (range.value = r),
            }),
            h(LineChart, {
              series: [
                {
                  name: 'acc',
                  x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                  y: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
                },
              ],
              zoom: true,
              xMax: 10,
              xKind: 'epoch',
              linkScale: 100,
              xRange: range.value,
              'onUpdate:xRange': (r: [number, number] | null) => (range.value = r),
            }),
            h('span', { 'data-testid': 'range' }, JSON.stringify(range.value)),
          ])
      },
    })
    const w = mount(Pair, { attachTo: document.body, global: { plugins: [createAppI18n('en')] } })
    await settle()
    const [loss, acc] = live.charts as [
      import('../lib/echarts').EChartsType,
      import('../lib/echarts').EChartsType,
    ]
    loss.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, startValue: 200, endValue: 500 })
    await settle()
    const accZoom = (acc.getOption() as unknown as Opt).dataZoom[0]!
    expect(accZoom.start).toBeCloseTo(20, 6)
    expect(accZoom.end).toBeCloseTo(50, 6)
    const range = JSON.parse(w.get('[data-testid="range"]').text()) as [number, number]
    expect(range[0]).toBeCloseTo(200, 6)
    expect(range[1]).toBeCloseTo(500, 6)

    // Zooming the accuracy chart moves the loss chart; its reset resets both.
    acc.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, startValue: 6, endValue: 8 })
    await settle()
    const lossZoom = (loss.getOption() as unknown as Opt).dataZoom[0]!
    expect(lossZoom.start).toBeCloseTo(60, 6)
    expect(lossZoom.end).toBeCloseTo(80, 6)
    const resets = w.findAll('[data-testid="chart-reset-zoom"]')
    expect(resets).toHaveLength(2)
    await resets[1]!.trigger('click')
    await settle()
    expect(w.get('[data-testid="range"]').text()).toBe('null')
    expect((loss.getOption() as unknown as Opt).dataZoom[0]!).toMatchObject({ start: 0, end: 100 })
    expect(w.findAll('[data-testid="chart-reset-zoom"]')).toHaveLength(0)
    w.unmount()
  })
})
