// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { binLayout, type LayerCapture } from '../../../../src-shared/layerStats'
import { setTransport } from '../../api'
import { createAppI18n } from '../../i18n'
import { fakeTransport, type FakeTransport } from '../../testing/fakeApi'
import { capture, convCaptures, layerRecord, twoLayerCaptures } from '../../testing/layerFixtures'
import CompareLayers from './CompareLayers.vue'

const live = vi.hoisted(() => ({
  charts: [] as { el: HTMLElement; chart: import('../../lib/echarts').EChartsType }[],
}))
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

const RUNS = [
  { id: 'a', name: 'lr 1e-3', color: '#2563eb' },
  { id: 'b', name: 'lr 1e-1', color: '#ea580c' },
  { id: 'c', name: 'old run', color: '#059669' },
]

function setup(files: Record<string, LayerCapture[]>): FakeTransport {
  const t = fakeTransport({
    'runs.layers': (id: unknown) => ({
      captures: files[id as string] ?? [],
      bins: binLayout(),
      skippedLines: 0,
    }),
  })
  setTransport(t)
  setActivePinia(createPinia())
  return t
}

const mountIt = async (runs = RUNS) => {
  const w = mount(CompareLayers, {
    attachTo: document.body,
    props: { runs },
    global: { plugins: [createAppI18n('en')] },
  })
  await flushPromises()
  return w
}

type Opt = {
  series: { name: string; data: [number, number][]; lineStyle?: { color: string }; markArea?: unknown }[]
  yAxis: { type: string }[]
}
function optionOf(layer: string): Opt {
  const host = document.querySelector(`[data-testid="compare-layer"][data-layer="${layer}"]`)!
  return live.charts.find((c) => host.contains(c.el))!.chart.getOption() as unknown as Opt
}

describe('CompareLayers', () => {
  it('draws one ratio chart per layer, aligned by name, a line per run in its colour, with the band', async () => {
    // Run b is a conv net: its layer1 is compared with a's layer1, and its extra layer3 stands alone.
    const b = convCaptures([10, 20]).map((c) => ({
      ...c,
      layers: [
        ...c.layers,
        layerRecord(
          { name: 'layer3', shape: [10, 10], weightStd: 1e-2, gradStd: 1e-3, ratio: 1e-1, scores: true },
          5,
        ),
      ],
    }))
    const t = setup({ a: twoLayerCaptures([10, 20, 30]), b })
    const wrapper = await mountIt()
    expect(RUNS.map((r) => t.api.mocks['runs.layers']!.mock.calls.some((c) => c[0] === r.id))).toEqual([
      true,
      true,
      true,
    ])
    const figures = wrapper.findAll('[data-testid="compare-layer"]')
    expect(figures.map((f) => [f.attributes('data-layer'), f.attributes('data-runs')])).toEqual([
      ['layer1', 'lr 1e-3,lr 1e-1'],
      ['layer2', 'lr 1e-3,lr 1e-1'],
      ['layer3', 'lr 1e-1'],
    ])
    const o = optionOf('layer1')
    expect(o.yAxis[0]!.type).toBe('log')
    expect(o.series[0]!.markArea).toBeDefined()
    expect(o.series.slice(1).map((s) => [s.name, s.lineStyle?.color])).toEqual([
      ['lr 1e-3', '#2563eb'],
      ['lr 1e-1', '#ea580c'],
    ])
    expect(o.series[2]!.data).toEqual([
      [10, 2e-3],
      [20, 2e-3],
    ])
    // The run without captures is named, not drawn.
    expect(wrapper.get('[data-testid="compare-layers-without"]').text()).toBe('Without captures: old run')
  })

  it('switches every layer’s chart to gradient norms or dead ReLUs', async () => {
    setup({ a: twoLayerCaptures([10, 20]), b: twoLayerCaptures([10, 20], 2) })
    const wrapper = await mountIt(RUNS.slice(0, 2))
    await wrapper.get('[data-testid="compare-layers-metric"]').setValue('dead')
    // Only the hidden layer has ReLUs.
    expect(wrapper.findAll('[data-testid="compare-layer"]').map((f) => f.attributes('data-layer'))).toEqual([
      'layer1',
    ])
    expect(optionOf('layer1').series.map((s) => s.data)).toEqual([
      [
        [10, 0],
        [20, 0.05],
      ],
      [
        [10, 0],
        [20, 0.05],
      ],
    ])
    await wrapper.get('[data-testid="compare-layers-metric"]').setValue('gradNorm')
    expect(wrapper.findAll('[data-testid="compare-layer"]')).toHaveLength(2)
    expect(optionOf('layer2').yAxis[0]!.type).toBe('log')
  })

  it('says so when no run has captures, and follows live captures', async () => {
    const t = setup({})
    const wrapper = await mountIt(RUNS.slice(0, 2))
    expect(wrapper.get('[data-testid="compare-layers-empty"]').text()).toContain(
      'None of these runs has layer captures',
    )
    t.api.emit('layers', {
      runId: 'b',
      captures: [
        capture(5, [
          layerRecord({ name: 'layer1', shape: [4, 4], weightStd: 1, gradStd: 1, ratio: 1e-3 }, 3),
        ]),
      ],
    })
    await flushPromises()
    expect(wrapper.get('[data-testid="compare-layer"]').attributes('data-runs')).toBe('lr 1e-1')
  })
})
