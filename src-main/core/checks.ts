/**
 * Sanity-check reports on the main side: which runs get checked in the worker before training, and the
 * reports of recent `Workbench.check` calls, so that a run queued with exactly the config the user just
 * checked stores that report instead of checking again.
 *
 * When a run is checked in the worker (ChecksPolicy):
 *   'auto' (default)  a fresh start (not a resume) without stored checks whose plan has at least
 *                     LONG_RUN_ITERATIONS iterations: there the checks' second or so is noise, and a
 *                     broken config shows before minutes of training; a short run is its own check.
 *   'always'          every fresh start without stored checks.
 *   'never'           only checks the user ran (checks.run) are stored.
 */
import type { RunConfig } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import type { SanityReport } from '../../src-shared/sanity'

import { LONG_RUN_ITERATIONS, type ChecksPolicy } from '../../src-shared/datasetMemory'

export { LONG_RUN_ITERATIONS, type ChecksPolicy }

/** How many checked configs are remembered (a user compares a few configs, not hundreds). */
const REMEMBERED = 32

export function shouldCheckInWorker(policy: ChecksPolicy, record: RunRecord, resuming: boolean): boolean {
  if (policy === 'never' || resuming || record.startedAt !== null || record.checks) return false
  return policy === 'always' || record.progress.numIterations >= LONG_RUN_ITERATIONS
}

/**
 * What the checks depend on: data, model, update rule and seed. Name, tags, notes, epochs and batch size
 * do not change them, so editing those after checking keeps the report.
 */
export function checksKey(config: RunConfig & { seed: number }): string {
  const { dataset, model, solver, seed } = config
  return JSON.stringify({ dataset, model, updateRule: solver.updateRule, optim: solver.optimConfig, seed })
}

export class RecentChecks {
  private readonly reports = new Map<string, SanityReport>()

  remember(config: RunConfig & { seed: number }, report: SanityReport): void {
    const key = checksKey(config)
    this.reports.delete(key)
    this.reports.set(key, report)
    while (this.reports.size > REMEMBERED) this.reports.delete(this.reports.keys().next().value!)
  }

  /** The report of the identical config (seed included), or null. */
  find(config: RunConfig & { seed: number }): SanityReport | null {
    return this.reports.get(checksKey(config)) ?? null
  }
}
