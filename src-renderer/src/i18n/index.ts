import { createI18n } from 'vue-i18n'
import en from './en'
import zhCN from './zh-CN'
import { initialLocale, type Locale } from './locale'
import { DATETIME_FORMATS, NUMBER_FORMATS } from '../lib/format'

export type MessageSchema = typeof en

export function createAppI18n(locale: Locale = initialLocale()) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    // Messages hold < and > (filter examples) and are never rendered as HTML.
    warnHtmlMessage: false,
    messages: { en, 'zh-CN': zhCN },
    // The same named formats in both languages: Intl supplies each locale's digits, units and dates.
    numberFormats: { en: NUMBER_FORMATS, 'zh-CN': NUMBER_FORMATS },
    datetimeFormats: { en: DATETIME_FORMATS, 'zh-CN': DATETIME_FORMATS },
  })
}

/** The app's one instance; stores switch its locale. */
export const i18n = createAppI18n()
