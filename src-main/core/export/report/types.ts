import type { MosaicData } from '../../../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import type { ReportLocale } from './messages'
import type { LossColumns } from './series'

/** A finding about a run (from the diagnosis module), shown in the report's Diagnosis section. */
export interface ReportNote {
  title: string
  detail: string
}

export interface ReportOptions {
  locale?: ReportLocale
  /** Findings per run id; runs without an entry get the diagnosis of their curves (src-shared/diagnose). */
  notes?: Record<string, ReportNote[]>
  /** The report's "generated" time (tests pin it); default now. */
  now?: Date
}

/** One run as the report draws it. */
export interface ReportRun {
  record: RunRecord
  metrics: MetricEvent[]
  /** The smoothed loss and each point's lowest and highest step, aligned with metrics' steps. */
  loss?: LossColumns
  mosaic: MosaicData | null
  /** Set when every weight snapshot of the run is damaged (what is wrong, for logs). */
  mosaicProblem?: string
  notes: ReportNote[]
  color: string
  /** Training time in ms, null when unknown. */
  duration: number | null
}
