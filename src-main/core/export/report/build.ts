/** Reads runs through the Workbench facade and renders their report. */
import { StoreError } from '../../store/errors'
import type { Workbench } from '../../workbench'
import { MAX_MOSAICS, renderReport, type RunInput } from './render'
import type { ReportOptions } from './types'

/** The Workbench methods a report reads (tests pass a fake with just these). */
export type ReportSource = Pick<Workbench, 'getRun' | 'readMetrics' | 'mosaic'>

/**
 * Every id is read before anything is rendered, so an unknown id fails fast with the core's not-found.
 * Mosaics (a megabyte or more each) are read only for the first `mosaics` runs, the ones a report shows;
 * metrics exports need none.
 */
export async function loadReportRuns(
  wb: ReportSource,
  ids: readonly string[],
  mosaics: number = MAX_MOSAICS,
): Promise<RunInput[]> {
  const unique = [...new Set(ids)]
  return Promise.all(
    unique.map(async (id, i) => {
      const record = await wb.getRun(id)
      const [metrics, mosaic] = await Promise.all([
        wb.readMetrics(id),
        i < mosaics ? readMosaic(wb, id) : Promise.resolve({ mosaic: null }),
      ])
      return { record, metrics, ...mosaic }
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
  return renderReport(await loadReportRuns(wb, ids), options)
}
