/**
 * IDX files that claim or inflate to more than they may: each is refused from its header or stopped at the
 * size its header declares, with a DatasetError naming the file, before the reader holds more than the
 * declared data and one chunk.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { idxBytes } from '../fixtures'
import { gzipBomb, idxHeader, writeIdxBombFolder } from '../hostileFixtures'
import { loadDataset } from '../load'
import { DatasetError } from './common'
import { IDX_CHUNK_BYTES, readIdxFile } from './idxFile'
import { IDX_MAX_DATA_BYTES } from './idxHeader'

const GIB = 2 ** 30

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wb-idx-file-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError)
    return e as DatasetError
  }
  throw new Error('expected a DatasetError, the read succeeded')
}

/** The numbers of "stopped after N bytes, having read R of its S bytes". */
function stopped(e: DatasetError): { inflated: number; read: number; size: number } {
  const m = /it inflates to more: stopped after (\d+) bytes, having read (\d+) of its (\d+) bytes$/.exec(
    e.message,
  )
  if (m === null) throw new Error(`not a "stopped" refusal: ${e.message}`)
  return { inflated: Number(m[1]), read: Number(m[2]), size: Number(m[3]) }
}

describe('gzip bombs', () => {
  it('a 2 MB train-images.gz that inflates to 2 GB is refused once it passes what its header declares', async () => {
    const folder = await writeIdxBombFolder(join(root, 'one'), {
      inflatedBytes: 2 * GIB,
      bombs: ['train-images'],
    })
    const e = await rejection(loadDataset(folder.dir))
    expect(e.file).toBe(folder.bombs[0])
    expect(e.message).toContain(
      'expected gzip data that inflates to the 47040016 bytes its IDX header declares ' +
        '(16-byte header + (60000, 28, 28) unsigned bytes)',
    )
    const s = stopped(e)
    expect(s.size).toBeLessThan(2.5 * 2 ** 20)
    expect(s.inflated).toBeGreaterThan(folder.declared[0]!)
    expect(s.inflated).toBeLessThanOrEqual(folder.declared[0]! + IDX_CHUNK_BYTES)
    // Inflation stopped too, not just the counting: most of the compressed file was never read.
    expect(s.read).toBeLessThan(s.size / 4)
  })

  it('with all four files bombs, each stops at its own header (labels too)', async () => {
    const folder = await writeIdxBombFolder(join(root, 'four'), {
      inflatedBytes: GIB / 2,
      bombs: ['train-images', 'train-labels', 't10k-images', 't10k-labels'],
    })
    const e = await rejection(loadDataset(folder.dir))
    expect(e.file).toBe(folder.bombs[0]) // the first file's failure, whichever finished first
    for (const [i, file] of folder.bombs.entries()) {
      const s = stopped(await rejection(readIdxFile(file)))
      expect(s.inflated).toBeGreaterThan(folder.declared[i]!)
      expect(s.inflated).toBeLessThanOrEqual(folder.declared[i]! + IDX_CHUNK_BYTES)
    }
  })

  it('headers are checked against each other before any data is inflated', async () => {
    const folder = await writeIdxBombFolder(join(root, 'mismatch'), {
      inflatedBytes: GIB,
      bombs: ['train-images'],
    })
    // One label short: the pair does not match, whatever the images file would inflate to.
    const labels = join(folder.dir, 'train-labels-idx1-ubyte.gz')
    await writeFile(labels, gzipSync(idxBytes([59999], new Uint8Array(59999))))
    const e = await rejection(loadDataset(folder.dir))
    expect(e.message).toBe(
      `${labels}: expected 60000 labels, one per image in train-images-idx3-ubyte.gz, found 59999`,
    )
  })
})

describe('headers that claim more than the file can hold', () => {
  it('a few bytes of gzip declaring 47 MB are a truncated file, refused before allocating', async () => {
    const file = join(root, 'tiny.gz')
    const gz = gzipSync(idxHeader([60000, 28, 28]))
    await writeFile(file, gz)
    const e = await rejection(readIdxFile(file))
    expect(e.message).toBe(
      `${file}: expected 47040000 data bytes for an IDX array of (60000, 28, 28), but ${gz.length} bytes of ` +
        `gzip data inflate to at most ${1032 * gz.length} (truncated file?)`,
    )
  })

  it('a header declaring more than the largest array accepted is refused from the header alone', async () => {
    const file = join(root, 'huge')
    await writeFile(file, idxHeader([100000, 256, 256]))
    const e = await rejection(readIdxFile(file))
    expect(e.message).toBe(
      `${file}: expected an IDX array of at most ${IDX_MAX_DATA_BYTES} bytes, the header declares ` +
        '(100000, 256, 256) = 6553600000 bytes',
    )
  })

  it('a raw file whose size does not match its header is refused from its size', async () => {
    const file = join(root, 'short')
    await writeFile(file, idxBytes([60000, 28, 28], new Uint8Array(100)))
    const e = await rejection(readIdxFile(file))
    expect(e.message).toBe(
      `${file}: expected 47040000 data bytes for an IDX array of (60000, 28, 28), found 100 (truncated file?)`,
    )
  })

  it('a gzip file that inflates to less than declared is truncated', async () => {
    const file = join(root, 'less.gz')
    const noise = randomBytes(1000) // incompressible: the file is large enough to hold the declared size
    await writeFile(file, gzipSync(idxBytes([1000, 28, 28], noise)))
    const e = await rejection(readIdxFile(file))
    expect(e.message).toBe(
      `${file}: expected 784000 data bytes for an IDX array of (1000, 28, 28), found 1000 (truncated file?)`,
    )
  })

  it('reads whole files into memory of exactly their declared size', async () => {
    const file = join(root, 'exact.gz')
    const data = Uint8Array.from({ length: 3 * 5 * 7 }, (_, i) => i)
    await writeFile(file, gzipBomb(idxBytes([3, 5, 7], data), 16 + data.length)) // several gzip members
    const read = await readIdxFile(file)
    expect(read.dims).toEqual([3, 5, 7])
    expect(read.data.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(read.data.buffer.byteLength).toBe(data.length)
    expect([...read.data]).toEqual([...data])
  })
})
