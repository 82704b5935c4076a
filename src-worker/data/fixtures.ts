/**
 * Small synthetic datasets, byte-for-byte in the real formats, for tests (of this folder and of others).
 *
 * Every image and label is known: pixel `j` (0 <= j < C*H*W, channels-first) of image `i` of a split is
 * `fixturePixel(split, i, j)` and its label `fixtureLabel(split, i, classCount)`, with `i` counted across
 * the whole split (train images continue from one batch file to the next). The writers return the expected
 * dataset to compare a load against.
 *
 * The CIFAR-10 python writer emulates what Python 2's cPickle (protocol 2) wrote for the real
 * cifar-10-batches-py files: dict key order, SETITEMS/APPENDS batches of 1000, memo indices from 1 and
 * which objects get memoized, numpy.core.multiarray._reconstruct + numpy.dtype('u1') + BUILD, the pixels as
 * one BINSTRING. Python 3 reads them with `pickle.load(f, encoding='bytes')` like the real files.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { CIFAR10_CLASSES } from './formats/common'
import { MNIST_CLASSES } from './formats/idx'
import type { DatasetFormat, RawDataset } from './types'

export type SplitName = 'train' | 'test'

/** The known pixel value of byte `offset` of image `index` of a split. */
export function fixturePixel(split: SplitName, index: number, offset: number): number {
  return (index * 7 + offset + (split === 'test' ? 101 : 0)) % 256
}

/** The known label of image `index` of a split. */
export function fixtureLabel(split: SplitName, index: number, classCount = 10): number {
  return (index * 13 + (split === 'test' ? 7 : 0)) % classCount
}

export interface ExpectedSplit {
  count: number
  images: Uint8Array
  labels: Uint8Array
}

/** What loading a fixture folder must give (plain, not shared, arrays). */
export interface ExpectedDataset {
  format: DatasetFormat
  shape: [number, number, number]
  classNames: string[]
  train: ExpectedSplit
  test: ExpectedSplit
  /** Every file written, in the order the loader lists them. */
  files: string[]
}

/** A split of `count` fixture images of `imageBytes` bytes. */
export function fixtureSplit(
  split: SplitName,
  count: number,
  imageBytes: number,
  classCount = 10,
): ExpectedSplit {
  const images = new Uint8Array(count * imageBytes)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    labels[i] = fixtureLabel(split, i, classCount)
    for (let j = 0; j < imageBytes; j++) images[i * imageBytes + j] = fixturePixel(split, i, j)
  }
  return { count, images, labels }
}

/** Writes pickle opcodes the way Python 2.7's cPickle does at protocol 2. */
class Py2Pickler {
  private readonly parts: Uint8Array[] = []
  private pending: number[] = []
  private memoCount = 0

  op(...bytes: number[]): void {
    for (const b of bytes) this.pending.push(b)
  }

  private raw(bytes: Uint8Array): void {
    this.parts.push(Uint8Array.from(this.pending), bytes)
    this.pending = []
  }

  /** BINPUT / LONG_BINPUT with cPickle's numbering (from 1). */
  put(): void {
    const i = ++this.memoCount
    if (i < 256) this.op(0x71, i)
    else this.op(0x72, i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24)
  }

  int(v: number): void {
    if (v >= 0 && v < 256) this.op(0x4b, v)
    else if (v >= 0 && v < 65536) this.op(0x4d, v & 0xff, v >>> 8)
    else this.op(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff)
  }

  /**
   * A Python 2 str: SHORT_BINSTRING below 256 bytes, else BINSTRING. cPickle memoizes strings of 2 or more
   * bytes that something else also references (dict keys and values, list items); `shared` says so.
   */
  str(s: string | Uint8Array, shared: boolean): void {
    const bytes = typeof s === 'string' ? Uint8Array.from(Buffer.from(s, 'latin1')) : s
    const n = bytes.length
    if (n < 256) this.op(0x55, n)
    else this.op(0x54, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24)
    this.raw(bytes)
    if (shared && n >= 2) this.put()
  }

  global(module: string, name: string): void {
    this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1'))
    this.put()
  }

