/**
 * One line of metrics.jsonl as a zod schema, and the per-line parse every reader of the log uses. Kept
 * apart from the reader (src-main/core/store/metricsLog.ts) so that how the file is read (whole, or as a
 * stream) and what a line must hold change independently.
 */
import { z } from 'zod'
import type { MetricEvent } from './runs'

const count = z.number().int().min(0)
/** JSON.stringify writes NaN and ±Infinity (a diverged loss) as null; they read back as NaN. */
const metric = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN)

export const MetricEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('iteration'), iteration: count, loss: metric, t: count.optional() }),
  z.object({
    type: z.literal('epoch'),
    epoch: count,
    iteration: count,
    trainAcc: metric,
    valAcc: metric,
    /** null: the run did not report its learning rate (kept null, unlike a NaN accuracy). */
    lr: z.number().nullable(),
  }),
  z.object({ type: z.literal('resume'), fromIteration: count, fromEpoch: count }),
])

// What the schema gives is a MetricEvent (checked by the compiler).
type Assert<T extends true> = T
export type SchemaGivesEvent = Assert<z.output<typeof MetricEventSchema> extends MetricEvent ? true : false>

/** A line that is not a metric event; the message says why (`loss: expected number, received string`). */
export class MetricLineError extends Error {
  override readonly name = 'MetricLineError'
}

/**
 * Parses and validates one line (without its newline). Unknown keys are dropped: lines are never
 * rewritten, and the views need only the event's own fields.
 *
 * A log holds millions of lines and zod triples the cost of reading one (measured by
 * src-main/core/store/metricsLine.bench.ts), so well-formed lines take a hand-written fast path;
 * anything it does not accept goes to the schema, which has the last word and the error message. The
 * fast path accepts exactly what the schema accepts and returns what the schema would
 * (metricsSchema.test.ts checks this on every shape of line, valid and not).
 */
export function parseMetricLine(line: string): MetricEvent {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw new MetricLineError('not valid JSON')
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new MetricLineError('not a JSON object')
  }
  return fastMetricEvent(raw as Record<string, unknown>) ?? schemaMetricEvent(raw as Record<string, unknown>)
}

/** The schema's verdict on a parsed line: the event, or a MetricLineError naming the first bad field. */
export function schemaMetricEvent(raw: Record<string, unknown>): MetricEvent {
  const type = raw.type
  if (type !== 'iteration' && type !== 'epoch' && type !== 'resume') {
    throw new MetricLineError(`unknown event type ${JSON.stringify(type)}`)
  }
  const r = MetricEventSchema.safeParse(raw)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  throw new MetricLineError(`${issue.path.map(String).join('.')}: ${issue.message}`)
}

/** The event when the line is a well-formed one, else undefined (the schema then decides). */
export function fastMetricEvent(o: Record<string, unknown>): MetricEvent | undefined {
  switch (o.type) {
    case 'iteration': {
      const { iteration, loss, t } = o
      if (!isCount(iteration) || !isMetric(loss)) return undefined
      if (t === undefined) return { type: 'iteration', iteration, loss: loss ?? NaN }
      return isCount(t) ? { type: 'iteration', iteration, loss: loss ?? NaN, t } : undefined
    }
    case 'epoch': {
      const { epoch, iteration, trainAcc, valAcc, lr } = o
      if (!isCount(epoch) || !isCount(iteration) || !isMetric(trainAcc) || !isMetric(valAcc)) return undefined
      if (!isMetric(lr)) return undefined
      return { type: 'epoch', epoch, iteration, trainAcc: trainAcc ?? NaN, valAcc: valAcc ?? NaN, lr }
    }
    case 'resume': {
      const { fromIteration, fromEpoch } = o
      if (!isCount(fromIteration) || !isCount(fromEpoch)) return undefined
      return { type: 'resume', fromIteration, fromEpoch }
    }
    default:
      return undefined
  }
}

/** z.number().int().min(0): a finite safe integer, not negative. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

/** z.number().nullable(): zod's numbers are finite (a hand-written 1e999 parses to Infinity). */
function isMetric(v: unknown): v is number | null {
  return v === null || (typeof v === 'number' && Number.isFinite(v))
}
