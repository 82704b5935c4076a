/**
 * Per-layer captures of the runs the Layers panel or the compare view shows (runs.layers), kept live:
 * while a run trains, each `layers` event appends its captures. Only runs a view asked for are held;
 * events of other runs are dropped (their page fetches the file when it opens).
 */
import { defineStore } from 'pinia'
import { ref, shallowRef, triggerRef } from 'vue'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { getApi, onReconnect, toApiError } from '../api'
import { mergeCaptures } from '../lib/layerSeries'

export interface RunLayers {
  captures: LayerCapture[]
  /** Lines of layers.jsonl main could not read (a damaged tail after a crash). */
  skippedLines: number
  loaded: boolean
  /** Why the captures could not be read, or null. */
  error: string | null
}

const empty = (): RunLayers => ({ captures: [], skippedLines: 0, loaded: false, error: null })

export const useLayersStore = defineStore('layers', () => {
  const api = getApi()
  /** Replaced or triggered on every change; a run's entry is a fresh object each time. */
  const byRun = shallowRef<Record<string, RunLayers>>({})
  /** Bumped on every change of any run, for charts that redraw on a number. */
  const version = ref(0)
  /** Events that came while the run's first fetch was on its way: merged once it lands. */
  const pending = new Map<string, LayerCapture[]>()
  const inFlight = new Map<string, Promise<void>>()

  function set(id: string, entry: RunLayers): void {
    byRun.value[id] = entry
    triggerRef(byRun)
    version.value++
  }

  function of(id: string): RunLayers {
    return byRun.value[id] ?? empty()
  }

  /** Fetches a run's captures (all of them the first time, those after the last held ones after that). */
  function load(id: string): Promise<void> {
    const running = inFlight.get(id)
    if (running) return running
    const held = byRun.value[id]
    const after = held?.loaded ? held.captures.at(-1)?.iteration : undefined
    if (!held) {
      set(id, empty())
      pending.set(id, [])
    }
    const p = (async () => {
      try {
        const series = await api['runs.layers'](id, after === undefined ? {} : { afterIteration: after })
        const current = byRun.value[id]
        if (!current) return
        const base = after === undefined ? [] : current.captures
        const merged = mergeCaptures(mergeCaptures(base, series.captures), pending.get(id) ?? [])
        pending.delete(id)
        set(id, { captures: merged, skippedLines: series.skippedLines, loaded: true, error: null })
      } catch (e) {
        const current = byRun.value[id]
        if (current) set(id, { ...current, loaded: true, error: toApiError(e).message })
      } finally {
        inFlight.delete(id)
      }
    })()
    inFlight.set(id, p)
    return p
  }

  /** Lets a run's captures go (its view closed): a later view fetches them again. */
  function forget(id: string): void {
    if (!(id in byRun.value)) return
    delete byRun.value[id]
    pending.delete(id)
    queued.delete(id)
    triggerRef(byRun)
    version.value++
  }

  function applyLayers({ runId, captures }: { runId: string; captures: LayerCapture[] }): void {
    const current = byRun.value[runId]
    if (!current || !Array.isArray(captures)) return
    if (!current.loaded) {
      pending.set(runId, [...(pending.get(runId) ?? []), ...captures])
      return
    }
    queued.set(runId, [...(queued.get(runId) ?? []), ...captures])
    if (flushTimer !== null) return
    const wait = flushedAt + FLUSH_MS - Date.now()
    if (wait <= 0) flushQueued()
    else flushTimer = setTimeout(flushQueued, wait)
  }

  /**
   * A fast run on a small dataset captures at every epoch, dozens of times a second: events are merged
   * at most once per FLUSH_MS (the first at once), so the views that read the captures (the Layers panel,
   * the diagnosis) recompute a few times a second rather than at every event.
   */
  const FLUSH_MS = 500
  const queued = new Map<string, LayerCapture[]>()
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  let flushedAt = 0
  function flushQueued(): void {
    flushTimer = null
    flushedAt = Date.now()
    for (const [runId, captures] of queued) {
      const current = byRun.value[runId]
      if (current) set(runId, { ...current, captures: mergeCaptures(current.captures, captures) })
    }
    queued.clear()
  }

  api.on('layers', applyLayers)
  api.on('runRemoved', ({ id }) => forget(id))
  // Events missed while disconnected: ask for what came after the last capture held.
  onReconnect(() => {
    for (const id of Object.keys(byRun.value)) void load(id)
  })

  return { byRun, version, of, load, forget }
})
