/**
 * IDX files (MNIST, Fashion-MNIST), raw or gzipped (recognised by the gzip magic 1f 8b, whatever the name):
 * a big-endian header 00 00 <type> <ndim>, ndim big-endian uint32 sizes, then the data. Images are
 * 0x00000803 (n, rows, cols) of unsigned bytes, labels 0x00000801 (n).
 *
 * Class names, first rule that applies:
 * 1. the `kind` option: 'mnist' -> digits '0'..'9', 'fashion-mnist' -> Fashion-MNIST's 10 names;
 * 2. a `classes.txt` in the folder: one name per line (blank lines ignored);
 * 3. the folder's name, or its parent's (torchvision's `FashionMNIST/raw`), contains "fashion"
 *    (any case) -> Fashion-MNIST's names;
 * 4. otherwise digits '0'..'9' (MNIST).
 * Labels must be below the number of names.
 */
import { basename, dirname } from 'node:path'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { RawDataset } from '../types'
import {
  assembleSplit,
  DatasetError,
  errorText,
  firstLabelOutOfRange,
  guard,
  parseNameList,
  readBytes,
  type ParsedBatch,
} from './common'

export type IdxKind = 'mnist' | 'fashion-mnist'

export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]

/** The files of an IDX dataset folder. */
export interface IdxFiles {
  trainImages: string
  trainLabels: string
  testImages: string
  testLabels: string
  /** classes.txt, when the folder has one. */
  classes: string | null
}

export interface IdxOptions {
  /** Which class names to use; see the rules at the top of this file. */
  kind?: IdxKind
}

/** An IDX array of unsigned bytes: its sizes and its data (a view into the file's bytes). */
export interface IdxArray {
  dims: number[]
  data: Uint8Array
}

/** Largest decompressed size accepted from a .gz file (a bound against gzip bombs). */
export const GUNZIP_MAX_BYTES = 2 ** 31

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const gunzipAsync = promisify(gunzip)

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b
}

/** Decompresses gzip data; corrupt or truncated data becomes a DatasetError naming `file`. */
export async function gunzipBytes(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const out = await gunzipAsync(bytes, { maxOutputLength: GUNZIP_MAX_BYTES, chunkSize: 1 << 20 })
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  } catch (e) {
    throw new DatasetError(
      file,
      `expected gzip-compressed IDX data, decompression failed (${errorText(e)})`,
      {
        cause: e,
      },
    )
  }
}

const hex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing'

/** Parses uncompressed IDX bytes of unsigned-byte data. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  return guard(file, 'IDX file', () => {
    if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
      throw new DatasetError(
        file,
        `expected an IDX file (magic 00 00 08 0n) or gzip data (1f 8b), found ${hex(bytes.subarray(0, 4))}`,
      )
    }
    const type = bytes[2]!
    if (type !== 0x08) {
      const code = `type 0x${type.toString(16).padStart(2, '0')}`
      const found = TYPE_NAMES[type] ? `${TYPE_NAMES[type]} (${code})` : `unknown ${code}`
      throw new DatasetError(file, `expected IDX data of unsigned bytes (type 0x08), found ${found}`)
    }
    const ndim = bytes[3]!
    if (ndim === 0) throw new DatasetError(file, 'expected an IDX array of at least one dimension, found 0')
    const header = 4 + 4 * ndim
    if (bytes.length < header) {
      throw new DatasetError(file, `truncated IDX header: expected ${header} bytes, found ${bytes.length}`)
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const dims: number[] = []
    let size = 1
    for (let i = 0; i < ndim; i++) {
      const d = view.getUint32(4 + 4 * i, false)
      dims.push(d)
      size *= d
    }
    const found = bytes.length - header
    if (found !== size) {
      throw new DatasetError(
        file,
        `expected ${size} data bytes for an IDX array of (${dims.join(', ')}), found ${found}` +
          (found < size ? ' (truncated file?)' : ''),
      )
    }
    return { dims, data: bytes.subarray(header) }
  })
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic. */
export async function readIdxFile(file: string): Promise<IdxArray> {
  let bytes = await readBytes(file)
  if (isGzip(bytes)) bytes = await gunzipBytes(bytes, file)
  return parseIdx(bytes, file)
}

