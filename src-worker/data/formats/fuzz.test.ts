/**
 * Random truncations and byte flips of valid files (seeded): each parser must either give a consistent
 * result or throw a DatasetError of its own making, never another error type, never hang. A DatasetError
 * caused by a JS TypeError/RangeError means a check was missing and the safety net caught it: also a failure.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cifarBinaryBatchBytes,
  cifarPythonBatchBytes,
  cifarPythonMetaBytes,
  fixtureSplit,
  idxBytes,
  writeCifarBinary,
  writeCifarPython,
  writeIdx,
} from '../fixtures'
import { loadDataset } from '../load'
import type { RawDataset } from '../types'
import { parseCifarBinaryBatch } from './cifarBinary'
import { parseCifarPythonBatch, parseCifarPythonMeta } from './cifarPython'
import { CIFAR10_CLASSES, DatasetError, type ParsedBatch } from './common'
import { idxSplit, parseIdx } from './idx'
import { readIdxFile } from './idxFile'

const CASES = 300

/** mulberry32 */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * A damaged copy: a truncation or 1-4 byte changes, half of them within the first and last 300 bytes
 * (headers and pickle structure; the rest of these files is pixels).
 */
function damage(bytes: Uint8Array, random: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(random() * n)
  const position = (): number => {
    if (random() < 0.5) return int(bytes.length)
    const edge = Math.min(300, bytes.length)
    return random() < 0.6 ? int(edge) : bytes.length - 1 - int(edge)
  }
  if (random() < 0.3) return bytes.slice(0, position())
  const out = bytes.slice()
  const flips = 1 + int(4)
  for (let i = 0; i < flips; i++) out[position()]! ^= 1 + int(255)
  return out
}

function expectOwnError(e: unknown, what: string): void {
  if (!(e instanceof DatasetError)) throw new Error(`${what}: threw ${String(e)} instead of a DatasetError`)
  const cause = e.cause
  if (cause instanceof TypeError || cause instanceof RangeError || cause instanceof ReferenceError) {
    throw new Error(`${what}: an unchecked ${cause.name} reached the safety net: ${cause.message}`)
  }
}

function expectBatch(b: ParsedBatch, imageBytes: number): void {
  expect(b.count).toBeGreaterThan(0)
  expect(b.labels.length).toBe(b.count)
  for (const l of b.labels) expect(l).toBeLessThan(10)
  b.copyImages(new Uint8Array(b.count * imageBytes), 0) // must fit exactly: a typed array set throws otherwise
}

function expectDataset(d: RawDataset): void {
  const size = d.shape[0] * d.shape[1] * d.shape[2]
  for (const split of [d.train, d.test]) {
    expect(split.count).toBeGreaterThan(0)
    expect(split.images.length).toBe(split.count * size)
    expect(split.labels.length).toBe(split.count)
    for (const l of split.labels) expect(l).toBeLessThan(d.classNames.length)
  }
}

interface Tally {
  loaded: number
  rejected: number
}

function fuzz(seed: number, valid: Uint8Array, parse: (bytes: Uint8Array) => void): Tally {
  const random = rng(seed)
  const tally = { loaded: 0, rejected: 0 }
  for (let c = 0; c < CASES; c++) {
    const bytes = damage(valid, random)
    try {
      parse(bytes)
      tally.loaded++
    } catch (e) {
      expectOwnError(e, `case ${c} (seed ${seed})`)
      tally.rejected++
    }
  }
  return tally
}

async function fuzzAsync(
  seed: number,
  valid: Uint8Array,
  parse: (bytes: Uint8Array) => Promise<void>,
): Promise<Tally> {
  const random = rng(seed)
  const tally = { loaded: 0, rejected: 0 }
  for (let c = 0; c < CASES; c++) {
    const bytes = damage(valid, random)
    try {
      await parse(bytes)
      tally.loaded++
    } catch (e) {
      expectOwnError(e, `case ${c} (seed ${seed})`)
      tally.rejected++
    }
  }
  return tally
}

const cifar = fixtureSplit('train', 4, 3072)
const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(__dirname, '__fixtures__', name)))

