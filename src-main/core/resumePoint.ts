/**
 * Where a resume starts: the newest usable epoch checkpoint of a run, or why there is none. A run that
 * never checkpointed restarts from iteration 0 as a matter of course; one whose checkpoints are damaged
 * or gone is refused unless the user asks for a fresh start, since that throws its progress away.
 */
import type { RunRecord } from '../../src-shared/runs'
import { WorkbenchError } from './errors'
import type { Checkpoint } from './store/checkpoints'
import type { RunStore } from './store/runStore'
import { SolverStateSchema } from './store/solverState'

/** Reads a run's training checkpoint with its state validated for the engine. */
export const TRAINING_STATE = { state: SolverStateSchema } as const

export interface ResumePoint {
  checkpoint: Checkpoint | null
  /** The epoch training continues after (0: from the start). */
  epoch: number
}

/** The resume point, or a `no-checkpoint` error naming what is wrong and offering a fresh start. */
export async function resumePoint(store: RunStore, run: RunRecord): Promise<ResumePoint> {
  const { checkpoint, problems } = await store.findCheckpoint(run.id, 'last', TRAINING_STATE)
  if (checkpoint) {
    return { checkpoint, epoch: (checkpoint.state as { epoch: number }).epoch }
  }
  if (problems.length === 0 && run.checkpointEpoch === 0) return { checkpoint: null, epoch: 0 }
  const why =
    problems.length > 0
      ? problems.map((p) => `${p.file}: ${p.message}`).join('; ')
      : `its checkpoint of epoch ${run.checkpointEpoch} is missing from ${store.runDir(run.id)}/checkpoints`
  throw new WorkbenchError(
    'no-checkpoint',
    `run ${run.id} cannot resume: no usable checkpoint (${why}). Resume it fresh to restart it from ` +
      `iteration 0, replacing its curve so far (workbench resume --fresh ${run.id})`,
  )
}
