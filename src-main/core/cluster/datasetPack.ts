/**
 * A dataset as one byte sequence, for the cluster: a JSON header (format, shape, class names, counts)
 * and the images and labels of both splits. Its SHA-256 is the dataset's content digest: a worker trains
 * on its own copy only when that copy's digest matches, and a copy it receives is checked against it
 * before it is used or kept. Same bytes, same digest, whatever folder or file format they came from.
 */
import { createHash } from 'node:crypto'
import { sharedBytes, type RawDataset } from '../../../src-worker/data/types'

const PACK_VERSION = 1

interface PackHeader {
  v: number
  format: RawDataset['format']
  shape: [number, number, number]
  classNames: string[]
  train: number
  test: number
}

/** The pack's pieces in order, without copying the images. */
export function packPieces(raw: RawDataset): Uint8Array[] {
  const header: PackHeader = {
    v: PACK_VERSION,
    format: raw.format,
    shape: raw.shape,
    classNames: raw.classNames,
    train: raw.train.count,
    test: raw.test.count,
  }
  const head = Buffer.from(JSON.stringify(header), 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32LE(head.length, 0)
  return [length, head, raw.train.images, raw.train.labels, raw.test.images, raw.test.labels]
}

export function packBytes(raw: RawDataset): number {
  return packPieces(raw).reduce((n, p) => n + p.byteLength, 0)
}

const digests = new WeakMap<RawDataset, string>()

/** The dataset's content digest (hex SHA-256 of its pack), computed once per loaded dataset. */
export function datasetDigest(raw: RawDataset): string {
  let d = digests.get(raw)
  if (d === undefined) {
    const hash = createHash('sha256')
    for (const p of packPieces(raw)) hash.update(p)
    d = hash.digest('hex')
    digests.set(raw, d)
  }
  return d
}

/** The pack cut into chunks of at most `size` bytes (each a copy; the images are not copied whole). */
export function* packChunks(raw: RawDataset, size: number): Generator<Buffer> {
  let parts: Uint8Array[] = []
  let have = 0
  for (const piece of packPieces(raw)) {
    let at = 0
    while (at < piece.byteLength) {
      const take = Math.min(size - have, piece.byteLength - at)
      parts.push(piece.subarray(at, at + take))
      have += take
      at += take
      if (have === size) {
        yield Buffer.concat(parts)
        parts = []
        have = 0
      }
    }
  }
  if (have > 0) yield Buffer.concat(parts)
}

export class PackError extends Error {}

/**
 * A received pack as a dataset, after checking it is the one asked for (`digest`) and is well formed.
 * The images land in SharedArrayBuffers, as a dataset loaded from disk does.
 */
export function unpack(chunks: readonly Uint8Array[], digest: string, files: string[] = []): RawDataset {
  const hash = createHash('sha256')
  for (const c of chunks) hash.update(c)
  const got = hash.digest('hex')
  if (got !== digest) throw new PackError(`dataset content digest ${got} is not the expected ${digest}`)
  const buf = Buffer.concat(chunks)
  if (buf.length < 4) throw new PackError('dataset pack is too short')
  const headLength = buf.readUInt32LE(0)
  if (4 + headLength > buf.length) throw new PackError('dataset pack header runs past its end')
  let header: PackHeader
  try {
    header = JSON.parse(buf.subarray(4, 4 + headLength).toString('utf8')) as PackHeader
  } catch {
    throw new PackError('dataset pack header is not JSON')
  }
  const [C, H, W] = header.shape ?? []
  const ints = [C, H, W, header.train, header.test]
  if (header.v !== PACK_VERSION || !ints.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new PackError('dataset pack header is not a version-1 header')
  }
  const D = C! * H! * W!
  const sizes = [header.train * D, header.train, header.test * D, header.test]
  const expected = 4 + headLength + sizes.reduce((a, b) => a + b, 0)
  if (buf.length !== expected) {
    throw new PackError(`dataset pack holds ${buf.length} bytes, its header describes ${expected}`)
  }
  let at = 4 + headLength
  const arrays = sizes.map((n) => {
    const a = sharedBytes(n)
    a.set(buf.subarray(at, at + n))
    at += n
    return a
  })
  const classes = header.classNames
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) {
    throw new PackError('dataset pack header names no classes')
  }
  for (const labels of [arrays[1]!, arrays[3]!]) {
    for (const l of labels)
      if (l >= classes.length) throw new PackError(`dataset pack has a label ${l} past its classes`)
  }
  const raw: RawDataset = {
    format: header.format,
    shape: [C!, H!, W!],
    classNames: header.classNames,
    train: { images: arrays[0]!, labels: arrays[1]!, count: header.train },
    test: { images: arrays[2]!, labels: arrays[3]!, count: header.test },
    files,
  }
  digests.set(raw, digest)
  return raw
}
