// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { binLayout } from '../../../src-shared/layerStats'
import { setTransport } from '../api'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { twoLayerCaptures } from '../testing/layerFixtures'
import { mountAt } from '../testing/mountView'
import { useLayersStore } from '../stores/layers'

// happy-dom has no canvas: the Layers panel's charts draw into SSR SVG instances.
vi.mock('../lib/echarts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../lib/echarts')>()
  return {
    ...real,
    init: (el: HTMLElement | null, theme: string | null, opts: Parameters<typeof real.init>[2]) =>
      real.init(null, theme, el ? { renderer: 'svg', ssr: true, width: 480, height: 260 } : opts),
  }
})

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

function setup(run: ReturnType<typeof makeRun>, captures = twoLayerCaptures([10, 20])) {
  return fakeTransport({
    'runs.list': [run],
    'runs.get': run,
    'runs.metrics': metricsOf(),
    'runs.mosaic': null,
    'runs.queue': { running: [], queued: [] },
    'runs.layers': { captures, bins: binLayout(), skippedLines: 0 },
  })
}

describe('RunDetailView: Layers panel', () => {
  it('shows the run’s layer captures on its page and lets them go when the page closes', async () => {
    const run = makeRun()
    const t = setup(run)
    const { wrapper, router } = await mountAt(`/runs/${run.id}`, t)
    const panel = wrapper.get('[data-testid="layers-panel"]')
    expect(t.api.mocks['runs.layers']).toHaveBeenCalledWith(run.id, {})
    expect(panel.attributes('data-layers')).toBe('layer1,layer2')
    expect(wrapper.findAll('[data-testid="layers-histogram"]')).toHaveLength(2)
    expect(useLayersStore().byRun[run.id]?.captures).toHaveLength(2)
    await router.push('/experiments')
    await flushPromises()
    expect(useLayersStore().byRun[run.id]).toBeUndefined()
  })

  it('explains an older run without captures, in Chinese too', async () => {
    const run = makeRun()
    const { wrapper } = await mountAt(`/runs/${run.id}`, setup(run, []), 'zh-CN')
    expect(wrapper.get('[data-testid="layers-empty"]').text()).toContain('关闭了采集的运行')
  })
})
