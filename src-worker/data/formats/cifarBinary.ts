/**
 * CIFAR-10, binary version (`cifar-10-batches-bin`): data_batch_1..5.bin and test_batch.bin are records of
 * one label byte followed by 3072 pixel bytes (3x32x32, channels-first); batches.meta.txt lists the class
 * names, one per line.
 *
 * The record count of each file follows from its size, so a folder is checked from its files' sizes
 * before anything is read, and the records then stream (about 1 MB at a time) straight into the
 * SharedArrayBuffers the dataset keeps: memory is the dataset plus one chunk.
 */
import { open, stat, type FileHandle } from 'node:fs/promises'
import { sharedBytes, type ImageSplit, type RawDataset } from '../types'
import {
  CIFAR10_CLASSES,
  DatasetError,
  errorText,
  guard,
  parseNameList,
  readTextFile,
  type ParsedBatch,
} from './common'
import { CIFAR_IMAGE_BYTES, CIFAR_SHAPE, type CifarFiles } from './cifarPython'

/** Bytes per record: the label, then the image. */
export const CIFAR_RECORD_BYTES = CIFAR_IMAGE_BYTES + 1

/** Records read from disk at a time (about 1 MB). */
const RECORDS_PER_READ = 341

/** The records in a file of `size` bytes; anything but a positive whole number of records is an error. */
function recordCount(size: number, file: string): number {
  if (size === 0 || size % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetError(
      file,
      `expected a whole number of ${CIFAR_RECORD_BYTES}-byte records (1 label byte + ${CIFAR_IMAGE_BYTES} ` +
        `pixel bytes), found ${size} bytes` +
        (size > 0 ? ` (${Math.floor(size / CIFAR_RECORD_BYTES)} records and a partial one)` : ''),
    )
  }
  return size / CIFAR_RECORD_BYTES
}

/**
 * Splits `n` whole records at the start of `src` (records `first`.. of `file`) into `labels` and, unless
 * null, `images`, at record `at` of those. Labels are checked to be in [0, 10).
 */
function splitRecords(
  src: Uint8Array,
  n: number,
  first: number,
  file: string,
  labels: Uint8Array,
  images: Uint8Array | null,
  at: number,
): void {
  for (let i = 0; i < n; i++) {
    const from = i * CIFAR_RECORD_BYTES
    const label = src[from]!
    if (label >= CIFAR10_CLASSES.length) {
      const record = first + i
      throw new DatasetError(
        file,
        `expected labels in [0, ${CIFAR10_CLASSES.length}), record ${record} (byte ${record * CIFAR_RECORD_BYTES}) has ${label}`,
      )
    }
    labels[at + i] = label
    images?.set(src.subarray(from + 1, from + CIFAR_RECORD_BYTES), (at + i) * CIFAR_IMAGE_BYTES)
  }
}

/** Checks one binary batch held in memory (the bytes of `file`); images are copied out when assembled. */
export function parseCifarBinaryBatch(bytes: Uint8Array, file: string): ParsedBatch {
  return guard(file, 'CIFAR-10 binary batch', () => {
    const count = recordCount(bytes.length, file)
    const labels = new Uint8Array(count)
    splitRecords(bytes, count, 0, file, labels, null, 0)
    const copyImages = (target: Uint8Array, offset: number): void => {
      const images = target.subarray(offset, offset + count * CIFAR_IMAGE_BYTES)
      splitRecords(bytes, count, 0, file, new Uint8Array(count), images, 0)
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

const cannotRead = (file: string, e: unknown): DatasetError =>
  new DatasetError(file, `cannot read file (${errorText(e)})`, { cause: e })

/** Streams the `count` records of `file` into `split` from record `at`. */
async function readRecords(file: string, count: number, split: ImageSplit, at: number): Promise<void> {
  let fh: FileHandle
  try {
    fh = await open(file, 'r')
  } catch (e) {
    throw cannotRead(file, e)
  }
  try {
    const chunk = new Uint8Array(RECORDS_PER_READ * CIFAR_RECORD_BYTES)
    for (let done = 0; done < count;) {
      const n = Math.min(RECORDS_PER_READ, count - done)
      const want = n * CIFAR_RECORD_BYTES
      for (let got = 0; got < want;) {
        let bytesRead: number
        try {
          ;({ bytesRead } = await fh.read(chunk, got, want - got, done * CIFAR_RECORD_BYTES + got))
        } catch (e) {
          throw cannotRead(file, e)
        }
        if (bytesRead === 0) {
          throw new DatasetError(
            file,
            `expected ${count * CIFAR_RECORD_BYTES} bytes, the file ended after ` +
              `${done * CIFAR_RECORD_BYTES + got} (did it change while being read?)`,
          )
        }
        got += bytesRead
      }
      splitRecords(chunk, n, done, file, split.labels, split.images, at + done)
      done += n
    }
  } finally {
    await fh.close()
  }
}

/** The record count of each file, from its size. */
async function recordCounts(files: string[]): Promise<number[]> {
  const counts: number[] = []
  for (const file of files) {
    let size: number
    try {
      size = (await stat(file)).size
    } catch (e) {
      throw cannotRead(file, e)
    }
    counts.push(recordCount(size, file))
  }
  return counts
}

/** Reads a `cifar-10-batches-bin` folder's files into a dataset (train = the batches in the given order). */
export async function readCifarBinary(
  files: CifarFiles,
  onFile?: (file: string) => void,
): Promise<RawDataset> {
  const classNames = files.meta
    ? parseCifarBinaryMeta(await readTextFile(files.meta, 'class names, one per line'), files.meta)
    : [...CIFAR10_CLASSES]
  const counts = await recordCounts([...files.train, files.test])
  const split = (count: number): ImageSplit => ({
    images: sharedBytes(count * CIFAR_IMAGE_BYTES),
    labels: sharedBytes(count),
    count,
  })
  const trainCounts = counts.slice(0, files.train.length)
  const train = split(trainCounts.reduce((a, b) => a + b, 0))
  const test = split(counts.at(-1)!)
  let at = 0
  for (const [k, file] of files.train.entries()) {
    await readRecords(file, trainCounts[k]!, train, at)
    onFile?.(file)
    at += trainCounts[k]!
  }
  await readRecords(files.test, test.count, test, 0)
  onFile?.(files.test)
  return {
    format: 'cifar10-binary',
    shape: [...CIFAR_SHAPE],
    classNames,
    train,
    test,
    files: [...files.train, files.test, ...(files.meta ? [files.meta] : [])],
  }
}
