/**
 * The sans-serif font list of the UI and the reports: Latin system fonts, then a font with Chinese
 * glyphs on every system (macOS PingFang / Hiragino, Windows Microsoft YaHei, Linux Noto Sans CJK /
 * Source Han Sans / WenQuanYi). Without any of them installed Chinese text shows as boxes; README says
 * what to install (Debian/Ubuntu: fonts-noto-cjk). src-renderer/src/styles/base.css holds the same list.
 */
export const SANS_FONTS = [
  'system-ui',
  '-apple-system',
  'Segoe UI',
  'Roboto',
  'Noto Sans',
  'Helvetica Neue',
  'Arial',
  'PingFang SC',
  'Hiragino Sans GB',
  'Microsoft YaHei',
  'Noto Sans CJK SC',
  'Noto Sans SC',
  'Source Han Sans SC',
  'Source Han Sans CN',
  'WenQuanYi Micro Hei',
  'WenQuanYi Zen Hei',
  'sans-serif',
] as const

const GENERIC = new Set(['system-ui', '-apple-system', 'sans-serif'])

/** As a CSS `font-family` value, names with spaces quoted ("'Segoe UI'"). */
export function fontStack(quote: "'" | '"' = "'"): string {
  return SANS_FONTS.map((f) => (GENERIC.has(f) || !/\s/.test(f) ? f : `${quote}${f}${quote}`)).join(', ')
}
