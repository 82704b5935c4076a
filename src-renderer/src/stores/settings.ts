import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { SettingsInfo, SettingsPatch } from '../../../src-shared/settings'
import { getApi } from '../api'
import { useAppStore } from './app'

/**
 * The app's settings as main reports them (saved, current, defaults, what needs a restart) and whether
 * the first-run screen is due. Main validates every change; its field errors come back to the form.
 */
export const useSettingsStore = defineStore('settings', () => {
  const api = getApi()
  const info = ref<SettingsInfo | null>(null)
  /** settings.* is unavailable (an older main, or a process without settings): no first-run screen. */
  const unavailable = ref(false)
  let inFlight: Promise<void> | null = null

  function load(force = false): Promise<void> {
    if ((info.value && !force) || inFlight) return inFlight ?? Promise.resolve()
    inFlight = api['settings.get']()
      .then((i) => {
        info.value = i
        unavailable.value = false
      })
      .catch(() => {
        unavailable.value = true
      })
      .finally(() => (inFlight = null))
    return inFlight
  }

  /** Saves a change; rejects with main's ApiCallError (field errors under `patch.<name>`). */
  async function save(patch: SettingsPatch): Promise<SettingsInfo> {
    const next = await api['settings.set'](patch)
    info.value = next
    return next
  }

  async function dismissFirstRun(): Promise<void> {
    try {
      await save({ firstRunDismissed: true })
    } catch (e) {
      useAppStore().reportError(e)
    }
  }

  /** The desktop app's folder picker; null when cancelled. */
  function pickDataDir(): Promise<string | null> {
    return api['settings.pickDataDir']()
  }

  return { info, unavailable, load, save, dismissFirstRun, pickDataDir }
})
