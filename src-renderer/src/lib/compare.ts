/**
 * X-axis alignment for the compare view: runs with different lengths and batch sizes only line up when
 * plotted against epochs, samples seen or wall time rather than raw iterations.
 */
import type { RunRecord } from '../../../src-shared/runs'

export type XAxis = 'iteration' | 'epoch' | 'samples' | 'time'

export interface AxisInfo {
  batchSize: number
  iterationsPerEpoch: number
  /** Wall-clock start of the run; defaults to the first timestamp. */
  startedAtMs?: number
  /** One wall-clock time per iteration, when the series kept them. */
  timestampsMs?: ArrayLike<number> | null
}

/** Maps iteration numbers onto `axis`; the time axis is in seconds since the run started. */
export function alignX(iterations: ArrayLike<number>, axis: XAxis, info: AxisInfo): Float64Array {
  const n = iterations.length
  const out = new Float64Array(n)
  if (axis === 'iteration') {
    for (let i = 0; i < n; i++) out[i] = iterations[i] as number
  } else if (axis === 'epoch') {
    const per = info.iterationsPerEpoch
    // Dividing by 0 or NaN would plot silently as Infinity/NaN; a queued run has no progress yet.
    if (!(per > 0) || !Number.isFinite(per)) throw new Error(`epoch axis needs iterations per epoch > 0`)
    for (let i = 0; i < n; i++) out[i] = (iterations[i] as number) / per
  } else if (axis === 'samples') {
    for (let i = 0; i < n; i++) out[i] = (iterations[i] as number) * info.batchSize
  } else {
    const ts = info.timestampsMs
    if (!ts) throw new Error('time axis needs timestamps')
    if (ts.length !== n)
      throw new Error(`time axis needs one timestamp per iteration (${ts.length} for ${n})`)
    const start = info.startedAtMs ?? (n > 0 ? (ts[0] as number) : 0)
    for (let i = 0; i < n; i++) out[i] = ((ts[i] as number) - start) / 1000
  }
  return out
}

/**
 * Iterations per epoch from the run's progress (fractional when the last minibatch is partial); NaN
 * before the run has planned its iterations, so callers can tell "unknown" from a real value.
 */
export function iterationsPerEpoch(record: RunRecord): number {
  const { numIterations, numEpochs } = record.progress
  return numIterations > 0 && numEpochs > 0 ? numIterations / numEpochs : NaN
}
