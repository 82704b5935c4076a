/**
 * The new-run form as data: text the user types (so `1e-3` and half-typed numbers survive), turned into a
 * run config input and validated with the shared schema on every keystroke. Errors are keyed by the
 * config path of the field that shows them (`solver.optimConfig.learningRate`).
 */
import { RunConfigSchema, UPDATE_RULES, type FieldError } from '../../../src-shared/config'
import type { DatasetSummary } from '../../../src-shared/contract'
import { describeIssue } from '../../../src-shared/fieldIssue'
import { resolveSplits } from '../../../src-shared/splits'

export type UpdateRule = (typeof UPDATE_RULES)[number]
export type Normalization = 'none' | 'batchnorm' | 'layernorm'

export interface RunForm {
  name: string
  /** Comma-separated. */
  tags: string
  notes: string
  dataset: { name: string; numTraining: string; numValidation: string; numTest: string }
  kind: 'two-layer' | 'fc' | 'three-layer-conv'
  /** Each kind keeps its own values, so switching back and forth loses nothing. */
  twoLayer: { hiddenDim: string; weightScale: string; reg: string }
  fc: {
    hiddenDims: string
    normalization: Normalization
    dropoutKeepRatio: string
    weightScale: string
    reg: string
  }
  conv: { numFilters: string; filterSize: string; hiddenDim: string; weightScale: string; reg: string }
  solver: {
    updateRule: UpdateRule
    learningRate: string
    momentum: string
    decayRate: string
    beta1: string
    beta2: string
    epsilon: string
    lrDecay: string
    batchSize: string
    numEpochs: string
  }
  /** Blank: the server draws one and records it. */
  seed: string
}

export const DEFAULT_DATASET = 'fashion-mnist-small'

/** The optional optimizer settings each update rule reads (blank means the engine's default). */
export const RULE_OPTIONS: Record<UpdateRule, ('momentum' | 'decayRate' | 'beta1' | 'beta2' | 'epsilon')[]> =
  {
    sgd: [],
    sgdMomentum: ['momentum'],
    rmsprop: ['decayRate', 'epsilon'],
    adam: ['beta1', 'beta2', 'epsilon'],
  }

/** The engine's defaults for those settings, shown as placeholders. */
export const OPTION_DEFAULTS = {
  momentum: '0.9',
  decayRate: '0.99',
  beta1: '0.9',
  beta2: '0.999',
  epsilon: '1e-8',
}

/** The seed's default run: two-layer, hidden 50, sgd at 1e-3 decayed by 0.95, batches of 100, 10 epochs. */
export function defaultForm(): RunForm {
  return {
    name: '',
    tags: '',
    notes: '',
    dataset: { name: DEFAULT_DATASET, numTraining: '', numValidation: '', numTest: '' },
    kind: 'two-layer',
    twoLayer: { hiddenDim: '50', weightScale: '1e-3', reg: '0' },
    fc: {
      hiddenDims: '100, 100',
      normalization: 'none',
      dropoutKeepRatio: '1',
      weightScale: '1e-2',
      reg: '0',
    },
    conv: { numFilters: '32', filterSize: '7', hiddenDim: '100', weightScale: '1e-3', reg: '0' },
    solver: {
      updateRule: 'sgd',
      learningRate: '1e-3',
      momentum: '',
      decayRate: '',
      beta1: '',
      beta2: '',
      epsilon: '',
      lrDecay: '0.95',
      batchSize: '100',
      numEpochs: '10',
    },
    seed: '',
  }
}

const text = (v: unknown): string | undefined =>
  typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}

/** A form showing a config (a preset): what it sets over the defaults. */
export function formFromConfig(input: unknown): RunForm {
  const f = defaultForm()
  const c = obj(input)
  f.name = text(c.name) ?? f.name
  if (Array.isArray(c.tags)) f.tags = c.tags.filter((t) => typeof t === 'string').join(', ')
  f.notes = text(c.notes) ?? f.notes
  const d = obj(c.dataset)
  f.dataset.name = text(d.name) ?? f.dataset.name
  f.dataset.numTraining = text(d.numTraining) ?? ''
  f.dataset.numValidation = text(d.numValidation) ?? ''
  f.dataset.numTest = text(d.numTest) ?? ''
  const m = obj(c.model)
  if (m.kind === 'fc') {
    f.kind = 'fc'
    if (Array.isArray(m.hiddenDims)) f.fc.hiddenDims = m.hiddenDims.join(', ')
    f.fc.normalization =
      m.normalization === 'batchnorm' || m.normalization === 'layernorm' ? m.normalization : 'none'
    f.fc.dropoutKeepRatio = text(m.dropoutKeepRatio) ?? f.fc.dropoutKeepRatio
    f.fc.weightScale = text(m.weightScale) ?? f.fc.weightScale
    f.fc.reg = text(m.reg) ?? f.fc.reg
  } else if (m.kind === 'three-layer-conv') {
    f.kind = 'three-layer-conv'
    for (const k of ['numFilters', 'filterSize', 'hiddenDim', 'weightScale', 'reg'] as const)
      f.conv[k] = text(m[k]) ?? f.conv[k]
  } else if (m.kind === 'two-layer') {
    f.kind = 'two-layer'
    f.twoLayer.hiddenDim = text(m.hiddenDim) ?? f.twoLayer.hiddenDim
    f.twoLayer.weightScale = text(m.weightScale) ?? f.twoLayer.weightScale
    f.twoLayer.reg = text(m.reg) ?? f.twoLayer.reg
  }
  const s = obj(c.solver)
  const rule = s.updateRule
  if (typeof rule === 'string' && (UPDATE_RULES as readonly string[]).includes(rule)) {
    f.solver.updateRule = rule as UpdateRule
  }
  const o = obj(s.optimConfig)
  f.solver.learningRate = text(o.learningRate) ?? f.solver.learningRate
  for (const k of ['momentum', 'decayRate', 'beta1', 'beta2', 'epsilon'] as const)
    f.solver[k] = text(o[k]) ?? ''
  f.solver.lrDecay = text(s.lrDecay) ?? f.solver.lrDecay
  f.solver.batchSize = text(s.batchSize) ?? f.solver.batchSize
  f.solver.numEpochs = text(s.numEpochs) ?? f.solver.numEpochs
  f.seed = text(c.seed) ?? ''
  return f
}

