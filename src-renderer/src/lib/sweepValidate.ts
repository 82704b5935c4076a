/**
 * Every problem of a sweep form at once, each on the field that shows it, as messages for people in either
 * language. The schemas of src-shared (SweepSpecSchema, ParamSpecSchema, RunConfigSchema and each config
 * field's own schema) decide what is wrong; this reads their issues by code and bounds, not by their
 * English text, so the words are the catalogue's. What the schema only reports as text (its custom checks)
 * is matched against the few sentences src-shared/sweep.ts writes. expandSweep stays the authority: a
 * problem it finds that nothing here explained is shown as it says it, on the field its path names.
 */
import type { z } from 'zod'
import { RunConfigSchema } from '../../../src-shared/config'
import { cloneData, isPlainObject, parsePath, PathError, setPath } from '../../../src-shared/paths'
import {
  expandSweep,
  formatParamValue,
  gridValues,
  MAX_SWEEP_RUNS,
  ParamSpecSchema,
  SweepSpecSchema,
  type ParamSpec,
  type SweepSpec,
} from '../../../src-shared/sweep'
import type { RunConfig } from '../../../src-shared/config'
import {
  baseModelKind,
  paramFromRow,
  readValues,
  specFromForm,
  type ParamRow,
  type SweepForm,
} from './sweepForm'
import { fieldSchema, hasField, sweepField } from './sweepFields'

/** A message to show: a catalogue key under `sweepForm.msg` with its values, a field's label, or raw text. */
export type Msg =
  { key: string; params?: Record<string, string | number | Msg> } | { label: string } | { raw: string }

type Issue = z.core.$ZodIssue & { input?: unknown }

/** Where a message shows: the sweep's own fields, `param.<row index>.<part>`, or `other` (no field). */
export type FieldId = string
export const ROW_PARTS = ['path', 'values', 'min', 'max', 'scale', 'integer', 'steps', 'row'] as const
export type RowPart = (typeof ROW_PARTS)[number]
export const rowField = (index: number, part: RowPart): FieldId => `param.${index}.${part}`

const m = (key: string, params?: Record<string, string | number | Msg>): Msg =>
  params ? { key, params } : { key }

const show = (v: unknown): string => formatParamValue(v)

/** The sentences src-shared/sweep.ts and paths.ts write for their own checks, and what they mean. */
const CUSTOM: [RegExp, (g: string[]) => Msg][] = [
  [/^not with values: a param is a list or a range$/, () => m('notWithValues')],
  [/^give values \(choices\) or min, max and scale \(a range\)$/, () => m('valuesOrRange')],
  [/^required for a range$/, () => m('requiredForRange')],
  [/^required for a range: 'log' or 'linear'$/, () => m('scaleRequired')],
  [/^must be at least min \((.*)\)$/, (g) => m('maxBelowMin', { min: g[1] as string })],
  [/^must be above 0 on a log scale$/, () => m('logAboveZero')],
  [/^no integer lies in \[min, max\]$/, () => m('noInteger')],
  [/^an object of dotted paths to params$/, () => m('paramsObject')],
  [/^(.*) is set by the sweep$/, (g) => m('reservedPath', { field: g[1] as string })],
  [/^overlaps params\.(.*)$/, (g) => m('overlaps', { other: { label: g[1] as string } })],
  [/^a path is required$/, () => m('pathRequired')],
  [/^at most (\d+) segments$/, (g) => m('pathTooDeep', { max: g[1] as string })],
  [/^"(.*)" is not allowed in a path$/, (g) => m('pathForbidden', { segment: g[1] as string })],
  [/^index (\d+) is over (\d+)$/, (g) => m('pathIndex', { index: g[1] as string, max: g[2] as string })],
  [/^"(.*)" is not a field name or an array index$/, (g) => m('pathSegment', { segment: g[1] as string })],
  [/^(.*) is a list; "(.*)" is not an index$/, (g) => m('pathIntoList', { at: g[1] as string })],
  [/^(.*) is (null|a \w+), not an object$/, (g) => m('pathIntoValue', { at: g[1] as string })],
  [/^an object: a run config, params fill what it omits$/, () => m('baseObject')],
  [/^required for random search: how many runs to draw$/, () => m('samplesRequired')],
  [/^grid search only; random search samples a range$/, () => m('stepsGridOnly')],
  [/^random search only; grid search runs every combination$/, () => m('samplesRandomOnly')],
  [/^random search only; grid search draws nothing$/, () => m('seedRandomOnly')],
  [/^required for grid search over a range$/, () => m('stepsRequired')],
  [
    /^the grid has (\d+) combinations \((.*)\); a sweep runs at most (\d+)$/,
    (g) => m('gridTooLarge', { total: g[1] as string, sizes: g[2] as string, max: g[3] as string }),
  ],
  [/^unknown field$/, () => m('unknownField')],
  [/^not valid Unicode/, () => m('loneSurrogate')],
]

