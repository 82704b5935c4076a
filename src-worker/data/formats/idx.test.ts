import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { datasetMismatch, fixtureSplit, idxBytes, writeIdx } from '../fixtures'
import { loadDataset } from '../load'
import { DatasetError } from './common'
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, idxSplit, parseIdx, readIdx, type IdxFiles } from './idx'
import { readIdxFile } from './idxFile'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wb-idx-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** The files writeIdx wrote, as IdxFiles. */
const filesOf = (written: string[]): IdxFiles => ({
  trainImages: written[0]!,
  trainLabels: written[1]!,
  testImages: written[2]!,
  testLabels: written[3]!,
  classes: written[4] ?? null,
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

describe('readIdx', () => {
  it('reads raw IDX files', async () => {
    const expected = await writeIdx(join(root, 'raw'), { train: 20, test: 10 })
    const d = await readIdx(filesOf(expected.files))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect([d.shape, d.classNames]).toEqual([[1, 28, 28], MNIST_CLASSES])
  })

  it('reads gzipped IDX files named the dotted way, non-square images', async () => {
    const expected = await writeIdx(join(root, 'gz'), {
      train: 12,
      test: 5,
      rows: 7,
      cols: 5,
      gzip: true,
      naming: 'dotted',
    })
    expect(expected.files[0]).toBe(join(root, 'gz', 'train-images.idx3-ubyte.gz'))
    const d = await readIdx(filesOf(expected.files))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(d.shape).toEqual([1, 7, 5])
  })

  it('takes class names from classes.txt, and checks labels against them', async () => {
    const expected = await writeIdx(join(root, 'classes'), { classes: ['circle', 'square', 'triangle'] })
    const d = await readIdx(filesOf(expected.files))
    expect(datasetMismatch(d, expected)).toBeNull()
    expect(Math.max(...d.train.labels)).toBe(2)

    const dir = join(root, 'fewclasses')
    const written = await writeIdx(dir, { classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] })
    await writeFile(join(dir, 'classes.txt'), 'a\nb\n')
    await expect(readIdx(filesOf(written.files))).rejects.toThrow(
      `${written.files[1]}: expected labels in [0, 2) (2 class names), label 1 is 3`,
    )
  })

  it('chooses Fashion-MNIST names by the kind hint or the folder name, digits otherwise', async () => {
    const plain = await writeIdx(join(root, 'mnist-like'), { train: 2, test: 2 })
    expect((await readIdx(filesOf(plain.files))).classNames).toEqual(MNIST_CLASSES)
    expect((await readIdx(filesOf(plain.files), { kind: 'fashion-mnist' })).classNames).toEqual(
      FASHION_MNIST_CLASSES,
    )
    const named = await writeIdx(join(root, 'Fashion-MNIST'), { train: 2, test: 2 })
    expect((await readIdx(filesOf(named.files))).classNames).toEqual(FASHION_MNIST_CLASSES)
    expect((await readIdx(filesOf(named.files), { kind: 'mnist' })).classNames).toEqual(MNIST_CLASSES)
    const torchvision = await writeIdx(join(root, 'FashionMNIST', 'raw'), { train: 2, test: 2 })
    expect((await readIdx(filesOf(torchvision.files))).classNames).toEqual(FASHION_MNIST_CLASSES)
  })

  it('rejects train and test images of different sizes', async () => {
    const dir = join(root, 'sizes')
    const written = await writeIdx(dir, { rows: 28, cols: 28 })
    const other = fixtureSplit('test', 10, 20 * 20)
    await writeFile(written.files[2]!, idxBytes([10, 20, 20], other.images))
    await expect(readIdx(filesOf(written.files))).rejects.toThrow(
      `${written.files[2]}: expected 28x28 images like train-images-idx3-ubyte, found 20x20`,
    )
  })

  it('reads a raw file named .gz (gzip is recognised by its magic)', async () => {
    const file = join(root, 'plain.gz')
    await writeFile(file, idxBytes([3], Uint8Array.from([1, 2, 3])))
    expect(await readIdxFile(file)).toEqual({ dims: [3], data: Uint8Array.from([1, 2, 3]) })
  })
})

describe('parseIdx and idxSplit', () => {
  const images = idxBytes([2, 3, 4], fixtureSplit('train', 2, 12).images)
  const labels = idxBytes([2], Uint8Array.from([4, 5]))

  it('parses the header and keeps the data as a view', () => {
    const a = parseIdx(images, 'f')
    expect(a.dims).toEqual([2, 3, 4])
    expect(a.data.buffer).toBe(images.buffer)
    expect(a.data[12]).toBe(7)
  })

  it('names the file and what was expected for bad headers and sizes', () => {
    expect(errorOf(() => parseIdx(Uint8Array.from([0x50, 0x4b, 3, 4, 0]), '/d/x')).message).toBe(
      '/d/x: expected an IDX file (magic 00 00 08 0n) or gzip data (1f 8b), found 50 4b 03 04',
    )
    expect(errorOf(() => parseIdx(new Uint8Array(0), 'f')).message).toContain('found nothing')
    const int16 = images.slice()
    int16[2] = 0x0b
    expect(errorOf(() => parseIdx(int16, 'f')).message).toContain('found int16 (type 0x0b)')
    expect(errorOf(() => parseIdx(images.subarray(0, 10), 'f')).message).toContain(
      'truncated IDX header: expected 16 bytes, found 10',
    )
    expect(errorOf(() => parseIdx(images.subarray(0, images.length - 1), 'f')).message).toContain(
      'expected 24 data bytes for an IDX array of (2, 3, 4), found 23 (truncated file?)',
    )
    const longer = new Uint8Array(images.length + 1)
    longer.set(images)
    expect(errorOf(() => parseIdx(longer, 'f')).message).toContain('found 25')
  })

  it('pairs images with labels: 3-D images, 1-D labels, same count', () => {
    const ok = idxSplit(parseIdx(images, 'i'), parseIdx(labels, 'l'), 'i', 'l')
    expect([ok.rows, ok.cols, ok.batch.count, [...ok.batch.labels]]).toEqual([3, 4, 2, [4, 5]])
    expect(errorOf(() => idxSplit(parseIdx(labels, 'l'), parseIdx(images, 'i'), 'l', 'i')).message).toContain(
      'l: expected IDX images (magic 00 00 08 03: count, rows, cols), found a 1-D array (2)',
    )
    const three = parseIdx(idxBytes([3], Uint8Array.from([1, 2, 3])), 'l3')
    expect(errorOf(() => idxSplit(parseIdx(images, 'i'), three, '/d/imgs', '/d/l3')).message).toBe(
      '/d/l3: expected 2 labels, one per image in imgs, found 3',
    )
    const empty = parseIdx(idxBytes([0, 28, 28], new Uint8Array(0)), 'e')
    expect(
      errorOf(() => idxSplit(empty, parseIdx(idxBytes([0], new Uint8Array(0)), 'l'), 'e', 'l')).message,
    ).toContain('expected at least one image')
  })

  it('reports corrupt gzip data', async () => {
    const gz = gzipSync(images)
    gz[gz.length - 6]! ^= 0xff // the CRC
    const file = join(root, 't.gz')
    await writeFile(file, gz)
    await expect(readIdxFile(file)).rejects.toThrow(
      new RegExp(`^${file}: expected gzip-compressed IDX data, decompression failed`),
    )
    await writeFile(file, gz.subarray(0, 20))
    await expect(readIdxFile(file)).rejects.toBeInstanceOf(DatasetError)
  })
})

describe('the real Fashion-MNIST (Debian package dataset-fashion-mnist)', () => {
  const dir = '/usr/share/datasets/fashion-mnist'
  const present = existsSync(dir)
  if (!present && process.env.CI) {
    it('is installed on CI', () => {
      expect.fail(`${dir} is missing: CI must install the dataset-fashion-mnist package`)
    })
  } else if (!present) {
    console.warn(
      `skipping the real Fashion-MNIST test: ${dir} is missing (apt-get install dataset-fashion-mnist)`,
    )
  }

  it.skipIf(!present)('loads with its class names, counts and first labels', async () => {
    const d = await loadDataset(dir)
    expect(d.format).toBe('idx')
    expect(d.shape).toEqual([1, 28, 28])
    expect(d.classNames).toEqual(FASHION_MNIST_CLASSES)
    expect([d.train.count, d.test.count]).toEqual([60000, 10000])
    expect([...d.test.labels.subarray(0, 5)]).toEqual([9, 2, 1, 1, 6])
    expect([...d.train.labels.subarray(0, 5)]).toEqual([9, 0, 0, 3, 0])
    expect(d.test.images.length).toBe(10000 * 784)
    let sum = 0
    for (const v of d.test.images) sum += v
    expect(sum).toBe(573469082)
  })
})
