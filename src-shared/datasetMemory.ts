/**
 * A run's memory estimate from what is known of its dataset before loading it (a manifest, or the
 * datasets list the UI has): main refuses and schedules with it, the New Run form shows it.
 */
import type { RunConfig } from './config'
import {
  estimateRunMemory,
  numIterationsOf,
  type EstimateOptions,
  type MemoryEstimate,
} from './memoryEstimate'
import { resolveSplits } from './splits'

/** What the estimate needs of a dataset: a DatasetInfo (manifest) has it, so do the UI's summaries. */
export interface DatasetFacts {
  format: string
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

/**
 * The runs that check themselves before training by default (policy 'auto', src-main/core/checks.ts): a
 * fresh run planned for at least this many iterations.
 */
export const LONG_RUN_ITERATIONS = 1000

export type ChecksPolicy = 'auto' | 'always' | 'never'

/** Whether a fresh start of `config` on `dataset` runs the sanity checks first, under `policy`. */
export function checksFirst(
  config: RunConfig,
  dataset: DatasetFacts,
  policy: ChecksPolicy = 'auto',
): boolean {
  if (policy !== 'auto') return policy === 'always'
  const { format, counts } = dataset
  const splits = resolveSplits(
    { format, train: { count: counts.train }, test: { count: counts.test } },
    config.dataset,
  )
  return numIterationsOf(config, splits.numTraining) >= LONG_RUN_ITERATIONS
}
