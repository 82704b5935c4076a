/**
 * The memory budget: how many bytes the runs that train at once may take together (each run's estimate
 * from memoryEstimate.ts, plus each dataset they use once). A setting (`12GB`, `800MB`, `50%`, `0.5`)
 * overrides the default.
 */
import { parseByteSize, type ByteSizeResult } from './byteSize'

const GB = 2 ** 30

/**
 * Half the machine, but never less than 4 GB left for everything else, and never under a quarter of it.
 *
 * Why: training shares the machine with the OS and desktop session (1.5-3 GB on Windows or macOS), the
 * app's own main process and renderer (0.5-1 GB), and whatever a student keeps open next to it (a
 * browser with the assignment, an editor: 1-2 GB). On an 8 GB laptop that leaves about 4 GB, on a 16 GB
 * one 8 GB, on a 24 GB machine 12 GB. Estimates are peaks that last a moment (a checkpoint's copies),
 * so half is safe without swapping; a quarter keeps a 4 GB machine able to train small nets at all.
 */
export function defaultMemoryBudget(totalBytes: number): number {
  return Math.floor(Math.max(totalBytes / 4, Math.min(totalBytes / 2, totalBytes - 4 * GB)))
}

/** The budget a setting asks for (absent or empty: the default), checked against the machine's memory. */
export function resolveMemoryBudget(setting: string | undefined | null, totalBytes: number): ByteSizeResult {
  if (setting === undefined || setting === null || setting.trim() === '') {
    return { ok: true, bytes: defaultMemoryBudget(totalBytes) }
  }
  return parseByteSize(setting, totalBytes)
}

/** A run as the budget sees it: its estimate and the dataset it reads (counted once however many do). */
export interface BudgetedRun {
  bytes: number
  dataset: string
  datasetBytes: number
}

/** Bytes that `runs` take together: every run's estimate, every dataset once. */
export function budgetedBytes(runs: readonly BudgetedRun[]): number {
  const datasets = new Map<string, number>()
  for (const r of runs) datasets.set(r.dataset, Math.max(datasets.get(r.dataset) ?? 0, r.datasetBytes))
  let total = 0
  for (const r of runs) total += r.bytes
  for (const b of datasets.values()) total += b
  return total
}

/**
 * Whether `candidate` may start next to the runs already training: for the scheduler, which leaves it
 * queued until enough of them finish. A candidate that does not fit even alone never will; that is
 * fieldErrorFor's case, refused before it is queued.
 */
export function fitsNextTo(
  candidate: BudgetedRun,
  running: readonly BudgetedRun[],
  budgetBytes: number,
): boolean {
  return budgetedBytes([...running, candidate]) <= budgetBytes
}
