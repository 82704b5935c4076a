import { useI18n } from 'vue-i18n'
import type { Example } from '../../../src-shared/contract'

/**
 * The examples the app ships are named in the UI's language (labels.presets, by file); any other file
 * by the name it carries. Both the run and the sweep preset menus use it, so they never disagree.
 */
export function usePresetLabel(): (ex: Example) => string {
  const { t, te } = useI18n()
  return (ex) => {
    const key = `labels.presets.${ex.file.replace(/\.json$/, '')}`
    return te(key) ? t(key) : ex.name
  }
}
