/**
 * The sweep the sweep view shows: its spec and its runs, loaded once and kept current by `run` events
 * (a sweep's runs finish one by one while the view is open).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SweepRecord } from '../../../src-shared/contract'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { getApi, onReconnect, toApiError } from '../api'
import { useAppStore } from './app'

export const useSweepStore = defineStore('sweep', () => {
  const api = getApi()
  const sweep = shallowRef<SweepRecord | null>(null)
  const runsById = ref<Record<string, RunRecord>>({})
  /** The sweep's runs whose run.json main could not read: shown apart, the others as ever. */
  const corrupt = ref<CorruptRun[]>([])
  /** Run ids in the sweep's queue order; runs added to it later (a resume keeps its id) go last. */
  const order = ref<string[]>([])
  const loading = ref(false)
  const missing = ref(false)
  /** Why the sweep could not be loaded (a damaged sweep record, say), shown in place of it; or null. */
  const error = ref<string | null>(null)
  /** The id last asked for: an answer for another sweep (the user moved on) is dropped. */
  let wanted: string | null = null

  const runs = computed(() =>
    order.value.map((id) => runsById.value[id]).filter((r): r is RunRecord => r !== undefined),
  )

  async function load(id: string): Promise<void> {
    wanted = id
    if (sweep.value?.id !== id) {
      sweep.value = null
      runsById.value = {}
      corrupt.value = []
      order.value = []
    }
    missing.value = false
    error.value = null
    loading.value = true
    try {
      const got = await api['sweeps.get'](id)
      if (wanted !== id) return
      const byId: Record<string, RunRecord> = {}
      for (const r of got.runs) byId[r.id] = r
      sweep.value = got.sweep
      runsById.value = byId
      corrupt.value = got.corrupt
      order.value = [
        ...got.sweep.runIds,
        ...got.runs.map((r) => r.id).filter((r) => !got.sweep.runIds.includes(r)),
      ]
    } catch (e) {
      if (wanted !== id) return
      const apiError = toApiError(e)
      if (apiError.code === 'not-found') missing.value = true
      else if (sweep.value === null) error.value = apiError.message
      // A reload (after a reconnect) that fails keeps what is shown, and says so.
      else useAppStore().reportError(e)
    } finally {
      if (wanted === id) loading.value = false
    }
  }

  function applyRun(run: RunRecord): void {
    const current = sweep.value
    if (!current || run.sweepId !== current.id) return
    runsById.value[run.id] = run
    corrupt.value = corrupt.value.filter((c) => c.id !== run.id)
    if (!order.value.includes(run.id)) order.value.push(run.id)
  }

  api.on('run', applyRun)
  // A run moved to the trash leaves the view; the record keeps its id, so a restore brings it back in place.
  api.on('runRemoved', ({ id }) => {
    if (id in runsById.value) delete runsById.value[id]
  })
  // Events missed while disconnected: fetch the sweep again.
  onReconnect(() => {
    if (wanted) void load(wanted)
  })

  return { sweep, runs, corrupt, loading, missing, error, load, applyRun }
})
