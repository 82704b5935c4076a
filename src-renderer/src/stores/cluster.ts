import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ClusterInfo } from '../../../src-shared/contract'
import { getApi, onReconnect } from '../api'

/**
 * The cluster main sends runs to, if any (issue 16): asked once, kept current by the `cluster` event and
 * asked again after a reconnect. A main that cannot say (an older one) counts as having none, so the
 * "Train on" choice stays hidden.
 */
export const useClusterStore = defineStore('cluster', () => {
  const api = getApi()
  const info = ref<ClusterInfo>({ configured: false })
  let loading: Promise<void> | null = null

  api.on('cluster', (i) => (info.value = i))
  onReconnect(() => void refresh())

  async function refresh(): Promise<void> {
    try {
      info.value = await api['cluster.status']()
    } catch {
      info.value = { configured: false }
    }
  }
  /** The first time a view needs it. */
  function load(): Promise<void> {
    return (loading ??= refresh())
  }

  const configured = computed(() => info.value.configured)
  const workers = computed(() => (info.value.configured ? info.value.workers.length : 0))
  return { info, configured, workers, load, refresh }
})
