/**
 * Numbers, percentages, dates and durations in the report's locale (Intl), built once per report: the
 * formatters are slow to construct and a 200-run report formats thousands of cells.
 */
import type { ReportLocale } from './messages'

export interface Formats {
  locale: ReportLocale
  percent(x: number | null | undefined): string
  integer(x: number): string
  /** Up to 4 significant digits: losses and config values read at a glance. */
  number(x: number): string
  date(iso: string | Date): string
  /** A duration in milliseconds as hours, minutes and seconds. */
  duration(ms: number): string
}

export function formats(locale: ReportLocale, none = '—'): Formats {
  const percent = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  })
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
  const number = new Intl.NumberFormat(locale, { maximumSignificantDigits: 4 })
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  const unit = (u: 'hour' | 'minute' | 'second', digits = 0) =>
    new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: u,
      unitDisplay: 'short',
      maximumFractionDigits: digits,
    })
  const hours = unit('hour')
  const minutes = unit('minute')
  const seconds = unit('second')
  const fractionalSeconds = unit('second', 1)
  // Chinese writes units without spaces between them ("1分5秒").
  const join = locale === 'zh-CN' ? '' : ' '
  return {
    locale,
    percent: (x) => (x === null || x === undefined || !Number.isFinite(x) ? none : percent.format(x)),
    integer: (x) => integer.format(x),
    number: (x) => (Number.isFinite(x) ? number.format(x) : String(x)),
    date: (d) => date.format(typeof d === 'string' ? new Date(d) : d),
    duration: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) return none
      const s = ms / 1000
      if (s < 60) return fractionalSeconds.format(s)
      const total = Math.round(s)
      const h = Math.floor(total / 3600)
      const m = Math.floor((total % 3600) / 60)
      const sec = total % 60
      if (h > 0) return [hours.format(h), minutes.format(m)].join(join)
      return [minutes.format(m), seconds.format(sec)].join(join)
    },
  }
}
