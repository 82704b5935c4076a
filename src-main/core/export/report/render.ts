/** The report as one self-contained HTML page, from runs already read (pure apart from the clock). */
import pkg from '../../../../package.json'
import type { MosaicData } from '../../../../src-shared/contract'
import type { LayerCapture } from '../../../../src-shared/layerStats'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import { layersSection } from './layers'
import {
  accuracyChart,
  EMA_WEIGHT,
  lossChart,
  lossNeedsLog,
  MAX_LEGEND,
  reportLegend,
  seriesColor,
  type ChartRun,
} from './charts'
import { formats, type Formats } from './format'
import { esc, page } from './html'
import { translator, type Translate } from './messages'
import { runDurationMs } from '../../../../src-shared/runTiming'
import { blewUp, diagnosisNotes } from './diagnosis'
import { groupedChartsSection, groupsSection, reportGroups } from './groups'
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
  /**
   * Layer dynamics (issue 15): the run's captures as read for the report (the Layer dynamics section and
   * evidence for the diagnosis); absent or empty: none.
   */
  layers?: LayerCapture[]
  /** How many captures the run has, when `layers` is a thinned selection of them. */
  layersTotal?: number
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
    notes: options.notes?.[r.record.id] ?? diagnosisNotes(r.record, r.metrics, locale, r.layers),
    blewUp: blewUp(r.record, r.metrics),
    color: seriesColor(i),
    duration: duration(r.record, r.metrics, now.getTime()),
  }))
  const single = runs.length === 1
  const group = single ? undefined : options.group
  // A run's swatch in the tables is its group's colour, the one its group's line has in the figures.
  if (group) for (const g of reportGroups(runs, group)) for (const r of g.runs) r.color = g.color
  const title = single
    ? t('titleOne', { name: runs[0]!.record.config.name })
    : t('titleMany', { count: f.integer(runs.length) })

  const body = [
    `<header><h1>${esc(title)}</h1>`,
    `<p class="meta">${esc(t('generated', { date: f.date(now), version: pkg.version }))}</p></header>`,
    `<section id="results"><h2>${esc(t('results'))}</h2>${resultsTable(runs, t, f)}</section>`,
    group ? groupsSection(runs, group, f) : '',
    userNotesSection(runs, t),
    group
      ? groupedChartsSection(runs, group, t, f, options.smoothing ?? EMA_WEIGHT)
      : chartsSection(runs, t, f, options.smoothing ?? EMA_WEIGHT),
    layersSection(runs, t, f),
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

/**
 * The time the UI shows for the run (its attempts, src-shared/runTiming.ts); records from before
 * attempts were timed are measured from their log's stamps.
 */
function duration(record: RunInput['record'], metrics: MetricEvent[], now: number): number | null {
  return record.activeMs !== undefined ? runDurationMs(record, now) : trainingDuration(record, metrics, now)
}

/** At most this many runs are named in a caption; the rest are counted. */
const CAPTION_NAMES = 3

function chartsSection(runs: ReportRun[], t: Translate, f: Formats, smoothing: number): string {
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
  const lossCaption = [
    smoothing > 0 ? t('lossCaption', { weight: f.number(smoothing) }) : t('lossCaptionRaw'),
    lossNeedsLog(chartRuns) ? t('lossLogScale') : '',
    blownUpNote(runs, t, f),
  ]
    .filter(Boolean)
    .join(' ')
  const key = legendKey(chartRuns, t)
  return [
    `<section id="charts"><h2>${esc(t('charts'))}</h2>${legendNote}`,
    // Headings inside the figures, which do not break across pages, so a heading never ends a page.
    `<figure class="chart"><h3>${esc(t('lossChart'))}</h3>${lossChart(chartRuns, t, f, smoothing)}`,
    `<figcaption class="caption">${esc(lossCaption)}</figcaption></figure>`,
    `<figure class="chart"><h3>${esc(t('accuracyChart'))}</h3>${accuracyChart(chartRuns, t, f)}`,
    `<figcaption class="caption">${esc(t('accuracyCaption'))}</figcaption></figure>${key}</section>`,
  ].join('\n')
}

/** "A run blew up: x." only when one did (diverged or exploded), naming it. */
function blownUpNote(runs: ReportRun[], t: Translate, f: Formats): string {
  const names = runs.filter((r) => r.blewUp).map((r) => r.record.config.name)
  if (names.length === 0) return ''
  const shown = names.slice(0, CAPTION_NAMES).join(', ')
  const more = names.length - CAPTION_NAMES
  const list = more > 0 ? t('andMore', { names: shown, count: f.integer(more) }) : shown
  return t(names.length === 1 ? 'blewUpOne' : 'blewUpMany', { names: list })
}

/** The full names of the legend entries cut short, under the figures (empty when none was cut). */
function legendKey(runs: ChartRun[], t: Translate): string {
  const cut = reportLegend(runs)?.entries.filter((e) => e.truncated) ?? []
  if (cut.length === 0) return ''
  const rows = cut.map(
    (e) =>
      `<tr><td><span class="swatch" style="background:${esc(e.color)}"></span>${esc(e.label)}</td>` +
      `<td>${esc(e.name)}</td></tr>`,
  )
  return (
    `<table class="legend-key"><caption class="caption">${esc(t('legendKey'))}</caption>` +
    `<thead><tr><th>${esc(t('legendLabel'))}</th><th>${esc(t('run'))}</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  )
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
