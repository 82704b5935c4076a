/**
 * What the filter box can compare and match: the short names people type (lr, best, duration …), every
 * other number of the run config by its path or its last segment (read from the config schema through
 * lib/sweepFields.ts, so a field added there can be filtered on without a hand-kept list), and the
 * `prefix:value` matches (tag:, name:, status:, model:, dataset: and the config's choice fields).
 */
import { RUN_STATUSES, type RunRecord } from '../../../src-shared/runs'
import { averageRate } from '../../../src-shared/trainingRate'
import { runDurationMs } from './format'
import { MODEL_KINDS, SWEEP_FIELDS } from './sweepFields'

export type Unit = 'fraction' | 'seconds'

export interface NumericField {
  /** The name the error messages use: what the person should type. */
  name: string
  value: (run: RunRecord, now: number) => number | null
  /** Accuracies read 85, 85% and 0.85 alike; durations take ms, s, m, h. */
  unit?: Unit
  /** The value changes with the clock (a running run's duration). */
  usesNow?: boolean
}

const SHORT_FIELDS: NumericField[] = [
  { name: 'lr', value: (r) => r.config.solver.optimConfig.learningRate },
  { name: 'reg', value: (r) => r.config.model.reg },
  { name: 'batch', value: (r) => r.config.solver.batchSize },
  { name: 'epochs', value: (r) => r.config.solver.numEpochs },
  { name: 'decay', value: (r) => r.config.solver.lrDecay },
  {
    name: 'hidden',
    value: (r) =>
      r.config.model.kind === 'fc' ? (r.config.model.hiddenDims[0] ?? null) : r.config.model.hiddenDim,
  },
  {
    name: 'layers',
    value: (r) =>
      r.config.model.kind === 'fc'
        ? r.config.model.hiddenDims.length + 1
        : r.config.model.kind === 'two-layer'
          ? 2
          : 3,
  },
  { name: 'seed', value: (r) => r.config.seed ?? null },
  { name: 'best', value: (r) => r.result?.bestValAcc ?? null, unit: 'fraction' },
  { name: 'val', value: (r) => r.result?.finalValAcc ?? null, unit: 'fraction' },
  { name: 'train', value: (r) => r.result?.finalTrainAcc ?? null, unit: 'fraction' },
  { name: 'test', value: (r) => r.result?.testAcc ?? null, unit: 'fraction' },
  {
    name: 'progress',
    value: (r) => (r.progress.numIterations > 0 ? r.progress.iteration / r.progress.numIterations : null),
    unit: 'fraction',
  },
  {
    name: 'duration',
    value: (r, now) => {
      const ms = runDurationMs(r, now)
      return ms === null ? null : ms / 1000
    },
    unit: 'seconds',
    usesNow: true,
  },
  { name: 'speed', value: (r, now) => averageRate(r, now), usesNow: true },
  { name: 'iterations', value: (r) => r.progress.iteration },
]

/** Other spellings of the short names, compared lowercased with `_` and `.` removed. */
const ALIASES: Record<string, string> = {
  learningrate: 'lr',
  batchsize: 'batch',
  numepochs: 'epochs',
  bestval: 'best',
  valacc: 'val',
  testacc: 'test',
  trainacc: 'train',
  hiddendim: 'hidden',
  itps: 'speed',
  rate: 'speed',
}

/** A value at a dotted path of the config; only numbers count. */
function configNumber(path: string): (run: RunRecord) => number | null {
  const keys = path.split('.')
  return (run) => {
    let v: unknown = run.config
    for (const k of keys) {
      if (typeof v !== 'object' || v === null) return null
      v = (v as Record<string, unknown>)[k]
    }
    return typeof v === 'number' ? v : null
  }
}

const squash = (name: string): string => name.toLowerCase().replace(/[_.]/g, '')

