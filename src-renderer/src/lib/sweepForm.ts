/**
 * The sweep builder as data: a sweep spec (src-shared/sweep.ts) held as what the person types, so that
 * `1e-3` and half-typed numbers survive, and turned back into a spec on every keystroke. The two ways round
 * are exact: a spec read into the form and written back is the same data (keys the form has no control for
 * are carried along, so the JSON view can hold anything), and a form written out and read back is the same
 * form. Only the base run config is not edited field by field here: it comes from the single-run form or a
 * preset, and is kept as data.
 */
import { isPlainObject } from '../../../src-shared/paths'
import { OPTION_DEFAULTS } from './runForm'
import { fieldDefault, fieldSchema, sweepField, type FieldType, type SweepField } from './sweepFields'

export type ValuesMode = 'text' | 'options' | 'json'

export interface ParamRow {
  /** Stable across edits, for the list's keys and the rows' test ids. */
  id: number
  path: string
  kind: 'range' | 'values'
  min: string
  max: string
  /** '' when the spec has none (an error the form shows); any other text is kept as written. */
  scale: string
  /** null when the spec leaves it out (false). */
  integer: boolean | null
  steps: string
  /** Grid steps put aside while the method is random, restored when it is grid again. */
  stepsAside: string
  /** How the values are edited: typed (numbers, lists of numbers), picked (choices), or as JSON. */
  valuesMode: ValuesMode
  valuesText: string
  /** The picked choices in their order (grid order and random draws follow it). */
  options: unknown[]
  /** Keys of the param the form has no control for (a typo, a range key beside values): kept as they are. */
  extra: Record<string, unknown>
}

export interface SweepForm {
  name: string
  method: string
  samples: string
  seed: string
  base: unknown
  params: ParamRow[]
  /** A `params` that is not an object, or none (from the JSON view): kept so that its error shows. */
  paramsRaw: { value: unknown } | null
  /** Top-level keys besides the ones above (version, typos): kept. */
  extra: Record<string, unknown>
}

let nextId = 1
export const newRowId = (): number => nextId++

/** Numbers as people type them: `1e-3`, `.5`, `-2`. */
export const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i

/** A number as text; `String` writes the shortest text that reads back as the same number. */
const numText = (v: number): string => String(v)

/** A typed number: blank is absent, a number is a number, anything else stays text (and is an error). */
export function readNumber(text: string): number | string | undefined {
  const s = text.trim()
  if (s === '') return undefined
  return NUMBER.test(s) ? Number(s) : s
}

function scalarText(v: unknown): string | null {
  if (v === undefined) return ''
  if (typeof v === 'number' && Number.isFinite(v)) return numText(v)
  if (typeof v === 'string' && !NUMBER.test(v.trim()) && v.trim() !== '') return v
  return null
}

const LIST_SEP = ';'

