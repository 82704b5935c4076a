/**
 * How long a run has trained: the sum of its attempts (a killed and resumed run has several), never the
 * time it lay dead between a kill and its resume. One definition for the CLI, the UI and the reports.
 */
import type { RunRecord } from './runs'

type Timing = Pick<
  RunRecord,
  'status' | 'startedAt' | 'finishedAt' | 'activeMs' | 'attemptStartedAt' | 'updatedAt'
>

/**
 * Training time in ms, up to `now` while the run trains; null before it ever started. A run whose
 * attempt ended without a final write (its process died) counts up to its last sign of life (`updatedAt`).
 */
export function runDurationMs(run: Timing, now: number): number | null {
  if (!run.startedAt) return null
  if (run.activeMs === undefined) return legacyDurationMs(run, now)
  let ms = run.activeMs
  if (run.attemptStartedAt) {
    const start = Date.parse(run.attemptStartedAt)
    const end = run.status === 'running' ? now : Date.parse(run.updatedAt ?? run.attemptStartedAt)
    if (Number.isFinite(start) && Number.isFinite(end)) ms += Math.max(0, end - start)
  }
  return ms
}

/** Records written before attempts were timed: wall time from the first start to the finish. */
function legacyDurationMs(run: Timing, now: number): number | null {
  const start = Date.parse(run.startedAt!)
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'running' ? now : null
  return end === null || Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start)
}

/**
 * The fields that close an attempt at `end` (ISO): its time joins `activeMs`. For a record of an older
 * version, the time so far is its wall time from start to `end`.
 */
export function closeAttempt(run: Timing, end: string): { activeMs: number; attemptStartedAt: null } {
  if (run.activeMs === undefined) {
    const start = run.startedAt ? Date.parse(run.startedAt) : NaN
    const ms = Number.isFinite(start) ? Math.max(0, Date.parse(end) - start) : 0
    return { activeMs: ms, attemptStartedAt: null }
  }
  const startedAt = run.attemptStartedAt ? Date.parse(run.attemptStartedAt) : NaN
  const extra = Number.isFinite(startedAt) ? Math.max(0, Date.parse(end) - startedAt) : 0
  return { activeMs: run.activeMs + extra, attemptStartedAt: null }
}
