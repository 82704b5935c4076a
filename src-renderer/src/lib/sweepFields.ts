/**
 * The run-config fields a sweep can vary, read from the config schema itself (src-shared/config.ts), so a
 * field added there is offered here without a hand-kept list: numbers (whole or not, with their bounds),
 * choices (enums, a nullable one offering null) and lists of numbers (fc hidden sizes). Text fields, the
 * model kind (the discriminator) and what the sweep writes itself (name, tags) are left out. A field that
 * only some models have (model.hiddenDims for fc) says which.
 */
import { z } from 'zod'
import { RunConfigSchema } from '../../../src-shared/config'

export type FieldType =
  | { kind: 'number'; int: boolean; min: number | null; max: number | null }
  | { kind: 'choice'; options: (string | null)[] }
  | { kind: 'numberList'; int: boolean }

export interface SweepField {
  /** Dotted path into the run config, as sweep params name it. */
  path: string
  /** The last segment: what the label is looked up by. */
  leaf: string
  type: FieldType
  /** Model kinds that have the field; null for fields outside `model`. */
  modelKinds: string[] | null
  /** The schema of one value, per model kind for model fields ('' otherwise). */
  schemas: Map<string, z.ZodType>
  /** The schema's default, per model kind ('' otherwise); undefined when it has none. */
  defaults: Map<string, unknown>
}

/** Fields a person does not sweep: text, bookkeeping and what the sweep sets on every run. */
const LEFT_OUT = new Set(['version', 'name', 'tags', 'notes', 'model.kind'])

/** The schema's kind, as zod 4 names it in `def.type`. */
function typeOf(s: z.ZodType): string {
  return (s as unknown as { def: { type: string } }).def.type
}

interface Unwrapped {
  schema: z.ZodType
  nullable: boolean
  defaultValue: unknown
}

/** Peels default, optional and nullable off a schema, remembering what they said. */
function unwrap(s: z.ZodType): Unwrapped {
  let schema = s
  let nullable = false
  let defaultValue: unknown
  for (;;) {
    const type = typeOf(schema)
    if (type === 'default') {
      const d = schema as unknown as z.ZodDefault<z.ZodType>
      if (defaultValue === undefined) defaultValue = d.def.defaultValue
      schema = d.unwrap()
    } else if (type === 'optional') {
      schema = (schema as unknown as z.ZodOptional<z.ZodType>).unwrap()
    } else if (type === 'nullable') {
      nullable = true
      schema = (schema as unknown as z.ZodNullable<z.ZodType>).unwrap()
    } else {
      return { schema, nullable, defaultValue }
    }
  }
}

function leafType(u: Unwrapped): FieldType | null {
  const type = typeOf(u.schema)
  if (type === 'number' && !u.nullable) {
    const n = u.schema as z.ZodNumber
    const big = (x: number | null): number | null =>
      x === null || !Number.isFinite(x) || Math.abs(x) >= Number.MAX_SAFE_INTEGER ? null : x
    return { kind: 'number', int: n.isInt, min: big(n.minValue), max: big(n.maxValue) }
  }
  if (type === 'enum') {
    const options: (string | null)[] = [...(u.schema as z.ZodEnum).options].map(String)
    return { kind: 'choice', options: u.nullable ? [null, ...options] : options }
  }
  if (type === 'array' && !u.nullable) {
    const element = unwrap((u.schema as z.ZodArray<z.ZodType>).element)
    if (typeOf(element.schema) === 'number' && !element.nullable)
      return { kind: 'numberList', int: (element.schema as z.ZodNumber).isInt }
  }
  // A nullable number (numTrainSamples: null scores all) takes numbers; null goes in the JSON view.
  if (type === 'number' && u.nullable) return leafType({ ...u, nullable: false })
  return null
}

function walk(
  schema: z.ZodType,
  prefix: string,
  modelKind: string,
  out: Map<string, SweepField>,
  kinds: string[],
): void {
  const u = unwrap(schema)
  const type = typeOf(u.schema)
  if (type === 'object') {
    const shape = (u.schema as z.ZodObject).shape as Record<string, z.ZodType>
    for (const [key, child] of Object.entries(shape))
      walk(child, prefix ? `${prefix}.${key}` : key, modelKind, out, kinds)
    return
  }
  if (type === 'union') {
    // The model: one discriminated option per kind, each read on its own.
    for (const option of (u.schema as unknown as z.ZodUnion<z.ZodObject[]>).options) {
      const kind = (option.shape as Record<string, z.ZodType>).kind
      const values = kind ? (kind as unknown as { def: { values: unknown[] } }).def.values : []
      const name = String(values[0])
      kinds.push(name)
      walk(option, prefix, name, out, kinds)
    }
    return
  }
  if (LEFT_OUT.has(prefix)) return
  const t = leafType(u)
  if (!t) return
  // Values are checked with null allowed where the config allows it (normalization: none).
  const valueSchema = u.nullable ? u.schema.nullable() : u.schema
  const field = out.get(prefix)
  if (field) {
    field.modelKinds?.push(modelKind)
    field.schemas.set(modelKind, valueSchema)
    field.defaults.set(modelKind, u.defaultValue)
    return
  }
  out.set(prefix, {
    path: prefix,
    leaf: prefix.split('.').at(-1) as string,
    type: t,
    modelKinds: modelKind ? [modelKind] : null,
    schemas: new Map([[modelKind, valueSchema]]),
    defaults: new Map([[modelKind, u.defaultValue]]),
  })
}

function buildCatalog(): { fields: SweepField[]; modelKinds: string[] } {
  const out = new Map<string, SweepField>()
  const modelKinds: string[] = []
  walk(RunConfigSchema, '', '', out, modelKinds)
  return { fields: [...out.values()], modelKinds }
}

const CATALOG = buildCatalog()

/** Every sweepable field, in the config's order (dataset, model, solver, seed). */
export const SWEEP_FIELDS: readonly SweepField[] = CATALOG.fields
export const MODEL_KINDS: readonly string[] = CATALOG.modelKinds

const BY_PATH = new Map(SWEEP_FIELDS.map((f) => [f.path, f]))

export function sweepField(path: string): SweepField | null {
  return BY_PATH.get(path) ?? null
}

/** The fields a base with this model kind has (model fields of other kinds are left out). */
export function fieldsFor(modelKind: unknown): SweepField[] {
  return SWEEP_FIELDS.filter(
    (f) => f.modelKinds === null || (typeof modelKind === 'string' && f.modelKinds.includes(modelKind)),
  )
}

/** Whether the field exists for that model kind (fields outside `model` always do). */
export function hasField(f: SweepField, modelKind: unknown): boolean {
  return f.modelKinds === null || (typeof modelKind === 'string' && f.modelKinds.includes(modelKind))
}

/** The schema a value of the field must pass, for the base's model kind; null when the kind lacks it. */
export function fieldSchema(f: SweepField, modelKind: unknown): z.ZodType | null {
  if (f.modelKinds === null) return f.schemas.get('') ?? null
  return typeof modelKind === 'string' ? (f.schemas.get(modelKind) ?? null) : null
}

export function fieldDefault(f: SweepField, modelKind: unknown): unknown {
  return f.modelKinds === null
    ? f.defaults.get('')
    : typeof modelKind === 'string'
      ? f.defaults.get(modelKind)
      : undefined
}
