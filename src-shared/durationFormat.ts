/**
 * A run's training time as the UI and the reports show it: 850ms, 42s, 3m 05s, 1h 02m in English;
 * 42秒, 3分钟05秒 in Chinese. One formatter, so a report says what the run's page says.
 */

// Building an Intl formatter costs far more than using one, and a table formats thousands of cells.
const unitFormats = new Map<string, Intl.NumberFormat>()
function unitFormat(locale: string, unit: string, pad: boolean): Intl.NumberFormat {
  const key = `${locale}\n${unit}\n${pad}`
  let f = unitFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit,
      unitDisplay: 'narrow',
      minimumIntegerDigits: pad ? 2 : 1,
    })
    unitFormats.set(key, f)
  }
  return f
}

const listFormats = new Map<string, Intl.ListFormat>()

/** `ms` in the locale's narrow units; `none` (default —) for a missing or negative time. */
export function formatDuration(ms: number | null | undefined, locale: string, none = '—'): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return none
  const unit = (u: string, v: number, pad = false): string => unitFormat(locale, u, pad).format(v)
  if (ms < 1000) return unit('millisecond', Math.round(ms))
  const s = Math.round(ms / 1000)
  if (s < 60) return unit('second', s)
  const parts =
    s < 3600
      ? [unit('minute', Math.floor(s / 60)), unit('second', s % 60, true)]
      : [unit('hour', Math.floor(s / 3600)), unit('minute', Math.floor((s % 3600) / 60), true)]
  // The list format knows whether the locale puts a space between the parts.
  let list = listFormats.get(locale)
  if (!list) listFormats.set(locale, (list = new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' })))
  return list.format(parts)
}
