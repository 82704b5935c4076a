import type { MosaicData } from '../../../../src-shared/contract'
import type { LayerCapture } from '../../../../src-shared/layerStats'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import type { GroupOptions } from '../../../../src-shared/runGroups'
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
  /** EMA weight of the loss curves, 0 (raw) to below 1: the UI's slider; default DEFAULT_SMOOTHING. */
  smoothing?: number
  /** The report's "generated" time (tests pin it); default now. */
  now?: Date
  /** Group and aggregate (issue 13): curves drawn one line and band per group, as the compare view did. */
  group?: GroupOptions
}

/** One run as the report draws it. */
export interface ReportRun {
  record: RunRecord
  metrics: MetricEvent[]
  /** The smoothed loss and each point's lowest and highest step, aligned with metrics' steps. */
  loss?: LossColumns
  mosaic: MosaicData | null
  /** Layer dynamics (issue 15): its captures (thinned to the report's cap), none when it took none. */
  layers?: LayerCapture[]
  /** Captures before thinning, when some were left out. */
  layersTotal?: number
  /** Set when every weight snapshot of the run is damaged (what is wrong, for logs). */
  mosaicProblem?: string
  notes: ReportNote[]
  /** Its loss became non-finite or exploded (src-shared/diagnose): only then may a caption say so. */
  blewUp: boolean
  color: string
  /** Training time in ms, null when unknown. */
  duration: number | null
}
