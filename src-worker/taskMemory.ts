/**
 * The memory estimate of a run on a dataset, from the facts the main process has before loading it (a
 * dataset's manifest) or those a training task carries: createRun/createSweep/resume refuse with it,
 * the scheduler counts it, and the worker and the pool name it when a run fails on memory. Imports no
 * engine code, so main can use it.
 */
import { estimateRunMemory, type EstimateOptions, type MemoryEstimate } from '../src-shared/memoryEstimate'
import type { RunConfig } from '../src-shared/config'
import { resolveSplits } from './data/prepare'
import type { DatasetFormat, RawDataset } from './data/types'

/** What the estimate needs of a dataset: a DatasetInfo (manifest) has it, so does a loaded RawDataset. */
export interface DatasetFacts {
  format: DatasetFormat
  shape: readonly [number, number, number]
  classNames: readonly string[]
  counts: { train: number; test: number }
}

export function estimateForDataset(
  config: RunConfig,
  dataset: DatasetFacts,
  options: EstimateOptions = {},
): MemoryEstimate {
  const { format, counts } = dataset
  const splits = resolveSplits(
    { format, train: { count: counts.train }, test: { count: counts.test } },
    config.dataset,
  )
  return estimateRunMemory(
    config,
    {
      shape: dataset.shape,
      numClasses: dataset.classNames.length,
      ...splits,
      trainImages: counts.train,
      testImages: counts.test,
    },
    options,
  )
}

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
