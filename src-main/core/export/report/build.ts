/** Reads runs through the Workbench facade and renders their report. */
import { METRICS_POINTS_DEFAULT, type MetricsSeries } from '../../../../src-shared/contract'
import type { MetricEvent } from '../../../../src-shared/runs'
import { inIterationOrder, seriesReader } from '../../store/metricsRead'
import { StoreError } from '../../store/errors'
import type { Workbench } from '../../workbench'
import { EMA_WEIGHT } from './charts'
import { readLayerCaptures } from './layers'
import { MAX_MOSAICS, renderReport, type RunInput } from './render'
import type { ReportOptions } from './types'

/**
 * The Workbench methods a report reads (tests pass a fake with just these); with `store`, the runs'
 * layer captures too, for the diagnosis.
 */
export type ReportSource = Pick<Workbench, 'getRun' | 'readMetricsWith' | 'mosaic'> & {
  store?: Pick<Workbench['store'], 'runDir'>
}

/**
 * A report's charts are 720 pixels wide and its diagnosis judges the curve the run page shows, so it
 * reads the same bounded series as the UI: a report of a 7.5M-iteration run reads a few thousand points.
 */
const REPORT_POINTS = METRICS_POINTS_DEFAULT

/**
 * Every id is read before anything is rendered, so an unknown id fails fast with the core's not-found.
 * Mosaics (a megabyte or more each) are read only for the first `mosaics` runs, the ones a report shows.
 */
export async function loadReportRuns(
  wb: ReportSource,
  ids: readonly string[],
  mosaics: number = MAX_MOSAICS,
  smoothing: number = EMA_WEIGHT,
): Promise<RunInput[]> {
  const unique = [...new Set(ids)]
  return Promise.all(
    unique.map(async (id, i) => {
      const record = await wb.getRun(id)
      const [series, mosaic, layers] = await Promise.all([
        // Smoothed by main over every logged step, before the steps are bucketed (as in the UI).
        wb.readMetricsWith(id, seriesReader({ maxPoints: REPORT_POINTS, smoothing })),
        i < mosaics ? readMosaic(wb, id) : Promise.resolve({ mosaic: null }),
        wb.store ? readLayerCaptures(wb.store.runDir(id)) : Promise.resolve([]),
      ])
      const input: RunInput = { record, metrics: seriesEvents(series), loss: lossColumns(series), ...mosaic }
      return layers.length > 0 ? { ...input, layers } : input
    }),
  )
}

/** Damaged weights cost the report that run's picture, not the report. */
async function readMosaic(
  wb: ReportSource,
  id: string,
): Promise<{ mosaic: RunInput['mosaic']; mosaicProblem?: string }> {
  try {
    return { mosaic: await wb.mosaic(id) }
  } catch (e) {
    if (e instanceof StoreError && e.code === 'corrupt') return { mosaic: null, mosaicProblem: e.message }
    throw e
  }
}

export async function buildReport(
  wb: ReportSource,
  ids: readonly string[],
  options: ReportOptions = {},
): Promise<string> {
  return renderReport(await loadReportRuns(wb, ids, MAX_MOSAICS, options.smoothing ?? EMA_WEIGHT), options)
}

/** The smoothed loss and each point's lowest and highest, aligned with the series' iterations. */
export function lossColumns(s: MetricsSeries): NonNullable<RunInput['loss']> {
  const nan = (v: number | null): number => v ?? NaN
  return { smoothed: s.smoothed.map(nan), lossMin: s.lossMin.map(nan), lossMax: s.lossMax.map(nan) }
}

/**
 * The series as events, ascending: each loss point as an iteration event at its last iteration, with
 * the mean loss of its bucket (exact while the run is shorter than the series' cap).
 */
export function seriesEvents(s: MetricsSeries): MetricEvent[] {
  const steps = s.iterations.map((iteration, i): Extract<MetricEvent, { type: 'iteration' }> => {
    const loss = s.losses[i] ?? NaN
    const t = s.times[i] ?? null
    return t === null ? { type: 'iteration', iteration, loss } : { type: 'iteration', iteration, loss, t }
  })
  return inIterationOrder(steps, s.epochs, s.resumes)
}
