/** The report as one self-contained HTML page, from runs already read (pure apart from the clock). */
import pkg from '../../../../package.json'
import type { MosaicData } from '../../../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import {
  accuracyChart,
  EMA_WEIGHT,
  lossChart,
  lossNeedsLog,
  MAX_LEGEND,
  seriesColor,
  type ChartRun,
} from './charts'
import { formats, type Formats } from './format'
import { esc, page } from './html'
import { translator, type Translate } from './messages'
import { diagnosisNotes } from './diagnosis'
import { mosaicPng } from './mosaicPng'
import { curves, trainingDuration, type LossColumns } from './series'
import { configSection, confusionTable, notesSection, resultsTable, userNotesSection } from './tables'
import type { ReportOptions, ReportRun } from './types'

/** Mosaics beyond this many runs would make a 200-run report tens of megabytes of pictures. */
export const MAX_MOSAICS = 24
/** Displayed tile size: the 28- or 32-pixel originals are too small to read at 1:1. */
const MOSAIC_DISPLAY_WIDTH = 220

export interface RunInput {
  record: RunRecord
  metrics: MetricEvent[]
  /** Per loss point of `metrics`: the smoothed loss (over every step) and its lowest and highest step. */
  loss?: LossColumns
  mosaic: MosaicData | null
  /** Why there is no mosaic although the run saved weights: every snapshot is damaged. */
  mosaicProblem?: string
}

export function renderReport(inputs: RunInput[], options: ReportOptions = {}): string {
  if (inputs.length === 0) throw new RangeError('a report needs at least one run')
  const locale = options.locale ?? 'en'
  const t = translator(locale)
  const f = formats(locale, t('none'))
  const now = options.now ?? new Date()
  const runs: ReportRun[] = inputs.map((r, i) => ({
    ...r,
    notes: options.notes?.[r.record.id] ?? diagnosisNotes(r.record, r.metrics, locale),
    color: seriesColor(i),
    duration: trainingDuration(r.record, r.metrics, now.getTime()),
  }))
  const single = runs.length === 1
  const title = single
    ? t('titleOne', { name: runs[0]!.record.config.name })
    : t('titleMany', { count: f.integer(runs.length) })

  const body = [
    `<header><h1>${esc(title)}</h1>`,
    `<p class="meta">${esc(t('generated', { date: f.date(now), version: pkg.version }))}</p></header>`,
    `<section id="results"><h2>${esc(t('results'))}</h2>${resultsTable(runs, t, f)}</section>`,
    userNotesSection(runs, t),
    chartsSection(runs, t, f),
    notesSection(runs, t),
    `<section id="config"><h2>${esc(t('config'))}</h2>${configSection(runs, t)}</section>`,
    mosaicsSection(runs, t),
    single
      ? `<section id="confusion"><h2>${esc(t('confusion'))}</h2>` +
        `<p class="caption">${esc(t('confusionCaption'))}</p>${confusionTable(runs[0]!, t, f)}</section>`
      : '',
  ]
  return page(locale, title, body.filter(Boolean).join('\n'))
}

function chartsSection(runs: ReportRun[], t: Translate, f: Formats): string {
  const chartRuns: ChartRun[] = runs.map((r) => ({
    name: r.record.config.name,
    color: r.color,
    curves: curves(r.metrics, r.loss),
  }))
  if (chartRuns.every((r) => r.curves.iterations.length === 0 && r.curves.epochs.length === 0)) {
    return `<section id="charts"><h2>${esc(t('charts'))}</h2><p class="meta">${esc(t('noMetrics'))}</p></section>`
  }
  const legendNote =
    runs.length > MAX_LEGEND
      ? `<p class="caption">${esc(t('legendCapped', { count: f.integer(runs.length) }))}</p>`
      : ''
  const weight = f.number(EMA_WEIGHT)
  const logNote = lossNeedsLog(chartRuns) ? ` ${esc(t('lossLogScale'))}` : ''
  return [
    `<section id="charts"><h2>${esc(t('charts'))}</h2>${legendNote}`,
    // Headings inside the figures, which do not break across pages, so a heading never ends a page.
    `<figure class="chart"><h3>${esc(t('lossChart'))}</h3>${lossChart(chartRuns, t, f)}`,
    `<figcaption class="caption">${esc(t('lossCaption', { weight }))}${logNote}</figcaption></figure>`,
    `<figure class="chart"><h3>${esc(t('accuracyChart'))}</h3>${accuracyChart(chartRuns, t, f)}`,
    `<figcaption class="caption">${esc(t('accuracyCaption'))}</figcaption></figure></section>`,
  ].join('\n')
}

function mosaicsSection(runs: ReportRun[], t: Translate): string {
  const shown = runs.slice(0, MAX_MOSAICS)
  const figures = shown.map((r) => {
    const name = runs.length > 1 ? `<strong>${esc(r.record.config.name)}</strong><br>` : ''
    if (!r.mosaic) {
      const why = r.mosaicProblem ? t('mosaicUnreadable') : t('noMosaic')
      return `<figure class="mosaic"><figcaption>${name}${esc(why)}</figcaption></figure>`
    }
    const damaged = r.mosaic.damagedEpochs
    const note =
      damaged.length > 0
        ? `<br><span class="damaged">${esc(t('mosaicDamaged', { epochs: damaged.join(', ') }))}</span>`
        : ''
    const png = mosaicPng(r.mosaic)
    if (!png) {
      const shape = r.mosaic.shape.join(' × ')
      return `<figure class="mosaic"><figcaption>${name}${esc(t('mosaicUnsupported', { shape }))}</figcaption></figure>`
    }
    const width = Math.max(png.width, Math.min(MOSAIC_DISPLAY_WIDTH, png.width * 4))
    const height = Math.round((png.height * width) / png.width)
    return (
      `<figure class="mosaic"><img src="${png.dataUri}" width="${width}" height="${height}" ` +
      `alt="${esc(t('mosaics'))}"><figcaption>${name}` +
      `${esc(t('mosaicCaption', { epoch: r.mosaic.epoch }))}${note}</figcaption></figure>`
    )
  })
  const capped =
    runs.length > shown.length
      ? `<p class="caption">${esc(t('mosaicsCapped', { shown: shown.length, count: runs.length }))}</p>`
      : ''
  return `<section id="mosaics"><h2>${esc(t('mosaics'))}</h2>${capped}<div class="mosaics">${figures.join('')}</div></section>`
}
