/**
 * What travels through Redis: a job per run attempt (BullMQ job data) and messages from the worker back
 * to the submitting process (one stream per submitter). Job data holds no secret and no path of the
 * submitting machine: the config, the dataset's name and content digest, and where to answer.
 */
import { z } from 'zod'
import type { RunPlacement, WorkerMachine } from '../../../src-shared/runs'
import type { SolverCheckpoint } from '../../../src-worker/engine/solver'
import type { TrainOutcome, WorkerMessage } from '../../../src-worker/train'

export const JOB_VERSION = 1
export const JOB_NAME = 'train'

export const JobDataSchema = z.object({
  v: z.literal(JOB_VERSION),
  runId: z.string().regex(/^\d{8}-\d{6}-[0-9a-z]{6}$/),
  /** The submitting process: its outbox stream. */
  origin: z.string().regex(/^[0-9a-f]{8,64}$/),
  /** Validated again by the worker with the same schema as local runs. */
  config: z.unknown(),
  dataset: z.object({ name: z.string().min(1).max(200), digest: z.string().regex(/^[0-9a-f]{64}$/) }),
  sanityChecks: z.boolean(),
  progressIntervalMs: z.number().int().min(1).max(60_000).optional(),
  checkpointIntervalMs: z.number().int().min(0).max(3_600_000).optional(),
})
export type JobData = z.infer<typeof JobDataSchema>

/** A retried attempt (another worker, after a crash) continues from the checkpoint it found. */
export interface StoredCheckpoint {
  epoch: number
  iteration: number
  checkpoint: SolverCheckpoint
}

/** Worker -> submitter. `checkpoint` carries no weights: the submitter reads them from the run's key. */
export type ClusterMessage =
  | { type: 'placed'; worker: WorkerMachine; resumedFrom: { iteration: number; epoch: number } | null }
  | Exclude<WorkerMessage, { type: 'end' } | { type: 'checkpoint' }>
  | { type: 'checkpoint'; epoch: number }
  /** The attempt ended: its outcome, or `abandoned` when it stopped because it no longer owns the run. */
  | { type: 'done'; outcome: TrainOutcome | { status: 'abandoned'; reason: string } }
  /** The worker has no copy of this dataset: the submitter puts it in Redis (datasetTransfer.ts). */
  | { type: 'dataset'; name: string; digest: string }

export interface Envelope {
  run: string
  attempt: string
  seq: number
  body: ClusterMessage
}

const EnvelopeSchema = z.object({
  run: z.string(),
  attempt: z.string(),
  seq: z.number().int().min(0),
  body: z.looseObject({ type: z.string() }),
})

export function parseEnvelope(value: unknown): Envelope | null {
  const r = EnvelopeSchema.safeParse(value)
  return r.success ? (r.data as Envelope) : null
}

export type { RunPlacement }
