/**
 * What is wrong with a field, as data rather than English text: zod's issues (and the checks main makes
 * beyond the schema) become a `FieldIssue` with the field's bounds, and the UI words it in its language
 * (src-renderer/src/lib/fieldMessages.ts). One mapping, used by the New Run form and by main's field
 * errors, so no schema text reaches a person.
 */
import type { z } from 'zod'
import { RunConfigSchema, type ParseResult, type RunConfig } from './config'

/** One end of a numeric field's range. */
export interface Bound {
  value: number
  inclusive: boolean
}

/** What a numeric field accepts, read from its schema. */
export interface NumberRule {
  integer: boolean
  min: Bound | null
  max: Bound | null
}

export type FieldIssue =
  /** Left blank, or missing. */
  | { code: 'required' }
  /** Text that is not a number at all (the form's fields are text). */
  | { code: 'notANumber' }
  /** The fc net's layer sizes: not a comma-separated list of numbers. */
  | { code: 'notAList' }
  /** The fc net's layer sizes: none given. */
  | { code: 'noLayers' }
  /** A number outside its field's range, or not whole where it must be: the message states the range. */
  | ({ code: 'number' } & NumberRule)
  | { code: 'textTooLong'; max: number }
  | { code: 'tooManyItems'; max: number }
  | { code: 'tooFewItems'; min: number }
  | { code: 'oneOf'; options: string[] }
  | { code: 'unknownFields'; keys: string[] }
  /** A lone surrogate: half of a character, from a broken encoder. */
  | { code: 'brokenText' }
  | { code: 'datasetName' }
  | { code: 'notText' }
  /** numTraining + numValidation exceed the dataset's training images. */
  | {
      code: 'trainSplitTooLarge'
      dataset: string
      numTraining: number
      numValidation: number
      available: number
    }
  | { code: 'testSplitTooLarge'; dataset: string; numTest: number; available: number }
  /** A batch larger than the training images the run uses. */
  | { code: 'batchTooLarge'; batchSize: number; numTraining: number }
  /** Anything else the schema refuses. */
  | { code: 'invalid' }

type Def = {
  type: string
  innerType?: z.core.$ZodType
  in?: z.core.$ZodType
  shape?: Record<string, z.core.$ZodType>
  element?: z.core.$ZodType
  options?: z.core.$ZodType[]
  checks?: { _zod: { def: { check: string; value?: unknown; inclusive?: boolean; format?: string } } }[]
}
const defOf = (s: z.core.$ZodType): Def => s._zod.def as unknown as Def

/** Through defaults, optionals, nullables and pipes to the schema that checks the value. */
function unwrap(s: z.core.$ZodType): z.core.$ZodType {
  for (;;) {
    const d = defOf(s)
    if ((d.type === 'default' || d.type === 'optional' || d.type === 'nullable') && d.innerType)
      s = d.innerType
    else if (d.type === 'pipe' && d.in) s = d.in
    else return s
  }
}

/** The schema at `path` (list indices step into the element; a union tries each option in turn). */
function schemaAt(root: z.core.$ZodType, path: readonly (string | number)[]): z.core.$ZodType | null {
  const s = unwrap(root)
  if (path.length === 0) return s
  const [head, ...rest] = path
  const d = defOf(s)
  if (d.type === 'object' && d.shape && typeof head === 'string' && head in d.shape)
    return schemaAt(d.shape[head]!, rest)
  if (d.type === 'array' && d.element && (typeof head === 'number' || /^\d+$/.test(String(head))))
    return schemaAt(d.element, rest)
  if (d.type === 'union' && d.options) {
    for (const o of d.options) {
      const found = schemaAt(o, path)
      if (found) return found
    }
  }
  return null
}

