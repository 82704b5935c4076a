/**
 * How runs' numbers read in tables and headers. Numbers, durations and dates follow the UI's language
 * through Intl, so every function takes the locale; hyperparameters stay in the `1e-3` notation the
 * configs and sweep names use. The named formats are the same ones vue-i18n's n() and d() use.
 */
import type { ModelConfig } from '../../../src-shared/config'
import type { RunRecord } from '../../../src-shared/runs'
import * as modelWords from '../i18n/features/labels'

/** Named number formats, for vue-i18n's numberFormats as well as the functions below. */
export const NUMBER_FORMATS = {
  percent: { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 },
  decimal: { style: 'decimal', maximumFractionDigits: 2 },
  compact: { notation: 'compact', maximumFractionDigits: 1 },
} satisfies Record<string, Intl.NumberFormatOptions>

/** Named date formats: short for tables and headers, long where there is room (and a tooltip). */
export const DATETIME_FORMATS = {
  short: { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  long: {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  },
} satisfies Record<string, Intl.DateTimeFormatOptions>

export type DateStyle = keyof typeof DATETIME_FORMATS

// Building an Intl formatter costs far more than using one, and a table formats thousands of cells.
const numberFormatters = new Map<string, Intl.NumberFormat>()
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}\n${JSON.stringify(options)}`
  let f = numberFormatters.get(key)
  if (!f) numberFormatters.set(key, (f = new Intl.NumberFormat(locale, options)))
  return f
}

type ModelWord = keyof typeof modelWords.en.model
/** vue-i18n's `t`, or anything that fills the same messages. */
export type Translate = (key: string, named: Record<string, unknown>) => string

/** The English messages filled in by hand: the summary the filter box matches and tests read. */
const english: Translate = (key, named) => {
  const word = key.slice('labels.model.'.length) as ModelWord
  return modelWords.en.model[word].replace(/\{(\w+)\}/g, (_, k: string) => String(named[k]))
}

/**
 * `2-layer 50`, `fc 100-100 bn`, `fc 200 ln keep 0.5`: the architecture at a glance, in the UI's
 * language when given its `t` (`两层 50`).
 */
export function modelSummary(model: ModelConfig, t: Translate = english): string {
  const w = (word: ModelWord, named: Record<string, unknown> = {}): string => t(`labels.model.${word}`, named)
  if (model.kind === 'two-layer') return w('twoLayer', { hidden: model.hiddenDim })
  if (model.kind === 'three-layer-conv')
    return w('conv', { filters: model.numFilters, size: model.filterSize, hidden: model.hiddenDim })
  const parts = [w('fc', { dims: model.hiddenDims.join('-') || '0' })]
  if (model.normalization === 'batchnorm') parts.push(w('batchnorm'))
  if (model.normalization === 'layernorm') parts.push(w('layernorm'))
  if (model.dropoutKeepRatio < 1) parts.push(w('keep', { p: model.dropoutKeepRatio }))
  return parts.join(' ')
}

/** Hyperparameters such as 1e-3 or 0.95, short enough for a table cell (shared with the reports). */
export { formatHyper } from '../../../src-shared/hyperFormat'

/** An accuracy (0..1) as a percentage: 85.2% (the sign's position and spacing are the locale's). */
export function formatPercent(v: number | null | undefined, locale: string, digits = 1): string {
  if (v == null || !Number.isFinite(v)) return '—'
  const options = { ...NUMBER_FORMATS.percent, minimumFractionDigits: digits, maximumFractionDigits: digits }
  return numberFormat(locale, options).format(v)
}

/** Four significant digits; scientific notation once a diverging loss grows past 10^4. */
export function formatLoss(v: number | null | undefined, locale: string): string {
  if (v == null) return '—'
  if (!Number.isFinite(v)) return String(v)
  const options: Intl.NumberFormatOptions =
    Math.abs(v) >= 1e4
      ? { notation: 'scientific', maximumFractionDigits: 2 }
      : { minimumSignificantDigits: 4, maximumSignificantDigits: 4 }
  return numberFormat(locale, options).format(v)
}

/** Counts (iterations, samples, runs) with the locale's digit grouping: 12,000. */
export function formatCount(v: number | null | undefined, locale: string): string {
  return v == null || !Number.isFinite(v) ? '—' : numberFormat(locale, NUMBER_FORMATS.decimal).format(v)
}

/** Large counts in the locale's short form: 49K in English, 4.9万 in Chinese. */
export function formatCompact(v: number | null | undefined, locale: string): string {
  return v == null || !Number.isFinite(v) ? '—' : numberFormat(locale, NUMBER_FORMATS.compact).format(v)
}

/** 850ms, 42s, 3m 05s, 1h 02m in English; 42秒, 3分钟05秒 in Chinese (shared with the reports). */
export { formatDuration } from '../../../src-shared/durationFormat'

/** Training time (the sum of its attempts, see src-shared/runTiming.ts); null before it starts. */
export { runDurationMs } from '../../../src-shared/runTiming'

/** 0..1 through the run's iterations (1 once completed, whatever the counters say). */
export function progressFraction(run: RunRecord): number {
  if (run.status === 'completed') return 1
  const { iteration, numIterations } = run.progress
  return numIterations > 0 ? Math.min(1, Math.max(0, iteration / numIterations)) : 0
}

/** A timestamp in the local time zone; an unparsable one is shown as stored rather than hidden. */
export function formatDate(
  iso: string | null | undefined,
  locale: string,
  style: DateStyle = 'short',
): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(locale, DATETIME_FORMATS[style]).format(d)
}