/** Splits typed values: `1e-3, 3e-3` for numbers; `100, 100; 200` for lists of numbers. */
function splitItems(text: string, sep: RegExp): string[] {
  return text
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** The values typed in text mode, numbers where they read as numbers (the rest is kept as text). */
export function readValues(row: Pick<ParamRow, 'valuesText'>, type: FieldType | null): unknown[] {
  if (type?.kind === 'numberList') {
    const items = row.valuesText.split(LIST_SEP).map((s) => s.trim())
    if (items.every((s) => s === '')) return []
    // A separator at the end starts no list; an empty one in between is an empty list (an error).
    if (items.at(-1) === '') items.pop()
    return items.map((item) => splitItems(item, /[\s,]+/).map((x) => (NUMBER.test(x) ? Number(x) : x)))
  }
  return splitItems(row.valuesText, /[\s,]+/).map((x) => (NUMBER.test(x) ? Number(x) : x))
}

/** Text mode for the values when it writes them back exactly; null when only JSON can. */
function valuesAsText(values: unknown[], type: FieldType | null): string | null {
  if (type?.kind === 'numberList') {
    const lists = values.map((v) =>
      Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
        ? v.map(numText).join(', ')
        : null,
    )
    return lists.every((l) => l !== null) ? lists.join(`${LIST_SEP} `) : null
  }
  if (type !== null && type.kind !== 'number') return null
  const items = values.map((v) =>
    typeof v === 'number' && Number.isFinite(v)
      ? numText(v)
      : type && typeof v === 'string' && v !== '' && !NUMBER.test(v) && !/[\s,]/.test(v)
        ? v
        : null,
  )
  return items.every((x) => x !== null) ? items.join(', ') : null
}

function valuesAsOptions(values: unknown[], type: FieldType | null): unknown[] | null {
  if (type?.kind !== 'choice') return null
  const fits = values.every((v) => type.options.includes(v as string | null))
  return fits && new Set(values).size === values.length ? [...values] : null
}

function emptyRow(path: string): ParamRow {
  return {
    id: newRowId(),
    path,
    kind: 'values',
    min: '',
    max: '',
    scale: '',
    integer: null,
    steps: '',
    stepsAside: '',
    valuesMode: 'json',
    valuesText: '[]',
    options: [],
    extra: {},
  }
}

/** A row for a field the list does not offer, by its dotted path: a list of numbers to start with. */
export function customRow(path = ''): ParamRow {
  const row = emptyRow(path)
  row.valuesMode = 'text'
  row.valuesText = ''
  return row
}

/** The mode a row edits its values in: picked for choices, typed for numbers and lists, JSON otherwise. */
export function preferredMode(type: FieldType | null): ValuesMode {
  return type?.kind === 'choice' ? 'options' : 'text'
}

function setValues(row: ParamRow, values: unknown[], type: FieldType | null): void {
  if (values.length === 0) {
    row.valuesMode = preferredMode(type)
    row.valuesText = ''
    row.options = []
    return
  }
  const options = valuesAsOptions(values, type)
  if (options) {
    row.valuesMode = 'options'
    row.options = options
    row.valuesText = ''
    return
  }
  const text = valuesAsText(values, type)
  if (text !== null) {
    row.valuesMode = 'text'
    row.valuesText = text
    return
  }
  row.valuesMode = 'json'
  row.valuesText = JSON.stringify(values)
}

/** One param of a spec as a row; anything the row has no control for goes to `extra`. */
export function rowFromParam(path: string, raw: unknown): ParamRow {
  const row = emptyRow(path)
  if (!isPlainObject(raw)) {
    row.extra = { '': raw }
    return row
  }
  const type = sweepField(path)?.type ?? null
  const rest: Record<string, unknown> = { ...raw }
  if ('values' in raw && Array.isArray(raw.values)) {
    row.kind = 'values'
    setValues(row, raw.values, type)
    delete rest.values
  } else if ('values' in raw) {
    // Not a list: only JSON can show it.
    row.kind = 'values'
    row.valuesMode = 'json'
    row.valuesText = JSON.stringify(raw.values)
    delete rest.values
  } else {
    row.kind = 'range'
    for (const k of ['min', 'max', 'steps'] as const) {
      const text = scalarText(raw[k])
      if (text === null) continue
      row[k] = text
      delete rest[k]
    }
    if (typeof raw.scale === 'string') {
      row.scale = raw.scale
      delete rest.scale
    }
    if (typeof raw.integer === 'boolean') {
      row.integer = raw.integer
      delete rest.integer
    }
    row.valuesMode = preferredMode(type)
    row.valuesText = ''
  }
  row.extra = rest
  return row
}

function valuesOf(row: ParamRow): unknown {
  const type = sweepField(row.path)?.type ?? null
  if (row.valuesMode === 'options') return [...row.options]
  if (row.valuesMode === 'text') return readValues(row, type)
  try {
    return JSON.parse(row.valuesText) as unknown
  } catch {
    // Not JSON: kept as the text, which the spec then refuses (and the form says why).
    return row.valuesText
  }
}

/** A row as the param it describes (what the JSON view and the queue get). */
export function paramFromRow(row: ParamRow): unknown {
  if ('' in row.extra) return row.extra['']
  const out: Record<string, unknown> = {}
  if (row.kind === 'values') {
    out.values = valuesOf(row)
  } else {
    const put = (k: string, v: unknown): void => {
      if (v !== undefined) out[k] = v
    }
    put('min', readNumber(row.min))
    put('max', readNumber(row.max))
    if (row.scale !== '') out.scale = row.scale
    if (row.integer !== null) out.integer = row.integer
    put('steps', readNumber(row.steps))
  }
  // What the form controls wins over a kept key of the same name (a value only JSON could show).
  return { ...row.extra, ...out }
}

const TOP_KEYS = new Set(['name', 'method', 'samples', 'seed', 'base', 'params'])

/** A spec (anything JSON.parse gave) as the form. */
export function formFromSpec(spec: unknown): SweepForm {
  const s = isPlainObject(spec) ? spec : {}
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(s)) if (!TOP_KEYS.has(k)) extra[k] = v
  const text = (k: string): string => {
    const v = s[k]
    const t = scalarText(v)
    if (t === null) extra[k] = v
    return t ?? ''
  }
  const form: SweepForm = {
    name: typeof s.name === 'string' ? s.name : '',
    method: typeof s.method === 'string' ? s.method : '',
    samples: text('samples'),
    seed: text('seed'),
    base: s.base,
    params: [],
    paramsRaw: null,
    extra,
  }
  if (s.name !== undefined && typeof s.name !== 'string') extra.name = s.name
  if (s.method !== undefined && typeof s.method !== 'string') extra.method = s.method
  if (isPlainObject(s.params)) {
    form.params = Object.entries(s.params).map(([path, p]) => rowFromParam(path, p))
  } else {
    form.paramsRaw = { value: s.params }
  }
  return form
}

