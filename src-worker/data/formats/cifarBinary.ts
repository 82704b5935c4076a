/**
 * CIFAR-10, binary version (`cifar-10-batches-bin`): data_batch_1..5.bin and test_batch.bin are records of
 * one label byte followed by 3072 pixel bytes (3x32x32, channels-first); batches.meta.txt lists the class
 * names, one per line.
 */
import type { RawDataset } from '../types'
import {
  assembleSplit,
  CIFAR10_CLASSES,
  DatasetError,
  guard,
  parseNameList,
  readBytes,
  type ParsedBatch,
} from './common'
import { CIFAR_IMAGE_BYTES, CIFAR_SHAPE, type CifarFiles } from './cifarPython'

/** Bytes per record: the label, then the image. */
export const CIFAR_RECORD_BYTES = CIFAR_IMAGE_BYTES + 1

/** Checks one binary batch (the bytes of `file`); images are copied out of `bytes` when assembled. */
export function parseCifarBinaryBatch(bytes: Uint8Array, file: string): ParsedBatch {
  return guard(file, 'CIFAR-10 binary batch', () => {
    if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
      throw new DatasetError(
        file,
        `expected a whole number of ${CIFAR_RECORD_BYTES}-byte records (1 label byte + ${CIFAR_IMAGE_BYTES} ` +
          `pixel bytes), found ${bytes.length} bytes` +
          (bytes.length > 0
            ? ` (${Math.floor(bytes.length / CIFAR_RECORD_BYTES)} records and a partial one)`
            : ''),
      )
    }
    const count = bytes.length / CIFAR_RECORD_BYTES
    const labels = new Uint8Array(count)
    for (let i = 0; i < count; i++) {
      const label = bytes[i * CIFAR_RECORD_BYTES]!
      if (label >= CIFAR10_CLASSES.length) {
        throw new DatasetError(
          file,
          `expected labels in [0, ${CIFAR10_CLASSES.length}), record ${i} (byte ${i * CIFAR_RECORD_BYTES}) has ${label}`,
        )
      }
      labels[i] = label
    }
    const copyImages = (target: Uint8Array, offset: number): void => {
      for (let i = 0; i < count; i++) {
        const from = i * CIFAR_RECORD_BYTES + 1
        target.set(bytes.subarray(from, from + CIFAR_IMAGE_BYTES), offset + i * CIFAR_IMAGE_BYTES)
      }
    }
    return { file, count, labels, copyImages }
  })
}

/** Parses batches.meta.txt: CIFAR-10's 10 class names, one per line (blank lines ignored). */
export function parseCifarBinaryMeta(text: string, file: string): string[] {
  const names = parseNameList(text)
  if (names.length !== CIFAR10_CLASSES.length) {
    throw new DatasetError(
      file,
      `expected ${CIFAR10_CLASSES.length} class names, one per line, found ${names.length}` +
        (names.length > 0 ? ` (${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})` : ''),
    )
  }
  return names
}

/** Reads a `cifar-10-batches-bin` folder's files into a dataset (train = the batches in the given order). */
export async function readCifarBinary(files: CifarFiles): Promise<RawDataset> {
  const classNames = files.meta
    ? parseCifarBinaryMeta(new TextDecoder().decode(await readBytes(files.meta)), files.meta)
    : [...CIFAR10_CLASSES]
  const train: ParsedBatch[] = []
  for (const f of files.train) train.push(parseCifarBinaryBatch(await readBytes(f), f))
  const test = parseCifarBinaryBatch(await readBytes(files.test), files.test)
  return {
    format: 'cifar10-binary',
    shape: [...CIFAR_SHAPE],
    classNames,
    train: assembleSplit(train, CIFAR_IMAGE_BYTES),
    test: assembleSplit([test], CIFAR_IMAGE_BYTES),
    files: [...files.train, files.test, ...(files.meta ? [files.meta] : [])],
  }
}
