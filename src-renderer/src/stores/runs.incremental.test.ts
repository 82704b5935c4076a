import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CorruptRun, RunListEntry } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { fakeTransport, makeRun, type FakeTransport } from '../testing/fakeApi'
import { moveSorted } from './runOrder'
import { newestFirst, useRunsStore } from './runs'

const base = makeRun()
/** Run `i`, created at second `i` (several share a second: the id breaks the tie). */
const run = (i: number, overrides: Partial<RunRecord> = {}): RunRecord => ({
  ...base,
  id: `20260101-000000-${String(i).padStart(6, '0')}`,
  createdAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 1000).toISOString(),
  ...overrides,
})
const damaged = (i: number, dated: boolean): CorruptRun => ({
  id: `20260101-000000-${String(i).padStart(6, '0')}`,
  status: 'corrupt',
  problem: { file: `/runs/${i}/run.json`, message: 'not valid JSON' },
  ...(dated ? { createdAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 1000).toISOString() } : {}),
})

function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('moveSorted', () => {
  const cmp = (a: number, b: number) => a - b
  it('takes the old element out and puts the new one in its place in the order', () => {
    expect(moveSorted([1, 3, 5, 7], 3, 6, cmp)).toEqual([1, 5, 6, 7])
    expect(moveSorted([1, 3, 5, 7], undefined, 0, cmp)).toEqual([0, 1, 3, 5, 7])
    expect(moveSorted([1, 3, 5, 7], 7, undefined, cmp)).toEqual([1, 3, 5])
    expect(moveSorted([1, 3, 5, 7], 4, undefined, cmp)).toEqual([1, 3, 5, 7])
    const same = [1, 2]
    expect(moveSorted(same, 1, 9, cmp)).not.toBe(same)
    expect(same).toEqual([1, 2])
  })
})

describe('the runs store with many runs', () => {
  let t: FakeTransport
  beforeEach(() => {
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.restoreAllMocks()
    setTransport(null)
  })

  function start(listed: RunListEntry[]) {
    t = fakeTransport({ 'runs.list': listed })
    setTransport(t)
    return useRunsStore()
  }

  it('keeps list and entries in order through random run events and removals, never fetching the list again', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31)
    const rand = random(seed)
    const listed: RunListEntry[] = []
    for (let i = 0; i < 600; i++) listed.push(rand() < 0.05 ? damaged(i, rand() < 0.5) : run(i))
    const store = start(listed)
    await store.load()
    let next = 600
    for (let step = 0; step < 400; step++) {
      const ids = Object.keys(store.byId)
      const pick = ids[Math.floor(rand() * ids.length)]!
      const kind = rand()
      if (kind < 0.5) t.api.emit('run', { ...store.byId[pick]!, status: 'running', updatedAt: String(step) })
      else if (kind < 0.65) t.api.emit('run', run(next++, { status: 'queued' }))
      else if (kind < 0.8) t.api.emit('runRemoved', { id: pick })
      else {
        const corrupt = Object.keys(store.corrupt)
        const id = corrupt[Math.floor(rand() * corrupt.length)]
        // Repaired: main lists it as a record again (its createdAt may differ from the id's time).
        if (id !== undefined)
          t.api.emit('run', run(Number(id.slice(-6)), { config: { ...base.config, name: 'repaired' } }))
      }
      const records = Object.values(store.byId)
      expect(store.list, `seed ${seed}, step ${step}`).toEqual([...records].sort(newestFirst))
      expect(store.entries, `seed ${seed}, step ${step}`).toEqual(
        [...records, ...Object.values(store.corrupt)].sort(newestFirst),
      )
    }
    expect(t.api.mocks['runs.list']).toHaveBeenCalledTimes(1)
  })

  it('moves only the run an event is about: no sort of 20,000 runs, the others stay where they were', async () => {
    const listed = Array.from({ length: 20_000 }, (_, i) => run(i))
    const store = start(listed)
    await store.load()
    const before = store.entries
    const sort = vi.spyOn(Array.prototype, 'sort')
    const t0 = performance.now()
    for (let k = 0; k < 200; k++) {
      const r = listed[(k * 97) % listed.length]!
      t.api.emit('run', { ...r, status: 'running', progress: { ...r.progress, iteration: k } })
      // As a view showing the list reads it after each event.
      expect(store.entries).toHaveLength(20_000)
    }
    const ms = performance.now() - t0
    expect(sort).not.toHaveBeenCalled()
    sort.mockRestore()
    const after = store.entries
    expect(after).toHaveLength(20_000)
    let moved = 0
    for (let i = 0; i < after.length; i++) if (after[i] !== before[i]) moved++
    // Only the changed runs are other objects; each is where it was (its place in the order is the same).
    expect(moved).toBe(200)
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id))
    expect(store.byId[listed[97]!.id]?.status).toBe('running')
    console.log(`runs store: 200 run events on 20,000 runs in ${ms.toFixed(0)} ms`)
    expect(t.api.mocks['runs.list']).toHaveBeenCalledTimes(1)
  })

  it('reloads the whole list once on a reconnect (events may have been missed)', async () => {
    const store = start([run(1), run(2)])
    await store.load()
    t.api.mocks['runs.list'].mockResolvedValue([run(2, { status: 'failed' }), run(3)])
    t.setState('closed')
    t.setState('connecting')
    t.setState('open')
    await new Promise((r) => setTimeout(r, 0))
    expect(t.api.mocks['runs.list']).toHaveBeenCalledTimes(2)
    expect(store.list.map((r) => [r.id, r.status])).toEqual([
      [run(3).id, 'completed'],
      [run(2).id, 'failed'],
    ])
  })
})