/** One of src-shared's own sentences in the catalogue's words; the sentence itself when it is not one. */
export function fromText(message: string): Msg {
  // expandSweep appends which runs a problem hit: `… (3 runs, e.g. #2 with 0.5)`.
  for (const [re, make] of CUSTOM) {
    const g = re.exec(message)
    if (g) return make([...g])
  }
  return { raw: message }
}

/** A zod issue in the catalogue's words, read by its code and bounds. */
export function fromIssue(i: Issue, int = false): Msg {
  switch (i.code) {
    case 'too_small': {
      const n = Number(i.minimum)
      if (i.origin === 'array' || i.origin === 'set')
        return m(n <= 1 ? 'atLeastOneValue' : 'atLeastItems', { n })
      if (i.origin === 'string') return n <= 1 ? m('required') : m('atLeastChars', { n })
      // A whole number above 0 is at least 1: say the number a person can type.
      if (int && !i.inclusive) return m('atLeast', { min: show(Math.floor(n) + 1) })
      return m(i.inclusive ? 'atLeast' : 'above', { min: show(n) })
    }
    case 'too_big': {
      const n = Number(i.maximum)
      if (i.origin === 'array' || i.origin === 'set') return m('atMostItems', { n })
      if (i.origin === 'string') return m('atMostChars', { n })
      if (int && !i.inclusive) return m('atMost', { max: show(Math.ceil(n) - 1) })
      return m(i.inclusive ? 'atMost' : 'below', { max: show(n) })
    }
    case 'invalid_type':
      if ('input' in i && i.input === undefined) return m('required')
      if (i.expected === 'int') return m('wholeNumber')
      if (i.expected === 'number') return m('notNumber')
      if (i.expected === 'array') return m('notList')
      if (i.expected === 'object') return m('notObject')
      if (i.expected === 'string') return m('notText')
      if (i.expected === 'boolean') return m('notBoolean')
      return { raw: i.message }
    case 'invalid_value':
      return i.values.length === 1
        ? m('mustBe', { value: show(i.values[0]) })
        : m('oneOf', { values: i.values.map(show).join(', ') })
    case 'invalid_union':
      if ('options' in i && Array.isArray(i.options))
        return m('oneOf', { values: (i.options as unknown[]).map(show).join(', ') })
      return { raw: i.message }
    case 'unrecognized_keys':
      return m('unknownKeys', { keys: i.keys.join(', ') })
    case 'custom':
      return fromText(i.message)
    default:
      return { raw: i.message }
  }
}

function parse(schema: z.ZodType, value: unknown): Issue[] {
  const r = schema.safeParse(value, { reportInput: true })
  return r.success ? [] : (r.error.issues as Issue[])
}

export interface SweepCheck {
  /** What the form describes, as sent to the queue and shown in the JSON view. */
  spec: Record<string, unknown>
  /** Messages by field, every one of them. */
  errors: Map<FieldId, Msg[]>
  /** The runs it creates, when there is nothing to fix. */
  expanded: { spec: SweepSpec; configs: RunConfig[] } | null
}

class Errors {
  readonly map = new Map<FieldId, Msg[]>()
  private readonly seen = new Set<string>()
  add(field: FieldId, msg: Msg): void {
    const id = `${field}\n${JSON.stringify(msg)}`
    if (this.seen.has(id)) return
    this.seen.add(id)
    const list = this.map.get(field)
    if (list) list.push(msg)
    else this.map.set(field, [msg])
  }
}

const TOP_FIELDS = new Set(['name', 'method', 'samples', 'seed', 'base', 'params'])

