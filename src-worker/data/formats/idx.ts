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
 *
 * A folder is read in two steps so that memory is what the headers declare, never what the files inflate
 * to: the four headers first (checked against each other), then the data, streamed straight into the
 * SharedArrayBuffers the dataset keeps (see idxFile.ts).
 */
import { basename, dirname } from 'node:path'
import { sharedBytes, type ImageSplit, type RawDataset } from '../types'
import {
  DatasetError,
  firstLabelOutOfRange,
  guard,
  parseNameList,
  readTextFile,
  type ParsedBatch,
} from './common'
import { IdxFileReader } from './idxFile'
import { idxSizeError, parseIdxHeader } from './idxHeader'

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
  /** Called with each file once it is read whole (import progress). */
  onFile?: (file: string) => void
}

/** An IDX array of unsigned bytes: its sizes and its data (a view into the file's bytes). */
export interface IdxArray {
  dims: number[]
  data: Uint8Array
}

/** Parses uncompressed IDX bytes of unsigned-byte data held in memory. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  return guard(file, 'IDX file', () => {
    const header = parseIdxHeader(bytes, file)
    const found = bytes.length - header.headerBytes
    if (found !== header.dataBytes) throw idxSizeError(file, header, found)
    return { dims: header.dims, data: bytes.subarray(header.headerBytes) }
  })
}

/** One split's shape from its images' and labels' IDX sizes: `count` images of rows x cols. */
export interface IdxSplitShape {
  count: number
  rows: number
  cols: number
}

/** Checks the sizes of an images file and a labels file of one split: 3-D images, 1-D labels, same count. */
export function checkIdxPair(
  images: readonly number[],
  labels: readonly number[],
  imagesFile: string,
  labelsFile: string,
): IdxSplitShape {
  if (images.length !== 3) {
    throw new DatasetError(
      imagesFile,
      `expected IDX images (magic 00 00 08 03: count, rows, cols), found a ${images.length}-D array ` +
        `(${images.join(', ')})`,
    )
  }
  if (labels.length !== 1) {
    throw new DatasetError(
      labelsFile,
      `expected IDX labels (magic 00 00 08 01: count), found a ${labels.length}-D array (${labels.join(', ')})`,
    )
  }
  const [count, rows, cols] = images as [number, number, number]
  if (count === 0 || rows === 0 || cols === 0) {
    throw new DatasetError(
      imagesFile,
      `expected at least one image of at least 1x1, found (${images.join(', ')})`,
    )
  }
  if (labels[0] !== count) {
    throw new DatasetError(
      labelsFile,
      `expected ${count} labels, one per image in ${basename(imagesFile)}, found ${labels[0]}`,
    )
  }
  return { count, rows, cols }
}

/** Checks an images file and a labels file of one split and pairs them up. */
export function idxSplit(
  images: IdxArray,
  labels: IdxArray,
  imagesFile: string,
  labelsFile: string,
): { batch: ParsedBatch; rows: number; cols: number } {
  const { count, rows, cols } = checkIdxPair(images.dims, labels.dims, imagesFile, labelsFile)
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
    const names = parseNameList(await readTextFile(classesFile, 'class names, one per line'))
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
  const paths = [files.trainImages, files.trainLabels, files.testImages, files.testLabels]
  const readers = await all(
    paths.map((file) => IdxFileReader.open(file)),
    (r) => r.close(),
  )
  try {
    const [trainImages, trainLabels, testImages, testLabels] = readers as [
      IdxFileReader,
      IdxFileReader,
      IdxFileReader,
      IdxFileReader,
    ]
    const train = checkIdxPair(
      trainImages.header.dims,
      trainLabels.header.dims,
      files.trainImages,
      files.trainLabels,
    )
    const test = checkIdxPair(
      testImages.header.dims,
      testLabels.header.dims,
      files.testImages,
      files.testLabels,
    )
    if (test.rows !== train.rows || test.cols !== train.cols) {
      throw new DatasetError(
        files.testImages,
        `expected ${train.rows}x${train.cols} images like ${basename(files.trainImages)}, found ${test.rows}x${test.cols}`,
      )
    }
    // The headers agree: allocate what they declare (pages are committed as the data arrives) and stream
    // the four files into place at once, gunzipping on libuv's threads.
    const targets = readers.map((r) => sharedBytes(r.header.dataBytes))
    await all(readers.map((r, i) => r.readInto(targets[i]!).then(() => options.onFile?.(paths[i]!))))
    const split = (shape: IdxSplitShape, images: Uint8Array, labels: Uint8Array): ImageSplit => ({
      images,
      labels,
      count: shape.count,
    })
    const dataset: RawDataset = {
      format: 'idx',
      shape: [1, train.rows, train.cols],
      classNames,
      train: split(train, targets[0]!, targets[1]!),
      test: split(test, targets[2]!, targets[3]!),
      files: [...paths, ...(files.classes ? [files.classes] : [])],
    }
    for (const [labels, file] of [
      [dataset.train.labels, files.trainLabels],
      [dataset.test.labels, files.testLabels],
    ] as const) {
      const bad = firstLabelOutOfRange(labels, classNames.length)
      if (bad >= 0) {
        throw new DatasetError(
          file,
          `expected labels in [0, ${classNames.length}) (${classNames.length} class names), label ${bad} is ` +
            `${labels[bad]}`,
        )
      }
    }
    return dataset
  } finally {
    for (const r of readers) r.close()
  }
}

/**
 * Awaits every promise; on any failure rejects with the first failure in the given order (not in time), so
 * the error a folder gets does not depend on which file happens to be read faster, after handing the
 * values that did arrive to `release`.
 */
async function all<T>(promises: Promise<T>[], release?: (value: T) => void): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed === undefined) return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
  for (const s of settled) if (s.status === 'fulfilled') release?.(s.value)
  throw failed.reason
}
