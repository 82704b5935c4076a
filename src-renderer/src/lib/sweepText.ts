/**
 * The sweep builder's words: field labels (the single-run form's where it has one, so both forms say the
 * same), choice labels, and the builder's messages (lib/sweepValidate.ts) in the current language.
 */
import { useI18n } from 'vue-i18n'
import type { Msg } from './sweepValidate'
import { sweepField } from './sweepFields'

/** Config fields a sweep does not vary but whose problems it can show (in the base). */
const OTHER_FIELDS = new Set(['name', 'tags', 'notes'])

type T = (key: string, named?: Record<string, unknown>, plural?: number) => string

/** The words for a `t` and `te` (a component's, or the app instance's in tests). */
export function makeSweepText(t: T, te: (key: string) => boolean) {
  /** A config path's label: its field's name in either form, or the path itself for any other. */
  function fieldLabel(path: string): string {
    const kind = /^model\.kind:(.+)$/.exec(path)
    if (kind) return te(`form.kinds.${kind[1]}`) ? t(`form.kinds.${kind[1]}`) : (kind[1] as string)
    if (path === 'dataset.name') return t('form.dataset')
    if (path === 'model.kind') return t('form.kind')
    if (sweepField(path) || OTHER_FIELDS.has(path)) {
      const leaf = path.split('.').at(-1) ?? path
      if (te(`sweepForm.fields.${leaf}`)) return t(`sweepForm.fields.${leaf}`)
      if (te(`form.${leaf}`)) return t(`form.${leaf}`)
    }
    return path
  }

  /** A choice as the single-run form names it (update rules, normalizations); other values as written. */
  function optionLabel(path: string, value: unknown): string {
    const leaf = path.split('.').at(-1)
    if (leaf === 'updateRule' && te(`form.rules.${String(value)}`)) return t(`form.rules.${String(value)}`)
    if (leaf === 'normalization') {
      const key = `form.normalizations.${value === null ? 'none' : String(value)}`
      if (te(key)) return t(key)
    }
    if (value === null) return t('sweepForm.params.noValue')
    return String(value)
  }

  function msgText(msg: Msg): string {
    if ('raw' in msg) return msg.raw
    if ('label' in msg) return fieldLabel(msg.label)
    const params: Record<string, string | number> = {}
    for (const [k, v] of Object.entries(msg.params ?? {})) params[k] = typeof v === 'object' ? msgText(v) : v
    return t(`sweepForm.msg.${msg.key}`, params)
  }

  return { t, te, fieldLabel, optionLabel, msgText }
}

export function useSweepText() {
  const { t, te } = useI18n()
  return makeSweepText(t as T, (key) => te(key))
}
