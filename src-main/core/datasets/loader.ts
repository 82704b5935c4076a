/** The function that reads a dataset folder: `loadDataset` from the worker's data layer, injectable for tests. */
import { loadDataset } from '../../../src-worker/data/load'
import type { RawDataset } from '../../../src-worker/data/types'

export type DatasetLoader = (dir: string) => Promise<RawDataset>

export const defaultLoader: DatasetLoader = (dir) => loadDataset(dir)
