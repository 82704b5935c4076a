import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildPreview, PREVIEW_FILE, readPreview, trimPreview, writePreview } from './preview'
import { makeTempDir } from './testing'

/** 2 classes of 1x2x2 images: image i has every pixel = i, label = `labels[i]`. */
function raw(labels: number[]) {
  const images = new Uint8Array(labels.length * 4)
  labels.forEach((_, i) => images.fill(i, i * 4, i * 4 + 4))
  return {
    shape: [1, 2, 2] as [number, number, number],
    classNames: ['a', 'b', 'c'],
    train: { images, labels: Uint8Array.from(labels), count: labels.length },
  }
}
const pixels = (b64: string): number[] => [...Buffer.from(b64, 'base64')]

describe('dataset previews', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  beforeEach(async () => (tmp = await makeTempDir()))
  afterEach(() => tmp.cleanup())

  it('takes the first images of each class, in order, and fewer where a class has fewer', () => {
    const p = buildPreview('d', raw([1, 0, 1, 1, 0, 1]), 2)
    expect(p).toMatchObject({ name: 'd', shape: [1, 2, 2], classNames: ['a', 'b', 'c'], perClass: 2 })
    expect(p.samples.map((s) => [s.label, s.count])).toEqual([
      [0, 2],
      [1, 2],
      [2, 0],
    ])
    expect(pixels(p.samples[0]!.images)).toEqual([1, 1, 1, 1, 4, 4, 4, 4])
    expect(pixels(p.samples[1]!.images)).toEqual([0, 0, 0, 0, 2, 2, 2, 2])
    const one = trimPreview(p, 1)
    expect(one.perClass).toBe(1)
    expect(pixels(one.samples[1]!.images)).toEqual([0, 0, 0, 0])
    expect(trimPreview(p, 5)).toBe(p)
  })

  it('is stored atomically and read back only when it fits the dataset', async () => {
    const p = buildPreview('d', raw([0, 1, 2, 0]), 3)
    await writePreview(tmp.dir, p)
    expect(await readPreview(tmp.dir, { shape: [1, 2, 2], classCount: 3 })).toEqual(p)
    // Another shape or class count (the folder now holds other data): rebuilt, not trusted.
    expect(await readPreview(tmp.dir, { shape: [1, 3, 3], classCount: 3 })).toBeNull()
    expect(await readPreview(tmp.dir, { shape: [1, 2, 2], classCount: 4 })).toBeNull()
    const stored = JSON.parse(await readFile(join(tmp.dir, PREVIEW_FILE), 'utf8'))
    stored.samples[0].images = Buffer.from([1, 2, 3]).toString('base64')
    await writeFile(join(tmp.dir, PREVIEW_FILE), JSON.stringify(stored))
    expect(await readPreview(tmp.dir, { shape: [1, 2, 2], classCount: 3 })).toBeNull()
    await writeFile(join(tmp.dir, PREVIEW_FILE), '{not json')
    expect(await readPreview(tmp.dir, { shape: [1, 2, 2], classCount: 3 })).toBeNull()
  })
})