/**
 * A field's problem. `issue` says what is wrong as data (the UI words it: lib/fieldMessages.ts);
 * `message` is the English text it came with.
 */
export type FormError = FieldError

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i

/** The config input the form describes, and the fields whose text is not a number at all. */
export function formToInput(form: RunForm): { input: Record<string, unknown>; errors: FormError[] } {
  const errors: FormError[] = []
  // Blank is "the default" only where the field says so (split sizes, optimizer extras, seed); a
  // blank hidden size is a mistake, not a wish for the schema's 100.
  const num = (path: string, raw: string, { optional = false } = {}): number | undefined => {
    const s = raw.trim()
    if (s === '') {
      if (!optional) errors.push({ path, message: 'required', issue: { code: 'required' } })
      return undefined
    }
    if (!NUMBER.test(s)) {
      errors.push({ path, message: 'not a number', issue: { code: 'notANumber' } })
      return undefined
    }
    return Number(s)
  }
  const optional = { optional: true }
  // Blank optional fields are left out, so the schema fills its defaults.
  const put = (o: Record<string, unknown>, k: string, v: unknown): void => {
    if (v !== undefined) o[k] = v
  }

  const dataset: Record<string, unknown> = { name: form.dataset.name }
  put(dataset, 'numTraining', num('dataset.numTraining', form.dataset.numTraining, optional))
  put(dataset, 'numValidation', num('dataset.numValidation', form.dataset.numValidation, optional))
  put(dataset, 'numTest', num('dataset.numTest', form.dataset.numTest, optional))

  const model: Record<string, unknown> = { kind: form.kind }
  if (form.kind === 'two-layer') {
    put(model, 'hiddenDim', num('model.hiddenDim', form.twoLayer.hiddenDim))
    put(model, 'weightScale', num('model.weightScale', form.twoLayer.weightScale))
    put(model, 'reg', num('model.reg', form.twoLayer.reg))
  } else if (form.kind === 'three-layer-conv') {
    for (const k of ['numFilters', 'filterSize', 'hiddenDim', 'weightScale', 'reg'] as const)
      put(model, k, num(`model.${k}`, form.conv[k]))
  } else {
    const parts = form.fc.hiddenDims.split(/[\s,]+/).filter(Boolean)
    if (parts.length === 0)
      errors.push({ path: 'model.hiddenDims', message: 'no hidden layer sizes', issue: { code: 'noLayers' } })
    else if (parts.every((p) => NUMBER.test(p))) model.hiddenDims = parts.map(Number)
    else
      errors.push({ path: 'model.hiddenDims', message: 'not a list of numbers', issue: { code: 'notAList' } })
    model.normalization = form.fc.normalization === 'none' ? null : form.fc.normalization
    put(model, 'dropoutKeepRatio', num('model.dropoutKeepRatio', form.fc.dropoutKeepRatio))
    put(model, 'weightScale', num('model.weightScale', form.fc.weightScale))
    put(model, 'reg', num('model.reg', form.fc.reg))
  }

  const s = form.solver
  const optimConfig: Record<string, unknown> = {}
  put(optimConfig, 'learningRate', num('solver.optimConfig.learningRate', s.learningRate))
  for (const k of RULE_OPTIONS[s.updateRule])
    put(optimConfig, k, num(`solver.optimConfig.${k}`, s[k], optional))
  const solver: Record<string, unknown> = { updateRule: s.updateRule, optimConfig }
  put(solver, 'lrDecay', num('solver.lrDecay', s.lrDecay))
  put(solver, 'batchSize', num('solver.batchSize', s.batchSize))
  put(solver, 'numEpochs', num('solver.numEpochs', s.numEpochs))

  const input: Record<string, unknown> = {
    name: form.name,
    tags: form.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    notes: form.notes,
    dataset,
    model,
    solver,
  }
  put(input, 'seed', num('seed', form.seed, optional))
  return { input, errors }
}