describe('fuzzing the parsers', () => {
  let scratch: string
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'wb-fuzz-files-'))
  })
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  it('CIFAR-10 python batches (Python 2 layout)', () => {
    const valid = cifarPythonBatchBytes(cifar.images, cifar.labels, { batchLabel: 'training batch 1 of 5' })
    const t = fuzz(1, valid, (b) => expectBatch(parseCifarPythonBatch(b, 'data_batch_1'), 3072))
    expect(t.rejected).toBeGreaterThan(CASES / 4)
    expect(t.loaded).toBeGreaterThan(0) // flips in the pixels are harmless
  })

  it('CIFAR-10 python batches written by Python 3 (protocols 4 and 2)', () => {
    for (const [seed, name] of [
      [2, 'py3-batch-protocol4.pkl'],
      [3, 'py3-batch-protocol2.pkl'],
    ] as const) {
      const t = fuzz(seed, fixture(name), (b) => expectBatch(parseCifarPythonBatch(b, name), 3072))
      expect(t.rejected).toBeGreaterThan(CASES / 4)
    }
  })

  it('CIFAR-10 batches.meta', () => {
    const t = fuzz(4, cifarPythonMetaBytes(CIFAR10_CLASSES, 10000), (b) => {
      expect(parseCifarPythonMeta(b, 'batches.meta')).toHaveLength(10)
    })
    expect(t.rejected).toBeGreaterThan(CASES / 4)
  })

  it('CIFAR-10 binary batches', () => {
    const t = fuzz(5, cifarBinaryBatchBytes(cifar.images, cifar.labels), (b) =>
      expectBatch(parseCifarBinaryBatch(b, 'data_batch_1.bin'), 3072),
    )
    expect(t.rejected).toBeGreaterThan(CASES / 4)
  })

  it('IDX images and labels, raw', () => {
    const images = fixtureSplit('train', 6, 28 * 28)
    const validImages = idxBytes([6, 28, 28], images.images)
    const labels = parseIdx(idxBytes([6], images.labels), 'labels')
    const t = fuzz(6, validImages, (b) => {
      const s = idxSplit(parseIdx(b, 'images'), labels, 'images', 'labels')
      expectBatch(s.batch, s.rows * s.cols)
    })
    expect(t.rejected).toBeGreaterThan(CASES / 4)
    const pixels = parseIdx(validImages, 'images')
    fuzz(7, idxBytes([6], images.labels), (b) => {
      const s = idxSplit(pixels, parseIdx(b, 'labels'), 'images', 'labels')
      expect(s.batch.count).toBe(6)
    })
  })

  it('IDX images, gzipped', async () => {
    const images = fixtureSplit('train', 6, 28 * 28)
    const labels = parseIdx(idxBytes([6], images.labels), 'labels')
    // Through the file reader: header first, then the data streamed (and inflated) into place.
    const file = join(scratch, 'images.gz')
    const t = await fuzzAsync(8, gzipSync(idxBytes([6, 28, 28], images.images)), async (b) => {
      await writeFile(file, b)
      const s = idxSplit(await readIdxFile(file), labels, file, 'labels')
      expectBatch(s.batch, s.rows * s.cols)
    })
    expect(t.rejected).toBeGreaterThan(CASES / 2)
  })
})

describe('fuzzing whole folders through loadDataset', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wb-fuzz-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  const folders = [
    { name: 'py', write: (d: string) => writeCifarPython(d, { perBatch: 3 }), victims: [0, 4, 5, 6] },
    { name: 'bin', write: (d: string) => writeCifarBinary(d, { perBatch: 3 }), victims: [2, 5, 6] },
    {
      name: 'idx',
      write: (d: string) => writeIdx(d, { train: 5, test: 4, gzip: true }),
      victims: [0, 1, 2, 3],
    },
    { name: 'idxraw', write: (d: string) => writeIdx(d, { train: 5, test: 4 }), victims: [0, 1, 2, 3] },
  ]
  for (const [f, folder] of folders.entries()) {
    it(`${folder.name}: a damaged file gives a whole dataset or a DatasetError naming that file`, async () => {
      const dir = join(root, folder.name)
      const written = await folder.write(dir)
      const random = rng(100 + f)
      for (let c = 0; c < 40; c++) {
        const victim = written.files[folder.victims[c % folder.victims.length]!]!
        const valid = new Uint8Array(readFileSync(victim))
        await writeFile(victim, damage(valid, random))
        try {
          expectDataset(await loadDataset(dir))
        } catch (e) {
          expectOwnError(e, `case ${c}`)
          // The damaged file, or its partner named in the message (a count or size that no longer matches).
          const { file, message } = e as DatasetError
          if (file !== victim) expect(message).toContain(basename(victim))
        }
        await writeFile(victim, valid)
      }
    })
  }
})
