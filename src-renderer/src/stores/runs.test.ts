import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isProxy } from 'vue'
import type { MetricsSeries } from '../../../src-shared/contract'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import type { MetricEvent } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { fakeTransport, makeRun, metricsOf, type FakeTransport } from '../testing/fakeApi'
import { useAppStore } from './app'
import { appendEvents, emptySeries, METRICS_POINTS, seriesFromPayload, useRunsStore } from './runs'

const iters = (from: number, to: number, loss = (i: number) => 1 / i): MetricEvent[] =>
  Array.from({ length: to - from + 1 }, (_, k) => ({
    type: 'iteration',
    iteration: from + k,
    loss: loss(from + k),
  }))
const epoch = (e: number, iteration: number): MetricEvent => ({
  type: 'epoch',
  epoch: e,
  iteration,
  trainAcc: 0.5 + e / 100,
  valAcc: 0.4 + e / 100,
  lr: 1e-3 * 0.95 ** e,
})
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

describe('appendEvents', () => {
  it('appends in place, skips what it already has, and truncates at a resume', () => {
    const s = emptySeries()
    const { iterations, losses, epochs } = s
    appendEvents(s, [...iters(1, 5), epoch(1, 5), ...iters(6, 8)])
    // An overlapping batch (a fetch racing live events) adds nothing twice.
    appendEvents(s, [...iters(4, 9), epoch(1, 5)])
    expect(s.iterations).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(s.epochs).toEqual([1])
    appendEvents(s, [{ type: 'resume', fromIteration: 5, fromEpoch: 1 }, ...iters(6, 7, () => 42)])
    expect(s.iterations).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(s.losses.slice(5)).toEqual([42, 42])
    expect(s.resumes).toEqual([5])
    // Never copied: views hold these arrays.
    expect(s.iterations).toBe(iterations)
    expect(s.losses).toBe(losses)
    expect(s.epochs).toBe(epochs)
  })

  it('cannot cut a bucketed curve at a resume exactly, and says so', () => {
    const s = emptySeries(10)
    expect(appendEvents(s, iters(1, 100))).toBe(true)
    expect(s.bucket).toBe(16)
    expect(appendEvents(s, [{ type: 'resume', fromIteration: 50, fromEpoch: 0 }])).toBe(false)
  })
})

