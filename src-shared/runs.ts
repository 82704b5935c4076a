/** Runs as stored in run.json and shown everywhere: config, status, progress, results, environment. */
import type { EngineInfo } from './engine-info'
import type { RunConfig } from './config'
import type { SanityReport } from './sanity'

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Statuses a run can be cancelled from, and resumed from (one list for the core and every view). */
export const CANCELLABLE_STATUSES: readonly RunStatus[] = ['queued', 'running']
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['interrupted', 'cancelled', 'failed']

export interface RunProgress {
  iteration: number
  numIterations: number
  epoch: number
  numEpochs: number
}

export interface RunResult {
  bestValAcc: number
  finalTrainAcc: number
  finalValAcc: number
  /** Accuracy of the best parameters on the validation and test splits (the seed's "Test your model!"). */
  valAcc: number
  testAcc: number
  /** confusion[true][predicted] counts on the test split, with the dataset's class names. */
  confusion: number[][]
  classNames: string[]
}

export const RUN_ERROR_REASONS = ['diverged', 'crashed', 'invalid', 'dataset', 'memory', 'storage'] as const

export interface RunError {
  /**
   * diverged: the loss became NaN or infinite; crashed: the worker died or threw; dataset: it did not load;
   * storage: the data folder could not be written (disk full, permissions, removed); memory: an allocation
   * failed, or the run's worker hit its heap limit.
   */
  reason: (typeof RUN_ERROR_REASONS)[number]
  message: string
  /** The iteration at which training failed, when it failed while training. */
  iteration?: number
  /** diverged: what the loss became, and the learning rate it was trained at then (absent in older records). */
  lossValue?: NonFiniteLoss
  learningRate?: number
}

/** A loss that is not a finite number, by its name in JavaScript (JSON cannot hold the numbers themselves). */
export const NON_FINITE_LOSSES = ['NaN', 'Infinity', '-Infinity'] as const
export type NonFiniteLoss = (typeof NON_FINITE_LOSSES)[number]

export interface RunEnvironment extends EngineInfo {
  workbench: string
  node: string
  platform: string
  cpu: string
}

export interface RunRecord {
  id: string
  /** The validated config, seed included. */
  config: RunConfig
  status: RunStatus
  sweepId: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  progress: RunProgress
  result: RunResult | null
  error: RunError | null
  environment: RunEnvironment | null
  /** The epoch of the last checkpoint a resume would start from (0 = none). */
  checkpointEpoch: number
  /**
   * Training time of the attempts before the current one, in ms (a resumed run has several attempts; the
   * time a run spent dead between a kill and its resume is in none). Absent in records of older versions.
   */
  activeMs?: number
  /** When the current attempt started training; null between attempts. */
  attemptStartedAt?: string | null
  /** The last time the process training the run wrote it (its last sign of life). */
  updatedAt?: string
  /**
   * The process that queued or trains the run, for people to read (null when none does). What decides
   * ownership is the run's lock file (src-main/core/ownership), never this field.
   */
  owner?: RunOwner | null
  /**
   * Sanity checks of the config (initial loss, regularisation, gradient, overfit): the report the user
   * ran on this exact config before queuing it, or the one the worker ran before training; null or
   * absent when neither ran.
   */
  checks?: SanityReport | null
  /**
   * Hidden from the experiments table unless asked for (a person tidying up); kept in meta.json with the
   * other edits (runMeta.ts). Every record main hands out has it; absent in run.json of older versions.
   */
  archived?: boolean
  /**
   * Where the run trains (issue 16): absent or null for this machine's pool; for the cluster, the worker
   * that took it (null while it waits for one). Never holds the cluster's address or password.
   */
  placement?: RunPlacement | null
}

/** A run sent to the cluster (workers on other machines, through Redis). */
export interface RunPlacement {
  executor: 'cluster'
  worker: WorkerMachine | null
}

/** The machine a cluster worker trains on, as it reports itself. */
export interface WorkerMachine {
  /** The worker process: host, pid and a random part, unique while it lives. */
  id: string
  host: string
  cpu: string
  cores: number
  /** The BLAS core its engine runs (OpenBLAS core type, Accelerate, ...); null for the TypeScript backend. */
  blasCore: string | null
  freeMemBytes: number
  totalMemBytes: number
  /** Runs it trains at once. */
  concurrency: number
}

export interface RunOwner {
  pid: number
  host: string
  /** The owner process's start time, so that a reused PID is not taken for the owner. */
  startTime?: string | null
  /** The machine's boot id: a PID from an earlier boot never names a live owner. */
  bootId?: string | null
}

/** One line of metrics.jsonl. */
export type MetricEvent =
  /** t: wall-clock time of the step (ms since 1970), for the compare view's time axis; absent in old logs. */
  | { type: 'iteration'; iteration: number; loss: number; t?: number }
  | { type: 'epoch'; epoch: number; iteration: number; trainAcc: number; valAcc: number; lr: number | null }
  | { type: 'resume'; fromIteration: number; fromEpoch: number }
