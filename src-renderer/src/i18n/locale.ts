/** Which language the UI starts in: the one chosen before (localStorage), else the system's. */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]

const STORAGE_KEY = 'workbench.locale'

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

/** The stored choice if valid, else the first system language we have (any Chinese -> zh-CN), else en. */
export function pickLocale(stored: string | null, languages: readonly string[]): Locale {
  if (isLocale(stored)) return stored
  for (const lang of languages) {
    const l = lang.toLowerCase()
    if (l.startsWith('zh')) return 'zh-CN'
    if (l.startsWith('en')) return 'en'
  }
  return 'en'
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    // Storage can be disabled (privacy settings); the choice then lasts the session.
    return null
  }
}

export function initialLocale(): Locale {
  const nav =
    typeof navigator === 'undefined'
      ? []
      : navigator.languages?.length
        ? navigator.languages
        : [navigator.language]
  return pickLocale(storage()?.getItem(STORAGE_KEY) ?? null, nav)
}

export function saveLocale(locale: Locale): void {
  try {
    storage()?.setItem(STORAGE_KEY, locale)
  } catch {
    // Quota or disabled storage: not worth an error.
  }
}
