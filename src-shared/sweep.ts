/**
 * Hyperparameter sweeps, CS231n's hyperparameter search: a base run config plus params (dotted paths into
 * it, each with choices or a range), expanded into run configs by grid search (every combination) or
 * random search (`samples` seeded draws). Expansion validates every resulting config, so a typo in a path
 * or a value out of range is reported, naming the param, before anything is queued.
 */
import { z } from 'zod'
import { RunConfigSchema, type FieldError, type ParseResult, type RunConfig } from './config'
import { cloneData, isPlainObject, parsePath, PathError, setPath } from './paths'
import { formatHyper } from './hyperFormat'

export const SWEEP_VERSION = 1
export const SWEEP_METHODS = ['grid', 'random'] as const
export const SWEEP_SCALES = ['log', 'linear'] as const
/** The most runs one sweep may queue (grid combinations or random samples). */
export const MAX_SWEEP_RUNS = 10_000
export const SWEEP_TAG_PREFIX = 'sweep:'
/** Run tags are at most 64 characters, and every run is tagged `sweep:<name>`. */
const MAX_NAME = 64 - SWEEP_TAG_PREFIX.length
const MAX_VALUES = 1000
const MAX_RUN_NAME = 200
/** Fields the sweep itself writes on every run. */
const RESERVED = new Set(['version', 'name', 'tags'])

/** Choices: grid search runs each, random search picks one uniformly. */
export interface ChoiceParam {
  values: unknown[]
}

/**
 * A range. Random search samples it (log-uniformly on scale 'log', as for learning rates and reg); grid
 * search takes `steps` evenly spaced points, min and max included, in linear or log space. `integer` rounds
 * to integers within [min, max].
 */
export interface RangeParam {
  min: number
  max: number
  scale: (typeof SWEEP_SCALES)[number]
  integer: boolean
  steps?: number
}

export type ParamSpec = ChoiceParam | RangeParam

const RANGE_KEYS = ['min', 'max', 'scale', 'integer', 'steps'] as const

const ParamFieldsSchema = z.strictObject({
  values: z.array(z.unknown()).min(1, 'at least one value').max(MAX_VALUES).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  scale: z.enum(SWEEP_SCALES).optional(),
  integer: z.boolean().optional(),
  steps: z.number().int().min(2, 'at least 2 (min and max)').max(MAX_SWEEP_RUNS).optional(),
})

/** One param; a single object schema (not a union) so that each mistake gets its own field message. */
export const ParamSpecSchema = ParamFieldsSchema.transform((p, ctx): ParamSpec => {
  let bad = false
  const issue = (path: string[], message: string): void => {
    bad = true
    ctx.addIssue({ code: 'custom', path, message })
  }
  if (p.values !== undefined) {
    for (const k of RANGE_KEYS)
      if (p[k] !== undefined) issue([k], 'not with values: a param is a list or a range')
    return bad ? z.NEVER : { values: p.values }
  }
  const { min, max, scale, integer = false, steps } = p
  if (min === undefined && max === undefined && scale === undefined) {
    issue([], 'give values (choices) or min, max and scale (a range)')
    return z.NEVER
  }
  if (min === undefined) issue(['min'], 'required for a range')
  if (max === undefined) issue(['max'], 'required for a range')
  if (scale === undefined) issue(['scale'], "required for a range: 'log' or 'linear'")
  if (min === undefined || max === undefined || scale === undefined) return z.NEVER
  if (min > max) issue(['max'], `must be at least min (${min})`)
  if (scale === 'log' && min <= 0) issue(['min'], 'must be above 0 on a log scale')
  if (integer && !bad && Math.ceil(min) > Math.floor(max)) issue(['integer'], 'no integer lies in [min, max]')
  if (bad) return z.NEVER
  return steps === undefined ? { min, max, scale, integer } : { min, max, scale, integer, steps }
})

export type ParamSpecInput = z.input<typeof ParamSpecSchema>

/**
 * Read by hand rather than with z.record, which silently drops a `__proto__` key: a rejected key should
 * say so. Keeps the written order, which is the grid's order.
 */