/** The range a number schema accepts (its int / gt / gte / lt / lte checks). */
export function numberRule(schema: z.core.$ZodType): NumberRule | null {
  const s = unwrap(schema)
  const d = defOf(s)
  if (d.type !== 'number') return null
  const rule: NumberRule = { integer: false, min: null, max: null }
  for (const c of d.checks ?? []) {
    const { check, value, inclusive, format } = c._zod.def
    if (check === 'number_format' && (format === 'safeint' || format === 'int32' || format === 'uint32'))
      rule.integer = true
    else if (check === 'greater_than' && typeof value === 'number')
      rule.min = { value, inclusive: inclusive ?? false }
    else if (check === 'less_than' && typeof value === 'number')
      rule.max = { value, inclusive: inclusive ?? false }
  }
  // A whole number greater than 0 is one of at least 1: say it that way.
  if (rule.integer && rule.min && !rule.min.inclusive)
    rule.min = { value: Math.floor(rule.min.value) + 1, inclusive: true }
  if (rule.integer && rule.max && !rule.max.inclusive)
    rule.max = { value: Math.ceil(rule.max.value) - 1, inclusive: true }
  return rule
}

/** The range of the run-config field at `path` (`solver.batchSize`, `model.hiddenDims.0`), if numeric. */
export function configNumberRule(path: string | readonly (string | number)[]): NumberRule | null {
  const segs = typeof path === 'string' ? path.split('.').filter(Boolean) : path
  const s = schemaAt(RunConfigSchema, segs)
  return s ? numberRule(s) : null
}

const LIST_INDEX = (seg: PropertyKey | undefined): seg is number | string =>
  typeof seg === 'number' || (typeof seg === 'string' && /^\d+$/.test(seg))

/**
 * A zod issue of a run config as a FieldIssue. `root` is the schema the issue's path starts at (the run
 * config unless told); `input` is the value that was checked, to tell a missing field from a wrong one.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  { root = RunConfigSchema as z.core.$ZodType, input }: { root?: z.core.$ZodType; input?: unknown } = {},
): { issue: FieldIssue; item?: number } {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  const last = path[path.length - 1]
  const item = LIST_INDEX(last) ? Number(last) + 1 : undefined
  const withItem = (i: FieldIssue): { issue: FieldIssue; item?: number } =>
    item === undefined ? { issue: i } : { issue: i, item }
  const at = schemaAt(root, path)
  const rule = at ? numberRule(at) : null
  const given = input === undefined ? undefined : valueAt(input, path)
  const missing = input !== undefined && given === undefined

  switch (issue.code) {
    case 'invalid_type':
      if (missing) return withItem({ code: 'required' })
      if (rule) return withItem({ code: 'number', ...rule })
      if (issue.expected === 'array') return withItem({ code: 'notAList' })
      if (issue.expected === 'string') return withItem({ code: 'notText' })
      return withItem({ code: 'invalid' })
    case 'too_small':
    case 'too_big': {
      if (rule) return withItem({ code: 'number', ...rule })
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum)
      if (issue.origin === 'string') {
        if (issue.code === 'too_small') return withItem({ code: 'required' })
        return withItem({ code: 'textTooLong', max: bound })
      }
      if (issue.origin === 'array') {
        return withItem(
          issue.code === 'too_small'
            ? { code: 'tooFewItems', min: bound }
            : { code: 'tooManyItems', max: bound },
        )
      }
      return withItem({ code: 'invalid' })
    }
    case 'invalid_format':
      return withItem(path.join('.') === 'dataset.name' ? { code: 'datasetName' } : { code: 'invalid' })
    case 'invalid_value':
      return withItem({ code: 'oneOf', options: issue.values.map(String) })
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options
      return withItem(
        Array.isArray(options) ? { code: 'oneOf', options: options.map(String) } : { code: 'invalid' },
      )
    }
    case 'unrecognized_keys':
      return { issue: { code: 'unknownFields', keys: [...issue.keys] } }
    case 'custom':
      return withItem(issue.params?.['issue'] === 'brokenText' ? { code: 'brokenText' } : { code: 'invalid' })
    default:
      return withItem({ code: 'invalid' })
  }
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v = input
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<string | number, unknown>)[seg]
  }
  return v
}

/**
 * `parseRunConfig` whose errors also carry their FieldIssue: what main answers the UI with, so a field
 * error from main reads in the UI's language like the form's own.
 */
export function checkRunConfig(input: unknown): ParseResult<RunConfig> {
  const r = RunConfigSchema.safeParse(input)
  if (r.success) return { ok: true, value: r.data }
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(config)',
      message: i.message,
      ...describeIssue(i, { input }),
    })),
  }
}
