/**
 * A run whose run.json cannot be read or fails validation. Listings show it next to the good runs (a
 * separate type rather than a fake RunRecord, so every view has to decide what to do with it) with the
 * file and the reason, and whatever of the record could be salvaged to recognise it by.
 */
import type { RunRecord } from './runs'

export interface CorruptRun {
  /** The run folder's name. */
  id: string
  status: 'corrupt'
  problem: {
    /** The damaged file (absolute path on the machine that stores the run). */
    file: string
    /** What is wrong with it, naming the fields that failed (`config.dataset: ...`). */
    message: string
  }
  /** Salvaged from the damaged record when present there with the right type. */
  name?: string
  createdAt?: string
  sweepId?: string | null
}

/** What `runs.list` returns: every readable run, and one entry per run that is not. */
export type RunListEntry = RunRecord | CorruptRun

export function isCorrupt(run: RunListEntry): run is CorruptRun {
  return run.status === 'corrupt'
}

/**
 * When an entry was created, for sorting: a corrupt entry without a readable createdAt falls back to
 * the time in its id (`20261126-194501-...` is UTC to the second).
 */
export function createdAtOf(run: RunListEntry): string {
  if (run.createdAt !== undefined) return run.createdAt
  const m = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-/.exec(run.id)
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : ''
}

/** The good records of a listing. */
export function readableRuns(runs: readonly RunListEntry[]): RunRecord[] {
  return runs.filter((r): r is RunRecord => !isCorrupt(r))
}

/**
 * The corrupt entry for a record that failed: `value` is what JSON.parse gave (undefined when the file
 * is not JSON), mined only for fields of the right type.
 */
export function corruptRun(id: string, file: string, message: string, value?: unknown): CorruptRun {
  const out: CorruptRun = { id, status: 'corrupt', problem: { file, message } }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out
  const r = value as Record<string, unknown>
  const config = r.config
  if (typeof config === 'object' && config !== null) {
    const name = (config as Record<string, unknown>).name
    if (typeof name === 'string' && name.trim() !== '') out.name = name.slice(0, 200)
  }
  if (typeof r.createdAt === 'string') out.createdAt = r.createdAt
  if (typeof r.sweepId === 'string' || r.sweepId === null) out.sweepId = r.sweepId
  return out
}