  /** A list's items after EMPTY_LIST + BINPUT: MARK ... APPENDS per 1000, a lone item with APPEND. */
  items<T>(values: ArrayLike<T>, save: (v: T) => void): void {
    for (let start = 0; start < values.length; start += 1000) {
      const end = Math.min(values.length, start + 1000)
      if (end - start > 1) this.op(0x28)
      for (let i = start; i < end; i++) save(values[i]!)
      this.op(end - start > 1 ? 0x65 : 0x61)
    }
  }

  bytes(): Uint8Array {
    this.raw(new Uint8Array(0))
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of this.parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }
}

/**
 * One cifar-10-batches-py batch file: {batch_label, labels, data, filenames} as Python 2 cPickle wrote it.
 * `images` holds rows of 3072 bytes; a labels count that differs from the rows' makes a bad file on purpose.
 */
export function cifarPythonBatchBytes(
  images: Uint8Array,
  labels: ArrayLike<number>,
  options: { batchLabel: string; filenames?: string[] },
): Uint8Array {
  if (images.length % 3072 !== 0)
    throw new RangeError('cifarPythonBatchBytes: images must be rows of 3072 bytes')
  const n = images.length / 3072
  const filenames = options.filenames ?? Array.from({ length: n }, (_, i) => `fixture_image_s_${i}.png`)
  const p = new Py2Pickler()
  p.op(0x80, 2, 0x7d)
  p.put()
  p.op(0x28)
  p.str('batch_label', true)
  p.str(options.batchLabel, true)
  p.str('labels', true)
  p.op(0x5d)
  p.put()
  p.items(labels, (l) => p.int(l))
  p.str('data', true)
  // numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), 'b'), then BUILD with
  // (1, (n, 3072), dtype('u1') built from ('u1', 0, 1) and state (3, '|', None, None, None, -1, -1, 0),
  //  False, <pixels>).
  p.global('numpy.core.multiarray', '_reconstruct')
  p.global('numpy', 'ndarray')
  p.int(0)
  p.op(0x85)
  p.str('b', false)
  p.op(0x87, 0x52)
  p.put()
  p.op(0x28)
  p.int(1)
  p.int(n)
  p.int(3072)
  p.op(0x86)
  p.global('numpy', 'dtype')
  p.str('u1', false)
  p.int(0)
  p.int(1)
  p.op(0x87, 0x52)
  p.put()
  p.op(0x28)
  p.int(3)
  p.str('|', false)
  p.op(0x4e, 0x4e, 0x4e)
  p.int(-1)
  p.int(-1)
  p.int(0)
  p.op(0x74, 0x62, 0x89)
  p.str(images, false)
  p.op(0x74, 0x62)
  p.str('filenames', true)
  p.op(0x5d)
  p.put()
  p.items(filenames, (f) => p.str(f, true))
  p.op(0x75, 0x2e)
  return p.bytes()
}

/** cifar-10-batches-py/batches.meta: {num_cases_per_batch, label_names, num_vis} as cPickle wrote it. */
export function cifarPythonMetaBytes(classNames: readonly string[], perBatch: number): Uint8Array {
  const p = new Py2Pickler()
  p.op(0x80, 2, 0x7d)
  p.put()
  p.op(0x28)
  p.str('num_cases_per_batch', true)
  p.int(perBatch)
  p.str('label_names', true)
  p.op(0x5d)
  p.put()
  p.items(classNames, (name) => p.str(name, true))
  p.str('num_vis', true)
  p.int(3072)
  p.op(0x75, 0x2e)
  return p.bytes()
}

/** One cifar-10-batches-bin file: per image, its label byte then its 3072 pixel bytes. */
export function cifarBinaryBatchBytes(images: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const n = labels.length
  if (images.length !== n * 3072)
    throw new RangeError('cifarBinaryBatchBytes: images must be labels.length x 3072')
  const out = new Uint8Array(n * 3073)
  for (let i = 0; i < n; i++) {
    out[i * 3073] = labels[i]!
    out.set(images.subarray(i * 3072, (i + 1) * 3072), i * 3073 + 1)
  }
  return out
}

/** An uncompressed IDX file of unsigned bytes: magic 00 00 08 <dims.length>, big-endian sizes, data. */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const header = 4 + 4 * dims.length
  const out = new Uint8Array(header + data.length)
  const view = new DataView(out.buffer)
  out.set([0, 0, 0x08, dims.length])
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  out.set(data, header)
  return out
}

