/**
 * metrics.jsonl: one MetricEvent per line, append-only (appendLog.ts). Epoch and resume events, which
 * the UI and a resume depend on, are written at once; iterations within `flushIntervalMs`. Reading is
 * metricsScan.ts and metricsRead.ts: streamed, never the whole file as one string.
 */
import type { MetricEvent } from '../../../src-shared/runs'
import { AppendLog, type AppendLogOptions } from './appendLog'

export type MetricsLogOptions = AppendLogOptions

export class MetricsLog extends AppendLog<MetricEvent> {
  constructor(path: string, options: MetricsLogOptions = {}) {
    super(path, { ...options, what: 'metrics', urgent: (e) => e.type !== 'iteration' })
  }
}
