/**
 * The compare view's "Diagnosis" card: each compared run's findings (src-shared/diagnose.ts) with their
 * text in the UI language, in the order and colours of the charts. Pure apart from the optional cache the
 * caller owns, so the view only renders.
 */
import type { DiagnosisKind, Severity } from '../../../src-shared/diagnose'
import {
  describeDiagnosis,
  type DiagnosisLocale,
  type DiagnosisText,
} from '../../../src-shared/diagnosisText'
import type { RunSeries } from '../stores/runs'
import type { CompareRun } from './compareSeries'
import { diagnoseRun } from './runDiagnosis'

export interface CompareFinding {
  kind: DiagnosisKind
  severity: Severity
  text: DiagnosisText
}

export interface RunDiagnosis {
  runId: string
  name: string
  color: string
  /** Empty while the run has too little data to judge. */
  findings: CompareFinding[]
}

export interface CompareDiagnosisOptions {
  /** The class count of a loaded dataset, by name, for runs without a result yet. */
  datasetClasses?: (dataset: string) => number | undefined
  /** How often a run's series has grown (stores/runs.ts metricsVersion): what `cache` keys on. */
  version?: (runId: string) => number
  /**
   * Findings kept between calls, per run. Live metrics arrive for one run at a time, and diagnosing a
   * long run takes milliseconds: with a cache only the run whose data or state changed is diagnosed again.
   */
  cache?: DiagnosisCache
}

export type DiagnosisCache = Map<
  string,
  { key: string; series: RunSeries | null; findings: CompareFinding[] }
>

export function compareDiagnoses(
  runs: readonly CompareRun[],
  locale: DiagnosisLocale,
  { datasetClasses = () => undefined, version, cache }: CompareDiagnosisOptions = {},
): RunDiagnosis[] {
  const seen = new Set<string>()
  const out = runs.map(({ record, series, color }): RunDiagnosis => {
    const classes = datasetClasses(record.config.dataset.name)
    // Everything diagnose() and the text read, apart from the series' contents (which `version` tracks).
    const { status, error, progress } = record
    const key = JSON.stringify([
      version?.(record.id),
      locale,
      classes,
      status,
      error?.reason,
      error?.iteration,
      progress?.iteration,
      progress?.numIterations,
      record.result?.classNames.length,
    ])
    seen.add(record.id)
    const hit = version ? cache?.get(record.id) : undefined
    const findings =
      hit && hit.key === key && hit.series === series
        ? hit.findings
        : diagnoseRun(record, series, classes).map((d) => ({
            kind: d.kind,
            severity: d.severity,
            text: describeDiagnosis(d, locale),
          }))
    if (version) cache?.set(record.id, { key, series, findings })
    return { runId: record.id, name: record.config.name, color, findings }
  })
  // Runs no longer compared leave the cache.
  for (const id of cache?.keys() ?? []) if (!seen.has(id)) cache!.delete(id)
  return out
}