function buildNumeric(): Map<string, NumericField> {
  const out = new Map<string, NumericField>()
  for (const f of SHORT_FIELDS) out.set(f.name, f)
  for (const [alias, name] of Object.entries(ALIASES)) out.set(alias, out.get(name)!)
  const numbers = SWEEP_FIELDS.filter((f) => f.type.kind === 'number')
  // A last segment names its field only where no other field ends the same way (and no short name is it).
  const leafCount = new Map<string, number>()
  for (const f of numbers) leafCount.set(squash(f.leaf), (leafCount.get(squash(f.leaf)) ?? 0) + 1)
  for (const f of numbers) {
    const field: NumericField = { name: f.path, value: configNumber(f.path) }
    if (!out.has(squash(f.path))) out.set(squash(f.path), field)
    const leaf = squash(f.leaf)
    if (leafCount.get(leaf) === 1 && !out.has(leaf)) out.set(leaf, { ...field, name: f.leaf })
  }
  return out
}

const NUMERIC = buildNumeric()

/** A numeric field by what the person typed (any case, `_` and `.` ignored); null when there is none. */
export function numericField(name: string): NumericField | null {
  return NUMERIC.get(squash(name)) ?? null
}

/** The names listed in help and in the "unknown field" message: the short ones first. */
export const NUMERIC_FIELD_NAMES: readonly string[] = [
  ...SHORT_FIELDS.map((f) => f.name),
  ...[...new Set([...NUMERIC.values()].map((f) => f.name))].filter(
    (n) => !SHORT_FIELDS.some((f) => f.name === n),
  ),
]

// ---- prefix:value matches ----

export interface PrefixField {
  name: string
  /** The values it takes, lowercased, when it takes a fixed set (status, model, a choice field). */
  values: readonly string[] | null
  /** Spellings that stand for a value (`conv` for three-layer-conv). */
  aliases?: Readonly<Record<string, string>>
  /** null when the run has no such field (its model kind lacks it). */
  get: (run: RunRecord) => string | readonly string[] | null
}

const MODEL_ALIASES: Record<string, string> = {
  conv: 'three-layer-conv',
  cnn: 'three-layer-conv',
  '2-layer': 'two-layer',
  twolayer: 'two-layer',
}

function choiceGetter(path: string): (run: RunRecord) => string | null {
  const keys = path.split('.')
  return (run) => {
    let v: unknown = run.config
    for (const k of keys) {
      if (typeof v !== 'object' || v === null || !(k in v)) return null
      v = (v as Record<string, unknown>)[k]
    }
    // normalization: null is a choice of its own (none).
    return v === null ? 'none' : typeof v === 'string' ? v : null
  }
}

function buildPrefixes(): Map<string, PrefixField> {
  const out = new Map<string, PrefixField>([
    ['tag', { name: 'tag', values: null, get: (r) => r.config.tags }],
    ['name', { name: 'name', values: null, get: (r) => r.config.name }],
    ['dataset', { name: 'dataset', values: null, get: (r) => r.config.dataset.name }],
    // A damaged run's status reads `corrupt`, as the status select names it.
    ['status', { name: 'status', values: [...RUN_STATUSES, 'corrupt'], get: (r) => r.status }],
    [
      'model',
      { name: 'model', values: MODEL_KINDS, aliases: MODEL_ALIASES, get: (r) => r.config.model.kind },
    ],
  ])
  for (const f of SWEEP_FIELDS) {
    if (f.type.kind !== 'choice') continue
    const values = f.type.options.map((o) => (o === null ? 'none' : o.toLowerCase()))
    const field: PrefixField = { name: f.leaf, values, get: choiceGetter(f.path) }
    if (!out.has(squash(f.leaf))) out.set(squash(f.leaf), field)
    if (!out.has(squash(f.path))) out.set(squash(f.path), { ...field, name: f.path })
  }
  return out
}

const PREFIXES = buildPrefixes()

/** A `prefix:` by name; null for any other word with a colon (a tag such as `sweep:lr` typed as a word). */
export function prefixField(name: string): PrefixField | null {
  return PREFIXES.get(squash(name)) ?? null
}

/** The typo's nearest field name (edit distance at most 2), for "did you mean". */
export function nearestField(name: string): string | null {
  const target = name.toLowerCase()
  let best: string | null = null
  let bestDistance = 3
  for (const candidate of NUMERIC_FIELD_NAMES) {
    const d = editDistance(target, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