export interface CifarFixtureOptions {
  /** Images in each of data_batch_1..5 (default 20). */
  perBatch?: number
  /** Images in test_batch (default perBatch). */
  testCount?: number
  /** The 10 names written to the metadata file (default CIFAR-10's). */
  classNames?: readonly string[]
  /** Write batches.meta / batches.meta.txt (default true). */
  meta?: boolean
}

function cifarExpected(
  format: DatasetFormat,
  options: CifarFixtureOptions,
): { expected: Omit<ExpectedDataset, 'files'>; perBatch: number } {
  const perBatch = options.perBatch ?? 20
  const testCount = options.testCount ?? perBatch
  const useMeta = options.meta ?? true
  return {
    perBatch,
    expected: {
      format,
      shape: [3, 32, 32],
      classNames: [...(useMeta ? (options.classNames ?? CIFAR10_CLASSES) : CIFAR10_CLASSES)],
      train: fixtureSplit('train', 5 * perBatch, 3072),
      test: fixtureSplit('test', testCount, 3072),
    },
  }
}

const batchImages = (split: ExpectedSplit, k: number, per: number): [Uint8Array, Uint8Array] => [
  split.images.subarray(k * per * 3072, (k + 1) * per * 3072),
  split.labels.subarray(k * per, (k + 1) * per),
]

/**
 * Writes a cifar-10-batches-py folder's files into `dir` (created if needed; name it cifar-10-batches-py
 * or not, both load): data_batch_1..5 with `perBatch` images each, test_batch, batches.meta.
 */
export async function writeCifarPython(
  dir: string,
  options: CifarFixtureOptions = {},
): Promise<ExpectedDataset> {
  const { expected, perBatch } = cifarExpected('cifar10-python', options)
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  for (let k = 0; k < 5; k++) {
    const [images, labels] = batchImages(expected.train, k, perBatch)
    const file = join(dir, `data_batch_${k + 1}`)
    const filenames = Array.from(
      { length: labels.length },
      (_, i) => `fixture_train_s_${k * perBatch + i}.png`,
    )
    await writeFile(
      file,
      cifarPythonBatchBytes(images, labels, { batchLabel: `training batch ${k + 1} of 5`, filenames }),
    )
    files.push(file)
  }
  const test = join(dir, 'test_batch')
  await writeFile(
    test,
    cifarPythonBatchBytes(expected.test.images, expected.test.labels, { batchLabel: 'testing batch 1 of 1' }),
  )
  files.push(test)
  if (options.meta ?? true) {
    const meta = join(dir, 'batches.meta')
    await writeFile(meta, cifarPythonMetaBytes(expected.classNames, perBatch))
    files.push(meta)
  }
  return { ...expected, files }
}

/**
 * Writes a cifar-10-batches-bin folder's files into `dir`: data_batch_1..5.bin with `perBatch` records
 * each, test_batch.bin, batches.meta.txt (names one per line, then blank lines, like the real one).
 */
export async function writeCifarBinary(
  dir: string,
  options: CifarFixtureOptions = {},
): Promise<ExpectedDataset> {
  const { expected, perBatch } = cifarExpected('cifar10-binary', options)
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  for (let k = 0; k < 5; k++) {
    const file = join(dir, `data_batch_${k + 1}.bin`)
    await writeFile(file, cifarBinaryBatchBytes(...batchImages(expected.train, k, perBatch)))
    files.push(file)
  }
  const test = join(dir, 'test_batch.bin')
  await writeFile(test, cifarBinaryBatchBytes(expected.test.images, expected.test.labels))
  files.push(test)
  if (options.meta ?? true) {
    const meta = join(dir, 'batches.meta.txt')
    await writeFile(meta, `${expected.classNames.join('\n')}\n\n`)
    files.push(meta)
  }
  return { ...expected, files }
}

