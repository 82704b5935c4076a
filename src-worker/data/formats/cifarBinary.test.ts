import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cifarBinaryBatchBytes, datasetMismatch, fixtureSplit, writeCifarBinary } from '../fixtures'
import { CIFAR10_CLASSES, DatasetError } from './common'
import { parseCifarBinaryBatch, parseCifarBinaryMeta, readCifarBinary } from './cifarBinary'
import type { CifarFiles } from './cifarPython'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wb-cifar-bin-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const filesIn = (dir: string, meta = true): CifarFiles => ({
  train: [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}.bin`)),
  test: join(dir, 'test_batch.bin'),
  meta: meta ? join(dir, 'batches.meta.txt') : null,
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

const three = fixtureSplit('test', 3, 3072)

describe('readCifarBinary', () => {
  it('reads a cifar-10-batches-bin folder with class names from batches.meta.txt', async () => {
    const dir = join(root, 'full')
    const names = CIFAR10_CLASSES.map((n) => n.toUpperCase())
    const expected = await writeCifarBinary(dir, { perBatch: 20, testCount: 9, classNames: names })
    const d = await readCifarBinary(filesIn(dir))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(d.classNames[9]).toBe('TRUCK')
  })

  it("uses CIFAR-10's names without batches.meta.txt", async () => {
    const dir = join(root, 'nometa')
    const expected = await writeCifarBinary(dir, { perBatch: 2, meta: false })
    expect(datasetMismatch(await readCifarBinary(filesIn(dir, false)), expected)).toBeNull()
  })

  it('rejects a bad batches.meta.txt before reading the batches', async () => {
    const dir = join(root, 'badmeta')
    await writeCifarBinary(dir, { perBatch: 2 })
    await writeFile(join(dir, 'batches.meta.txt'), 'cat\ndog\n')
    await expect(readCifarBinary(filesIn(dir))).rejects.toThrow(
      `${join(dir, 'batches.meta.txt')}: expected 10 class names, one per line, found 2 (cat, dog)`,
    )
  })
})

describe('parseCifarBinaryBatch', () => {
  it('splits records into labels and images', () => {
    const b = parseCifarBinaryBatch(cifarBinaryBatchBytes(three.images, three.labels), 'f')
    const images = new Uint8Array(b.count * 3072)
    b.copyImages(images, 0)
    expect([b.count, [...b.labels]]).toEqual([3, [...three.labels]])
    expect(Buffer.from(images).equals(Buffer.from(three.images))).toBe(true)
  })

  it('wants a whole number of 3073-byte records', () => {
    const bytes = cifarBinaryBatchBytes(three.images, three.labels)
    const e = errorOf(() => parseCifarBinaryBatch(bytes.subarray(0, bytes.length - 1), '/d/data_batch_1.bin'))
    expect(e.file).toBe('/d/data_batch_1.bin')
    expect(e.message).toBe(
      '/d/data_batch_1.bin: expected a whole number of 3073-byte records (1 label byte + 3072 pixel bytes), ' +
        'found 9218 bytes (2 records and a partial one)',
    )
    expect(errorOf(() => parseCifarBinaryBatch(new Uint8Array(0), 'f')).message).toContain('found 0 bytes')
  })

  it('wants labels in [0, 10)', () => {
    const bytes = cifarBinaryBatchBytes(three.images, [1, 10, 2])
    expect(errorOf(() => parseCifarBinaryBatch(bytes, 'f')).message).toContain(
      'expected labels in [0, 10), record 1 (byte 3073) has 10',
    )
  })
})

describe('parseCifarBinaryMeta', () => {
  it('ignores blank lines and surrounding blanks, CRLF too', () => {
    expect(parseCifarBinaryMeta(`${CIFAR10_CLASSES.join(' \r\n')}\r\n\r\n\r\n`, 'm')).toEqual(CIFAR10_CLASSES)
  })
})

describe('readCifarBinary reads sizes first', () => {
  it("checks every file's size before reading a record: a short test_batch.bin fails before a bad label", async () => {
    const dir = join(root, 'sizesfirst')
    await writeCifarBinary(dir, { perBatch: 3 })
    const labels = [0, 1, 2]
    labels[1] = 11
    await writeFile(join(dir, 'data_batch_1.bin'), cifarBinaryBatchBytes(three.images, labels))
    await writeFile(join(dir, 'test_batch.bin'), new Uint8Array(3073 * 2 + 5))
    await expect(readCifarBinary(filesIn(dir))).rejects.toThrow(
      `${join(dir, 'test_batch.bin')}: expected a whole number of 3073-byte records`,
    )
    await writeFile(join(dir, 'test_batch.bin'), cifarBinaryBatchBytes(three.images, [0, 1, 2]))
    await expect(readCifarBinary(filesIn(dir))).rejects.toThrow(
      `${join(dir, 'data_batch_1.bin')}: expected labels in [0, 10), record 1 (byte 3073) has 11`,
    )
  })

  it('reads batches larger than one read (341 records) into place', async () => {
    const dir = join(root, 'large')
    const expected = await writeCifarBinary(dir, { perBatch: 400, testCount: 345 })
    const d = await readCifarBinary(filesIn(dir))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(d.train.images.buffer.byteLength).toBe(2000 * 3072)
  })
})
