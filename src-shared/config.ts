/**
 * The run config: what a user queues. One schema (zod) validates configs from the desktop form, the
 * browser mode, the CLI and files on disk, with field-level messages. `version` lets later releases
 * migrate old run folders.
 */
import { z } from 'zod'
import type { FieldIssue } from './fieldIssue'

export const CONFIG_VERSION = 1

/** Dataset names as the registry stores them (lowercase, digits, - and _; no paths). */
export const DATASET_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/

const positiveInt = z.number().int().positive()

/**
 * Text a person wrote: well-formed Unicode only. A lone surrogate (half of a character, from a broken
 * encoder) would be stored as U+FFFD by every JSON writer and shown garbled forever.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const text = () =>
  z.string().refine((v) => !LONE_SURROGATE.test(v), {
    message: 'not valid Unicode (a lone surrogate): re-type it',
    params: { issue: 'brokenText' },
  })
const nonNegative = z.number().finite().min(0)

export const DatasetRefSchema = z.strictObject({
  name: z.string().regex(DATASET_NAME, 'a dataset name: lowercase letters, digits, - and _'),
  /** Split sizes; defaults per dataset (CIFAR-10: 49000 / 1000 / 1000). */
  numTraining: positiveInt.optional(),
  numValidation: positiveInt.optional(),
  numTest: positiveInt.optional(),
})

export const TwoLayerModelSchema = z.strictObject({
  kind: z.literal('two-layer'),
  hiddenDim: positiveInt.max(65536).default(100),
  weightScale: z.number().finite().positive().default(1e-3),
  reg: nonNegative.default(0),
})

export const FcModelSchema = z.strictObject({
  kind: z.literal('fc'),
  hiddenDims: z.array(positiveInt.max(65536)).max(32).default([100, 100]),
  normalization: z.enum(['batchnorm', 'layernorm']).nullable().default(null),
  /** Probability of keeping a hidden unit; 1 disables dropout. */
  dropoutKeepRatio: z.number().gt(0).lte(1).default(1),
  weightScale: z.number().finite().positive().default(1e-2),
  reg: nonNegative.default(0),
})

/** CS231n's ThreeLayerConvNet: conv (stride 1, same padding) - relu - 2x2 max pool - affine - relu - affine. */
export const ThreeLayerConvModelSchema = z.strictObject({
  kind: z.literal('three-layer-conv'),
  numFilters: positiveInt.max(1024).default(32),
  /** Side of the square filters; odd sizes keep the image size (pad (size - 1) / 2). */
  filterSize: positiveInt.max(31).default(7),
  hiddenDim: positiveInt.max(65536).default(100),
  weightScale: z.number().finite().positive().default(1e-3),
  reg: nonNegative.default(0),
})

export const ModelConfigSchema = z.discriminatedUnion('kind', [
  TwoLayerModelSchema,
  FcModelSchema,
  ThreeLayerConvModelSchema,
])

export const UPDATE_RULES = ['sgd', 'sgdMomentum', 'rmsprop', 'adam'] as const

export const OptimConfigSchema = z.strictObject({
  learningRate: z.number().finite().positive().default(1e-3),
  momentum: z.number().min(0).max(1).optional(),
  decayRate: z.number().min(0).max(1).optional(),
  beta1: z.number().min(0).lt(1).optional(),
  beta2: z.number().min(0).lt(1).optional(),
  epsilon: z.number().finite().positive().optional(),
})

export const SolverConfigSchema = z.strictObject({
  updateRule: z.enum(UPDATE_RULES).default('sgd'),
  optimConfig: OptimConfigSchema.default({ learningRate: 1e-3 }),
  lrDecay: z.number().gt(0).lte(1).default(1),
  batchSize: positiveInt.max(65536).default(100),
  numEpochs: positiveInt.max(10000).default(10),
  /** Training examples scored for the train accuracy at each check; null scores all. */
  numTrainSamples: positiveInt.nullable().default(1000),
  numValSamples: positiveInt.nullable().default(null),
})

export const RunConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
  name: text().trim().min(1, 'a name is required').max(200),
  tags: z.array(text().trim().min(1).max(64)).max(64).default([]),
  notes: text().max(20000).default(''),
  dataset: DatasetRefSchema,
  model: ModelConfigSchema,
  solver: SolverConfigSchema.default(SolverConfigSchema.parse({})),
  /**
   * Layer capture (issue 15): per-layer weight, gradient and activation histograms, update/weight ratios,
   * dead ReLUs and batchnorm statistics, recorded at every accuracy check and every K iterations in between
   * (K measured so capture costs under 2% of training) into layers.jsonl. On when absent; false turns it
   * off. Capture never changes the run: the same config trains the same curve and weights either way.
   */
  captureLayers: z
    .boolean()
    .optional()
    .describe(
      "Record per-layer dynamics (histograms, update/weight ratios, dead ReLUs, batchnorm statistics) while training; default true. Never changes the run's results.",
    ),
  /** Seeds init, minibatches and dropout; assigned (and recorded) when the run is created if absent. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
})

/** A validated config with every default filled in. */
export type RunConfig = z.output<typeof RunConfigSchema>
/** What a user may write: defaults omitted. */
export type RunConfigInput = z.input<typeof RunConfigSchema>
export type ModelConfig = z.output<typeof ModelConfigSchema>
export type SolverConfig = z.output<typeof SolverConfigSchema>

export interface FieldError {
  /** Dotted path of the field, e.g. `solver.optimConfig.learningRate`. */
  path: string
  /** In English: what the CLI prints. */
  message: string
  /** What is wrong, as data, for the UI to word in its language (src-shared/fieldIssue.ts). */
  issue?: FieldIssue
  /** 1-based position in a list field (`model.hiddenDims.1` is item 2), when the issue is about one item. */
  item?: number
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] }

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(config)',
    message: i.message,
  }))
}

/** Validates a config and fills defaults; errors name each field. */
export function parseRunConfig(input: unknown): ParseResult<RunConfig> {
  const r = RunConfigSchema.safeParse(input)
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: fieldErrors(r.error) }
}

export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ')
}