const sameData = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * A form read from a JSON edit, keeping what the person typed where the data is unchanged: a row that
 * gives the same param keeps its texts (`1e-3` stays `1e-3`, not `0.001`) and its id, and so does a field.
 */
export function mergeForm(prev: SweepForm, next: SweepForm): SweepForm {
  const keep = (a: string, b: string): string => (sameData(readNumber(a), readNumber(b)) ? a : b)
  const used = new Set<ParamRow>()
  const params = next.params.map((row) => {
    const old = prev.params.find(
      (p) => !used.has(p) && p.path === row.path && sameData(paramFromRow(p), paramFromRow(row)),
    )
    if (!old) return row
    used.add(old)
    return old
  })
  return {
    ...next,
    samples: keep(prev.samples, next.samples),
    seed: keep(prev.seed, next.seed),
    params,
  }
}

/** The form as a spec; rows naming the same path collapse into the last one (the form flags them). */
export function specFromForm(form: SweepForm): Record<string, unknown> {
  const { version, ...rest } = form.extra
  const out: Record<string, unknown> = version === undefined && !('version' in form.extra) ? {} : { version }
  // Kept keys first: what the form controls then replaces any of the same name.
  Object.assign(out, rest)
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v
  }
  if (form.name !== '' || !('name' in rest)) out.name = form.name
  if (form.method !== '') out.method = form.method
  put('samples', readNumber(form.samples))
  put('seed', readNumber(form.seed))
  if (form.base !== undefined) out.base = form.base
  if (form.paramsRaw !== null) {
    if (form.paramsRaw.value !== undefined) out.params = form.paramsRaw.value
  } else {
    const params: Record<string, unknown> = {}
    for (const row of form.params) params[row.path] = paramFromRow(row)
    out.params = params
  }
  return out
}

/** Three significant digits: a suggested bound is a starting point, not a measurement. */
const tidy = (x: number): number => Number(x.toPrecision(3))

/**
 * A sensible first param for a field, from the base's value (or the schema's default): a log range a
 * decade either side for rates and strengths, a linear range below the value for ratios bounded by 1,
 * half, the value and double for whole numbers, every option for a choice.
 */