/** The row a spec path `params.<key>…` belongs to: the longest key that prefixes it, its last row. */
function rowOfPath(rows: ParamRow[], rest: string): { index: number; sub: string } | null {
  let best: { index: number; sub: string } | null = null
  rows.forEach((row, index) => {
    if (rest !== row.path && !rest.startsWith(row.path + '.')) return
    // The spec keeps the last row of a path; a longer path is the closer owner.
    if (best && (rows[best.index] as ParamRow).path.length > row.path.length) return
    best = { index, sub: rest.slice(row.path.length + 1) }
  })
  return best
}

function partOf(sub: string, row: ParamRow): RowPart {
  const head = sub.split('.')[0] ?? ''
  if (head === 'values') return 'values'
  if ((ROW_PARTS as readonly string[]).includes(head) && head !== 'row' && head !== 'path')
    return head as RowPart
  return row.kind === 'values' && head === '' ? 'values' : 'row'
}

/** A spec path as printed by expandSweep (`params.solver.optimConfig.learningRate.min`) as a form field. */
export function fieldOfSpecPath(form: SweepForm, path: string): FieldId {
  const head = path.split('.')[0] ?? ''
  if (head === 'params' && path !== 'params') {
    const hit = rowOfPath(form.params, path.slice('params.'.length))
    if (hit) return rowField(hit.index, partOf(hit.sub, form.params[hit.index] as ParamRow))
    return 'params'
  }
  if (TOP_FIELDS.has(head)) return head
  return 'other'
}

function checkRowLocal(row: ParamRow, index: number, errors: Errors): void {
  if (row.kind === 'values' && row.valuesMode === 'json') {
    try {
      const v = JSON.parse(row.valuesText) as unknown
      if (!Array.isArray(v)) errors.add(rowField(index, 'values'), m('jsonNotList'))
    } catch (e) {
      errors.add(rowField(index, 'values'), m('invalidJson', { message: (e as Error).message }))
    }
  }
  const field = sweepField(row.path)
  if (row.kind === 'values' && row.valuesMode === 'text' && field?.type.kind === 'numberList') {
    const lists = readValues(row, field.type)
    if (lists.some((l) => Array.isArray(l) && l.length === 0))
      errors.add(rowField(index, 'values'), m('emptyList'))
  }
  if (row.kind === 'values' && row.valuesMode === 'options' && row.options.length === 0)
    errors.add(rowField(index, 'values'), m('pickOne'))
}

/** Structured problems of one param, from the param schema itself (codes intact). */
function checkRowSpec(row: ParamRow, index: number, errors: Errors): ParamSpec | null {
  const param = paramFromRow(row)
  const report = (issues: Issue[], skip: ReadonlySet<string>): void => {
    for (const i of issues) {
      const sub = i.path.map(String).join('.')
      if (i.code === 'unrecognized_keys') {
        errors.add(rowField(index, 'row'), m('unknownKeys', { keys: i.keys.join(', ') }))
        continue
      }
      const part: RowPart = sub === '' ? 'row' : partOf(sub, row)
      if (!skip.has(part)) errors.add(rowField(index, part), fromIssue(i, part === 'steps'))
    }
  }
  const r = ParamSpecSchema.safeParse(param, { reportInput: true })
  if (r.success) return r.data
  const issues = r.error.issues as Issue[]
  report(issues, new Set())
  // The range's own checks (max >= min, min > 0 on a log scale) run only once its parts are numbers: try
  // them with each part that is not a number put aside, so those problems show at once too.
  const bad = new Set(
    issues.filter((i) => i.code === 'invalid_type' && i.path.length === 1).map((i) => String(i.path[0])),
  )
  if (row.kind === 'range' && isPlainObject(param) && bad.size > 0) {
    const probe: Record<string, unknown> = { ...param }
    if (bad.has('steps')) delete probe.steps
    if (bad.has('min')) probe.min = typeof probe.max === 'number' ? probe.max : 1
    if (bad.has('max')) probe.max = typeof probe.min === 'number' ? probe.min : 1
    const again = ParamSpecSchema.safeParse(probe, { reportInput: true })
    if (!again.success) report(again.error.issues as Issue[], bad as ReadonlySet<string>)
  }
  return null
}

const valueProblem = (value: unknown, problem: Msg): Msg => m('valueProblem', { value: show(value), problem })

