/**
 * Where a run trains, as the Workbench sees it: an executor takes a prepared run and streams the same
 * messages a pool worker posts, whether the run trains in a thread of this process (local.ts) or on
 * another machine (redis.ts). The store and the UI never learn which; the record's `placement` says.
 */
import type { RunConfig } from '../../../src-shared/config'
import type { RunPlacement } from '../../../src-shared/runs'
import type { SolverCheckpoint } from '../../../src-worker/engine/solver'
import type { WorkerMessage } from '../../../src-worker/train'
import type { DatasetRegistry } from '../datasets'
import type { RunningTask } from '../pool'

export type ExecutorName = 'local' | 'cluster'

/** One attempt at training a run, as the Workbench hands it over. */
export interface TrainJob {
  runId: string
  config: RunConfig & { seed: number }
  /** The checkpoint to continue from, or null for a fresh start. */
  resume: SolverCheckpoint | null
  sanityChecks: boolean
  progressIntervalMs?: number
  checkpointIntervalMs?: number
}

/**
 * What an executor reports beyond a pool worker's messages: a remote run was taken by a worker (which
 * machine; `restartFrom` when a retried attempt continues from a checkpoint, so the log and the live
 * curve drop what that attempt replays).
 */
export type ExecutorMessage =
  | WorkerMessage
  | { type: 'placed'; placement: RunPlacement; restartFrom: { iteration: number; epoch: number } | null }

export interface Executor {
  readonly name: ExecutorName
  /** Runs the Workbench may hand over at once. */
  readonly capacity: number
  /** Whether this machine's memory budget counts the runs it trains (not for other machines). */
  readonly usesLocalMemory: boolean
  /**
   * What must be ready before the run is recorded running (the local pool loads the dataset and its
   * mean here, so a missing dataset fails the run as a dataset problem). Returns the handle `start` takes.
   */
  prepare(job: TrainJob): Promise<PreparedJob>
  start(job: PreparedJob, onMessage: (m: ExecutorMessage) => void): RunningTask
  destroy(): Promise<void>
}

/** A job an executor prepared; opaque to the Workbench. */
export interface PreparedJob {
  readonly job: TrainJob
}

/** What the Workbench gives an executor it makes (the cluster's). */
export interface ExecutorContext {
  datasets: DatasetRegistry
  /** This process, unique among every process that ever submits to the cluster. */
  origin: string
  /** The executor's capacity changed (workers came or went): the Workbench schedules again. */
  onCapacityChange: () => void
}
