/**
 * How a dataset is split into training, validation and test images: CS231n's sizes, overridable per run.
 * Shared so that main (admission, memory estimates), the worker (prepare.ts) and the New Run form agree.
 */
export interface SplitSizes {
  numTraining: number
  numValidation: number
  numTest: number
}

/** What the split sizes depend on: the dataset's format and its image counts. */
export interface SplitSource {
  /** 'idx' (MNIST-like) or a CIFAR-10 format. */
  format: string
  train: { count: number }
  test: { count: number }
}

/**
 * CS231n's sizes for CIFAR-10 (49000 / 1000 / 1000); elsewhere all but 1000 training images train, 1000
 * validate and the whole test split tests (Fashion-MNIST: 59000 / 1000 / 10000). Capped to what exists.
 */
export function defaultSplits(raw: SplitSource): SplitSizes {
  const trainCount = raw.train.count
  const numValidation = Math.min(1000, Math.max(1, Math.floor(trainCount / 10)))
  const numTraining = Math.min(raw.format === 'idx' ? Infinity : 49000, trainCount - numValidation)
  const numTest = Math.min(raw.format === 'idx' ? Infinity : 1000, raw.test.count)
  return { numTraining, numValidation, numTest }
}

/** The defaults overridden by whichever sizes are given (other keys, such as a dataset name, ignored). */
export function resolveSplits(raw: SplitSource, sizes: Partial<SplitSizes> = {}): SplitSizes {
  const s = defaultSplits(raw)
  return {
    numTraining: sizes.numTraining ?? s.numTraining,
    numValidation: sizes.numValidation ?? s.numValidation,
    numTest: sizes.numTest ?? s.numTest,
  }
}
