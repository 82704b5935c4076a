import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cifarPythonBatchBytes,
  cifarPythonMetaBytes,
  datasetMismatch,
  fixturePixel,
  fixtureSplit,
  writeCifarPython,
} from '../fixtures'
import { CIFAR10_CLASSES, DatasetError } from './common'
import { parseCifarPythonBatch, parseCifarPythonMeta, readCifarPython, type CifarFiles } from './cifarPython'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wb-cifar-py-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(__dirname, '__fixtures__', name)))

const filesIn = (dir: string, meta = true): CifarFiles => ({
  train: [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}`)),
  test: join(dir, 'test_batch'),
  meta: meta ? join(dir, 'batches.meta') : null,
})

function errorOf(f: () => unknown): DatasetError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError)
    return e as DatasetError
  }
  throw new Error('expected a DatasetError, nothing was thrown')
}

/** Copies a parsed batch's images out. */
function imagesOf(batch: ReturnType<typeof parseCifarPythonBatch>): Uint8Array {
  const out = new Uint8Array(batch.count * 3072)
  batch.copyImages(out, 0)
  return out
}

const one = fixtureSplit('train', 2, 3072)

describe('readCifarPython', () => {
  it('reads a cifar-10-batches-py folder: train = batches 1..5 in order, test, class names from batches.meta', async () => {
    const dir = join(root, 'full')
    const names = ['a0', 'b1', 'c2', 'd3', 'e4', 'f5', 'g6', 'h7', 'i8', 'j9']
    const expected = await writeCifarPython(dir, { perBatch: 20, testCount: 7, classNames: names })
    const d = await readCifarPython(filesIn(dir))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(d.classNames).toEqual(names)
    expect([d.train.count, d.test.count, d.shape]).toEqual([100, 7, [3, 32, 32]])
    // Image 45 (batch 3), channel 1, row 2, col 3.
    expect(d.train.images[45 * 3072 + 1024 + 2 * 32 + 3]).toBe(fixturePixel('train', 45, 1024 + 67))
  })

  it("uses CIFAR-10's class names when batches.meta is absent", async () => {
    const dir = join(root, 'nometa')
    const expected = await writeCifarPython(dir, { perBatch: 3, meta: false })
    const d = await readCifarPython(filesIn(dir, false))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(d.classNames).toEqual(CIFAR10_CLASSES)
  })

  it('rejects with the failing file named', async () => {
    const dir = join(root, 'badtest')
    await writeCifarPython(dir, { perBatch: 2 })
    await writeFile(join(dir, 'test_batch'), cifarPythonBatchBytes(one.images, [1, 10], { batchLabel: 't' }))
    const e = await readCifarPython(filesIn(dir)).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(DatasetError)
    expect((e as DatasetError).file).toBe(join(dir, 'test_batch'))
    expect((e as DatasetError).message).toContain('label 1 is 10')
  })
})

describe('parseCifarPythonBatch', () => {
  it('reads Python 3 pickles: protocol 4 with a list of labels, protocol 2 with an int64 label array', () => {
    const p4 = parseCifarPythonBatch(fixture('py3-batch-protocol4.pkl'), 'p4')
    expect([p4.count, [...p4.labels]]).toEqual([3, [3, 1, 4]])
    expect(Buffer.from(imagesOf(p4)).equals(Buffer.from(fixtureSplit('train', 3, 3072).images))).toBe(true)
    const p2 = parseCifarPythonBatch(fixture('py3-batch-protocol2.pkl'), 'p2')
    expect([p2.count, [...p2.labels]]).toEqual([1, [7]])
    expect(Buffer.from(imagesOf(p2)).equals(Buffer.from(fixtureSplit('test', 1, 3072).images))).toBe(true)
  })

  it('names the file and what was expected for a pickle that is not a CIFAR-10 batch', () => {
    const notDict = errorOf(() =>
      parseCifarPythonBatch(Uint8Array.from([0x80, 2, 0x5d, 0x2e]), '/d/data_batch_1'),
    )
    expect(notDict.message).toBe(
      "/d/data_batch_1: expected a pickled dict with 'data' and 'labels' (a CIFAR-10 python batch), found list of 0",
    )
    expect(notDict.file).toBe('/d/data_batch_1')
    const noData = errorOf(() => parseCifarPythonBatch(fixture('py3-meta-protocol3.pkl'), 'data_batch_2'))
    expect(noData.message).toContain('found keys "num_cases_per_batch", "label_names", "num_vis"')
  })

  it('checks the data array: uint8, (n, 3072), C order, at least one image', () => {
    const bytes = cifarPythonBatchBytes(one.images, one.labels, { batchLabel: 'b' })
    const at = (seq: number[]): number => Buffer.from(bytes).indexOf(Buffer.from(seq))
    const reshaped = bytes.slice()
    reshaped.set([0x4b, 0x04, 0x4d, 0x00, 0x06], at([0x4b, 0x02, 0x4d, 0x00, 0x0c])) // (2, 3072) -> (4, 1536)
    expect(errorOf(() => parseCifarPythonBatch(reshaped, 'f')).message).toContain(
      "expected 'data' to be a uint8 array of shape (n, 3072), found uint8 array of shape (4, 1536)",
    )
    const int8 = bytes.slice()
    int8[at([0x55, 0x02, 0x75, 0x31]) + 2] = 0x69 // 'u1' -> 'i1'
    expect(errorOf(() => parseCifarPythonBatch(int8, 'f')).message).toContain(
      'found int8 array of shape (2, 3072)',
    )
    const fortran = bytes.slice()
    fortran[at([0x74, 0x62, 0x89, 0x54]) + 2] = 0x88 // is_fortran False -> True
    expect(errorOf(() => parseCifarPythonBatch(fortran, 'f')).message).toContain('Fortran-ordered')
    const empty = cifarPythonBatchBytes(new Uint8Array(0), [], { batchLabel: 'b' })
    expect(errorOf(() => parseCifarPythonBatch(empty, 'f')).message).toContain('at least one image')
  })

  it('checks the labels: one per image, ints in [0, 10)', () => {
    const short = cifarPythonBatchBytes(one.images, [1], { batchLabel: 'b' })
    expect(errorOf(() => parseCifarPythonBatch(short, 'f')).message).toContain(
      'expected 2 labels (one per image',
    )
    const high = cifarPythonBatchBytes(one.images, [1, 10], { batchLabel: 'b' })
    expect(errorOf(() => parseCifarPythonBatch(high, 'f')).message).toContain(
      'expected labels in [0, 10), label 1 is 10',
    )
    const negative = cifarPythonBatchBytes(one.images, [1, -1], { batchLabel: 'b' })
    expect(errorOf(() => parseCifarPythonBatch(negative, 'f')).message).toContain('label 1 is -1')
  })
})

describe('parseCifarPythonMeta', () => {
  it('reads label_names from Python 2 str and Python 3 str', () => {
    expect(parseCifarPythonMeta(cifarPythonMetaBytes(CIFAR10_CLASSES, 10000), 'm')).toEqual(CIFAR10_CLASSES)
    expect(parseCifarPythonMeta(fixture('py3-meta-protocol3.pkl'), 'm')).toEqual(CIFAR10_CLASSES)
  })

  it('wants 10 names', () => {
    const e = errorOf(() => parseCifarPythonMeta(cifarPythonMetaBytes(['a', 'b'], 1), '/d/batches.meta'))
    expect(e.message).toBe(
      "/d/batches.meta: expected 'label_names' to be a list of 10 names, found list of 2",
    )
  })
})