const ParamsSchema = z
  .custom<Record<string, ParamSpecInput>>(isPlainObject, 'an object of dotted paths to params')
  .transform((raw, ctx): Record<string, ParamSpec> => {
    const out: [string, ParamSpec][] = []
    for (const [key, value] of Object.entries(raw)) {
      try {
        const first = parsePath(key)[0] as string
        if (RESERVED.has(first)) throw new PathError(`${first} is set by the sweep`)
      } catch (e) {
        if (!(e instanceof PathError)) throw e
        ctx.addIssue({ code: 'custom', path: [key], message: e.message })
        continue
      }
      const r = ParamSpecSchema.safeParse(value)
      if (r.success) {
        out.push([key, r.data])
        continue
      }
      for (const p of problems(r.error.issues)) {
        ctx.addIssue({ code: 'custom', path: [key, ...p.path], message: p.message })
      }
    }
    const keys = out.map(([k]) => k)
    for (const a of keys) {
      for (const b of keys) {
        // Overlapping params would make the result depend on the order they are applied in.
        if (b.startsWith(a + '.')) {
          ctx.addIssue({ code: 'custom', path: [b], message: `overlaps params.${a}` })
        }
      }
    }
    return Object.fromEntries(out)
  })

export const SweepSpecSchema = z
  .strictObject({
    version: z.literal(SWEEP_VERSION).default(SWEEP_VERSION),
    name: z
      .string()
      .trim()
      .min(1, 'a name is required')
      .max(MAX_NAME, `at most ${MAX_NAME} characters (every run is tagged ${SWEEP_TAG_PREFIX}<name>)`),
    /** A run config that may omit what params fill; its name is replaced by each run's. */
    base: z.custom<Record<string, unknown>>(
      isPlainObject,
      'an object: a run config, params fill what it omits',
    ),
    method: z.enum(SWEEP_METHODS),
    /** Random search only: how many runs to draw. */
    samples: z.number().int().positive().max(MAX_SWEEP_RUNS).optional(),
    /** Random search only: seeds the draws; derived from the spec (and recorded) when absent. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    params: ParamsSchema,
  })
  .superRefine((s, ctx) => {
    const issue = (path: string[], message: string): void => ctx.addIssue({ code: 'custom', path, message })
    const ranges = Object.entries(s.params).filter((e): e is [string, RangeParam] => !('values' in e[1]))
    if (s.method === 'random') {
      if (s.samples === undefined) issue(['samples'], 'required for random search: how many runs to draw')
      for (const [k, p] of ranges) {
        if (p.steps !== undefined)
          issue(['params', k, 'steps'], 'grid search only; random search samples a range')
      }
    } else {
      if (s.samples !== undefined)
        issue(['samples'], 'random search only; grid search runs every combination')
      if (s.seed !== undefined) issue(['seed'], 'random search only; grid search draws nothing')
      for (const [k, p] of ranges) {
        if (p.steps === undefined) issue(['params', k, 'steps'], 'required for grid search over a range')
      }
    }
  })

export type SweepSpec = z.output<typeof SweepSpecSchema>
export type SweepSpecInput = z.input<typeof SweepSpecSchema>

/** mulberry32: a small seeded PRNG (src-shared cannot import the engine's); floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** JSON with sorted keys, so that equal specs hash equally whatever order their keys were written in. */
function stableJson(v: unknown): string {
  const sortKeys = (_k: string, x: unknown): unknown =>
    isPlainObject(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x
  return JSON.stringify(v, sortKeys) ?? ''
}

/**
 * The default seed is a hash of the spec rather than a fresh random number: expanding the same spec twice
 * (a preview in the form, then the queue) then gives the same runs.
 */
export function deriveSweepSeed(spec: Omit<SweepSpec, 'seed'>): number {
  const { name, base, method, samples, params } = spec
  const text = stableJson({ name, base, method, samples, params })
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))
const lerp = (a: number, b: number, t: number): number => a + (b - a) * t

/** The grid's points for one param, duplicates (from rounding or min = max) removed. */
export function gridValues(p: ParamSpec): unknown[] {
  if ('values' in p) return p.values
  const { min, max, scale, integer, steps = 2 } = p
  const points = Array.from({ length: steps }, (_, i) => {
    if (i === 0) return min
    if (i === steps - 1) return max
    const t = i / (steps - 1)
    const x = scale === 'log' ? 10 ** lerp(Math.log10(min), Math.log10(max), t) : lerp(min, max, t)
    // 12 digits drop float noise such as 0.0009999999999999998 for 1e-3.
    return Number(x.toPrecision(12))
  })
  const rounded = integer ? points.map((x) => clamp(Math.round(x), Math.ceil(min), Math.floor(max))) : points
  return [...new Set(rounded)]
}

function drawValue(p: ParamSpec, rand: () => number): unknown {
  if ('values' in p) return p.values[Math.floor(rand() * p.values.length)]
  const { min, max, scale, integer } = p
  const u = rand()
  if (!integer) {
    const x = scale === 'log' ? Math.exp(lerp(Math.log(min), Math.log(max), u)) : lerp(min, max, u)
    return clamp(x, min, max)
  }
  const lo = Math.ceil(min)
  const hi = Math.floor(max)
  if (scale === 'linear') return lo + Math.floor(u * (hi - lo + 1))
  // Log-uniform over [lo - 0.5, hi + 0.5] then rounded gives the end integers their full share (lo >= 1).
  return clamp(Math.round(Math.exp(lerp(Math.log(lo - 0.5), Math.log(hi + 0.5), u))), lo, hi)
}

const SHORT_LABELS = new Map([
  ['learningRate', 'lr'],
  ['hiddenDim', 'hidden'],
  ['hiddenDims', 'hidden'],
  ['numEpochs', 'epochs'],
  ['batchSize', 'batch'],
  ['weightScale', 'ws'],
  ['updateRule', 'update'],
  ['dropoutKeepRatio', 'keep'],
  ['normalization', 'norm'],
])

function labels(keys: string[]): string[] {
  const short = keys.map((k) => {
    const s = k.split('.')
    const last = s.at(-1) as string
    const name = (x: string): string => SHORT_LABELS.get(x) ?? x
    return /^\d+$/.test(last) && s.length > 1 ? `${name(s.at(-2) as string)}[${last}]` : name(last)
  })
  return short.map((l, i) => (short.indexOf(l) === short.lastIndexOf(l) ? l : (keys[i] as string)))
}

/** Two significant digits: enough to tell runs apart in a list; the config holds the exact value. */
export function formatParamValue(v: unknown): string {
  if (typeof v === 'number') return formatHyper(v)
  if (typeof v === 'string') return v.length > 24 ? `${v.slice(0, 23)}…` : v
  const json = JSON.stringify(v) ?? String(v)
  return json.length > 24 ? `${json.slice(0, 23)}…` : json
}

function runName(name: string, k: number, labelList: string[], combo: unknown[]): string {
  const head = `${name} #${k}`
  const summary = combo.map((v, i) => `${labelList[i]}=${formatParamValue(v)}`).join(' ')
  if (!summary) return head
  const room = MAX_RUN_NAME - head.length - 1
  return `${head} ${summary.length > room ? `${summary.slice(0, room - 1)}…` : summary}`
}

interface Problem {
  path: string[]
  message: string
  unknownField: boolean
}

/** Zod issues as paths and messages, one per unknown key (zod reports them on the parent object). */
function problems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap<Problem>((i) => {
    const at = i.path.map(String)
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ path: [...at, k], message: 'unknown field', unknownField: true }))
    }
    return [{ path: at, message: i.message, unknownField: false }]
  })
}

function specErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return problems(issues).map((p) => ({ path: p.path.join('.') || '(sweep)', message: p.message }))
}

/** The param an issue at `path` in a run config comes from, or -1 when it comes from the base. */
function ownerParam(path: string, unknownField: boolean, keys: string[]): number {
  return keys.findIndex(
    (k) => path === k || path.startsWith(k + '.') || (unknownField && k.startsWith(path + '.')),
  )
}

interface Tally {
  error: FieldError
  runs: number
  firstRun: number
  value: unknown
  showValue: boolean
}

function buildConfigs(spec: SweepSpec, combos: unknown[][]): ParseResult<RunConfig[]> {
  const keys = Object.keys(spec.params)
  const segments = keys.map((k) => parsePath(k))
  const labelList = labels(keys)
  const tag = SWEEP_TAG_PREFIX + spec.name
  const tally = new Map<string, Tally>()
  const note = (error: FieldError, run: number, value: unknown, showValue: boolean): void => {
    const id = `${error.path}\n${error.message}`
    const t = tally.get(id)
    if (t) t.runs++
    else tally.set(id, { error, runs: 1, firstRun: run, value, showValue })
  }
  const configs: RunConfig[] = []
  combos.forEach((combo, n) => {
    const run = n + 1
    const input = cloneData(spec.base)
    input.name = runName(spec.name, run, labelList, combo)
    const tags = input.tags === undefined ? [] : input.tags
    if (Array.isArray(tags)) input.tags = tags.includes(tag) ? tags : [...tags, tag]
    let settable = true
    segments.forEach((path, i) => {
      try {
        setPath(input, path, cloneData(combo[i]))
      } catch (e) {
        if (!(e instanceof PathError)) throw e
        settable = false
        note({ path: `params.${keys[i]}`, message: e.message }, run, combo[i], false)
      }
    })
    if (!settable) return
    const r = RunConfigSchema.safeParse(input)
    if (r.success) {
      configs.push(r.data)
      return
    }
    for (const p of problems(r.error.issues)) {
      const path = p.path.join('.')
      const i = ownerParam(path, p.unknownField, keys)
      if (i < 0) {
        note({ path: path ? `base.${path}` : 'base', message: p.message }, run, undefined, false)
        continue
      }
      const key = keys[i] as string
      const message = path === key || p.unknownField ? p.message : `${p.message} (at ${path})`
      note({ path: `params.${key}`, message }, run, combo[i], !p.unknownField)
    }
  })
  if (tally.size === 0) return { ok: true, value: configs }
  const errors = [...tally.values()].map(({ error, runs, firstRun, value, showValue }) => {
    if (!showValue) return error
    const which = runs > 1 ? `${runs} runs, e.g. #${firstRun}` : `run #${firstRun}`
    return { ...error, message: `${error.message} (${which} with ${formatParamValue(value)})` }
  })
  return { ok: false, errors }
}

