import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Example } from '../../../src-shared/contract'
import { getApi } from '../api'
import { useAppStore } from './app'

/** The example experiments from examples/: presets for the run form and the sweep editor. */
export const useExamplesStore = defineStore('examples', () => {
  const api = getApi()
  const list = ref<Example[]>([])
  const loaded = ref(false)
  let inFlight: Promise<void> | null = null

  function load(): Promise<void> {
    if (loaded.value || inFlight) return inFlight ?? Promise.resolve()
    inFlight = api['examples.list']()
      .then((l) => {
        list.value = l
        loaded.value = true
      })
      .catch((e: unknown) => useAppStore().reportError(e))
      .finally(() => (inFlight = null))
    return inFlight
  }

  const runs = computed(() => list.value.filter((e) => e.kind === 'run'))
  const sweeps = computed(() => list.value.filter((e) => e.kind === 'sweep'))

  return { list, loaded, load, runs, sweeps }
})
