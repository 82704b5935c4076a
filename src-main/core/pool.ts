/**
 * The worker pool that trains runs in parallel: piscina over worker threads, one BLAS thread each (the
 * addon sets it process-wide), as many threads as cores by default. Each task gets a MessageChannel port
 * for progress; cancelling is cooperative (a message the worker polls between steps) so the run ends
 * cleanly with its checkpoints intact, with thread termination only as a fallback.
 */
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { MessageChannel } from 'node:worker_threads'
import Piscina from 'piscina'
import { appPaths, appRoot } from './appPaths'
import type { MainMessage, TrainOutcome, TrainTask, WorkerMessage } from '../../src-worker/train'

export interface PoolOptions {
  /** Parallel runs; default: the number of cores. */
  maxThreads?: number
  /** The worker module; default: the bundled out/main/worker.js, or the TypeScript source in development. */
  filename?: string
}

export interface RunningTask {
  /** Resolves with the outcome; rejects if the worker crashed (the pool replaces the thread). */
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

  constructor(options: PoolOptions = {}) {
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
    })
  }

  /** Starts a task now (the caller's queue decides when); `onMessage` receives the worker's messages. */
  run(task: Omit<TrainTask, 'port'>, onMessage: (m: WorkerMessage) => void): RunningTask {
    const { port1, port2 } = new MessageChannel()
    let ended: () => void = () => {}
    const endReceived = new Promise<void>((r) => (ended = r))
    port1.on('message', (m: WorkerMessage) => {
      if (m.type === 'end') ended()
      else onMessage(m)
    })
    const abort = new AbortController()
    const done = this.piscina
      .run({ ...task, port: port2 } satisfies TrainTask, { transferList: [port2], signal: abort.signal })
      .then(async (outcome: TrainOutcome) => {
        await endReceived
        return outcome
      })
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
    await this.piscina.destroy()
  }
}
