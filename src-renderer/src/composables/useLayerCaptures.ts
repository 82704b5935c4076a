/**
 * A run's layer captures for the diagnosis card, from the same store the Layers panel reads (one fetch of
 * runs.layers per run, kept live by the `layers` events and refetched after a lost connection). A run
 * without captures, or a main that cannot answer, gives an empty list: the diagnosis then reads the
 * curves alone.
 */
import { computed, watch, type ComputedRef } from 'vue'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { useLayersStore } from '../stores/layers'

export function useLayerCaptures(runId: () => string): ComputedRef<readonly LayerCapture[]> {
  const layers = useLayersStore()
  watch(runId, (id) => void layers.load(id), { immediate: true })
  return computed(() => layers.of(runId()).captures)
}
