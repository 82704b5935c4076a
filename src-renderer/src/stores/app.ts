import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, Notice as StorageNotice } from '../../../src-shared/contract'
import { getApi, getTransport, toApiError, type ConnectionState } from '../api'
import { i18n } from '../i18n'
import { isLocale, saveLocale, type Locale } from '../i18n/locale'

export interface Notice {
  id: number
  /** Already translated, or an error message from main. */
  text: string
  kind: 'error' | 'info'
  /** A button on the notice (Undo after a delete); pressing it dismisses the notice. */
  action?: NoticeAction
}

export interface NoticeAction {
  label: string
  run: () => void
}

/** App-wide state: what main reports about itself, the connection, the language, and notices. */
export const useAppStore = defineStore('app', () => {
  const api = getApi()
  const transport = getTransport()
  const info = ref<AppInfo | null>(null)
  const connection = ref<ConnectionState>(transport.state())
  transport.onState((s) => (connection.value = s))

  const locale = ref<Locale>(isLocale(i18n.global.locale.value) ? i18n.global.locale.value : 'en')
  const applyLocale = (l: Locale): void => {
    i18n.global.locale.value = l
    if (typeof document !== 'undefined') document.documentElement.lang = l
  }
  applyLocale(locale.value)

  function setLocale(l: Locale): void {
    locale.value = l
    applyLocale(l)
    saveLocale(l)
  }

  const notices = ref<Notice[]>([])
  let nextNotice = 1
  function notify(
    text: string,
    kind: Notice['kind'] = 'info',
    timeoutMs = 6000,
    action?: NoticeAction,
  ): number {
    const id = nextNotice++
    notices.value.push(action ? { id, text, kind, action } : { id, text, kind })
    if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs)
    return id
  }
  /** The notice's action, once: the notice goes at the same time. */
  function act(id: number): void {
    const n = notices.value.find((x) => x.id === id)
    dismiss(id)
    n?.action?.run()
  }
  /** Background failures (a list that would not load, a cancel that failed) surface as a notice. */
  function reportError(e: unknown): void {
    notify(toApiError(e).message, 'error', 10_000)
  }
  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id)
  }

  /** The latest "cannot write the data folder" notice from main: a banner until dismissed. */
  const storage = ref<StorageNotice | null>(null)
  api.on('notice', (n) => {
    if (n.kind === 'storage') storage.value = n
  })
  function dismissStorage(): void {
    storage.value = null
  }

  async function load(): Promise<void> {
    try {
      info.value = await api['app.info']()
    } catch (e) {
      reportError(e)
    }
  }

  return {
    info,
    connection,
    locale,
    setLocale,
    notices,
    notify,
    act,
    reportError,
    dismiss,
    storage,
    dismissStorage,
    load,
  }
})
