/**
 * Sanity checks of the New Run form's config (checks.run): the latest report and the config it was run
 * on. Queuing that same config sends it with the report's seed, so main finds the report and stores it
 * with the run (see src-main/core/checks.ts).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { SanityReport } from '../../../src-shared/sanity'
import { getApi, toApiError } from '../api'
import type { ApiError } from '../../../src-shared/contract'

/** The config as JSON without the fields the checks ignore (main's key ignores them too). */
function keyOf(config: unknown): string {
  if (typeof config !== 'object' || config === null) return JSON.stringify(config)
  const { name: _n, tags: _t, notes: _o, ...rest } = config as Record<string, unknown>
  return JSON.stringify(rest)
}

export const useChecksStore = defineStore('checks', () => {
  const api = getApi()
  const report = ref<SanityReport | null>(null)
  /** The config the report belongs to, as JSON (a form edit makes the report stale). */
  const checkedJson = ref<string | null>(null)
  const pending = ref(false)
  const error = ref<ApiError | null>(null)

  /** Runs the checks; on failure `error` holds the API error (field errors included). */
  async function run(config: unknown): Promise<SanityReport | null> {
    if (pending.value) return null
    pending.value = true
    error.value = null
    try {
      const r = await api['checks.run'](config)
      report.value = r
      checkedJson.value = keyOf(config)
      return r
    } catch (e) {
      error.value = toApiError(e)
      return null
    } finally {
      pending.value = false
    }
  }

  /** Whether the report belongs to this config (its name, tags and notes aside). */
  function isFor(config: unknown): boolean {
    return report.value !== null && checkedJson.value === keyOf(config)
  }

  /**
   * The config to queue: with the checked seed when the report is for it and it names no seed (the
   * checks drew one), so that the run is the checked one and its report is kept.
   */
  function forQueue<T>(config: T): T {
    if (!isFor(config) || typeof config !== 'object' || config === null) return config
    if ((config as { seed?: unknown }).seed !== undefined) return config
    return { ...config, seed: report.value!.seed }
  }

  function clear(): void {
    report.value = null
    checkedJson.value = null
    error.value = null
  }

  return { report, pending, error, run, isFor, forQueue, clear }
})
