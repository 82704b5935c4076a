import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setTransport } from '../api'
import { fakeTransport, makeRun, type FakeTransport } from '../testing/fakeApi'
import { useAppStore } from './app'
import { useQueueStore } from './queue'
import { useRunsStore } from './runs'

describe('useQueueStore', () => {
  let t: FakeTransport
  const run = makeRun({ status: 'running' })

  beforeEach(() => {
    t = fakeTransport({
      'runs.queue': { running: [run.id], queued: ['q1', 'q2'] },
      'runs.cancel': () => ({ ...run, status: 'cancelled' }),
      'runs.reorder': ['q2', 'q1'],
    })
    setTransport(t)
    setActivePinia(createPinia())
  })
  afterEach(() => setTransport(null))

  it('loads the queue and follows queue events', async () => {
    const q = useQueueStore()
    await q.load()
    expect(q.running).toEqual([run.id])
    expect(q.queued).toEqual(['q1', 'q2'])
    t.api.emit('queue', { running: [], queued: ['q2'] })
    expect(q.running).toEqual([])
    expect(q.queued).toEqual(['q2'])
  })

  it('cancels a run, marks it busy meanwhile and applies the returned record', async () => {
    const q = useQueueStore()
    const runs = useRunsStore()
    runs.applyRun(run)
    const p = q.cancel(run.id)
    expect(q.busy.has(run.id)).toBe(true)
    // A second click while the first is in flight does nothing.
    expect(await q.cancel(run.id)).toBeNull()
    await p
    expect(q.busy.has(run.id)).toBe(false)
    expect(runs.byId[run.id]?.status).toBe('cancelled')
    expect(t.api.mocks['runs.cancel']).toHaveBeenCalledTimes(1)
  })

  it('reports a failed resume as a notice', async () => {
    const q = useQueueStore()
    expect(await q.resume('nope')).toBeNull()
    expect(useAppStore().notices).toHaveLength(1)
    expect(useAppStore().notices[0]?.kind).toBe('error')
  })

  it('reorders queued runs', async () => {
    const q = useQueueStore()
    await q.reorder('q2', 0)
    expect(t.api.mocks['runs.reorder']).toHaveBeenCalledWith('q2', 0)
    expect(q.queued).toEqual(['q2', 'q1'])
  })
})
