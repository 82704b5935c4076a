/**
 * CIFAR-10, python version (`cifar-10-batches-py`): data_batch_1..5 and test_batch are pickled dicts with
 * `data` (uint8 numpy array, n x 3072, each row a 3x32x32 channels-first image) and `labels` (n ints in
 * [0, 10)); batches.meta holds `label_names`. Written by Python 2 cPickle (protocol 2); Python 3 pickles
 * of the same structure (protocols 2-4, str or bytes keys, labels as a list or a 1-D integer array) load too.
 */
import type { RawDataset } from '../types'
import {
  assembleSplit,
  CIFAR10_CLASSES,
  DatasetError,
  guard,
  METADATA_MAX_BYTES,
  readBytes,
  type ParsedBatch,
} from './common'
import {
  asText,
  describe,
  NdArray,
  ndarrayIntegers,
  unpickle,
  type PickleDict,
  type PickleValue,
} from './pickle'

/** Bytes per CIFAR-10 image: 3 channels x 32 x 32. */
export const CIFAR_IMAGE_BYTES = 3072
export const CIFAR_SHAPE: [number, number, number] = [3, 32, 32]

const META_LIMIT = { maxBytes: METADATA_MAX_BYTES, what: "a pickled dict of 'label_names'" }

/** The files of a CIFAR-10 folder (python or binary): five training batches, the test batch, the metadata. */
export interface CifarFiles {
  train: string[]
  test: string
  /** batches.meta (python) or batches.meta.txt (binary); null when absent: CIFAR-10's names are used. */
  meta: string | null
}

function keysOf(d: PickleDict): string {
  const keys = [...d.keys()].map((k) => JSON.stringify(typeof k === 'bigint' ? k.toString() : k))
  return keys.length > 0 ? keys.join(', ') : 'none'
}

function asDict(root: PickleValue, file: string, expected: string): PickleDict {
  if (!(root instanceof Map))
    throw new DatasetError(file, `expected a pickled dict ${expected}, found ${describe(root)}`)
  return root
}

/** Parses one pickled CIFAR-10 batch (the bytes of `file`). The images stay a view into `bytes`. */
export function parseCifarPythonBatch(bytes: Uint8Array, file: string): ParsedBatch {
  return guard(file, 'CIFAR-10 python batch', () => {
    const expected = "with 'data' and 'labels' (a CIFAR-10 python batch)"
    const dict = asDict(unpickle(bytes, file), file, expected)
    const data = dict.get('data')
    const labelValue = dict.get('labels')
    if (data === undefined || labelValue === undefined) {
      throw new DatasetError(file, `expected a pickled dict ${expected}, found keys ${keysOf(dict)}`)
    }
    if (
      !(data instanceof NdArray) ||
      data.dtype.kind !== 'u' ||
      data.dtype.itemSize !== 1 ||
      data.shape.length !== 2 ||
      data.shape[1] !== CIFAR_IMAGE_BYTES
    ) {
      throw new DatasetError(
        file,
        `expected 'data' to be a uint8 array of shape (n, ${CIFAR_IMAGE_BYTES}), found ${describe(data)}`,
      )
    }
    const count = data.shape[0]!
    if (count === 0) throw new DatasetError(file, "expected at least one image, 'data' has none")
    if (data.fortranOrder && count > 1) {
      throw new DatasetError(
        file,
        "expected 'data' in C order (row after row), found a Fortran-ordered array",
      )
    }
    // An array's length is known from its shape: check it before making a list of it (8 bytes a label).
    if (labelValue instanceof NdArray && labelValue.shape.length === 1 && labelValue.shape[0] !== count) {
      throw new DatasetError(
        file,
        `expected ${count} labels (one per image in 'data'), found ${labelValue.shape[0]}`,
      )
    }
    const list = Array.isArray(labelValue)
      ? labelValue
      : labelValue instanceof NdArray
        ? ndarrayIntegers(labelValue)
        : undefined
    if (list === undefined) {
      throw new DatasetError(file, `expected 'labels' to be a list of ints, found ${describe(labelValue)}`)
    }
    if (list.length !== count) {
      throw new DatasetError(file, `expected ${count} labels (one per image in 'data'), found ${list.length}`)
    }
    const labels = new Uint8Array(count)
    for (let i = 0; i < count; i++) {
      const v = list[i]
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= CIFAR10_CLASSES.length) {
        const found = typeof v === 'number' ? String(v) : describe(v)
        throw new DatasetError(
          file,
          `expected labels in [0, ${CIFAR10_CLASSES.length}), label ${i} is ${found}`,
        )
      }
      labels[i] = v
    }
    const images = data.data
    return { file, count, labels, copyImages: (target, offset) => target.set(images, offset) }
  })
}

/** Parses batches.meta: its `label_names`, which must be CIFAR-10's 10 names. */
export function parseCifarPythonMeta(bytes: Uint8Array, file: string): string[] {
  return guard(file, 'CIFAR-10 batches.meta', () => {
    const expected = "with 'label_names' (CIFAR-10's batches.meta)"
    const dict = asDict(unpickle(bytes, file), file, expected)
    const names = dict.get('label_names')
    if (names === undefined) {
      throw new DatasetError(file, `expected a pickled dict ${expected}, found keys ${keysOf(dict)}`)
    }
    if (!Array.isArray(names) || names.length !== CIFAR10_CLASSES.length) {
      throw new DatasetError(
        file,
        `expected 'label_names' to be a list of ${CIFAR10_CLASSES.length} names, found ${describe(names)}`,
      )
    }
    return names.map((n, i) => {
      const text = asText(n)
      if (text === undefined)
        throw new DatasetError(file, `expected label name ${i} to be a string, found ${describe(n)}`)
      return text
    })
  })
}

/** Reads a `cifar-10-batches-py` folder's files into a dataset (train = the batches in the given order). */
export async function readCifarPython(
  files: CifarFiles,
  onFile?: (file: string) => void,
): Promise<RawDataset> {
  const classNames = files.meta
    ? parseCifarPythonMeta(await readBytes(files.meta, META_LIMIT), files.meta)
    : [...CIFAR10_CLASSES]
  const train: ParsedBatch[] = []
  for (const f of files.train) {
    train.push(parseCifarPythonBatch(await readBytes(f), f))
    onFile?.(f)
  }
  const test = parseCifarPythonBatch(await readBytes(files.test), files.test)
  onFile?.(files.test)
  return {
    format: 'cifar10-python',
    shape: [...CIFAR_SHAPE],
    classNames,
    train: assembleSplit(train, CIFAR_IMAGE_BYTES),
    test: assembleSplit([test], CIFAR_IMAGE_BYTES),
    files: [...files.train, files.test, ...(files.meta ? [files.meta] : [])],
  }
}
