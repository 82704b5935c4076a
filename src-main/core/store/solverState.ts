/**
 * The state json a training checkpoint carries beside its tensors (Solver.checkpoint()'s `state`), as a
 * zod schema: a resume validates it before the engine sees it, so a damaged state passes the run back to
 * the previous checkpoint instead of failing it inside the worker.
 */
import { z } from 'zod'
import type { SolverCheckpoint } from '../../../src-worker/engine/solver'

const count = z.number().int().min(0)
/** JSON writes a NaN or infinite loss as null; the engine's histories hold NaN there. */
const history = z.array(
  z
    .number()
    .nullable()
    .transform((v) => v ?? NaN),
)

const RngStateSchema = z.looseObject({
  s: z.array(z.number().int().min(-0xffffffff).max(0xffffffff)).length(4),
  spare: z.number().nullable(),
})

export const SolverStateSchema = z.looseObject({
  version: z.literal(1),
  seed: count,
  iteration: count,
  epoch: count,
  bestValAcc: z.number(),
  rng: RngStateSchema,
  modelRng: RngStateSchema.nullable(),
  optim: z.record(z.string(), z.record(z.string(), z.number())),
  lossHistory: history,
  trainAccHistory: history,
  valAccHistory: history,
})

// What the schema gives is the engine's state (checked by the compiler).
type Assert<T extends true> = T
export type SchemaGivesSolverState = Assert<
  z.output<typeof SolverStateSchema> extends SolverCheckpoint['state'] ? true : false
>
