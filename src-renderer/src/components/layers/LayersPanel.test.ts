// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { binLayout, type LayerCapture } from '../../../../src-shared/layerStats'
import type { RunRecord } from '../../../../src-shared/runs'
import { setTransport } from '../../api'
import { createAppI18n } from '../../i18n'
import type { Locale } from '../../i18n/locale'
import { fakeTransport, makeRun, type FakeTransport } from '../../testing/fakeApi'
import { convCaptures, twoLayerCaptures } from '../../testing/layerFixtures'
import LayersPanel from './LayersPanel.vue'

const live = vi.hoisted(() => ({
  charts: [] as { el: HTMLElement; chart: import('../../lib/echarts').EChartsType }[],
}))
// happy-dom has no canvas: each chart is an SSR SVG instance of the same size, which takes options and
// draws them as text the test can read.
vi.mock('../../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: string | null, opts: Parameters<typeof real.init>[2]) => {
      const c = real.init(null, theme, el ? { renderer: 'svg', ssr: true, width: 480, height: 260 } : opts)
      if (el) live.charts.push({ el, chart: c })
      return c
    },
  }
})

afterEach(() => {
  document.body.innerHTML = ''
  live.charts.length = 0
  setTransport(null)
})

function setup(captures: LayerCapture[] | (() => never)): FakeTransport {
  const t = fakeTransport({
    'runs.layers':
      typeof captures === 'function' ? captures : { captures, bins: binLayout(), skippedLines: 0 },
  })
  setTransport(t)
  setActivePinia(createPinia())
  return t
}

async function mountPanel(run: RunRecord, locale: Locale = 'en') {
  const wrapper = mount(LayersPanel, {
    attachTo: document.body,
    props: { run },
    global: { plugins: [createAppI18n(locale)] },
  })
  await flushPromises()
  return wrapper
}

/** The chart drawn inside the element of this test id (the first one, or the one of `layer`). */
function chartIn(testid: string, layer?: string) {
  const sel = layer ? `[data-testid="${testid}"][data-layer="${layer}"]` : `[data-testid="${testid}"]`
  const host = document.querySelector(sel)!
  expect(host, sel).not.toBeNull()
  const found = live.charts.find((c) => host.contains(c.el))
  expect(found, `a chart in ${sel}`).toBeDefined()
  return found!.chart
}
type Mark = { coord: [number, number] }
const svgOf = (c: import('../../lib/echarts').EChartsType) => c.renderToSVGString()

