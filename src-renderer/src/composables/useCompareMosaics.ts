/**
 * The compare view's weight mosaics: which epochs every run has a snapshot of, and each run's mosaic at
 * the chosen one (by default the latest such epoch, followed as training saves new snapshots).
 */
import { computed, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import type { MosaicData } from '../../../src-shared/contract'
import { commonEpochs } from '../lib/compareMosaic'
import { useAppStore } from '../stores/app'
import { useRunsStore } from '../stores/runs'

/** Live runs save a snapshot per epoch, several a second on small data: re-list at most once a second. */
const MIN_REFRESH_MS = 1000

export function useCompareMosaics(ids: Ref<string[]>, changed: () => unknown) {
  const runs = useRunsStore()
  const app = useAppStore()
  /** Epochs with a snapshot, per run; empty for a run without any. */
  const available = shallowRef<Record<string, number[]>>({})
  /** null follows the latest common epoch. */
  const chosen = ref<number | null>(null)
  const mosaics = shallowRef<Record<string, MosaicData | null>>({})

  // Runs without any snapshot (queued, say) do not empty the intersection for the others.
  const common = computed(() =>
    commonEpochs(ids.value.map((id) => available.value[id] ?? []).filter((l) => l.length > 0)),
  )
  const epoch = computed(() => {
    const c = chosen.value
    return c !== null && common.value.includes(c) ? c : (common.value[common.value.length - 1] ?? null)
  })

  async function fetch(id: string, at?: number): Promise<MosaicData | null> {
    try {
      return await runs.fetchMosaic(id, at)
    } catch (e) {
      app.reportError(e)
      return null
    }
  }

  async function relist(): Promise<void> {
    const list = ids.value
    const latest = await Promise.all(list.map((id) => fetch(id)))
    available.value = Object.fromEntries(list.map((id, i) => [id, latest[i]?.epochs ?? []]))
  }

  async function show(): Promise<void> {
    const list = ids.value
    const e = epoch.value
    const shown = await Promise.all(
      list.map((id) => (e !== null && available.value[id]?.includes(e) ? fetch(id, e) : null)),
    )
    mosaics.value = Object.fromEntries(list.map((id, i) => [id, shown[i] ?? null]))
  }

  // One pass at a time; a wish that arrives meanwhile is served by the next pass, not a parallel one.
  let busy = false
  let wantList = false
  let wantShow = false
  async function pump(): Promise<void> {
    if (busy) return
    busy = true
    try {
      while (wantList || wantShow) {
        if (wantList) {
          wantList = false
          await relist()
        }
        wantShow = false
        await show()
      }
    } finally {
      busy = false
    }
  }

  // Re-listing waits out the interval on a timer of its own, so moving the slider meanwhile is not held up.
  let lastList = -Infinity
  let timer: ReturnType<typeof setTimeout> | null = null
  function requestList(): void {
    if (timer !== null) return
    const run = (): void => {
      timer = null
      lastList = Date.now()
      wantList = true
      void pump()
    }
    const wait = lastList + MIN_REFRESH_MS - Date.now()
    if (wait <= 0) run()
    else timer = setTimeout(run, wait)
  }
  onScopeDispose(() => {
    if (timer !== null) clearTimeout(timer)
  })

  watch([ids, changed], requestList, { immediate: true })
  watch(epoch, () => {
    wantShow = true
    void pump()
  })

  return { common, epoch, chosen, mosaics }
}
