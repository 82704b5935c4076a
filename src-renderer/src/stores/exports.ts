/**
 * Files made by main for the user to keep: reports (HTML, PDF), metrics (CSV, JSON) and checkpoints.
 * Main builds them; this store asks, saves the result as a download and reports failures as notices.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ExportedFile, ExportFormat, ExportOptions } from '../../../src-shared/contract'
import { cliExportCommand, MAX_API_EXPORT_BYTES } from '../../../src-shared/exportLimit'
import { getApi, toApiError } from '../api'
import { i18n } from '../i18n'
import { saveFile } from '../lib/download'
import { useAppStore } from './app'

export const useExportsStore = defineStore('exports', () => {
  const api = getApi()
  /** Keys of exports in flight, so their buttons wait instead of asking twice. */
  const pending = ref<string[]>([])

  async function produce(
    key: string,
    make: () => Promise<ExportedFile>,
    tooLarge?: () => string,
  ): Promise<boolean> {
    if (pending.value.includes(key)) return false
    pending.value = [...pending.value, key]
    const app = useAppStore()
    try {
      const file = await make()
      saveFile(file)
      app.notify(i18n.global.t('compare.exports.saved', { name: file.fileName }))
      return true
    } catch (e) {
      if (tooLarge && toApiError(e).code === 'too-large') app.notify(tooLarge(), 'error', 30_000)
      else app.reportError(e)
      return false
    } finally {
      pending.value = pending.value.filter((k) => k !== key)
    }
  }

  /**
   * A report or the metrics of `ids`, reports in the language the UI is shown in and with the loss
   * smoothing of the view they come from (its slider), so the report draws what the view showed;
   * `view.group` draws a report's curves grouped as the compare view shows them.
   */
  function exportRuns(
    ids: string[],
    format: ExportFormat,
    view: Pick<ExportOptions, 'group' | 'smoothing'> = {},
  ): Promise<boolean> {
    const app = useAppStore()
    const locale = app.locale
    // Metrics too long to hand over in one message: the same command main names, in the UI's language.
    const tooLarge = () =>
      i18n.global.t('compare.exports.tooLarge', {
        limit: Math.round(MAX_API_EXPORT_BYTES / 2 ** 20),
        command: cliExportCommand(ids, format, app.info?.dataDir),
      })
    const report = format === 'html' || format === 'pdf'
    const options: ExportOptions = { locale }
    if (report && view.smoothing !== undefined) options.smoothing = view.smoothing
    if (view.group) options.group = view.group
    return produce(`${format}:${ids.join(',')}`, () => api['runs.export'](ids, format, options), tooLarge)
  }

  function exportCheckpoint(id: string): Promise<boolean> {
    return produce(`checkpoint:${id}`, () => api['runs.exportCheckpoint'](id))
  }

  /** Whether any export of these runs is in flight. */
  function busy(ids: string[]): boolean {
    const tail = ids.join(',')
    return pending.value.some((k) => k.slice(k.indexOf(':') + 1) === tail)
  }

  return { pending, exportRuns, exportCheckpoint, busy }
})
