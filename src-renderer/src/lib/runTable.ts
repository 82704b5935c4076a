/**
 * The experiments table's logic, kept out of the component so it is tested as plain functions: sorting
 * by any column (lib/runColumns.ts) and the filter box (lib/filterQuery.ts's language) with the selects
 * beside it. Both are written for 20,000 runs: each run's sort key is read once, text is compared with
 * one cached collator, and the filter is compiled to a function once per change of the text.
 */
import { createdAtOf, isCorrupt, type CorruptRun, type RunListEntry } from '../../../src-shared/corruptRun'
import { RUN_STATUSES, type RunStatus } from '../../../src-shared/runs'
import { column, type CellValue, type SortDir } from './runColumns'
import { glob, parseFilter, type FilterNode, type Op } from './filterQuery'

export type { SortDir } from './runColumns'
/** A column's key (lib/runColumns.ts): a fixed column's name or `config:<path>`. */
export type ColumnKey = string

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })

/** What a damaged run sorts by: its salvaged name, creation time and status (after every other); else empty. */
function corruptValue(key: ColumnKey, run: CorruptRun): CellValue {
  if (key === 'name') return run.name ?? run.id
  if (key === 'status') return RUN_STATUSES.length
  if (key === 'created') return createdAtOf(run)
  return null
}

/**
 * A sorted copy; ties keep the incoming order (the store's newest-first), and empty cells (a running run's
 * accuracy, a field its model does not have, NaN) go last in both directions. An unknown key keeps the order.
 */
export function sortRuns<R extends RunListEntry>(
  runs: readonly R[],
  key: ColumnKey,
  dir: SortDir,
  now: number,
): R[] {
  const col = column(key)
  if (!col) return [...runs]
  const sign = dir === 'asc' ? 1 : -1
  const keyed = runs.map((run, i) => {
    const v = isCorrupt(run) ? corruptValue(key, run) : col.value(run, now)
    return { run, i, v: typeof v === 'number' && Number.isNaN(v) ? null : v }
  })
  // Text is ranked once per distinct value (a model column has a handful), so the sort itself compares
  // numbers: the collator runs over the distinct values, not n log n times.
  const texts = new Set<string>()
  for (const x of keyed) if (typeof x.v === 'string') texts.add(x.v)
  if (texts.size > 0) {
    const rank = new Map([...texts].sort(collator.compare).map((t, r) => [t, r]))
    // Numbers (a status index) and text never share a column; were they to, numbers come first.
    let offset = 0
    for (const x of keyed) if (typeof x.v === 'number') offset = Math.max(offset, x.v + 1)
    for (const x of keyed) if (typeof x.v === 'string') x.v = offset + rank.get(x.v)!
  }
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1
    return sign * ((a.v as number) - (b.v as number)) || a.i - b.i
  })
  return keyed.map((x) => x.run)
}

// ---- the filter ----

/** Archived runs: hidden (the default), shown with the others, or shown alone. */
export type ArchivedFilter = 'hide' | 'show' | 'only'

export interface RunFilter {
  /** The filter box's text; a malformed one filters nothing (the view shows what is wrong). */
  query: string
  /** 'corrupt': the runs main could not read. */
  status: RunStatus | 'corrupt' | ''
  dataset: string
  /** A model kind (src-shared/config.ts), or '' for all. */
  model: string
  /** Default 'hide': a person archives runs to get them out of the way. */
  archived?: ArchivedFilter
}

export const EMPTY_FILTER: RunFilter = { query: '', status: '', dataset: '', model: '', archived: 'hide' }

function holds(x: number, op: Op, v: number): boolean {
  // Relative tolerance, so `lr = 1e-3` matches a learning rate stored as 0.0010000000000000002.
  const eq = Math.abs(x - v) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(v))
  switch (op) {
    case '<':
      return x < v && !eq
    case '<=':
      return x < v || eq
    case '>':
      return x > v && !eq
    case '>=':
      return x > v || eq
    case '=':
      return eq
    case '!=':
      return !eq
  }
}

/**
 * true, false, or null for "cannot tell": a run without the field's value (a running run's accuracy, a
 * damaged run's config). Three-valued, so `best > 80%` and `not best > 80%` both leave such a run out.
 */
type Truth = boolean | null
type Test = (run: RunListEntry, now: number) => Truth

const hayCache = new WeakMap<object, string[]>()
/** The lowercased name, id and tags a word is looked for in; a record is replaced, never changed. */
function hay(run: RunListEntry): string[] {
  let h = hayCache.get(run)
  if (!h) {
    h = isCorrupt(run)
      ? [run.name ?? '', run.id].map((s) => s.toLowerCase())
      : [run.config.name, run.id, ...run.config.tags].map((s) => s.toLowerCase())
    hayCache.set(run, h)
  }
  return h
}

function compile(node: FilterNode): Test {
  switch (node.type) {
    case 'and': {
      const items = node.items.map(compile)
      return (r, now) => {
        let unknown = false
        for (const test of items) {
          const v = test(r, now)
          if (v === false) return false
          if (v === null) unknown = true
        }
        return unknown ? null : true
      }
    }
    case 'or': {
      const items = node.items.map(compile)
      return (r, now) => {
        let unknown = false
        for (const test of items) {
          const v = test(r, now)
          if (v === true) return true
          if (v === null) unknown = true
        }
        return unknown ? null : false
      }
    }
    case 'not': {
      const item = compile(node.item)
      return (r, now) => {
        const v = item(r, now)
        return v === null ? null : !v
      }
    }
    case 'compare': {
      const { field, op, value } = node
      return (r, now) => {
        if (isCorrupt(r)) return null
        const x = field.value(r, now)
        return x === null || Number.isNaN(x) ? null : holds(x, op, value)
      }
    }
    case 'match': {
      const { field } = node
      const matches = glob(node.value)
      return (r) => {
        if (isCorrupt(r)) {
          if (field.name === 'status') return matches('corrupt')
          if (field.name === 'name') return matches((r.name ?? r.id).toLowerCase())
          return null
        }
        const v = field.get(r)
        if (v === null) return null
        return typeof v === 'string' ? matches(v.toLowerCase()) : v.some((x) => matches(x.toLowerCase()))
      }
    }
    case 'word': {
      const word = node.value
      return (r) => hay(r).some((h) => h.includes(word))
    }
  }
}

/** The filter box's text as a test of one run, or null for an empty or malformed text (all runs pass). */
export function compileQuery(query: string): Test | null {
  const parsed = parseFilter(query)
  return parsed.ok && parsed.tree ? compile(parsed.tree) : null
}

/**
 * Runs matching every part of the filter. A damaged run has only its id and salvaged name: words, name:
 * and status:corrupt can match it, and the dataset and model selects leave it out.
 */
export function filterRuns<R extends RunListEntry>(runs: readonly R[], filter: RunFilter, now: number): R[] {
  const test = compileQuery(filter.query)
  const archived = filter.archived ?? 'hide'
  return runs.filter((r) => {
    if (isCorrupt(r)) {
      // A damaged run cannot be archived: it is never hidden as one.
      if (archived === 'only') return false
      if (filter.status && filter.status !== 'corrupt') return false
      if (filter.dataset || filter.model) return false
    } else {
      if (archived === 'hide' && r.archived) return false
      if (archived === 'only' && !r.archived) return false
      if (filter.status && r.status !== filter.status) return false
      if (filter.dataset && r.config.dataset.name !== filter.dataset) return false
      if (filter.model && r.config.model.kind !== filter.model) return false
    }
    return test === null || test(r, now) === true
  })
}
