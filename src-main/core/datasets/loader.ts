/** The function that reads a dataset folder: `loadDataset` from the worker's data layer, injectable for tests. */
import { loadDataset, type LoadOptions } from '../../../src-worker/data/load'
import type { RawDataset } from '../../../src-worker/data/types'

/** `onFile` (import progress) is a hint: a loader may never call it. */
export type DatasetLoader = (dir: string, options?: Pick<LoadOptions, 'onFile'>) => Promise<RawDataset>

export const defaultLoader: DatasetLoader = (dir, options) =>
  loadDataset(dir, options?.onFile ? { onFile: options.onFile } : {})