/**
 * The field a config path is shown on: list items belong to their list (`tags.2` -> `tags`,
 * `model.hiddenDims.1` -> `model.hiddenDims`).
 */
export function fieldOf(path: string): string {
  return path.replace(/(\.\d+)+$/, '')
}

/**
 * Per-field problems, the first of each field: the form's own (blank, not a number) first, then the
 * schema's, then what the chosen dataset cannot give (its splits, a batch larger than the training
 * split), as main would refuse them when queued.
 */
export function validateForm(
  form: RunForm,
  dataset: DatasetSummary | null = null,
): {
  input: Record<string, unknown>
  errors: Map<string, FormError>
} {
  const { input, errors: local } = formToInput(form)
  const errors = new Map<string, FormError>()
  for (const e of local) if (!errors.has(e.path)) errors.set(e.path, e)
  const r = RunConfigSchema.safeParse(input)
  if (!r.success) {
    for (const i of r.error.issues) {
      const path = fieldOf(i.path.map(String).join('.')) || '(config)'
      if (!errors.has(path)) errors.set(path, { path, message: i.message, ...describeIssue(i, { input }) })
    }
  }
  // Shown with the rest, as soon as the sizes involved are valid themselves.
  const sizes = input.dataset as {
    name: string
    numTraining?: number
    numValidation?: number
    numTest?: number
  }
  const batchSize = (input.solver as { batchSize?: number }).batchSize
  const involved = ['dataset.numTraining', 'dataset.numValidation', 'dataset.numTest', 'solver.batchSize']
  if (
    dataset &&
    dataset.name === sizes.name &&
    batchSize !== undefined &&
    !involved.some((p) => errors.has(p))
  ) {
    for (const e of datasetErrors(sizes, batchSize, dataset)) if (!errors.has(e.path)) errors.set(e.path, e)
  }
  return { input, errors }
}

/** What the dataset cannot give: the same rules as main's admission (src-main/core/workbench.ts). */
function datasetErrors(
  sizes: { numTraining?: number; numValidation?: number; numTest?: number },
  batchSize: number,
  d: DatasetSummary,
): FormError[] {
  const s = resolveSplits(
    { format: d.format, train: { count: d.counts.train }, test: { count: d.counts.test } },
    sizes,
  )
  const out: FormError[] = []
  if (s.numTraining + s.numValidation > d.counts.train) {
    const path =
      sizes.numTraining !== undefined || sizes.numValidation === undefined
        ? 'dataset.numTraining'
        : 'dataset.numValidation'
    out.push({
      path,
      message: 'more training and validation images than the dataset has',
      issue: {
        code: 'trainSplitTooLarge',
        dataset: d.name,
        numTraining: s.numTraining,
        numValidation: s.numValidation,
        available: d.counts.train,
      },
    })
  } else if (batchSize > s.numTraining) {
    out.push({
      path: 'solver.batchSize',
      message: 'larger than the training split',
      issue: { code: 'batchTooLarge', batchSize, numTraining: s.numTraining },
    })
  }
  if (s.numTest > d.counts.test) {
    out.push({
      path: 'dataset.numTest',
      message: 'more test images than the dataset has',
      issue: { code: 'testSplitTooLarge', dataset: d.name, numTest: s.numTest, available: d.counts.test },
    })
  }
  return out
}

/** Every path the form has a field for; errors elsewhere (the config as a whole) are listed apart. */
export const FIELD_PATHS: ReadonlySet<string> = new Set([
  'name',
  'tags',
  'notes',
  'dataset.name',
  'dataset.numTraining',
  'dataset.numValidation',
  'dataset.numTest',
  'model.kind',
  'model.hiddenDim',
  'model.numFilters',
  'model.filterSize',
  'model.hiddenDims',
  'model.normalization',
  'model.dropoutKeepRatio',
  'model.weightScale',
  'model.reg',
  'solver.updateRule',
  'solver.optimConfig.learningRate',
  'solver.optimConfig.momentum',
  'solver.optimConfig.decayRate',
  'solver.optimConfig.beta1',
  'solver.optimConfig.beta2',
  'solver.optimConfig.epsilon',
  'solver.lrDecay',
  'solver.batchSize',
  'solver.numEpochs',
  'seed',
])

/** A name for the run until the user writes one: `2-layer 50 · sgd lr 1e-3`. */
export function suggestName(form: RunForm): string {
  const model =
    form.kind === 'two-layer'
      ? `2-layer ${form.twoLayer.hiddenDim.trim()}`
      : form.kind === 'three-layer-conv'
        ? `conv ${form.conv.numFilters.trim()}x${form.conv.filterSize.trim()} ${form.conv.hiddenDim.trim()}`
        : `fc ${form.fc.hiddenDims
            .split(/[\s,]+/)
            .filter(Boolean)
            .join('-')}${
            form.fc.normalization === 'batchnorm' ? ' bn' : form.fc.normalization === 'layernorm' ? ' ln' : ''
          }`
  return `${model} · ${form.solver.updateRule} lr ${form.solver.learningRate.trim()}`
}
