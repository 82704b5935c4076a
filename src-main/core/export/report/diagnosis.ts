/** The report's Diagnosis section: the same findings and wording as the run page's "What's wrong?" panel. */
import { curvesFromEvents, diagnose, type Diagnosis } from '../../../../src-shared/diagnose'
import { describeDiagnosis } from '../../../../src-shared/diagnosisText'
import type { LayerCapture } from '../../../../src-shared/layerStats'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import type { ReportLocale } from './messages'
import type { ReportNote } from './types'

/** A run whose result is not in yet reports no class names; the datasets the app ships have 10. */
const DEFAULT_CLASSES = 10

function findings(record: RunRecord, metrics: MetricEvent[], layers?: readonly LayerCapture[]): Diagnosis[] {
  return diagnose({
    ...curvesFromEvents(metrics),
    numClasses: record.result?.classNames.length || DEFAULT_CLASSES,
    status: record.status,
    error: record.error,
    progress: record.progress,
    layers: layers ?? null,
  })
}

/**
 * Whether the run blew up: its loss became NaN or infinite (or it failed as diverged), or it ended far
 * above where it started. What a caption may say "blew up" about, and nothing else: the curves alone
 * decide, since a high update/weight ratio (a layer capture) is a warning, not a blown-up run.
 */
export function blewUp(record: RunRecord, metrics: MetricEvent[]): boolean {
  return findings(record, metrics).some((d) => d.kind === 'diverged' || d.kind === 'lr-too-high')
}

export function diagnosisNotes(
  record: RunRecord,
  metrics: MetricEvent[],
  locale: ReportLocale,
  layers?: readonly LayerCapture[],
): ReportNote[] {
  return findings(record, metrics, layers).map((d) => {
    const text = describeDiagnosis(d, locale)
    return { title: text.title, detail: text.suggestion ? `${text.detail} ${text.suggestion}` : text.detail }
  })
}
