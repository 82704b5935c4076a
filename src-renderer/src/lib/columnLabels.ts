/**
 * A column's header in the UI's language: the fixed columns' own words, a config field's label as the
 * run and sweep forms write it (lib/sweepText.ts), else its path.
 */
import { useI18n } from 'vue-i18n'
import { column } from './runColumns'
import { makeSweepText } from './sweepText'

type T = (key: string, named?: Record<string, unknown>) => string

export function makeColumnLabel(t: T, te: (key: string) => boolean) {
  const { fieldLabel, optionLabel } = makeSweepText(t, te)
  function label(key: string): string {
    if (te(`columns.${key}`)) return t(`columns.${key}`)
    if (te(`runsTable.columns.${key}`)) return t(`runsTable.columns.${key}`)
    const path = column(key)?.path
    return path ? fieldLabel(path) : key
  }
  /** The header's tooltip: what the short header stands for, and a config column's path. */
  function title(key: string): string {
    if (te(`runsTable.columnTitles.${key}`)) return t(`runsTable.columnTitles.${key}`)
    const path = column(key)?.path
    return path && key.startsWith('config:') ? path : label(key)
  }
  return { label, title, optionLabel }
}

export function useColumnLabel() {
  const { t, te } = useI18n()
  return makeColumnLabel(t as T, (key) => te(key))
}
