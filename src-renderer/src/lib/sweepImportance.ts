/**
 * The sweep view's parameter-importance panel, from src-shared/paramImportance.ts: recomputed only when
 * something it reads changes (a run finishing, failing or being removed), not at every progress event
 * of a run still training, since each computation fits a forest of 100 trees.
 */
import { sweepImportance, type SweepImportance } from '../../../src-shared/paramImportance'
import type { RunRecord } from '../../../src-shared/runs'
import type { SweepSpec } from '../../../src-shared/sweep'

/** Below this |rho| the panel says there is no steady trend rather than a direction. */
export const TREND_MIN = 0.2
const MODERATE = 0.4
const STRONG = 0.7

/** Below this importance a param without a trend "barely matters" rather than peaking in between. */
export const MATTERS_MIN = 0.05

export type Trend = 'up' | 'down' | 'none' | 'flat'
export type Strength = 'weak' | 'moderate' | 'strong'

export function trendOf(
  rho: number | null,
  importance: number | null = null,
): { trend: Trend; strength: Strength | null } {
  if (rho === null || Math.abs(rho) < TREND_MIN)
    return { trend: importance !== null && importance < MATTERS_MIN ? 'flat' : 'none', strength: null }
  const a = Math.abs(rho)
  return {
    trend: rho > 0 ? 'up' : 'down',
    strength: a >= STRONG ? 'strong' : a >= MODERATE ? 'moderate' : 'weak',
  }
}

/** What the analysis reads of a run; a progress event changes none of it. */
function signature(runs: readonly RunRecord[]): string {
  return runs
    .map((r) => `${r.id}|${r.status}|${r.result?.bestValAcc ?? ''}|${r.error?.reason ?? ''}`)
    .join('\n')
}

/** A memo of the last analysis, keyed on the spec and what the analysis reads of the runs. */
export function importanceMemo(): (spec: SweepSpec, runs: readonly RunRecord[]) => SweepImportance {
  let last: { spec: SweepSpec; key: string; value: SweepImportance } | null = null
  return (spec, runs) => {
    const key = signature(runs)
    if (last && last.spec === spec && last.key === key) return last.value
    const value = sweepImportance(spec, runs)
    last = { spec, key, value }
    return value
  }
}

/** A correlation coefficient with its sign and two decimals, in the locale's digits: −0.82. */
export function formatCoefficient(v: number, locale: string): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: 'exceptZero',
  }).format(v)
}
