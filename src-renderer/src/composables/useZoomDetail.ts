/**
 * Fetches main's finer buckets for zoomed charts: one runs.metrics call with a range per run, a moment
 * after the zoom settles (a wheel zoom fires many events), again when the smoothing changes, and while
 * a run trains, at most every two seconds. Answers to an older request than the latest are dropped.
 */
import { onBeforeUnmount, shallowRef, watch } from 'vue'
import type { MetricsRange, MetricsSeries } from '../../../src-shared/contract'
import { getApi } from '../api'
import { useAppStore } from '../stores/app'

const SETTLE_MS = 120
const LIVE_MS = 2000

export function useZoomDetail(
  /** Per run id, the window to fetch; null when no chart is zoomed. */
  requests: () => Record<string, MetricsRange> | null,
  smoothing: () => number,
  /** Changes when any of the runs' series grew. */
  version: () => number,
) {
  const api = getApi()
  const app = useAppStore()
  const details = shallowRef<Record<string, MetricsSeries>>({})
  let seq = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastFetch = 0

  async function fetchAll(): Promise<void> {
    timer = null
    const req = requests()
    const mine = ++seq
    if (!req) {
      details.value = {}
      return
    }
    lastFetch = Date.now()
    const weight = smoothing()
    const answers = await Promise.all(
      Object.entries(req).map(async ([id, range]) => {
        try {
          return [id, await api['runs.metrics'](id, { range, smoothing: weight })] as const
        } catch (e) {
          app.reportError(e)
          return null
        }
      }),
    )
    if (mine !== seq) return
    details.value = Object.fromEntries(answers.filter((a) => a !== null))
  }

  function schedule(ms: number): void {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => void fetchAll(), ms)
  }

  watch([() => JSON.stringify(requests()), smoothing], () => {
    if (requests() === null) {
      // Reset: the whole-run curve at once.
      if (timer !== null) clearTimeout(timer)
      void fetchAll()
    } else schedule(SETTLE_MS)
  })
  watch(version, () => {
    if (requests() === null || timer !== null) return
    schedule(Math.max(0, lastFetch + LIVE_MS - Date.now()))
  })
  onBeforeUnmount(() => {
    if (timer !== null) clearTimeout(timer)
    seq++
  })
  return details
}
