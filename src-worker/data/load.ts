/**
 * Loads a dataset folder (CIFAR-10 python or binary, MNIST / Fashion-MNIST IDX) into a RawDataset whose
 * images and labels live in SharedArrayBuffers. Any bad input (missing, truncated or corrupt files, wrong
 * structure, labels out of range, mismatched counts or image sizes) rejects with a DatasetError naming the
 * file and what was expected; a dataset is returned only whole.
 */
import type { RawDataset } from './types'
import { detectFormat } from './detect'
import { readCifarBinary } from './formats/cifarBinary'
import { readCifarPython } from './formats/cifarPython'
import { DatasetError, errorText } from './formats/common'
import { readIdx, type IdxKind } from './formats/idx'

export { DatasetError } from './formats/common'
export type { DetectedDataset, Detection } from './detect'
export { detectFormat } from './detect'

export interface LoadOptions {
  /** For IDX folders: which class names to use (otherwise classes.txt, the folder name, or digits). */
  kind?: IdxKind
  /** Called with each data file once it is read whole, in no promised order (import progress). */
  onFile?: (file: string) => void
}

/** Detects the format of `dir` and reads it. Rejects with DatasetError only. */
export async function loadDataset(dir: string, options: LoadOptions = {}): Promise<RawDataset> {
  const detected = await detectFormat(dir)
  if (!detected.ok) throw detected.error
  try {
    switch (detected.format) {
      case 'cifar10-python':
        return await readCifarPython(detected.files, options.onFile)
      case 'cifar10-binary':
        return await readCifarBinary(detected.files, options.onFile)
      case 'idx':
        return await readIdx(detected.files, options)
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e
    throw new DatasetError(detected.dir, `could not load the dataset (${errorText(e)})`, { cause: e })
  }
}
