/**
 * A run's layer captures for the diagnosis card: runs.layers once per run, then the `layers` events while
 * it trains (only captures past the last one held, so a resume's replay is not counted twice), and a
 * fresh fetch after a lost connection, when events may have been missed. A run without captures, or a
 * main that cannot answer, leaves the list empty: the diagnosis then reads the curves alone.
 */
import { onBeforeUnmount, shallowRef, watch } from 'vue'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { getApi, onReconnect } from '../api'

export function useLayerCaptures(runId: () => string) {
  const api = getApi()
  const captures = shallowRef<readonly LayerCapture[]>([])
  let seq = 0

  async function load(id: string): Promise<void> {
    const mine = ++seq
    try {
      const series = await api['runs.layers'](id)
      if (mine === seq) captures.value = series.captures
    } catch {
      if (mine === seq) captures.value = []
    }
  }

  function append(added: readonly LayerCapture[]): void {
    const list = captures.value
    const last = list.length > 0 ? list[list.length - 1]!.iteration : -Infinity
    const fresh = added.filter((c) => c.iteration > last).sort((a, b) => a.iteration - b.iteration)
    if (fresh.length > 0) captures.value = [...list, ...fresh]
  }

  const offEvent = api.on('layers', (e) => {
    if (e.runId === runId()) append(e.captures)
  })
  const offReconnect = onReconnect(() => void load(runId()))
  watch(
    runId,
    (id) => {
      captures.value = []
      void load(id)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    seq++
    offEvent()
    offReconnect()
  })
  return captures
}
