/** Which config fields differ between runs, so the compare view shows only what was varied. */
import type { RunConfig } from './config'

/** Bookkeeping fields that never explain a difference in curves. */
const IGNORED = new Set(['name', 'notes', 'tags', 'version'])

export interface ConfigDifference {
  /** Dotted path, e.g. `solver.optimConfig.learningRate`. */
  path: string
  /** One value per config, in input order; undefined where a config lacks the field. */
  values: unknown[]
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

// Arrays stay whole: `hiddenDims: [100, 100]` vs `[200]` is one difference, not per-layer noise.
function flatten(value: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [key, v] of Object.entries(value)) {
    if (prefix === '' && IGNORED.has(key)) continue
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isPlainObject(v)) flatten(v, path, out)
    else out.set(path, v)
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]))
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]))
  }
  return false
}

/** The paths whose values are not all equal across `configs`, sorted by path. */
export function configDiff(configs: RunConfig[]): ConfigDifference[] {
  const flat = configs.map((c) => {
    const m = new Map<string, unknown>()
    flatten(c as unknown as Record<string, unknown>, '', m)
    return m
  })
  const paths = new Set<string>()
  for (const m of flat) for (const p of m.keys()) paths.add(p)
  const diffs: ConfigDifference[] = []
  for (const path of [...paths].sort()) {
    const values = flat.map((m) => m.get(path))
    if (values.some((v) => !deepEqual(v, values[0]))) diffs.push({ path, values })
  }
  return diffs
}
