// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAppI18n } from '../i18n'
import { saveBlob } from '../lib/download'
import { withLegendAndTitles } from '../lib/chartExport'
import LineChart from './LineChart.vue'

// happy-dom has no canvas: the chart on the page is an SSR SVG instance of the same size instead.
vi.mock('../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: string | null, opts: Parameters<typeof real.init>[2]) =>
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

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!)
const svgHeight = (svg: string) => Number(/^<svg[^>]*height="(\d+)"/.exec(svg)![1])

describe('chart exports', () => {
  it('carry a legend of the named curves and both axis titles', async () => {
    const runs = Array.from({ length: 12 }, (_, i) => `lr sweep run ${i + 1}`)
    const series = runs.flatMap((name, i) => [
      // The raw curve behind each EMA is quiet: not in the legend.
      { name, x: [0, 1, 2], y: [3 - i * 0.1, 2, 1], quiet: true, opacity: 0.2 },
      { name, x: [0, 1, 2], y: [2.5 - i * 0.1, 1.8, 1.1], width: 2 },
    ])
    const wrapper = mount(LineChart, {
      attachTo: document.body,
      props: { series, xName: 'Iteration', exportYName: 'Loss', exportName: 'compare-loss' },
      global: { plugins: [createAppI18n('en')] },
    })
    await flushPromises()
    await wrapper.get('[data-testid="chart-svg"]').trigger('click')
    const svg = await vi.mocked(saveBlob).mock.calls[0]![1].text()
    const shown = texts(svg)
    for (const name of runs) expect(shown.filter((t) => t === name)).toHaveLength(1)
    expect(shown).toContain('Iteration')
    expect(shown).toContain('Loss')
    // Twelve names do not fit one row of 640 pixels: the file grows by the legend's rows.
    expect(svgHeight(svg)).toBeGreaterThan(320 + 2 * 17)

    await wrapper.get('[data-testid="chart-png"]').trigger('click')
    expect(vi.mocked(saveBlob).mock.calls[1]![0]).toBe('compare-loss.png')
    wrapper.unmount()
  })
})

describe('withLegendAndTitles', () => {
  const option = (extra: Record<string, unknown> = {}) => ({
    color: ['#111111', '#222222'],
    grid: [{ left: 56, right: 20, top: 36, bottom: 40 }],
    xAxis: [{ type: 'value', name: 'Epoch' }],
    yAxis: [{ type: 'value', name: '' }],
    series: [
      { type: 'line', name: 'train', lineStyle: { color: '#ea580c', type: 'dashed' } },
      { type: 'line', name: 'val' },
      { type: 'line', name: 'band', silent: true },
      { type: 'line', name: 'val' },
    ],
    ...extra,
  })

  it('lists each named, non-quiet series once in its colour, above a plot moved down by the legend', () => {
    const out = withLegendAndTitles(option(), 640, 320, { yName: 'Accuracy' })
    const legends = out.option['legend'] as {
      top: number
      data: { name: string; itemStyle: { color: string } }[]
    }[]
    expect(legends.map((l) => [l.data[0]!.name, l.data[0]!.itemStyle.color])).toEqual([
      ['train', '#ea580c'],
      ['val', '#222222'],
    ])
    const grid = (out.option['grid'] as { top: number; left: number }[])[0]!
    const legendBottom = Math.max(...legends.map((l) => l.top)) + 17
    expect(grid.top).toBeGreaterThan(legendBottom)
    expect(out.height - 320).toBe(grid.top - 20)
    expect((out.option['yAxis'] as { name: string; nameLocation: string }[])[0]).toMatchObject({
      name: 'Accuracy',
      nameLocation: 'middle',
    })
    // The y title needs room left of the axis labels.
    expect(grid.left).toBeGreaterThanOrEqual(72)
    expect((out.option['xAxis'] as { name: string }[])[0]!.name).toBe('Epoch')
  })

  it('keeps a chart’s own axis names, and leaves charts without x/y axes as they are', () => {
    const named = withLegendAndTitles(option({ yAxis: [{ name: 'loss' }] }), 640, 320, { yName: 'Loss' })
    expect((named.option['yAxis'] as { name: string }[])[0]!.name).toBe('loss')
    const parallel = { parallelAxis: [{ dim: 0 }], series: [{ type: 'parallel', name: 'runs' }] }
    expect(withLegendAndTitles(parallel, 640, 320)).toEqual({ option: parallel, width: 640, height: 320 })
  })
})
