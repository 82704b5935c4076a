/**
 * A sweep's runs as the sweep view reads them: which params were searched and on what kind of axis, the
 * finished runs ranked by best validation accuracy with the value each used, and the top K.
 */
import type { RunRecord, RunStatus } from '../../../src-shared/runs'
import { getPath, isPlainObject } from '../../../src-shared/paths'
import { formatParamValue, type SweepSpec } from '../../../src-shared/sweep'

export type AxisKind = 'log' | 'linear' | 'category'

export interface SweptParam {
  /** The dotted config path, as written in the spec. */
  path: string
  /** A short name for an axis: the path's last segment, or the whole path when two would clash. */
  label: string
  kind: AxisKind
  /** The searched range (value and log axes). */
  min?: number
  max?: number
  /** Category labels in the spec's order (choice params). */
  categories: string[]
}

export interface SweepRow {
  run: RunRecord
  /** 1 for the best run. */
  rank: number
  /** Each swept param's value, in the order of sweptParams. */
  values: unknown[]
  bestValAcc: number
  testAcc: number | null
}

/** JSON with sorted keys: a config's choice matches the spec's however its keys are ordered. */
function keyOf(v: unknown): string {
  const sortKeys = (_k: string, x: unknown): unknown =>
    isPlainObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x
  return JSON.stringify(v, sortKeys) ?? String(v)
}

function shortLabels(paths: string[]): string[] {
  const short = paths.map((p) => {
    const s = p.split('.')
    const last = s.at(-1) as string
    return /^\d+$/.test(last) && s.length > 1 ? `${s.at(-2)}[${last}]` : last
  })
  return short.map((l, i) => (short.indexOf(l) === short.lastIndexOf(l) ? l : (paths[i] as string)))
}

/** Labels for a choice param's values; two values that print alike (1e-3, 1.04e-3) keep their JSON. */
function categoryLabels(values: unknown[]): Map<string, string> {
  const printed = values.map(formatParamValue)
  const out = new Map<string, string>()
  values.forEach((v, i) => {
    const p = printed[i] as string
    out.set(keyOf(v), printed.indexOf(p) === printed.lastIndexOf(p) ? p : keyOf(v))
  })
  return out
}

/**
 * The swept params with their axes: log ranges on log axes (where random search samples them), linear
 * ranges on value axes, choices as categories.
 */
export function sweptParams(spec: SweepSpec): SweptParam[] {
  const paths = Object.keys(spec.params)
  const labels = shortLabels(paths)
  return paths.map((path, i) => {
    const p = spec.params[path]!
    const label = labels[i] as string
    if ('values' in p)
      return { path, label, kind: 'category', categories: [...categoryLabels(p.values).values()] }
    return { path, label, kind: p.scale === 'log' ? 'log' : 'linear', min: p.min, max: p.max, categories: [] }
  })
}

/** How a run's value is placed on a param's axis: a category label, a number, or null when it has none. */
export function axisValue(spec: SweepSpec, param: SweptParam, value: unknown): string | number | null {
  const p = spec.params[param.path]
  if (p && 'values' in p) return categoryLabels(p.values).get(keyOf(value)) ?? formatParamValue(value)
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  return param.kind === 'log' && value <= 0 ? null : value
}

/** Finished runs, best first (ties keep the sweep's order); runs without a result have no rank. */
export function rankRuns(spec: SweepSpec, runs: RunRecord[]): SweepRow[] {
  const params = sweptParams(spec)
  return runs
    .filter((r) => r.result !== null && Number.isFinite(r.result.bestValAcc))
    .map((run) => ({ run, acc: run.result?.bestValAcc ?? 0 }))
    .sort((a, b) => b.acc - a.acc)
    .map(({ run, acc }, i) => ({
      run,
      rank: i + 1,
      values: params.map((p) => getPath(run.config, p.path)),
      bestValAcc: acc,
      testAcc: run.result && Number.isFinite(run.result.testAcc) ? run.result.testAcc : null,
    }))
}

/** How many of the sweep's runs are in each status. */
export function statusCounts(runs: RunRecord[]): Partial<Record<RunStatus, number>> {
  const out: Partial<Record<RunStatus, number>> = {}
  for (const r of runs) out[r.status] = (out[r.status] ?? 0) + 1
  return out
}

/** The query of the compare view for the top K runs: `?ids=a,b,c`. */
export function compareQuery(rows: SweepRow[], k: number): { ids: string } {
  return {
    ids: rows
      .slice(0, Math.max(0, k))
      .map((r) => r.run.id)
      .join(','),
  }
}
