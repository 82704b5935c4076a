/**
 * Numbers, percentages, dates and durations in the report's locale (Intl), built once per report: the
 * formatters are slow to construct and a 200-run report formats thousands of cells.
 */
import { formatDuration } from '../../../../src-shared/durationFormat'
import type { ReportLocale } from './messages'

export interface Formats {
  locale: ReportLocale
  percent(x: number | null | undefined): string
  integer(x: number): string
  /** Up to 4 significant digits: losses and config values read at a glance. */
  number(x: number): string
  date(iso: string | Date): string
  /** A duration in milliseconds, as the UI shows it (src-shared/durationFormat.ts). */
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
  return {
    locale,
    percent: (x) => (x === null || x === undefined || !Number.isFinite(x) ? none : percent.format(x)),
    integer: (x) => integer.format(x),
    number: (x) => (Number.isFinite(x) ? number.format(x) : String(x)),
    date: (d) => date.format(typeof d === 'string' ? new Date(d) : d),
    duration: (ms) => formatDuration(ms, locale, none),
  }
}
