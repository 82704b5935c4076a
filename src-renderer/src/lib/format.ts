/** How runs' numbers read in tables and headers; language-neutral (units are symbols). */
import type { ModelConfig } from '../../../src-shared/config'
import type { RunRecord } from '../../../src-shared/runs'

/** `2-layer 50`, `fc 100-100 bn`, `fc 200 ln keep 0.5`: the architecture at a glance. */
export function modelSummary(model: ModelConfig): string {
  if (model.kind === 'two-layer') return `2-layer ${model.hiddenDim}`
  const parts = ['fc', model.hiddenDims.join('-') || '0']
  if (model.normalization === 'batchnorm') parts.push('bn')
  if (model.normalization === 'layernorm') parts.push('ln')
  if (model.dropoutKeepRatio < 1) parts.push(`keep ${model.dropoutKeepRatio}`)
  return parts.join(' ')
}

/** Hyperparameters such as 1e-3 or 0.95, short enough for a table cell. */
export function formatHyper(v: number | null | undefined): string {
  if (v == null) return '—'
  // Two significant digits, as sweep run names show them (not imported from sweep.ts: that pulls zod
  // into the first chunk).
  const a = Math.abs(v)
  if (Number.isInteger(v) && a < 1e6) return String(v)
  if (a >= 1e-2 && a < 1e4) return String(Number(v.toPrecision(2)))
  return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e')
}

export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(digits)}%`
}

export function formatLoss(v: number | null | undefined): string {
  if (v == null) return '—'
  if (!Number.isFinite(v)) return String(v)
  return Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(4)
}

/** 850ms, 42s, 3m 05s, 1h 02m. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`
}

/** Wall time from start to finish, or to `now` while the run trains; null before it starts. */
export function runDurationMs(run: RunRecord, now: number): number | null {
  if (!run.startedAt) return null
  const start = Date.parse(run.startedAt)
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'running' ? now : null
  return end === null || Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start)
}

/** 0..1 through the run's iterations (1 once completed, whatever the counters say). */
export function progressFraction(run: RunRecord): number {
  if (run.status === 'completed') return 1
  const { iteration, numIterations } = run.progress
  return numIterations > 0 ? Math.min(1, Math.max(0, iteration / numIterations)) : 0
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale)
}
