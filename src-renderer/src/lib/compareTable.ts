/** The compare view's table: one row per run, one column per config field that differs, then results. */
import type { RunRecord } from '../../../src-shared/runs'
import { configDiff, type ConfigDifference } from '../../../src-shared/configDiff'

export interface DiffTable {
  columns: ConfigDifference[]
  /** The run with the highest best validation accuracy (test accuracy breaks ties); null before any result. */
  bestId: string | null
}

export function bestRunId(runs: RunRecord[]): string | null {
  let best: RunRecord | null = null
  for (const r of runs) {
    if (!r.result) continue
    const b = best?.result
    if (
      !b ||
      r.result.bestValAcc > b.bestValAcc ||
      (r.result.bestValAcc === b.bestValAcc && r.result.testAcc > b.testAcc)
    )
      best = r
  }
  return best?.id ?? null
}

export function diffTable(runs: RunRecord[]): DiffTable {
  return { columns: configDiff(runs.map((r) => r.config)), bestId: bestRunId(runs) }
}

/** `solver.optimConfig.learningRate` -> `learningRate`, the part a column header has room for. */
export function shortPath(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1)
}
