import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { DatasetSummary } from '../../../src-shared/contract'
import { getApi } from '../api'
import { useAppStore } from './app'

export const useDatasetsStore = defineStore('datasets', () => {
  const api = getApi()
  const list = ref<DatasetSummary[]>([])
  const loaded = ref(false)
  let inFlight: Promise<void> | null = null

  /** Loads once; `force` refreshes (after an import, say). */
  function load(force = false): Promise<void> {
    if ((loaded.value && !force) || inFlight) return inFlight ?? Promise.resolve()
    inFlight = api['datasets.list']()
      .then((l) => {
        list.value = l
        loaded.value = true
      })
      .catch((e: unknown) => useAppStore().reportError(e))
      .finally(() => (inFlight = null))
    return inFlight
  }

  const byName = computed(() => new Map(list.value.map((d) => [d.name, d])))

  return { list, loaded, load, byName }
})
