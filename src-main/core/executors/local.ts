/**
 * The local executor: runs train on this process's piscina pool (pool.ts), with the dataset and its
 * training mean loaded once per process and shared by every worker thread.
 */
import type { RawDataset } from '../../../src-worker/data/types'
import { TrainingPool, type PoolOptions, type RunningTask } from '../pool'
import type { Executor, ExecutorMessage, PreparedJob, TrainJob } from './types'

/** Loads a run's dataset and training mean (the Workbench caches both per process). */
export type LoadData = (job: TrainJob) => Promise<{ raw: RawDataset; mean: Float32Array }>

interface LocalJob extends PreparedJob {
  raw: RawDataset
  mean: Float32Array
}

export class LocalExecutor implements Executor {
  readonly name = 'local' as const
  readonly usesLocalMemory = true
  private readonly pool: TrainingPool

  constructor(
    private readonly loadData: LoadData,
    options: PoolOptions = {},
  ) {
    this.pool = new TrainingPool(options)
  }

  get capacity(): number {
    return this.pool.maxThreads
  }

  async prepare(job: TrainJob): Promise<LocalJob> {
    const { raw, mean } = await this.loadData(job)
    return { job, raw, mean }
  }

  start(prepared: PreparedJob, onMessage: (m: ExecutorMessage) => void): RunningTask {
    const { job, raw, mean } = prepared as LocalJob
    return this.pool.run({ ...job, raw, mean }, onMessage)
  }

  destroy(): Promise<void> {
    return this.pool.destroy()
  }
}
