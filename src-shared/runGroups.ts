/**
 * Runs grouped by config values, for curves drawn one line per group: by chosen fields (every run with
 * the same learning rate together), or by everything except the seed (repeats of one experiment). The
 * compare view, its URL and the report all use this one definition, so they group alike.
 */
import { CENTERS, SPREADS, type Center, type Spread } from './aggregate'
import type { RunConfig } from './config'
import { configDiff } from './configDiff'

export type GroupBy = { kind: 'fields'; fields: string[] } | { kind: 'except-seed' }

export interface GroupOptions {
  by: GroupBy
  center: Center
  spread: Spread
  /** Draw each member's own curve, thin and faint, behind its group's line. */
  members: boolean
}

export const DEFAULT_GROUP_STYLE: Omit<GroupOptions, 'by'> = { center: 'mean', spread: 'std', members: false }

/** The most fields a grouping names: more than this groups every run apart. */
export const MAX_GROUP_FIELDS = 8
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/
const MAX_PATH = 120

export interface GroupValue {
  path: string
  value: unknown
}

export interface RunGroup {
  /** Identifies the group among the others (its values, serialised). */
  key: string
  /** The values its members share on the grouping paths; empty when one group holds every run. */
  values: GroupValue[]
  /** Indices of its members in the input. */
  members: number[]
}

/** The value at a dotted path of a config, undefined where it has none. */
export function valueAt(config: RunConfig, path: string): unknown {
  let v: unknown = config
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined
    v = (v as Record<string, unknown>)[key]
  }
  return v
}

/** The paths a grouping compares: the chosen fields, or every field that differs other than the seed. */
export function groupPaths(configs: RunConfig[], by: GroupBy): string[] {
  if (by.kind === 'fields') return [...new Set(by.fields)]
  return configDiff(configs)
    .map((d) => d.path)
    .filter((p) => p !== 'seed')
}

/** JSON with sorted keys, and `undefined` kept apart from null: equal values, equal keys. */
function keyOf(v: unknown): string {
  if (v === undefined) return '~'
  if (Array.isArray(v)) return `[${v.map(keyOf).join(',')}]`
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${keyOf(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === undefined) return 1
  if (b === undefined) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : 1
  const ka = keyOf(a)
  const kb = keyOf(b)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

/**
 * The groups of `configs`, ordered by their values (numbers ascending, so a learning-rate legend reads
 * from small to large); members keep their input order.
 */
export function groupRuns(configs: RunConfig[], by: GroupBy): RunGroup[] {
  const paths = groupPaths(configs, by)
  const groups = new Map<string, RunGroup>()
  configs.forEach((config, i) => {
    const values = paths.map((path) => ({ path, value: valueAt(config, path) }))
    const key = values.map((v) => keyOf(v.value)).join('|')
    const g = groups.get(key)
    if (g) g.members.push(i)
    else groups.set(key, { key, values, members: [i] })
  })
  return [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.values.length; i++) {
      const c = compareValues(a.values[i]!.value, b.values[i]!.value)
      if (c !== 0) return c
    }
    return 0
  })
}

/** A config value as a legend shows it: 0.001 reads as 1e-3, [100, 100] as [100,100]. */
export function formatGroupValue(v: unknown): string {
  if (v === undefined) return '—'
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v)
    if (v !== 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5)) {
      const [mantissa, exponent] = v.toExponential(3).split('e')
      return `${String(Number(mantissa))}e${Number(exponent)}`
    }
    return String(Number(v.toPrecision(4)))
  }
  if (typeof v === 'string') return v
  if (Array.isArray(v)) return `[${v.map(formatGroupValue).join(',')}]`
  if (typeof v === 'object' && v !== null) return keyOf(v)
  return String(v)
}

/**
 * The last part of each path (`learningRate` for `solver.optimConfig.learningRate`), or the whole path
 * where two paths end alike.
 */