export function suggestRow(field: SweepField, base: unknown, method: string): ParamRow {
  const row = emptyRow(field.path)
  const kind = isPlainObject(base) && isPlainObject(base.model) ? base.model.kind : undefined
  const leaf = field.leaf as keyof typeof OPTION_DEFAULTS
  // Optional update-rule settings have no schema default: the engine's is the one in force.
  const engine =
    field.path.startsWith('solver.optimConfig.') && leaf in OPTION_DEFAULTS
      ? Number(OPTION_DEFAULTS[leaf])
      : undefined
  const current = getIn(base, field.path) ?? fieldDefault(field, kind) ?? engine
  const t = field.type
  if (t.kind === 'choice') {
    row.valuesMode = 'options'
    row.valuesText = ''
    row.options = [...t.options]
    return row
  }
  if (t.kind === 'numberList') {
    const list = Array.isArray(current) && current.length > 0 ? (current as number[]) : [100]
    setValues(row, [list, list.map((x) => x * 2)], t)
    return row
  }
  const v = typeof current === 'number' && Number.isFinite(current) ? current : null
  if (t.int) {
    const lo = t.min ?? 0
    const hi = t.max ?? Infinity
    const around = v !== null && v > 0 ? [Math.round(v / 2), v, v * 2] : [1, 2, 3]
    const values = [...new Set(around.map((x) => Math.min(hi, Math.max(lo > 0 ? lo : 1, x))))]
    setValues(row, values, t)
    return row
  }
  row.kind = 'range'
  row.valuesMode = 'text'
  row.valuesText = ''
  if (t.max !== null && t.max <= 1) {
    let top = v !== null && v > 0 ? Math.min(v, t.max) : t.max
    // An open upper bound (β < 1) is not a value.
    const schema = fieldSchema(field, kind)
    if (schema && !schema.safeParse(top).success) top = tidy(top * 0.99)
    row.scale = 'linear'
    row.min = numText(tidy(top / 2))
    row.max = numText(top)
  } else {
    row.scale = 'log'
    row.min = numText(v !== null && v > 0 ? tidy(v / 10) : 1e-4)
    row.max = numText(v !== null && v > 0 ? tidy(v * 10) : 1)
  }
  row.stepsAside = '3'
  if (method === 'grid') row.steps = '3'
  return row
}

/** Switching a row between a range and a list keeps what each had. */
export function setRowKind(row: ParamRow, kind: 'range' | 'values', method: string): void {
  if (row.kind === kind) return
  row.kind = kind
  if (kind === 'range') {
    const type = sweepField(row.path)?.type ?? null
    // A list of numbers becomes the range that spans it.
    const listed = row.valuesMode === 'text' ? readValues(row, type).filter((x) => typeof x === 'number') : []
    if (row.min === '' && row.max === '' && listed.length > 0) {
      row.min = numText(Math.min(...(listed as number[])))
      row.max = numText(Math.max(...(listed as number[])))
    }
    if (row.integer === null && type?.kind === 'number' && type.int) row.integer = true
    if (row.scale === '') row.scale = 'log'
    if (method === 'grid' && row.steps === '') row.steps = row.stepsAside || '3'
  } else if (row.valuesMode !== 'options' && row.valuesText === '') {
    const type = sweepField(row.path)?.type ?? null
    const ends = [readNumber(row.min), readNumber(row.max)].filter((x) => typeof x === 'number')
    setValues(row, ends, type)
    if (ends.length === 0) row.valuesMode = preferredMode(type)
  }
}

/** Steps belong to grid search: set aside for random, back for grid. */
export function setMethod(form: SweepForm, method: 'grid' | 'random'): void {
  if (form.method === method) return
  form.method = method
  for (const row of form.params) {
    if (row.kind !== 'range') continue
    if (method === 'random' && row.steps !== '') {
      row.stepsAside = row.steps
      row.steps = ''
    } else if (method === 'grid' && row.steps === '') {
      row.steps = row.stepsAside || '3'
    }
  }
  if (method === 'random' && form.samples === '') form.samples = '8'
  if (method === 'grid') {
    form.samples = ''
    form.seed = ''
  }
}

function getIn(obj: unknown, path: string): unknown {
  let cur = obj
  for (const s of path.split('.')) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, s)) return undefined
    cur = cur[s]
  }
  return cur
}

/** The base's model kind, which decides the model fields on offer. */
export function baseModelKind(base: unknown): unknown {
  return isPlainObject(base) && isPlainObject(base.model) ? base.model.kind : undefined
}

/** A run config (the single-run form's, a preset's) as a base: each run's name comes from the sweep. */
export function baseFromConfig(config: unknown): Record<string, unknown> {
  const { name: _name, ...rest } = isPlainObject(config) ? config : {}
  return rest
}
