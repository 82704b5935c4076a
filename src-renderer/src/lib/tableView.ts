/**
 * The experiments table's view, kept across reloads in localStorage (there is no saved-view mechanism in
 * the store: a view is the person's, per browser, like the language): which columns, and the sort. What
 * is read back is checked: an unknown column (a field a later version dropped) is left out, and text
 * that is not a view gives the default.
 */
import { ALWAYS_SHOWN, column, DEFAULT_COLUMNS, type SortDir } from './runColumns'

export interface TableView {
  /** The columns after the name, in the catalogue's order. */
  columns: string[]
  sortKey: string | null
  sortDir: SortDir
}

export const VIEW_STORAGE_KEY = 'workbench.experiments.view'

export function defaultView(): TableView {
  return { columns: [...DEFAULT_COLUMNS], sortKey: null, sortDir: 'asc' }
}

/** A stored view made safe: known, distinct columns; a sort on a known column, else none. */
export function normalizeView(raw: unknown): TableView {
  if (typeof raw !== 'object' || raw === null) return defaultView()
  const r = raw as Record<string, unknown>
  const columns = Array.isArray(r['columns'])
    ? [...new Set(r['columns'].filter((k): k is string => typeof k === 'string' && k !== ALWAYS_SHOWN))]
    : [...DEFAULT_COLUMNS]
  const known = columns.filter((k) => column(k) !== null)
  const sortKey = typeof r['sortKey'] === 'string' && column(r['sortKey']) ? r['sortKey'] : null
  const sortDir: SortDir = r['sortDir'] === 'desc' ? 'desc' : 'asc'
  return { columns: known, sortKey, sortDir }
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    // Storage can be disabled (privacy settings): the view then lasts the session.
    return null
  }
}

export function loadView(): TableView {
  const text = storage()?.getItem(VIEW_STORAGE_KEY)
  if (!text) return defaultView()
  try {
    return normalizeView(JSON.parse(text))
  } catch {
    return defaultView()
  }
}

export function saveView(view: TableView): void {
  try {
    storage()?.setItem(VIEW_STORAGE_KEY, JSON.stringify(view))
  } catch {
    // A full or disabled storage: the view lasts the session.
  }
}
