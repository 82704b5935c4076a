import { createI18n } from 'vue-i18n'
import en from './en'
import zhCN from './zh-CN'
import { initialLocale, type Locale } from './locale'

export type MessageSchema = typeof en

export function createAppI18n(locale: Locale = initialLocale()) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    // Messages hold < and > (filter examples) and are never rendered as HTML.
    warnHtmlMessage: false,
    messages: { en, 'zh-CN': zhCN },
  })
}

/** The app's one instance; stores switch its locale. */
export const i18n = createAppI18n()