/**
 * Validates a sweep and expands it into run configs, all or nothing. Grid search takes the cartesian
 * product with the last param varying fastest; random search draws `samples` runs from `seed` (recorded in
 * the returned spec). Each run is named `<name> #k <summary>` and tagged `sweep:<name>`.
 */
export function expandSweep(input: unknown): ParseResult<{ spec: SweepSpec; configs: RunConfig[] }> {
  const parsed = SweepSpecSchema.safeParse(input)
  if (!parsed.success) return { ok: false, errors: specErrors(parsed.error.issues) }
  let spec = parsed.data
  const params = Object.values(spec.params)
  let combos: unknown[][]
  if (spec.method === 'grid') {
    const axes = params.map(gridValues)
    const total = axes.reduce((n, a) => n * a.length, 1)
    if (total > MAX_SWEEP_RUNS) {
      const sizes = axes.map((a) => a.length).join(' × ')
      const message = `the grid has ${total} combinations (${sizes}); a sweep runs at most ${MAX_SWEEP_RUNS}`
      return { ok: false, errors: [{ path: 'params', message }] }
    }
    combos = axes.reduce<unknown[][]>((acc, axis) => acc.flatMap((c) => axis.map((v) => [...c, v])), [[]])
  } else {
    const seed = spec.seed ?? deriveSweepSeed(spec)
    spec = { ...spec, seed }
    const rand = mulberry32(seed)
    combos = Array.from({ length: spec.samples ?? 0 }, () => params.map((p) => drawValue(p, rand)))
  }
  const built = buildConfigs(spec, combos)
  return built.ok ? { ok: true, value: { spec, configs: built.value } } : built
}