describe('useRunsStore', () => {
  let t: FakeTransport
  const older = makeRun({ config: { name: 'older' } })
  const newer = makeRun({ config: { name: 'newer' } })

  beforeEach(() => {
    t = fakeTransport({ 'runs.list': [older, newer], 'runs.metrics': metricsOf() })
    setTransport(t)
    setActivePinia(createPinia())
  })
  afterEach(() => setTransport(null))

  it('loads runs newest first and keeps the order as run events arrive', async () => {
    const store = useRunsStore()
    await store.load()
    expect(store.list.map((r) => r.config.name)).toEqual(['newer', 'older'])
    const created = makeRun({ config: { name: 'created' }, status: 'queued' })
    t.api.emit('run', created)
    expect(store.list.map((r) => r.config.name)).toEqual(['created', 'newer', 'older'])
    // An update replaces the record in place in the order.
    t.api.emit('run', { ...older, status: 'running', progress: { ...older.progress, iteration: 10 } })
    expect(store.list.map((r) => r.config.name)).toEqual(['created', 'newer', 'older'])
    expect(store.byId[older.id]?.status).toBe('running')
  })

  it('drops selections of runs that are gone after a reload', async () => {
    const store = useRunsStore()
    store.selected = [older.id, 'gone']
    await store.load()
    expect(store.selected).toEqual([older.id])
  })

  it('loads metrics on demand and appends metrics events without copying', async () => {
    t.api.mocks['runs.metrics'].mockResolvedValueOnce(metricsOf([...iters(1, 3), epoch(1, 3)]))
    const store = useRunsStore()
    // Before anyone asks, events for the run are not kept.
    t.api.emit('metrics', { runId: newer.id, events: iters(1, 1) })
    expect(store.seriesOf(newer.id).series).toBeNull()

    await store.loadMetrics(newer.id)
    const first = store.seriesOf(newer.id)
    expect(first.series?.iterations).toEqual([1, 2, 3])
    const losses = first.series!.losses
    t.api.emit('metrics', { runId: newer.id, events: [...iters(4, 6), epoch(2, 6)] })
    const next = store.seriesOf(newer.id)
    expect(next.version).toBeGreaterThan(first.version)
    expect(next.series!.losses).toBe(losses)
    expect(next.series!.losses).toHaveLength(6)
    expect(next.series!.epochs).toEqual([1, 2])
    // Plain arrays, not reactive proxies.
    expect(isProxy(next.series!.losses)).toBe(false)
    expect(isProxy(next.series)).toBe(false)
    // A second request does not fetch again.
    await store.loadMetrics(newer.id)
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledTimes(1)
  })

  it('keeps events that arrive while the metrics are being read', async () => {
    let answer: (v: MetricsSeries) => void = () => undefined
    t.api.mocks['runs.metrics'].mockImplementationOnce(() => new Promise((r) => (answer = r)))
    const store = useRunsStore()
    const loading = store.loadMetrics(newer.id)
    t.api.emit('metrics', { runId: newer.id, events: iters(3, 5) })
    answer(metricsOf(iters(1, 4)))
    await loading
    expect(store.seriesOf(newer.id).series?.iterations).toEqual([1, 2, 3, 4, 5])
  })

  it('keeps what events said while the list was being read: a list read before them is older', async () => {
    let answer: (v: (typeof older)[]) => void = () => undefined
    t.api.mocks['runs.list'].mockImplementationOnce(() => new Promise((r) => (answer = r)))
    const store = useRunsStore()
    const loading = store.load()
    // Created, started and trashed while main read the folders: the list says otherwise.
    const created = makeRun({ config: { name: 'created' }, status: 'queued' })
    t.api.emit('run', created)
    t.api.emit('run', { ...older, status: 'running' })
    t.api.emit('runRemoved', { id: newer.id })
    answer([older, newer])
    await loading
    expect(store.list.map((r) => r.config.name)).toEqual(['created', 'older'])
    expect(store.byId[older.id]?.status).toBe('running')
    expect(store.byId[newer.id]).toBeUndefined()
    // The next list is believed again.
    await store.load()
    expect(store.list.map((r) => r.config.name)).toEqual(['newer', 'older'])
  })

  it('reloads the list and shown metrics after a reconnect', async () => {
    const store = useRunsStore()
    await store.load()
    await store.loadMetrics(newer.id)
    t.setState('closed')
    t.setState('connecting')
    t.setState('open')
    await flush()
    expect(t.api.mocks['runs.list']).toHaveBeenCalledTimes(2)
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledTimes(2)
  })

  it('reports a failed load as a notice and keeps the error until a load succeeds', async () => {
    t.api.mocks['runs.list'].mockRejectedValueOnce({ code: 'internal', message: 'disk on fire' })
    const store = useRunsStore()
    await store.load()
    expect(useAppStore().notices.map((n) => n.text)).toEqual(['disk on fire'])
    expect(store.loadError).toBe('disk on fire')
    expect(store.loaded).toBe(false)
    await store.load()
    expect(store.loadError).toBeNull()
    expect(store.loaded).toBe(true)
  })

  it('keeps damaged runs apart from the records: listed in entries, never in byId or the selection', async () => {
    const damaged: CorruptRun = {
      id: '20261126-120030-dmgdmg',
      status: 'corrupt',
      problem: { file: '/d/run.json', message: 'config.name: Invalid input' },
      createdAt: '2026-11-26T12:00:30.000Z',
    }
    const undated: CorruptRun = {
      id: '20261126-115900-zzzzzz',
      status: 'corrupt',
      problem: { file: '/e', message: 'x' },
    }
    t.api.mocks['runs.list'].mockResolvedValue([older, damaged, newer, undated])
    const store = useRunsStore()
    store.selected = [damaged.id, newer.id]
    await store.load()
    expect(Object.keys(store.byId).sort()).toEqual([older.id, newer.id].sort())
    expect(store.list.map((r) => r.id)).toEqual([newer.id, older.id])
    expect(Object.keys(store.corrupt).sort()).toEqual([damaged.id, undated.id].sort())
    // Newest first; a damaged run without a readable creation time sorts by the time in its id.
    expect(store.entries.map((r) => r.id)).toEqual([damaged.id, newer.id, older.id, undated.id])
    expect(store.selected).toEqual([newer.id])
    // Written again by main (repaired), it is a record once more.
    const repaired = makeRun({ id: damaged.id, createdAt: damaged.createdAt, config: { name: 'repaired' } })
    t.api.emit('run', repaired)
    expect(store.corrupt[damaged.id]).toBeUndefined()
    expect(store.byId[damaged.id]?.config.name).toBe('repaired')
  })

  it('keeps 20 runs x 10,000 live points, each within its cap', async () => {
    const store = useRunsStore()
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`)
    await Promise.all(ids.map((id) => store.loadMetrics(id)))
    // 100 batches of 100 iterations per run, as a live stream delivers them.
    for (let b = 0; b < 100; b++) {
      for (const id of ids) t.api.emit('metrics', { runId: id, events: iters(b * 100 + 1, b * 100 + 100) })
    }
    const s = store.seriesOf('r19').series!
    expect(s.losses.length).toBeLessThanOrEqual(METRICS_POINTS)
    expect([s.iterationCount, s.lastIteration, s.lastLoss]).toEqual([10_000, 10_000, 1 / 10_000])
  })

  it('asks main for a bounded series and keeps folding live events into the same buckets', async () => {
    // Main has 20,000 iterations: it sends them bucketed.
    t.api.mocks['runs.metrics'].mockResolvedValueOnce(metricsOf(iters(1, 20_000), METRICS_POINTS))
    const store = useRunsStore()
    await store.loadMetrics(newer.id)
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledWith(newer.id, {
      maxPoints: METRICS_POINTS,
      smoothing: 0.6,
    })
    const s = store.seriesOf(newer.id).series!
    expect(s.bucket).toBe(8)
    const columns = s.losses
    // A run that goes on for 180,000 more iterations never holds more than the cap.
    let most = 0
    for (let b = 20_000; b < 200_000; b += 1000) {
      t.api.emit('metrics', { runId: newer.id, events: iters(b + 1, b + 1000) })
      most = Math.max(most, s.losses.length)
    }
    expect(most).toBeLessThanOrEqual(METRICS_POINTS)
    expect(s.losses).toBe(columns)
    // Exactly what main would send for the whole log.
    const whole = seriesFromPayload(metricsOf(iters(1, 200_000), METRICS_POINTS))
    expect(s.bucket).toBe(whole.bucket)
    expect(s.iterations).toEqual(whole.iterations)
    expect(s.counts).toEqual(whole.counts)
    expect(s.lossMax).toEqual(whole.lossMax)
    s.losses.forEach((m, i) => expect(m).toBeCloseTo(whole.losses[i]!, 12))
    // The smoothing main did over the first 20,000 steps, continued step by step on the live ones, is
    // main's smoothing of the whole log: the curve does not change shape when it is read again.
    s.smoothed.forEach((v, i) => expect(v).toBeCloseTo(whole.smoothed[i]!, 12))
    expect(s.lossLast).toEqual(whole.lossLast)
  })

  it('reads the series again, smoothed with the new weight, when the slider moves', async () => {
    const store = useRunsStore()
    await store.loadMetrics(newer.id)
    await store.loadMetrics(newer.id, false, 0.6)
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledTimes(1)
    await store.loadMetrics(newer.id, false, 0.9)
    expect(t.api.mocks['runs.metrics']).toHaveBeenLastCalledWith(newer.id, {
      maxPoints: METRICS_POINTS,
      smoothing: 0.9,
    })
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledTimes(2)
  })

  it('reads the series again when a run resumes into a bucketed curve', async () => {
    t.api.mocks['runs.metrics'].mockResolvedValueOnce(metricsOf(iters(1, 20_000), METRICS_POINTS))
    const store = useRunsStore()
    await store.loadMetrics(newer.id)
    t.api.mocks['runs.metrics'].mockResolvedValueOnce(
      metricsOf(
        [...iters(1, 15_000), { type: 'resume', fromIteration: 15_000, fromEpoch: 3 }],
        METRICS_POINTS,
      ),
    )
    t.api.emit('metrics', {
      runId: newer.id,
      events: [{ type: 'resume', fromIteration: 15_000, fromEpoch: 3 }],
    })
    await flush()
    expect(t.api.mocks['runs.metrics']).toHaveBeenCalledTimes(2)
    const s = store.seriesOf(newer.id).series!
    expect([s.iterationCount, s.lastIteration, s.resumes]).toEqual([15_000, 15_000, [15_000]])
  })

  it('caches mosaics of saved epochs, not the latest', async () => {
    const data = {
      epochs: [1, 2],
      damagedEpochs: [],
      epoch: 2,
      shape: [1, 1, 1],
      units: 1,
      weights: 'AAAAAA==',
    }
    t.api.mocks['runs.mosaic'].mockResolvedValue(data)
    const store = useRunsStore()
    await store.fetchMosaic('a')
    await store.fetchMosaic('a')
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(2)
    await store.fetchMosaic('a', 2)
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(2)
  })

  it("shows a cached epoch with the run's current list of epochs, not the one it was fetched with", async () => {
    const mosaic = (epoch: number, epochs: number[]) => ({
      epochs,
      damagedEpochs: [],
      epoch,
      shape: [1, 1, 1],
      units: 1,
      weights: 'AAAAAA==',
    })
    let saved = [1, 2]
    t.api.mocks['runs.mosaic'].mockImplementation(async (_id: string, epoch?: number) =>
      mosaic(epoch ?? saved.at(-1)!, [...saved]),
    )
    const store = useRunsStore()
    const run = makeRun({ status: 'running' })
    store.applyRun(run)
    expect((await store.fetchMosaic(run.id))!.epochs).toEqual([1, 2])
    // An accuracy check (epoch 3) and its snapshot; then the run finishes.
    saved = [1, 2, 3]
    t.api.emit('metrics', {
      runId: run.id,
      events: [{ type: 'epoch', epoch: 3, iteration: 30, trainAcc: 0.5, valAcc: 0.5, lr: null }],
    })
    // Epoch 2 is cached, but the run's list may have grown: main is asked again.
    expect((await store.fetchMosaic(run.id, 2))!.epochs).toEqual([1, 2, 3])
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(2)
    // From now on epoch 2 comes from the cache, with that list.
    expect((await store.fetchMosaic(run.id, 2))!).toMatchObject({ epoch: 2, epochs: [1, 2, 3] })
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(2)
    // The status change forgets the list too.
    saved = [1, 2, 3, 4]
    store.applyRun({ ...run, status: 'completed' })
    expect((await store.fetchMosaic(run.id, 2))!.epochs).toEqual([1, 2, 3, 4])
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(3)
  })

  it('keeps no list an answer from before the run changed would make stale', async () => {
    const mosaic = (epoch: number, epochs: number[]) => ({
      epochs,
      damagedEpochs: [],
      epoch,
      shape: [1, 1, 1],
      units: 1,
      weights: 'AAAAAA==',
    })
    let answer: (v: unknown) => void = () => undefined
    t.api.mocks['runs.mosaic'].mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const store = useRunsStore()
    const run = makeRun({ status: 'running' })
    store.applyRun(run)
    const early = store.fetchMosaic(run.id)
    // The run finishes while that request is on its way; its answer predates the last snapshot.
    store.applyRun({ ...run, status: 'completed' })
    answer(mosaic(2, [1, 2]))
    await early
    t.api.mocks['runs.mosaic'].mockResolvedValue(mosaic(2, [1, 2, 3]))
    expect((await store.fetchMosaic(run.id, 2))!.epochs).toEqual([1, 2, 3])
  })
})
