/**
 * Runs as main reports them, kept current by `run` events, and their metrics, loaded when a view asks
 * and then appended from `metrics` events. Metrics live in plain arrays outside Vue's deep reactivity (20
 * runs x 10,000 points would otherwise be 200,000 proxied numbers); a per-run version number is what
 * views watch. A run's loss is at most METRICS_POINTS points (src-shared/lossPoints.ts): main sends it
 * bucketed past that, and live events fold into the same buckets, so a series never grows without bound
 * however long a run trains.
 */
import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef, toRaw } from 'vue'
import {
  METRICS_SMOOTHING_DEFAULT,
  type MetricsSeries,
  type MosaicData,
  type TrainOnOptions,
} from '../../../src-shared/contract'
import { createdAtOf, isCorrupt, type CorruptRun, type RunListEntry } from '../../../src-shared/corruptRun'
import { addLoss, truncateLoss, type LossPoints } from '../../../src-shared/lossPoints'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { clampWeight, emaPush, emaState, type EmaState } from '../../../src-shared/smoothing'
import { getApi, onReconnect, toApiError } from '../api'
import { useAppStore } from './app'
import { moveSorted } from './runOrder'

/**
 * The most loss points a run's series holds: about twice the widest chart's pixels (LineChart thins to
 * its width anyway). Between half this and this many once a run is longer.
 */
export const METRICS_POINTS = 5000

/**
 * One run's curves, column by column. Appended in place: the arrays keep their identity. The loss
 * columns (iterations ... times) are LossPoints: one point per logged iteration while `bucket` is 1,
 * else the mean, min and max of `bucket` iterations each.
 */
export interface RunSeries extends LossPoints {
  /** The most points the loss columns hold. */
  cap: number
  /** Logged iterations the points hold in all. */
  iterationCount: number
  /** The last logged iteration and its loss as logged (NaN before the first). */
  lastIteration: number
  lastLoss: number
  epochs: number[]
  /** The iteration at which each epoch's accuracies were checked. */
  epochIterations: number[]
  trainAcc: number[]
  valAcc: number[]
  /** The learning rate used during each epoch; null where a run did not report it. */
  lr: (number | null)[]
  /** Where the run was resumed from a checkpoint, as iterations. */
  resumes: number[]
  /**
   * The `smoothed` column's EMA after the last iteration: live steps continue it one by one, so the
   * smoothing stays computed at full resolution (main's, src-shared/smoothing.ts) as the run grows.
   */
  ema: EmaState
}

export function emptySeries(cap = METRICS_POINTS, smoothing = METRICS_SMOOTHING_DEFAULT): RunSeries {
  return markRaw({
    cap,
    bucket: 1,
    iterations: [],
    losses: [],
    lossMin: [],
    lossMax: [],
    lossLast: [],
    smoothed: [],
    counts: [],
    times: [],
    iterationCount: 0,
    lastIteration: NaN,
    lastLoss: NaN,
    epochs: [],
    epochIterations: [],
    trainAcc: [],
    valAcc: [],
    lr: [],
    resumes: [],
    ema: emaState(smoothing),
  })
}

/** What runs.metrics sent, as a series that live events can extend. JSON's nulls become NaN again. */
export function seriesFromPayload(m: MetricsSeries, cap = METRICS_POINTS): RunSeries {
  const s = emptySeries(cap)
  const nan = (v: number | null): number => v ?? NaN
  s.bucket = m.bucket
  s.iterations.push(...m.iterations)
  s.losses.push(...m.losses.map(nan))
  s.lossMin.push(...m.lossMin.map(nan))
  s.lossMax.push(...m.lossMax.map(nan))
  s.counts.push(...m.counts)
  s.times.push(...m.times.map(nan))
  s.lossLast.push(...m.lossLast.map(nan))
  s.smoothed.push(...m.smoothed.map(nan))
  s.ema = { ...m.ema }
  s.iterationCount = m.iterationCount
  s.lastIteration = m.last?.iteration ?? NaN
  s.lastLoss = m.last ? nan(m.last.loss) : NaN
  for (const e of m.epochs) pushEpoch(s, e)
  for (const r of m.resumes) s.resumes.push(r.fromIteration)
  return s
}