describe('LayersPanel', () => {
  it('draws each layer’s weight histogram over time, its value axis named -1e-2 … 0 … 1e-2', async () => {
    const t = setup(twoLayerCaptures([10, 20, 30]))
    const run = makeRun()
    const wrapper = await mountPanel(run)
    expect(t.api.mocks['runs.layers']).toHaveBeenCalledWith(run.id, {})
    const panel = wrapper.get('[data-testid="layers-panel"]')
    expect(panel.attributes('data-captures')).toBe('3')
    expect(wrapper.get('[data-testid="layers-count"]').text()).toBe('3 captures')
    const figures = wrapper.findAll('[data-testid="layers-histogram"]')
    expect(figures.map((f) => f.attributes('data-layer'))).toEqual(['layer1', 'layer2'])
    const labels = figures[0]!.attributes('data-y-labels')!.split(' ')
    expect(labels[0]).toBe('-1e-2')
    expect(labels).toContain('0')
    expect(labels.at(-1)).toBe('1e-2')
    // The labels are what the chart draws, and the x axis is the captures' iterations.
    const svg = svgOf(chartIn('layers-histogram', 'layer1'))
    for (const l of labels) expect(svg).toContain(`>${l}</text>`)
    const option = chartIn('layers-histogram', 'layer1').getOption() as { xAxis: { data: string[] }[] }
    expect(option.xAxis[0]!.data).toEqual(['10', '20', '30'])
  })

  it('switches the histograms to gradients and activations; the scores layer has no activations', async () => {
    setup(twoLayerCaptures([10, 20]))
    const wrapper = await mountPanel(makeRun())
    const select = wrapper.get('[data-testid="layers-quantity"]')
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Weights',
      'Gradients',
      'Pre-activations',
      'Post-activations',
    ])
    await select.setValue('postact')
    const [hidden, scores] = wrapper.findAll('[data-testid="layers-histogram"]')
    expect(hidden!.attributes('data-quantity')).toBe('postact')
    // ReLU outputs: zeros (the centre bin) and positives only.
    expect(hidden!.attributes('data-y-labels')!.startsWith('0 ')).toBe(true)
    expect(scores!.find('[data-testid="layers-histogram-none"]').text()).toBe(
      'No post-activations in this layer.',
    )
  })

  it('draws the update/weight ratio on a log axis with the healthy band and the 1e-3 line', async () => {
    setup(twoLayerCaptures([10, 20, 30]))
    const wrapper = await mountPanel(makeRun())
    const fig = wrapper.get('[data-testid="layers-ratio"]')
    expect(fig.attributes('data-band')).toBe('0.0001,0.01')
    expect(fig.text()).toContain('about 1e-3 is healthy')
    const chart = chartIn('layers-ratio')
    const o = chart.getOption() as {
      yAxis: { type: string }[]
      series: { name: string; markArea?: { data: Mark[][] }; markLine?: { data: Mark[][] } }[]
    }
    expect(o.yAxis[0]!.type).toBe('log')
    expect(o.series.map((s) => s.name)).toEqual(['Healthy band (1e-4 … 1e-2)', 'layer1', 'layer2'])
    expect(o.series[0]!.markArea!.data[0]!.map((e) => e.coord[1])).toEqual([1e-4, 1e-2])
    expect(o.series[0]!.markLine!.data[0]!.map((e) => e.coord[1])).toEqual([1e-3, 1e-3])
    // Drawn: the band as a translucent green area, the line's label, and the log axis' decades.
    const svg = svgOf(chart)
    expect(svg).toMatch(/<polygon [^>]*fill="rgb\(22,163,74\)" fill-opacity="0.12"/)
    expect(svg).toMatch(/<path [^>]*stroke="#16a34a" stroke-dasharray/)
    expect(svg).toContain('>1e-3</text>')
    expect(svg).toContain('>1e-4</text>')
  })

  it('draws dead ReLUs of the hidden layers and the gradient norm of every layer', async () => {
    setup(twoLayerCaptures([10, 20, 30]))
    const wrapper = await mountPanel(makeRun())
    expect(wrapper.get('[data-testid="layers-dead"]').attributes('data-layers')).toBe('layer1')
    const dead = chartIn('layers-dead').getOption() as { series: { data: [number, number][] }[] }
    expect(dead.series[0]!.data).toEqual([
      [10, 0],
      [20, 0.05],
      [30, 0.1],
    ])
    const norms = chartIn('layers-grad-norm').getOption() as {
      series: { name: string }[]
      yAxis: { type: string }[]
    }
    expect(norms.series.map((s) => s.name)).toEqual(['layer1', 'layer2'])
    expect(norms.yAxis[0]!.type).toBe('log')
  })

  it('shows a conv layer’s filters and its batchnorm state when the captures have them', async () => {
    setup(convCaptures([10, 20]))
    const wrapper = await mountPanel(makeRun())
    const filters = wrapper.findAll('[data-testid="layers-filters"]')
    expect(filters.map((f) => [f.attributes('data-layer'), f.attributes('data-filters')])).toEqual([
      ['layer1', '8'],
    ])
    const heat = chartIn('layers-filters', 'layer1').getOption() as { yAxis: { data: string[] }[] }
    expect(heat.yAxis[0]!.data).toHaveLength(8)
    await wrapper.get('[data-testid="layers-filter-metric"]').setValue('zeroFraction')
    const zero = chartIn('layers-filters', 'layer1').getOption() as {
      series: { data: [number, number, number][] }[]
    }
    expect(zero.series[0]!.data.slice(0, 4).map((d) => d[2])).toEqual([0, 0.25, 0.5, 0.75])
    const norm = wrapper.get('[data-testid="layers-norm"]')
    expect(norm.attributes('data-layer')).toBe('layer1')
    expect(norm.text()).toContain('1.5% of the normalised outputs beyond ±3')
    expect(wrapper.findAll('[data-testid="layers-norm"]')).toHaveLength(1)
    // Without filters or batchnorm (the two-layer net), neither section is there.
    setup(twoLayerCaptures([10]))
    const plain = await mountPanel(makeRun())
    expect(plain.findAll('[data-testid="layers-filters"]')).toHaveLength(0)
    expect(plain.findAll('[data-testid="layers-norm"]')).toHaveLength(0)
  })

  it('explains the empty state: an older run or capture off, or waiting for the first capture', async () => {
    setup([])
    const done = await mountPanel(makeRun({ status: 'completed' }))
    expect(done.get('[data-testid="layers-empty"]').text()).toBe(
      'No layer captures for this run' +
        'Runs trained before Workbench captured layer statistics, and runs with capture turned off, have none; train the config again to see them.',
    )
    expect(live.charts).toHaveLength(0)
    const training = await mountPanel(makeRun({ status: 'running' }))
    expect(training.get('[data-testid="layers-empty"]').text()).toContain(
      'The first capture comes at the first accuracy check.',
    )
    const zh = await mountPanel(makeRun({ status: 'completed' }), 'zh-CN')
    expect(zh.get('h2').text()).toBe('各层')
    expect(zh.get('[data-testid="layers-empty"]').text()).toContain('此运行没有各层采集数据')
  })

  it('appends live captures while the run trains', async () => {
    const t = setup([])
    const run = makeRun({ status: 'running' })
    const wrapper = await mountPanel(run)
    expect(wrapper.find('[data-testid="layers-empty"]').exists()).toBe(true)
    t.api.emit('layers', { runId: run.id, captures: twoLayerCaptures([10]) })
    await flushPromises()
    expect(wrapper.get('[data-testid="layers-panel"]').attributes('data-captures')).toBe('1')
    const first = chartIn('layers-ratio').getOption() as { series: { data: unknown[] }[] }
    expect(first.series[1]!.data).toHaveLength(1)
    // Captures that come within two seconds of the last redraw wait for the next one.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      t.api.emit('layers', { runId: run.id, captures: twoLayerCaptures([20]) })
      await flushPromises()
      t.api.emit('layers', { runId: run.id, captures: twoLayerCaptures([30]) })
      await flushPromises()
      expect(wrapper.get('[data-testid="layers-panel"]').attributes('data-captures')).toBe('1')
      vi.advanceTimersByTime(2000)
      await flushPromises()
    } finally {
      vi.useRealTimers()
    }
    expect(wrapper.get('[data-testid="layers-count"]').text()).toBe('3 captures')
    const x = chartIn('layers-histogram', 'layer1').getOption() as { xAxis: { data: string[] }[] }
    expect(x.xAxis[0]!.data).toEqual(['10', '20', '30'])
    // Another run's captures do not land here.
    t.api.emit('layers', { runId: 'someone-else', captures: twoLayerCaptures([40]) })
    await flushPromises()
    expect(wrapper.get('[data-testid="layers-panel"]').attributes('data-captures')).toBe('3')
  })

  it('says why the captures could not be read', async () => {
    setup(() => {
      throw { code: 'io', message: 'EACCES: layers.jsonl' }
    })
    const wrapper = await mountPanel(makeRun())
    expect(wrapper.get('[data-testid="layers-unreadable"]').text()).toBe(
      'The layer captures could not be read: EACCES: layers.jsonl',
    )
  })
})
