/** How speeds and finish times read: `5,412 it/s`, `0.05 it/s`, a clock time in the UI's language. */

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>()
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined
  if (!f) formatters.set(key, (f = make()))
  return f
}

/** Iterations per second: whole numbers from 100 up, three significant digits below. */
export function formatRate(rate: number, locale: string): string {
  const options: Intl.NumberFormatOptions =
    rate >= 100 ? { maximumFractionDigits: 0 } : { maximumSignificantDigits: 3 }
  return cached(`n:${locale}:${rate >= 100}`, () => new Intl.NumberFormat(locale, options)).format(rate)
}

/** The local time of day `at` (ms since 1970): 14:32, or 2:32 PM. */
export function formatClock(at: number, locale: string): string {
  return cached(
    `c:${locale}`,
    () => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }),
  ).format(at)
}