/** The values a param gives the run config, checked against that field's own schema. */
function checkRowValues(
  row: ParamRow,
  index: number,
  spec: ParamSpec,
  method: string,
  modelKind: unknown,
  errors: Errors,
): void {
  const field = sweepField(row.path)
  if (!field) return
  if (!hasField(field, modelKind)) {
    if (typeof modelKind === 'string')
      errors.add(rowField(index, 'path'), m('notForModel', { model: { label: `model.kind:${modelKind}` } }))
    return
  }
  const schema = fieldSchema(field, modelKind)
  if (!schema) return
  const whole = field.type.kind !== 'choice' && field.type.int
  const first = (v: unknown): Msg | null => {
    const issues = parse(schema, v)
    return issues[0] ? fromIssue(issues[0], whole) : null
  }
  if ('values' in spec) {
    let shown = 0
    for (const v of spec.values) {
      const p = first(v)
      if (!p) continue
      if (shown++ < 3) errors.add(rowField(index, 'values'), valueProblem(v, p))
    }
    return
  }
  const int = field.type.kind === 'number' && field.type.int
  if (method === 'grid' && spec.steps !== undefined) {
    let between = 0
    for (const v of gridValues(spec)) {
      const p = first(v)
      if (!p) continue
      const part: RowPart = v === spec.min ? 'min' : v === spec.max ? 'max' : 'steps'
      if (part !== 'steps') errors.add(rowField(index, part), p)
      else if (between++ < 3) errors.add(rowField(index, part), valueProblem(v, p))
    }
    return
  }
  const lo = spec.integer || int ? Math.ceil(spec.min) : spec.min
  const hi = spec.integer || int ? Math.floor(spec.max) : spec.max
  const atMin = first(lo)
  const atMax = first(hi)
  if (atMin) errors.add(rowField(index, 'min'), atMin)
  if (atMax) errors.add(rowField(index, 'max'), atMax)
  // A random draw from a range of reals is almost never whole.
  if (int && !spec.integer) errors.add(rowField(index, 'integer'), m('integerNeeded'))
}

/** The base with each param's first value in place: what is wrong with it that no param fixes. */
function checkBase(form: SweepForm, specs: (ParamSpec | null)[], errors: Errors): void {
  if (!isPlainObject(form.base)) return
  const config = cloneData(form.base) as Record<string, unknown>
  config.name = 'check'
  const rows = form.params
  rows.forEach((row, i) => {
    const p = specs[i]
    if (!p) return
    const v = 'values' in p ? p.values[0] : p.integer ? Math.ceil(p.min) : p.min
    try {
      setPath(config, parsePath(row.path), cloneData(v))
    } catch (e) {
      if (!(e instanceof PathError)) throw e
    }
  })
  const covered = (path: string): boolean =>
    rows.some((r) => r.path === path || path.startsWith(r.path + '.') || r.path.startsWith(path + '.'))
  for (const i of parse(RunConfigSchema, config)) {
    const at = i.path.map(String).join('.')
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) {
        const full = at ? `${at}.${k}` : k
        if (!covered(full))
          errors.add('base', m('baseField', { field: { label: full }, problem: m('unknownField') }))
      }
      continue
    }
    if (covered(at)) continue
    // List items belong to their list (model.hiddenDims.1 -> model.hiddenDims).
    const field = at.replace(/(\.\d+)+$/, '') || '(config)'
    const type = sweepField(field)?.type
    const int = type !== undefined && type.kind !== 'choice' && type.int
    errors.add('base', m('baseField', { field: { label: field }, problem: fromIssue(i, int) }))
  }
}

/** Problems of a param's path (not of its values) show on the field that picks it. */
const PATH_PROBLEMS = new Set([
  'reservedPath',
  'overlaps',
  'pathRequired',
  'pathTooDeep',
  'pathForbidden',
  'pathIndex',
  'pathSegment',
  'pathIntoList',
  'pathIntoValue',
  'unknownField',
])
function onPath(field: FieldId, msg: Msg): FieldId {
  const row = /^param\.(\d+)\./.exec(field)
  return row && 'key' in msg && PATH_PROBLEMS.has(msg.key) ? `param.${row[1]}.path` : field
}

function pathParses(path: string): boolean {
  try {
    return !['version', 'name', 'tags'].includes(parsePath(path)[0] as string)
  } catch {
    return false
  }
}

