/**
 * One line of `<run>/layers.jsonl` (a LayerCapture, src-shared/layerStats.ts) as a zod schema, and the
 * per-line parse the store's reader uses. A line the schema refuses is skipped and counted, never fatal:
 * after a crash the file's last line may be cut short, and one damaged capture must not hide the rest.
 */
import { z } from 'zod'
import { BIN_COUNT, type LayerCapture } from './layerStats'

/** JSON.stringify writes NaN and ±Infinity (a diverged run's norms) as null; they read back as NaN. */
const num = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN)
const count = z.number().int().min(0)
const fraction = num

const SummarySchema = z.object({
  mean: num,
  std: num,
  min: num,
  max: num,
  n: count,
  nonFinite: count,
})

const HistogramSchema = z
  .object({
    lo: z
      .number()
      .int()
      .min(0)
      .max(BIN_COUNT - 1),
    counts: z.array(z.number().min(0)).max(BIN_COUNT),
  })
  .refine((h) => h.lo + h.counts.length <= BIN_COUNT, {
    message: `histogram bins run past the last bin (${BIN_COUNT} bins)`,
  })

const TensorStatsSchema = z.object({ summary: SummarySchema, hist: HistogramSchema })

const NormStatsSchema = z.object({
  gamma: SummarySchema,
  beta: SummarySchema,
  runningMean: SummarySchema,
  runningVar: SummarySchema,
  saturatedFraction: fraction,
})

const FilterStatsSchema = z.object({
  weightNorm: z.array(num),
  updateRatio: z.array(num),
  zeroFraction: z.array(num),
})

export const LayerRecordSchema = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(['affine', 'conv']),
  param: z.string().min(1).max(200),
  shape: z.array(count),
  weight: TensorStatsSchema,
  grad: TensorStatsSchema,
  weightNorm: num,
  gradNorm: num,
  updateNorm: num,
  updateRatio: num,
  preact: TensorStatsSchema.optional(),
  postact: TensorStatsSchema.optional(),
  deadFraction: fraction.optional(),
  zeroFraction: fraction.optional(),
  norm: NormStatsSchema.optional(),
  filters: FilterStatsSchema.optional(),
})

export const LayerCaptureSchema = z.object({
  iteration: count,
  epoch: count,
  reason: z.enum(['check', 'interval']),
  learningRate: num,
  layers: z.array(LayerRecordSchema),
})

// What the schema gives is a LayerCapture (checked by the compiler).
type Assert<T extends true> = T
export type SchemaGivesCapture = Assert<
  z.output<typeof LayerCaptureSchema> extends LayerCapture ? true : false
>

/** A line that is not a layer capture; the message says where and why (`layers.0.weightNorm: ...`). */
export class LayerLineError extends Error {
  override readonly name = 'LayerLineError'
}

/** Parses and validates one line (without its newline). Unknown keys are dropped. */
export function parseLayerLine(line: string): LayerCapture {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch (e) {
    throw new LayerLineError(`not JSON (${(e as Error).message})`)
  }
  const r = LayerCaptureSchema.safeParse(raw)
  if (!r.success) {
    const issue = r.error.issues[0]!
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    throw new LayerLineError(`not a layer capture (${where}${issue.message})`)
  }
  return r.data
}