function shortNames(paths: string[]): Map<string, string> {
  const last = (p: string) => p.slice(p.lastIndexOf('.') + 1)
  const count = new Map<string, number>()
  for (const p of paths) count.set(last(p), (count.get(last(p)) ?? 0) + 1)
  return new Map(paths.map((p) => [p, count.get(last(p))! > 1 ? p : last(p)]))
}

/** "learningRate=1e-3, hiddenDim=100"; empty for the one group of runs that share every value. */
export function groupLabel(g: RunGroup): string {
  const names = shortNames(g.values.map((v) => v.path))
  return g.values.map((v) => `${names.get(v.path)}=${formatGroupValue(v.value)}`).join(', ')
}

export class GroupOptionsError extends Error {
  constructor(
    /** The offending field under the options, e.g. `by.fields[2]`. */
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40))
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}

/** Checks untrusted grouping options (an API argument) and returns them typed, or throws naming the field. */
export function parseGroupOptions(value: unknown): GroupOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GroupOptionsError(
      '',
      `must be an object like {by: {kind: 'except-seed'}, center: 'mean', spread: 'std', members: false}, got ${describe(value)}`,
    )
  }
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!['by', 'center', 'spread', 'members'].includes(key))
      throw new GroupOptionsError(key.slice(0, 40), 'unknown option (known: by, center, spread, members)')
  }
  const center = o['center'] ?? DEFAULT_GROUP_STYLE.center
  if (!(CENTERS as readonly unknown[]).includes(center))
    throw new GroupOptionsError('center', `must be one of ${CENTERS.join(', ')}, got ${describe(center)}`)
  const spread = o['spread'] ?? DEFAULT_GROUP_STYLE.spread
  if (!(SPREADS as readonly unknown[]).includes(spread))
    throw new GroupOptionsError('spread', `must be one of ${SPREADS.join(', ')}, got ${describe(spread)}`)
  const members = o['members'] ?? DEFAULT_GROUP_STYLE.members
  if (typeof members !== 'boolean')
    throw new GroupOptionsError('members', `must be true or false, got ${describe(members)}`)
  return { by: parseGroupBy(o['by']), center: center as Center, spread: spread as Spread, members }
}

function parseGroupBy(by: unknown): GroupBy {
  if (typeof by !== 'object' || by === null || Array.isArray(by)) {
    throw new GroupOptionsError(
      'by',
      `must be {kind: 'except-seed'} or {kind: 'fields', fields: ['solver.optimConfig.learningRate']}, got ${describe(by)}`,
    )
  }
  const b = by as Record<string, unknown>
  const known = b['kind'] === 'fields' ? ['kind', 'fields'] : ['kind']
  for (const key of Object.keys(b))
    if (!known.includes(key))
      throw new GroupOptionsError(`by.${key.slice(0, 40)}`, `unknown option (known: ${known.join(', ')})`)
  if (b['kind'] === 'except-seed') return { kind: 'except-seed' }
  if (b['kind'] !== 'fields')
    throw new GroupOptionsError('by.kind', `must be 'fields' or 'except-seed', got ${describe(b['kind'])}`)
  const fields = b['fields']
  if (!Array.isArray(fields) || fields.length < 1 || fields.length > MAX_GROUP_FIELDS) {
    throw new GroupOptionsError(
      'by.fields',
      `must list 1 to ${MAX_GROUP_FIELDS} config paths, got ${Array.isArray(fields) ? `${fields.length}` : describe(fields)}`,
    )
  }
  return {
    kind: 'fields',
    fields: Array.from(fields as unknown[], (f, i) => {
      if (typeof f !== 'string' || f.length > MAX_PATH || !PATH.test(f)) {
        throw new GroupOptionsError(
          `by.fields[${i}]`,
          `must be a dotted config path such as solver.optimConfig.learningRate (at most ${MAX_PATH} characters), got ${describe(f)}`,
        )
      }
      return f
    }),
  }
}
