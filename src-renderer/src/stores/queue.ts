import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import type { QueueState } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import { getApi, onReconnect, toApiError } from '../api'
import { useAppStore } from './app'
import { useRunsStore } from './runs'

/** The training queue: which runs train now and which wait, in order; cancel, resume and reorder. */
export const useQueueStore = defineStore('queue', () => {
  const api = getApi()
  const running = ref<string[]>([])
  const queued = ref<string[]>([])
  /** Runs with a cancel or resume in flight, so their buttons do not fire twice. */
  const busy = reactive(new Set<string>())
  /**
   * Runs whose resume main refused for want of a usable checkpoint (damaged or gone): their actions
   * offer a fresh restart from iteration 0 instead.
   */
  const freshOffers = reactive(new Set<string>())

  function apply(state: QueueState): void {
    running.value = state.running
    queued.value = state.queued
  }

  async function load(): Promise<void> {
    try {
      apply(await api['runs.queue']())
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  async function act(
    id: string,
    call: () => Promise<RunRecord>,
    onError: (e: unknown) => void = () => undefined,
  ): Promise<RunRecord | null> {
    if (busy.has(id)) return null
    busy.add(id)
    try {
      const run = await call()
      useRunsStore().applyRun(run)
      return run
    } catch (e) {
      onError(e)
      useAppStore().reportError(e)
      return null
    } finally {
      busy.delete(id)
    }
  }

  const cancel = (id: string): Promise<RunRecord | null> => act(id, () => api['runs.cancel'](id))
  const resume = (id: string): Promise<RunRecord | null> =>
    act(
      id,
      () => api['runs.resume'](id),
      (e) => {
        if (toApiError(e).code === 'no-checkpoint') freshOffers.add(id)
      },
    )
  /** Restarts from iteration 0: what a run without a usable checkpoint can still do. */
  async function resumeFresh(id: string): Promise<RunRecord | null> {
    const run = await act(id, () => api['runs.resume'](id, { fresh: true }))
    if (run) freshOffers.delete(id)
    return run
  }

  /** Moves a queued run to `index` among the queued runs. */
  async function reorder(id: string, index: number): Promise<void> {
    try {
      queued.value = await api['runs.reorder'](id, index)
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  api.on('queue', apply)
  onReconnect(() => void load())

  return { running, queued, busy, freshOffers, apply, load, cancel, resume, resumeFresh, reorder }
})
