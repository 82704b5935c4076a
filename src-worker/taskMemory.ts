/**
 * The memory estimate of a run on a dataset, from the facts the main process has before loading it (a
 * dataset's manifest) or those a training task carries: createRun/createSweep/resume refuse with it,
 * the scheduler counts it, and the worker and the pool name it when a run fails on memory. Imports no
 * engine code, so main can use it.
 */
import type { MemoryEstimate } from '../src-shared/memoryEstimate'
import type { RunConfig } from '../src-shared/config'
import { estimateForDataset } from '../src-shared/datasetMemory'
import type { RawDataset } from './data/types'

export { estimateForDataset, type DatasetFacts } from '../src-shared/datasetMemory'

export interface TaskFacts {
  config: RunConfig
  raw: RawDataset
  resume: unknown
  sanityChecks?: boolean
}

/** The estimate of a training task as the pool runs it (checks and resume as the task says). */
export function estimateTaskMemory(task: TaskFacts): MemoryEstimate {
  const { raw } = task
  return estimateForDataset(
    task.config,
    { ...raw, counts: { train: raw.train.count, test: raw.test.count } },
    { sanityChecks: task.sanityChecks === true, resume: task.resume !== null && task.resume !== undefined },
  )
}
