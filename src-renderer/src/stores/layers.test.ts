import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { binLayout, type LayerCapture, type LayerSeries } from '../../../src-shared/layerStats'
import { setTransport } from '../api'
import { fakeTransport, type FakeTransport } from '../testing/fakeApi'
import { twoLayerCaptures } from '../testing/layerFixtures'
import { useAppStore } from './app'
import { useLayersStore } from './layers'

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
const series = (captures: LayerCapture[], skippedLines = 0): LayerSeries => ({
  captures,
  bins: binLayout(),
  skippedLines,
})
const its = (c: LayerCapture[]) => c.map((x) => x.iteration)

let t: FakeTransport
let file: LayerCapture[]
beforeEach(() => {
  file = twoLayerCaptures([10, 20, 30])
  t = fakeTransport({
    'runs.layers': (id: unknown, options?: { afterIteration?: number }) => {
      if (id !== 'r1') throw { code: 'not-found', message: `no run ${String(id)}` }
      return series(
        file.filter((c) => c.iteration > (options?.afterIteration ?? -1)),
        1,
      )
    },
  })
  setTransport(t)
  setActivePinia(createPinia())
})
afterEach(() => setTransport(null))

describe('useLayersStore', () => {
  it('loads a run’s captures and what main skipped', async () => {
    const store = useLayersStore()
    expect(store.of('r1').loaded).toBe(false)
    await store.load('r1')
    expect(t.api.mocks['runs.layers']).toHaveBeenCalledWith('r1', {})
    expect(its(store.of('r1').captures)).toEqual([10, 20, 30])
    expect(store.of('r1').skippedLines).toBe(1)
    expect(store.of('r1').loaded).toBe(true)
  })

  it('appends the captures of a `layers` event while the run trains; other runs’ events are dropped', async () => {
    const store = useLayersStore()
    await store.load('r1')
    const v = store.version
    t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([40, 50]) })
    t.api.emit('layers', { runId: 'other', captures: twoLayerCaptures([40]) })
    expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40, 50])
    expect(store.of('other').captures).toEqual([])
    expect(store.version).toBeGreaterThan(v)
    expect(Object.keys(store.byRun)).toEqual(['r1'])
  })

  it('merges a burst of events at most every 500 ms, the first at once', async () => {
    const store = useLayersStore()
    await store.load('r1')
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([40]) })
      expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40])
      const v = store.version
      for (const i of [50, 60, 70]) t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([i]) })
      expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40])
      vi.advanceTimersByTime(500)
      expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40, 50, 60, 70])
      expect(store.version).toBe(v + 1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps events that come while the first fetch is on its way', async () => {
    const store = useLayersStore()
    let release: (v: LayerSeries) => void = () => undefined
    t.api.mocks['runs.layers']!.mockImplementationOnce(() => new Promise((r) => (release = r)))
    const loading = store.load('r1')
    t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([40]) })
    expect(store.of('r1').captures).toEqual([])
    release(series(file))
    await loading
    expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40])
  })

  it('replaces the retrained captures of a resumed run', async () => {
    const store = useLayersStore()
    await store.load('r1')
    t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([20], 7) })
    expect(its(store.of('r1').captures)).toEqual([10, 20])
    expect(store.of('r1').captures[1]).toEqual(twoLayerCaptures([20], 7)[0])
  })

  it('asks only for what came after its last capture when loading again (a reconnect)', async () => {
    const store = useLayersStore()
    await store.load('r1')
    file = twoLayerCaptures([10, 20, 30, 40])
    t.setState('closed')
    t.setState('open')
    await flush()
    expect(t.api.mocks['runs.layers']).toHaveBeenLastCalledWith('r1', { afterIteration: 30 })
    expect(its(store.of('r1').captures)).toEqual([10, 20, 30, 40])
  })

  it('says why the captures could not be read, without a notice', async () => {
    const store = useLayersStore()
    t.api.mocks['runs.layers']!.mockRejectedValueOnce({ code: 'io', message: 'disk gone' })
    await store.load('r1')
    expect(store.of('r1').error).toBe('disk gone')
    expect(store.of('r1').loaded).toBe(true)
    expect(useAppStore().notices).toEqual([])
    await store.load('r1')
    expect(store.of('r1').error).toBeNull()
    expect(store.of('r1').captures).toHaveLength(3)
  })

  it('lets a run go when its view closes or it is removed', async () => {
    const store = useLayersStore()
    await store.load('r1')
    store.forget('r1')
    expect(store.byRun).toEqual({})
    t.api.emit('layers', { runId: 'r1', captures: twoLayerCaptures([40]) })
    expect(store.byRun).toEqual({})
    await store.load('r1')
    t.api.emit('runRemoved', { id: 'r1' })
    expect(store.byRun).toEqual({})
  })

  it('fetches once for two views asking at the same time', async () => {
    const store = useLayersStore()
    await Promise.all([store.load('r1'), store.load('r1')])
    expect(t.api.mocks['runs.layers']).toHaveBeenCalledTimes(1)
  })
})