export interface IdxFixtureOptions {
  /** Training images (default 20). */
  train?: number
  /** Test images (default 10). */
  test?: number
  rows?: number
  cols?: number
  /** gzip every file and add .gz to its name (default false). */
  gzip?: boolean
  /** 'standard': train-images-idx3-ubyte; 'dotted': train-images.idx3-ubyte (default 'standard'). */
  naming?: 'standard' | 'dotted'
  /** Write these names to classes.txt; labels then cycle through them. */
  classes?: readonly string[]
}

const gzipAsync = promisify(gzip)

/**
 * Writes an MNIST-style IDX folder into `dir`. The expected class names are the digits, or `classes` when
 * given, which is what loading gives without a `kind` hint from a folder whose name has no "fashion".
 */
export async function writeIdx(dir: string, options: IdxFixtureOptions = {}): Promise<ExpectedDataset> {
  const rows = options.rows ?? 28
  const cols = options.cols ?? 28
  const classNames = [...(options.classes ?? MNIST_CLASSES)]
  const train = fixtureSplit('train', options.train ?? 20, rows * cols, classNames.length)
  const test = fixtureSplit('test', options.test ?? 10, rows * cols, classNames.length)
  const sep = options.naming === 'dotted' ? '.' : '-'
  const ext = options.gzip ? '.gz' : ''
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  const write = async (name: string, dims: number[], data: Uint8Array): Promise<void> => {
    const file = join(dir, name + ext)
    const bytes = idxBytes(dims, data)
    await writeFile(file, options.gzip ? await gzipAsync(bytes) : bytes)
    files.push(file)
  }
  await write(`train-images${sep}idx3-ubyte`, [train.count, rows, cols], train.images)
  await write(`train-labels${sep}idx1-ubyte`, [train.count], train.labels)
  await write(`t10k-images${sep}idx3-ubyte`, [test.count, rows, cols], test.images)
  await write(`t10k-labels${sep}idx1-ubyte`, [test.count], test.labels)
  if (options.classes) {
    const file = join(dir, 'classes.txt')
    await writeFile(file, `${classNames.join('\n')}\n`)
    files.push(file)
  }
  return { format: 'idx', shape: [1, rows, cols], classNames, train, test, files }
}

/** The first byte where two arrays differ, as text, or null when equal. */
function bytesMismatch(actual: Uint8Array, expected: Uint8Array): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`
  if (
    Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.length), Buffer.from(expected)) === 0
  ) {
    return null
  }
  const i = actual.findIndex((v, k) => v !== expected[k])
  return `byte ${i} is ${actual[i]}, expected ${expected[i]}`
}

/**
 * How a loaded dataset differs from a fixture's expectation (format, shape, class names, counts, every
 * pixel and label, shared memory, files), or null when it matches. Test with
 * `expect(datasetMismatch(loaded, expected)).toBeNull()`.
 */
export function datasetMismatch(actual: RawDataset, expected: ExpectedDataset): string | null {
  const problems: string[] = []
  if (actual.format !== expected.format) problems.push(`format ${actual.format}, expected ${expected.format}`)
  if (actual.shape.join('x') !== expected.shape.join('x')) {
    problems.push(`shape ${actual.shape.join('x')}, expected ${expected.shape.join('x')}`)
  }
  if (JSON.stringify(actual.classNames) !== JSON.stringify(expected.classNames)) {
    problems.push(
      `classNames ${JSON.stringify(actual.classNames)}, expected ${JSON.stringify(expected.classNames)}`,
    )
  }
  if (JSON.stringify(actual.files) !== JSON.stringify(expected.files)) {
    problems.push(`files ${JSON.stringify(actual.files)}, expected ${JSON.stringify(expected.files)}`)
  }
  for (const split of ['train', 'test'] as const) {
    const a = actual[split]
    const e = expected[split]
    if (a.count !== e.count) problems.push(`${split}.count ${a.count}, expected ${e.count}`)
    const images = bytesMismatch(a.images, e.images)
    if (images) problems.push(`${split}.images: ${images}`)
    const labels = bytesMismatch(a.labels, e.labels)
    if (labels) problems.push(`${split}.labels: ${labels}`)
    if (!(a.images.buffer instanceof SharedArrayBuffer) || !(a.labels.buffer instanceof SharedArrayBuffer)) {
      problems.push(`${split} arrays are not SharedArrayBuffer-backed`)
    }
  }
  return problems.length > 0 ? problems.join('; ') : null
}
