/**
 * The worker pool that trains runs in parallel: piscina over worker threads, one BLAS thread each (the
 * addon sets it process-wide), as many threads as cores by default. Each task gets a MessageChannel port
 * for progress; cancelling is cooperative (a message the worker polls between steps) so the run ends
 * cleanly with its checkpoints intact, with thread termination only as a fallback. A run that runs out
 * of memory fails alone: its allocation failures come back as its outcome (train.ts), and a thread whose
 * JavaScript heap passes its limit is stopped by Node and replaced, its run failed with reason 'memory'.
 */
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, type ResourceLimits } from 'node:worker_threads'
import Piscina from 'piscina'
import { appPaths, appRoot } from './appPaths'
import { classifyRunFailure } from '../../src-shared/runFailure'
import type { MainMessage, TrainOutcome, TrainTask, WorkerMessage } from '../../src-worker/train'
import { estimateTaskMemory } from '../../src-worker/taskMemory'

/**
 * Each worker thread's JavaScript heap limit. Weights and activations live in typed arrays outside the
 * heap; what grows inside it is a run's loss history (about 30 bytes an iteration in the worker), so 2 GB
 * holds some 70 million iterations, beyond any run the memory budget admits on a machine of under
 * 64 GB. Without a limit of its own each thread could grow to V8's default (up to 4 GB each).
 */
export const WORKER_HEAP_LIMIT_MB = 2048

export interface PoolOptions {
  /** Parallel runs; default: the number of cores. */
  maxThreads?: number
  /** The worker module; default: the bundled out/main/worker.js, or the TypeScript source in development. */
  filename?: string
  /** Limits of each worker thread's JS engine; default: an old generation of WORKER_HEAP_LIMIT_MB. */
  resourceLimits?: ResourceLimits
  /**
   * A worker thread failed outside its run's own error handling (it threw, hit its heap limit or exited):
   * for the log and a crash report. The run's outcome is decided as before.
   */
  onWorkerFailure?: (failure: { runId: string; iteration?: number; error: unknown }) => void
}

export interface RunningTask {
  /**
   * Resolves with the outcome (a run that ran out of memory, its thread included, fails with reason
   * 'memory'); rejects if the worker crashed otherwise (the pool replaces the thread).
   */
  done: Promise<TrainOutcome>
  cancel(): void
}

/** Locates the worker: the bundled out/main/worker.js, else the source bootstrap for tsx/vitest. */
export function defaultWorkerFile(): string {
  return appPaths().workerFile ?? join(appRoot(), 'src-worker', 'dev-worker.cjs')
}

export class TrainingPool {
  readonly maxThreads: number
  private readonly piscina: Piscina
  private readonly onWorkerFailure: PoolOptions['onWorkerFailure']
  /** Threads ended by destroy() are not failures. */
  private destroying = false

  constructor(options: PoolOptions = {}) {
    this.onWorkerFailure = options.onWorkerFailure
    const max = options.maxThreads ?? availableParallelism()
    if (!Number.isInteger(max) || max < 1 || max > 256) {
      throw new RangeError(`TrainingPool: maxThreads must be an integer in [1, 256], got ${String(max)}`)
    }
    this.maxThreads = max
    this.piscina = new Piscina({
      filename: options.filename ?? defaultWorkerFile(),
      minThreads: 0,
      maxThreads: max,
      // One run per thread: training is CPU-bound, a second concurrent task would only share the core.
      concurrentTasksPerWorker: 1,
      idleTimeout: 30_000,
      resourceLimits: options.resourceLimits ?? { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB },
    })
  }

  /** Starts a task now (the caller's queue decides when); `onMessage` receives the worker's messages. */
  run(task: Omit<TrainTask, 'port'>, onMessage: (m: WorkerMessage) => void): RunningTask {
    const { port1, port2 } = new MessageChannel()
    let ended: () => void = () => {}
    const endReceived = new Promise<void>((r) => (ended = r))
    let iteration: number | undefined
    port1.on('message', (m: WorkerMessage) => {
      if (m.type === 'end') ended()
      else {
        if (m.type === 'started' || m.type === 'metrics') iteration = m.progress.iteration
        onMessage(m)
      }
    })
    const abort = new AbortController()
    const done = this.piscina
      .run({ ...task, port: port2 } satisfies TrainTask, { transferList: [port2], signal: abort.signal })
      .then(
        async (outcome: TrainOutcome) => {
          await endReceived
          return outcome
        },
        (err: unknown): TrainOutcome => {
          if (!abort.signal.aborted && !this.destroying) {
            try {
              this.onWorkerFailure?.({
                runId: task.runId,
                ...(iteration !== undefined ? { iteration } : {}),
                error: err,
              })
            } catch {
              // A failing reporter must not change the run's outcome.
            }
          }
          // A thread stopped at its heap limit sends no 'end': its run's outcome is made here.
          const error = classifyRunFailure(err, {
            estimateBytes: estimateOrUndefined(task),
            ...(iteration !== undefined ? { iteration } : {}),
          })
          if (error === null) throw err
          return { status: 'failed', error }
        },
      )
      .finally(() => port1.close())
    let cancelRequested = false
    return {
      done,
      cancel: () => {
        if (cancelRequested) {
          abort.abort()
          return
        }
        cancelRequested = true
        port1.postMessage({ type: 'cancel' } satisfies MainMessage)
      },
    }
  }

  async destroy(): Promise<void> {
    this.destroying = true
    await this.piscina.destroy()
  }
}

function estimateOrUndefined(task: Omit<TrainTask, 'port'>): number | undefined {
  try {
    return estimateTaskMemory(task).bytes
  } catch {
    return undefined
  }
}
