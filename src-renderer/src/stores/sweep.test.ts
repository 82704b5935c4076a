import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setTransport } from '../api'
import { fakeTransport, makeRun, type FakeTransport } from '../testing/fakeApi'
import { result, seedSweep, seedSweepSpec } from '../testing/sweepFixtures'
import { useAppStore } from './app'
import { useDraftStore } from './draft'
import { useSweepStore } from './sweep'

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

let t: FakeTransport
let data = seedSweep('sw-1')
beforeEach(() => {
  data = seedSweep('sw-1')
  t = fakeTransport({
    'sweeps.get': (id: unknown) => {
      if (id === 'sw-1') return data
      throw { code: 'not-found', message: `no sweep ${String(id)}` }
    },
  })
  setTransport(t)
  setActivePinia(createPinia())
})
afterEach(() => setTransport(null))

describe('useSweepStore', () => {
  it('loads a sweep and its runs in queue order', async () => {
    const store = useSweepStore()
    await store.load('sw-1')
    expect(t.api.mocks['sweeps.get']).toHaveBeenCalledWith('sw-1')
    expect(store.sweep?.spec.name).toBe('coarse')
    expect(store.runs.map((r) => r.id)).toEqual(data.sweep.runIds)
    expect(store.missing).toBe(false)
  })

  it("stays live: its runs' events update it, other runs' events do not", async () => {
    const store = useSweepStore()
    await store.load('sw-1')
    const queued = data.runs[5]!
    t.api.emit('run', { ...queued, status: 'completed', result: result(0.9) })
    t.api.emit('run', makeRun({ sweepId: 'other', result: result(0.99) }))
    t.api.emit('run', makeRun({ sweepId: null }))
    expect(store.runs).toHaveLength(6)
    expect(store.runs[5]!.result?.bestValAcc).toBe(0.9)
    const late = makeRun({ sweepId: 'sw-1', status: 'queued' })
    t.api.emit('run', late)
    expect(store.runs.at(-1)!.id).toBe(late.id)
  })

  it('says when a sweep does not exist, and what went wrong otherwise', async () => {
    const store = useSweepStore()
    await store.load('nope')
    expect(store.missing).toBe(true)
    expect(store.sweep).toBeNull()
    t.api.mocks['sweeps.get']!.mockRejectedValueOnce({ code: 'io', message: 'disk gone' })
    await store.load('sw-1')
    expect(store.missing).toBe(false)
    // Nothing is shown yet: the error takes the sweep's place (the view says it), no notice on top.
    expect(store.error).toBe('disk gone')
    expect(useAppStore().notices).toEqual([])
    await store.load('sw-1')
    expect(store.error).toBeNull()
    // A reload that fails keeps the sweep shown and reports the failure as a notice.
    t.api.mocks['sweeps.get']!.mockRejectedValueOnce({ code: 'io', message: 'disk gone again' })
    await store.load('sw-1')
    expect(store.sweep?.id).toBe('sw-1')
    expect(useAppStore().notices.map((n) => n.text)).toEqual(['disk gone again'])
  })

  it('keeps the answer for the sweep asked for last', async () => {
    const store = useSweepStore()
    let release: (v: unknown) => void = () => undefined
    t.api.mocks['sweeps.get']!.mockImplementationOnce(() => new Promise((r) => (release = r)))
    const slow = store.load('sw-1')
    const other = seedSweep('sw-2')
    t.api.mocks['sweeps.get']!.mockResolvedValueOnce(other)
    await store.load('sw-2')
    release(data)
    await slow
    expect(store.sweep?.id).toBe('sw-2')
    expect(store.runs.map((r) => r.id)).toEqual(other.sweep.runIds)
  })

  it('fetches the sweep again after a reconnect', async () => {
    const store = useSweepStore()
    await store.load('sw-1')
    t.setState('closed')
    t.setState('open')
    await flush()
    expect(t.api.mocks['sweeps.get']).toHaveBeenCalledTimes(2)
  })
})

describe('useDraftStore', () => {
  it('hands a drafted spec over once', () => {
    const drafts = useDraftStore()
    const spec = seedSweepSpec()
    drafts.setSweep(spec, 'coarse')
    expect(drafts.takeSweep()).toEqual({ spec, from: 'coarse' })
    expect(drafts.takeSweep()).toBeNull()
  })
})