/** Index of the first element > x in an ascending array. */
function upperBound(a: number[], x: number): number {
  let lo = 0
  let hi = a.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((a[mid] as number) <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function pushEpoch(s: RunSeries, e: Extract<MetricEvent, { type: 'epoch' }>): void {
  s.epochs.push(e.epoch)
  s.epochIterations.push(e.iteration)
  s.trainAcc.push(e.trainAcc)
  s.valAcc.push(e.valAcc)
  s.lr.push(e.lr)
}

/**
 * Applies metric events to a series in place. Events already present (a fetch and a live event
 * overlapping) are skipped by their iteration or epoch. A resume drops what came after the checkpoint it
 * resumed from, since training replays it; in a bucketed series that cannot be done exactly (a bucket
 * may hold iterations from both sides), so it returns false and the caller reads the series again.
 */
export function appendEvents(s: RunSeries, events: readonly MetricEvent[]): boolean {
  for (const e of events) {
    if (e.type === 'iteration') {
      if (e.iteration <= s.lastIteration) continue
      addLoss(s, s.cap, e.iteration, e.loss, e.t, emaPush(s.ema, e.loss))
      s.iterationCount++
      s.lastIteration = e.iteration
      s.lastLoss = e.loss
    } else if (e.type === 'epoch') {
      const last = s.epochs[s.epochs.length - 1]
      if (last !== undefined && e.epoch <= last) continue
      pushEpoch(s, e)
    } else if (e.type === 'resume') {
      if (s.bucket > 1 || !truncateLoss(s, e.fromIteration)) return false
      s.iterationCount = s.iterations.length
      s.lastIteration = s.iterations[s.iterations.length - 1] ?? NaN
      s.lastLoss = s.losses[s.losses.length - 1] ?? NaN
      // Every iteration is still a point of its own (bucket 1): the EMA is taken up again from them.
      s.ema = emaState(s.ema.weight)
      for (const loss of s.losses) emaPush(s.ema, loss)
      const keepEpochs = upperBound(s.epochs, e.fromEpoch)
      s.epochs.length = keepEpochs
      s.epochIterations.length = keepEpochs
      s.trainAcc.length = keepEpochs
      s.valAcc.length = keepEpochs
      s.lr.length = keepEpochs
      if (s.resumes[s.resumes.length - 1] !== e.fromIteration) s.resumes.push(e.fromIteration)
    }
  }
  return true
}

/** Newest first; the id breaks ties between runs a sweep created in the same millisecond. */
export function newestFirst(a: RunListEntry, b: RunListEntry): number {
  const [ca, cb] = [createdAtOf(a), createdAtOf(b)]
  return ca < cb ? 1 : ca > cb ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

type MetricsState =
  | { phase: 'loading'; buffer: MetricEvent[][]; previous: RunSeries | null }
  | { phase: 'loaded'; series: RunSeries }

export const useRunsStore = defineStore('runs', () => {
  const api = getApi()
  /** The readable runs. */
  const byId = ref<Record<string, RunRecord>>({})
  /** Runs whose run.json main could not read: listed apart, with the file and the reason. */
  const corrupt = ref<Record<string, CorruptRun>>({})
  const loaded = ref(false)
  const loading = ref(false)
  /** Why the last load failed (shown in place of the list), or null. */
  const loadError = ref<string | null>(null)
  /** Checked rows in the experiments table, kept here so they survive navigation (compare). */
  const selected = ref<string[]>([])

  /**
   * The readable runs, and every run the table shows (damaged ones included), newest first. Sorted once
   * per load; a `run` event moves only its run (runOrder.ts), so 20,000 runs are not sorted again five
   * times a second while one trains.
   */
  const sortedList = shallowRef<RunRecord[]>([])
  const sortedEntries = shallowRef<RunListEntry[]>([])
  const list = computed(() => sortedList.value)
  const entries = computed<RunListEntry[]>(() => sortedEntries.value)

  /** Puts `next` (undefined: nothing) where the entry of that id was (none: nowhere) in both orders. */
  function reorder(id: string, next: RunListEntry | undefined): void {
    const stored = byId.value[id] ?? corrupt.value[id]
    const before = stored === undefined ? undefined : toRaw(stored)
    const wasRecord = byId.value[id] !== undefined
    const isRecord = next !== undefined && !isCorrupt(next)
    if (wasRecord || isRecord) {
      sortedList.value = moveSorted<RunRecord>(
        sortedList.value,
        wasRecord ? (before as RunRecord) : undefined,
        isRecord ? next : undefined,
        newestFirst,
      )
    }
    if (before !== undefined || next !== undefined) {
      sortedEntries.value = moveSorted(sortedEntries.value, before, next, newestFirst)
    }
  }

  /**
   * Per list in flight, what events said about runs meanwhile (null: removed). main reads the run
   * folders one by one while it keeps sending events, so a list can arrive older than those events: a
   * run created, started or trashed during the read. What they said wins over what the list read.
   */
  const sinceListed = new Set<Map<string, RunRecord | null>>()

  function applyRun(run: RunRecord): void {
    for (const seen of sinceListed) seen.set(run.id, markRaw(run))
    // A run that stopped or started again may have saved (or will save) other weight snapshots.
    if (byId.value[run.id]?.status !== run.status) forgetMosaicList(run.id)
    // Records are replaced whole, never changed in place: no deep proxies over 20,000 of them.
    const record = markRaw(run)
    reorder(run.id, record)
    byId.value[run.id] = record
    if (run.id in removed.value) delete removed.value[run.id]
    // Main wrote it again, so it reads now.
    if (run.id in corrupt.value) delete corrupt.value[run.id]
  }

  /** Runs moved to the trash while this window was open: their pages say so instead of waiting. */
  const removed = ref<Record<string, true>>({})

  /** A run that left the runs folder (moved to the trash, here or in another window or process). */
  function removeRun(id: string): void {
    for (const seen of sinceListed) seen.set(id, null)
    removed.value[id] = true
    reorder(id, undefined)
    delete byId.value[id]
    delete corrupt.value[id]
    if (selected.value.includes(id)) selected.value = selected.value.filter((x) => x !== id)
  }

  async function load(): Promise<void> {
    loading.value = true
    const seen = new Map<string, RunRecord | null>()
    sinceListed.add(seen)
    try {
      const runs = await api['runs.list']()
      const next: Record<string, RunRecord> = {}
      const damaged: Record<string, CorruptRun> = {}
      for (const r of runs) {
        if (isCorrupt(r)) damaged[r.id] = markRaw(r)
        else next[r.id] = markRaw(r)
      }
      for (const [id, run] of seen) {
        delete damaged[id]
        if (run) next[id] = run
        else delete next[id]
      }
      byId.value = next
      corrupt.value = damaged
      sortedList.value = Object.values(next).sort(newestFirst)
      sortedEntries.value = [...sortedList.value, ...Object.values(damaged)].sort(newestFirst)
      loaded.value = true
      loadError.value = null
      // A damaged run cannot be compared: it leaves the selection too.
      selected.value = selected.value.filter((id) => id in next)
    } catch (e) {
      loadError.value = toApiError(e).message
      useAppStore().reportError(e)
    } finally {
      sinceListed.delete(seen)
      loading.value = false
    }
  }

  /** Runs a fetch found damaged (a deep link before the list came): main's message, naming the file. */
  const unreadable = ref<Record<string, string>>({})

  /** A run by id, fetched when the list does not have it (yet): a deep link, say. */
  async function fetchRun(id: string): Promise<RunRecord | null> {
    try {
      const run = await api['runs.get'](id)
      applyRun(run)
      return run
    } catch (e) {
      const error = toApiError(e)
      // The page says so in place of the run: no notice on top.
      if (error.code === 'corrupt') unreadable.value[id] = error.message
      else useAppStore().reportError(e)
      return null
    }
  }

  // ---- metrics ----
  const metrics = new Map<string, MetricsState>()
  /** Bumped whenever a run's series changes; the only reactive part of metrics. */
  const metricsVersion = ref<Record<string, number>>({})
  const bump = (id: string): void => {
    metricsVersion.value[id] = (metricsVersion.value[id] ?? 0) + 1
  }

  /** A run's series (raw arrays; do not mutate) and its version; reading it in a computed tracks the run. */
  function seriesOf(id: string): { series: RunSeries | null; version: number } {
    const version = metricsVersion.value[id] ?? 0
    const m = metrics.get(id)
    // A reload (after a reconnect) keeps showing the old curves until the new ones arrive.
    return { series: m ? (m.phase === 'loaded' ? m.series : m.previous) : null, version }
  }

  /** The EMA weight each run's curve was last asked for (a view's smoothing slider); main smooths with it. */
  const wantedSmoothing = new Map<string, number>()
  const smoothingFor = (id: string): number => wantedSmoothing.get(id) ?? METRICS_SMOOTHING_DEFAULT

  /**
   * Loads a run's series once (again with `force`, or when `smoothing` differs from the weight it was
   * smoothed with: main smooths every logged step before bucketing, so a new weight is a new read).
   */
  async function loadMetrics(id: string, force = false, smoothing?: number): Promise<void> {
    if (smoothing !== undefined) wantedSmoothing.set(id, clampWeight(smoothing))
    const current = metrics.get(id)
    if (current?.phase === 'loaded' && current.series.ema.weight !== smoothingFor(id)) force = true
    if (current && !force) return
    // The read under way checks the wanted weight again when it lands.
    if (current?.phase === 'loading') return
    // Events that arrive while the file is read are kept and applied after it.
    const state: MetricsState = {
      phase: 'loading',
      buffer: [],
      previous: current?.phase === 'loaded' ? current.series : null,
    }
    metrics.set(id, state)
    try {
      const weight = smoothingFor(id)
      const payload = await api['runs.metrics'](id, { maxPoints: METRICS_POINTS, smoothing: weight })
      const series = seriesFromPayload(payload)
      const current = state.buffer.every((batch) => appendEvents(series, batch))
      metrics.set(id, { phase: 'loaded', series })
      bump(id)
      // A resume arrived while the file was read, or the slider moved: read it again.
      if (!current || smoothingFor(id) !== weight) void loadMetrics(id, true)
    } catch (e) {
      if (state.previous) metrics.set(id, { phase: 'loaded', series: state.previous })
      else metrics.delete(id)
      useAppStore().reportError(e)
    }
  }

  function applyMetrics(payload: { runId: string; events: MetricEvent[] }): void {
    // An accuracy check comes with a new weight snapshot (a resume may rewrite some).
    if (payload.events.some((e) => e.type !== 'iteration')) forgetMosaicList(payload.runId)
    const m = metrics.get(payload.runId)
    if (!m) return
    if (m.phase === 'loading') {
      m.buffer.push(payload.events)
      return
    }
    if (appendEvents(m.series, payload.events)) bump(payload.runId)
    else void loadMetrics(payload.runId, true)
  }

  // ---- mosaic ----
  /**
   * A saved snapshot's weights never change, so an explicit epoch is fetched once. Which epochs a run has
   * does change (training saves one per accuracy check): that list is the run's, not the snapshot's, so
   * it is kept apart, from main's latest answer, and forgotten whenever it may have grown (an epoch
   * event, a status change). A cached epoch is shown with the run's list, never with the list it was
   * first fetched with (that made the scrubber end at an epoch before the last once a run finished).
   */
  const mosaics = new Map<string, MosaicData>()
  /**
   * Per run: its list of epochs as of main's answer to request `since`, or null once forgotten (at
   * request count `since`); an answer to a request made before that is too old to be kept.
   */
  const mosaicLists = new Map<
    string,
    { list: Pick<MosaicData, 'epochs' | 'damagedEpochs'> | null; since: number }
  >()
  let mosaicRequests = 0
  function forgetMosaicList(id: string): void {
    mosaicLists.set(id, { list: null, since: mosaicRequests })
  }
  async function fetchMosaic(id: string, epoch?: number): Promise<MosaicData | null> {
    const cached = epoch !== undefined ? mosaics.get(`${id}@${epoch}`) : undefined
    const list = mosaicLists.get(id)?.list
    if (cached && list) return markRaw({ ...cached, ...list })
    const request = ++mosaicRequests
    const data = await api['runs.mosaic'](id, epoch)
    if (!data) return null
    const raw = markRaw(data)
    mosaics.set(`${id}@${raw.epoch}`, raw)
    // A list behind the run's last accuracy check (its snapshot is still being written) is not kept
    // either: the next fetch asks main again.
    const m = metrics.get(id)
    const series = m?.phase === 'loaded' ? m.series : null
    const lastEpoch = series?.epochs[series.epochs.length - 1]
    const covered = Math.max(raw.epochs.at(-1) ?? -1, raw.damagedEpochs.at(-1) ?? -1)
    const current = lastEpoch === undefined || covered >= lastEpoch || byId.value[id]?.status !== 'running'
    if (current && request > (mosaicLists.get(id)?.since ?? 0)) {
      mosaicLists.set(id, { list: { epochs: raw.epochs, damagedEpochs: raw.damagedEpochs }, since: request })
    }
    return raw
  }

  // ---- actions that create runs ----
  /** Rejects with an ApiCallError whose fields name invalid config fields. */
  async function create(config: unknown, options?: TrainOnOptions): Promise<RunRecord> {
    const run = await (options ? api['runs.create'](config, options) : api['runs.create'](config))
    applyRun(run)
    return run
  }

  async function createSweep(
    spec: unknown,
    options?: TrainOnOptions,
  ): Promise<{ sweepId: string; runs: RunRecord[] }> {
    const result = await (options ? api['runs.createSweep'](spec, options) : api['runs.createSweep'](spec))
    for (const r of result.runs) applyRun(r)
    return result
  }

  api.on('run', applyRun)
  api.on('metrics', applyMetrics)
  api.on('runRemoved', ({ id }) => removeRun(id))
  // Events missed while disconnected: reload what is shown.
  onReconnect(() => {
    void load()
    for (const [id, m] of metrics) if (m.phase === 'loaded') void loadMetrics(id, true)
  })

  return {
    byId,
    corrupt,
    list,
    entries,
    loaded,
    loading,
    loadError,
    unreadable,
    selected,
    load,
    fetchRun,
    applyRun,
    removeRun,
    removed,
    seriesOf,
    loadMetrics,
    applyMetrics,
    metricsVersion,
    fetchMosaic,
    create,
    createSweep,
  }
})
