/**
 * The stored run record (run.json) as a zod schema: what the store checks every record it reads against,
 * so a hand-edited or damaged file becomes a named problem instead of an `undefined` deep in a view.
 *
 * - `config` is the input schema itself (RunConfigSchema): a stored config must be one a user could
 *   have queued, defaults filled.
 * - Every object is loose: fields written by a later version (or by features that add fields) pass
 *   through untouched and survive when the record is rewritten.
 * - Fields added over time are optional, so the oldest records (without `owner`, `checks`, ...) parse.
 */
import { z } from 'zod'
import { RunConfigSchema, fieldErrors, type FieldError } from './config'
import { NON_FINITE_LOSSES, RUN_ERROR_REASONS, RUN_STATUSES, type RunRecord } from './runs'
import { SANITY_CHECKS, SANITY_REPORT_VERSION } from './sanity'

const count = z.number().int().min(0)
/** JSON writes NaN and Infinity as null: a sanity check's "not a finite number". */
const measurement = z.number().nullable()

const ProgressSchema = z.looseObject({
  iteration: count,
  numIterations: count,
  epoch: count,
  numEpochs: count,
})

const ResultSchema = z.looseObject({
  bestValAcc: z.number(),
  finalTrainAcc: z.number(),
  finalValAcc: z.number(),
  valAcc: z.number(),
  testAcc: z.number(),
  confusion: z.array(z.array(count)),
  classNames: z.array(z.string()),
})

const ErrorSchema = z.looseObject({
  reason: z.enum(RUN_ERROR_REASONS),
  message: z.string(),
  iteration: count.optional(),
  lossValue: z.enum(NON_FINITE_LOSSES).optional(),
  learningRate: z.number().optional(),
})

const EnvironmentSchema = z.looseObject({
  backend: z.enum(['native', 'ts']),
  library: z.string().nullable(),
  core: z.string().nullable(),
  coreSource: z.enum(['env', 'cpu-features', 'library']).nullable(),
  blasThreads: z.number().nullable(),
  fallbackReason: z.string().nullable(),
  workbench: z.string(),
  node: z.string(),
  platform: z.string(),
  cpu: z.string(),
})

export const RunOwnerSchema = z.looseObject({
  pid: z.number().int().positive(),
  host: z.string(),
  startTime: z
    .union([z.string(), z.number().transform(String)])
    .nullable()
    .optional(),
  bootId: z.string().nullable().optional(),
})

const ParamGradCheckSchema = z.looseObject({
  name: z.string(),
  checked: count,
  relError: measurement,
  passed: z.boolean(),
})

const SanityCheckSchema = z.looseObject({
  name: z.enum(SANITY_CHECKS),
  passed: z.boolean(),
  measured: z.record(z.string(), measurement),
  expected: z.record(z.string(), measurement),
  message: z.string(),
  params: z.array(ParamGradCheckSchema).optional(),
  ms: z.number(),
})

export const SanityReportSchema = z.looseObject({
  version: z.literal(SANITY_REPORT_VERSION),
  passed: z.boolean(),
  seed: count,
  ranAt: z.string(),
  ms: z.number(),
  source: z.enum(['request', 'worker']),
  checks: z.array(SanityCheckSchema),
})

const WorkerMachineSchema = z.looseObject({
  id: z.string(),
  host: z.string(),
  cpu: z.string(),
  cores: z.number().int().min(0),
  blasCore: z.string().nullable(),
  freeMemBytes: z.number().min(0),
  totalMemBytes: z.number().min(0),
  concurrency: z.number().int().min(1),
})

export const RunPlacementSchema = z.looseObject({
  executor: z.literal('cluster'),
  worker: WorkerMachineSchema.nullable(),
})

export const RunRecordSchema = z.looseObject({
  id: z.string(),
  config: RunConfigSchema,
  status: z.enum(RUN_STATUSES),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: ProgressSchema,
  result: ResultSchema.nullable(),
  error: ErrorSchema.nullable(),
  environment: EnvironmentSchema.nullable(),
  checkpointEpoch: count,
  owner: RunOwnerSchema.nullable().optional(),
  checks: SanityReportSchema.nullable().optional(),
  activeMs: z.number().min(0).optional(),
  attemptStartedAt: z.string().nullable().optional(),
  updatedAt: z.string().optional(),
  archived: z.boolean().optional(),
  placement: RunPlacementSchema.nullable().optional(),
})

// Every record the schema accepts is a RunRecord (checked by the compiler); the other direction, that
// every record the core writes parses, the store checks at each write.
type Assert<T extends true> = T
export type SchemaGivesRecord = Assert<z.output<typeof RunRecordSchema> extends RunRecord ? true : false>

export type RecordCheck = { ok: true; value: RunRecord } | { ok: false; errors: FieldError[] }

/** Validates a parsed run.json; errors name each field by its dotted path (`config.dataset`). */
export function parseRunRecord(value: unknown): RecordCheck {
  const r = RunRecordSchema.safeParse(value)
  if (r.success) return { ok: true, value: r.data }
  return { ok: false, errors: recordFieldErrors(r.error) }
}

/** A stored record's errors by dotted path; one about the record as a whole is `(record)`. */
export function recordFieldErrors(error: z.ZodError): FieldError[] {
  return fieldErrors(error).map((e) => (e.path === '(config)' ? { ...e, path: '(record)' } : e))
}

/** At most `max` field errors in one line; the rest counted, so a badly mangled file gives a short message. */
export function describeFieldErrors(errors: FieldError[], max = 4): string {
  const shown = errors.slice(0, max).map((e) => `${e.path}: ${e.message}`)
  const more = errors.length - shown.length
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ')
}