/** What the form describes, every problem with it, and, when there is none, the runs it creates. */
export function checkSweepForm(form: SweepForm): SweepCheck {
  const spec = specFromForm(form)
  const errors = new Errors()
  const rows = form.params
  const modelKind = baseModelKind(form.base)

  // The same field twice: the spec (an object) would keep only the last.
  const count = new Map<string, number>()
  for (const r of rows) count.set(r.path, (count.get(r.path) ?? 0) + 1)
  rows.forEach((r, i) => {
    if ((count.get(r.path) ?? 0) > 1 && r.path !== '') errors.add(rowField(i, 'path'), m('duplicate'))
  })

  rows.forEach((row, i) => checkRowLocal(row, i, errors))
  const specs = rows.map((row, i) => checkRowSpec(row, i, errors))
  rows.forEach((row, i) => {
    const p = specs[i]
    if (p) checkRowValues(row, i, p, form.method, modelKind, errors)
  })

  // The spec as a whole: its own fields, the param keys, and what depends on the method.
  for (const i of parse(SweepSpecSchema, spec)) {
    const [head, key] = i.path.map(String)
    if (head === 'params' && key !== undefined) {
      const msg = fromIssue(i)
      // The param's own problems came from its schema above, with their codes.
      if ('raw' in msg || ('key' in msg && ROW_ISSUES_ALREADY_READ.has(msg.key))) continue
      errors.add(onPath(fieldOfSpecPath(form, i.path.map(String).join('.')), msg), msg)
      continue
    }
    if (i.code === 'unrecognized_keys' && i.path.length === 0) {
      errors.add('other', m('unknownKeys', { keys: i.keys.join(', ') }))
      continue
    }
    const field = head !== undefined && TOP_FIELDS.has(head) ? head : 'other'
    const msg = fromIssue(i, field === 'samples' || field === 'seed')
    errors.add(
      field,
      field === 'other' && head !== undefined
        ? m('baseField', { field: { label: head }, problem: msg })
        : msg,
    )
  }

  // zod runs the method's checks (samples, seed, steps) only on an otherwise valid spec: run them on
  // the spec's method fields and its valid params alone too, so they show with everything else at once.
  const validParams = Object.fromEntries(
    rows.flatMap((r, i) => (specs[i] && pathParses(r.path) ? [[r.path, paramFromRow(r)]] : [])),
  )
  const methodOnly = { name: 'check', base: {}, method: spec.method, samples: spec.samples, seed: spec.seed }
  for (const i of parse(SweepSpecSchema, { ...methodOnly, params: validParams })) {
    const msg = fromIssue(i)
    if (!('key' in msg) || !METHOD_ISSUES.has(msg.key)) continue
    errors.add(fieldOfSpecPath(form, i.path.map(String).join('.')), msg)
  }

  // The grid's size, from the params that are valid: too many runs is said with the rest.
  if (form.method === 'grid' && specs.every((p) => p !== null)) {
    const sizes = (specs as ParamSpec[]).map((p) => gridValues(p).length)
    const total = sizes.reduce((n, k) => n * k, 1)
    if (total > MAX_SWEEP_RUNS)
      errors.add(
        'params',
        m('gridTooLarge', { total: String(total), sizes: sizes.join(' × '), max: String(MAX_SWEEP_RUNS) }),
      )
  }

  checkBase(form, specs, errors)

  if (errors.map.size > 0) return { spec, errors: errors.map, expanded: null }
  const r = expandSweep(spec)
  if (r.ok) return { spec, errors: errors.map, expanded: r.value }
  // Whatever the checks above did not explain, as expandSweep says it, on the field its path names.
  for (const e of r.errors) {
    const msg = fromText(e.message)
    const field = onPath(fieldOfSpecPath(form, e.path), msg)
    errors.add(field, field === 'other' ? m('baseField', { field: { label: e.path }, problem: msg }) : msg)
  }
  return { spec, errors: errors.map, expanded: null }
}

/** Problems of a param that ParamSpecSchema reports itself (so the spec's copy of them is skipped). */
const ROW_ISSUES_ALREADY_READ = new Set([
  'notWithValues',
  'valuesOrRange',
  'requiredForRange',
  'scaleRequired',
  'maxBelowMin',
  'logAboveZero',
  'noInteger',
  'unknownField',
])

/** What SweepSpecSchema checks against the method once everything else is valid. */
const METHOD_ISSUES = new Set([
  'samplesRequired',
  'stepsGridOnly',
  'samplesRandomOnly',
  'seedRandomOnly',
  'stepsRequired',
])
