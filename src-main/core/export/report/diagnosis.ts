/** The report's Diagnosis section: the same findings and wording as the run page's "What's wrong?" panel. */
import { curvesFromEvents, diagnose } from '../../../../src-shared/diagnose'
import { describeDiagnosis } from '../../../../src-shared/diagnosisText'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import type { ReportLocale } from './messages'
import type { ReportNote } from './types'

/** A run whose result is not in yet reports no class names; the datasets the app ships have 10. */
const DEFAULT_CLASSES = 10

export function diagnosisNotes(
  record: RunRecord,
  metrics: MetricEvent[],
  locale: ReportLocale,
): ReportNote[] {
  const findings = diagnose({
    ...curvesFromEvents(metrics),
    numClasses: record.result?.classNames.length || DEFAULT_CLASSES,
    status: record.status,
    error: record.error,
    progress: record.progress,
  })
  return findings.map((d) => {
    const text = describeDiagnosis(d, locale)
    return { title: text.title, detail: text.suggestion ? `${text.detail} ${text.suggestion}` : text.detail }
  })
}
