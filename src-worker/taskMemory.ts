/**
 * The memory estimate of a training task, from what the task carries (config, dataset, resume, checks):
 * the worker and the pool name it when a run fails on memory. Imports no engine code, so main can use it.
 */
import { estimateRunMemory, type MemoryEstimate } from '../src-shared/memoryEstimate'
import type { RunConfig } from '../src-shared/config'
import { resolveSplits } from './data/prepare'
import type { RawDataset } from './data/types'

export interface TaskFacts {
  config: RunConfig
  raw: RawDataset
  resume: unknown
  sanityChecks?: boolean
}

export function estimateTaskMemory(task: TaskFacts): MemoryEstimate {
  const { raw } = task
  return estimateRunMemory(
    task.config,
    {
      shape: raw.shape,
      numClasses: raw.classNames.length,
      ...resolveSplits(raw, task.config.dataset),
      trainImages: raw.train.count,
      testImages: raw.test.count,
    },
    { sanityChecks: task.sanityChecks === true, resume: task.resume !== null && task.resume !== undefined },
  )
}