/** Checks an images file and a labels file of one split and pairs them up. */
export function idxSplit(
  images: IdxArray,
  labels: IdxArray,
  imagesFile: string,
  labelsFile: string,
): { batch: ParsedBatch; rows: number; cols: number } {
  if (images.dims.length !== 3) {
    throw new DatasetError(
      imagesFile,
      `expected IDX images (magic 00 00 08 03: count, rows, cols), found a ${images.dims.length}-D array ` +
        `(${images.dims.join(', ')})`,
    )
  }
  if (labels.dims.length !== 1) {
    throw new DatasetError(
      labelsFile,
      `expected IDX labels (magic 00 00 08 01: count), found a ${labels.dims.length}-D array (${labels.dims.join(', ')})`,
    )
  }
  const [count, rows, cols] = images.dims as [number, number, number]
  if (count === 0 || rows === 0 || cols === 0) {
    throw new DatasetError(
      imagesFile,
      `expected at least one image of at least 1x1, found (${images.dims.join(', ')})`,
    )
  }
  if (labels.dims[0] !== count) {
    throw new DatasetError(
      labelsFile,
      `expected ${count} labels, one per image in ${basename(imagesFile)}, found ${labels.dims[0]}`,
    )
  }
  const data = images.data
  const batch: ParsedBatch = {
    file: imagesFile,
    count,
    labels: labels.data,
    copyImages: (target, offset) => target.set(data, offset),
  }
  return { batch, rows, cols }
}

/** Class names for an IDX folder, by the rules at the top of this file. */
export async function idxClassNames(
  dir: string,
  classesFile: string | null,
  kind?: IdxKind,
): Promise<string[]> {
  if (kind === 'mnist') return [...MNIST_CLASSES]
  if (kind === 'fashion-mnist') return [...FASHION_MNIST_CLASSES]
  if (classesFile) {
    const names = parseNameList(new TextDecoder().decode(await readBytes(classesFile)))
    if (names.length === 0)
      throw new DatasetError(classesFile, 'expected class names, one per line, found none')
    return names
  }
  if (/fashion/i.test(basename(dir)) || /fashion/i.test(basename(dirname(dir))))
    return [...FASHION_MNIST_CLASSES]
  return [...MNIST_CLASSES]
}

/** Reads an IDX dataset folder's four files (and classes.txt) into a dataset. */
export async function readIdx(files: IdxFiles, options: IdxOptions = {}): Promise<RawDataset> {
  const classNames = await idxClassNames(dirname(files.trainImages), files.classes, options.kind)
  // Read (and gunzip, on libuv's threads) the four files at once; report the first failure in file order.
  const settled = await Promise.allSettled(
    [files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(readIdxFile),
  )
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  const [trainImages, trainLabels, testImages, testLabels] = settled.map(
    (s) => (s as PromiseFulfilledResult<IdxArray>).value,
  )
  const train = idxSplit(trainImages!, trainLabels!, files.trainImages, files.trainLabels)
  const test = idxSplit(testImages!, testLabels!, files.testImages, files.testLabels)
  if (test.rows !== train.rows || test.cols !== train.cols) {
    throw new DatasetError(
      files.testImages,
      `expected ${train.rows}x${train.cols} images like ${basename(files.trainImages)}, found ${test.rows}x${test.cols}`,
    )
  }
  for (const [split, file] of [
    [train, files.trainLabels],
    [test, files.testLabels],
  ] as const) {
    const bad = firstLabelOutOfRange(split.batch.labels, classNames.length)
    if (bad >= 0) {
      throw new DatasetError(
        file,
        `expected labels in [0, ${classNames.length}) (${classNames.length} class names), label ${bad} is ` +
          `${split.batch.labels[bad]}`,
      )
    }
  }
  const imageBytes = train.rows * train.cols
  return {
    format: 'idx',
    shape: [1, train.rows, train.cols],
    classNames,
    train: assembleSplit([train.batch], imageBytes),
    test: assembleSplit([test.batch], imageBytes),
    files: [
      files.trainImages,
      files.trainLabels,
      files.testImages,
      files.testLabels,
      ...(files.classes ? [files.classes] : []),
    ],
  }
}
