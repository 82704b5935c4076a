import { describe, expect, it } from 'vitest'
import { sharedBytes, type RawDataset } from '../../../src-worker/data/types'
import { datasetDigest, PackError, packChunks, unpack } from './datasetPack'

function dataset(seed = 1): RawDataset {
  const img = (n: number) => {
    const a = sharedBytes(n * 12)
    for (let i = 0; i < a.length; i++) a[i] = (i * 31 + seed) % 256
    return a
  }
  const lab = (n: number) => {
    const a = sharedBytes(n)
    for (let i = 0; i < n; i++) a[i] = i % 3
    return a
  }
  return {
    format: 'idx',
    shape: [1, 3, 4],
    classNames: ['a', 'b', 'c'],
    train: { images: img(50), labels: lab(50), count: 50 },
    test: { images: img(10), labels: lab(10), count: 10 },
    files: ['/somewhere/train-images-idx3-ubyte'],
  }
}

describe('dataset pack and content digest', () => {
  it('the digest is of the content only: the same bytes from another folder match, other bytes do not', () => {
    const a = dataset()
    const b = { ...dataset(), files: ['/elsewhere/x'] }
    expect(datasetDigest(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(datasetDigest(b)).toBe(datasetDigest(a))
    expect(datasetDigest(dataset(2))).not.toBe(datasetDigest(a))
    expect(datasetDigest({ ...dataset(), classNames: ['a', 'b', 'z'] })).not.toBe(datasetDigest(a))
  })

  it('a transferred pack (in chunks) unpacks to the same dataset, verified against the digest', () => {
    const a = dataset()
    const chunks = [...packChunks(a, 100)]
    expect(chunks.length).toBeGreaterThan(5)
    const back = unpack(chunks, datasetDigest(a))
    expect(back.train.images.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect([...back.train.images]).toEqual([...a.train.images])
    expect([...back.test.labels]).toEqual([...a.test.labels])
    expect(back.shape).toEqual(a.shape)
    expect(back.classNames).toEqual(a.classNames)
    expect(datasetDigest(back)).toBe(datasetDigest(a))
  })

  it('refuses a pack that is not the one asked for, or is cut short', () => {
    const a = dataset()
    const chunks = [...packChunks(a, 100)]
    const flipped = chunks.map((c) => Buffer.from(c))
    flipped[3]![7] = flipped[3]![7]! ^ 1
    expect(() => unpack(flipped, datasetDigest(a))).toThrow(PackError)
    expect(() => unpack(chunks.slice(0, -1), datasetDigest(a))).toThrow(/digest/)
  })
})
