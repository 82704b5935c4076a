/**
 * Small dataset files that claim or build far more than they hold, for the tests and the benchmark that
 * check the readers stop at what the dataset legitimately needs: gzip bombs (a few MB of concatenated
 * gzip members that inflate to GBs) and pickles whose opcodes allocate much more than their size.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { idxBytes } from './fixtures'

const MIB = 2 ** 20

/**
 * gzip data that inflates to `prefix` followed by zeros, `inflatedBytes` in all: `prefix` as one member,
 * then members of 1 MiB of zeros (about 1 KB each; gunzip reads concatenated members as one stream).
 * 2 GiB of output takes about 2.1 MB.
 */
export function gzipBomb(prefix: Uint8Array, inflatedBytes: number): Uint8Array {
  const parts: Uint8Array[] = [gzipSync(prefix, { level: 9 })]
  let left = inflatedBytes - prefix.length
  const whole = gzipSync(new Uint8Array(MIB), { level: 9 })
  for (; left >= MIB; left -= MIB) parts.push(whole)
  if (left > 0) parts.push(gzipSync(new Uint8Array(left), { level: 9 }))
  return Buffer.concat(parts)
}

/** An IDX header (no data) for an array of unsigned bytes of these sizes. */
export function idxHeader(dims: number[]): Uint8Array {
  return idxBytes(dims, new Uint8Array(0))
}

export interface IdxBombFolder {
  dir: string
  /** The bomb files, in the order they were written. */
  bombs: string[]
  /** Per bomb: the bytes its IDX header declares (header + data), the cap a reader should stop at. */
  declared: number[]
}

/**
 * A Fashion-MNIST-shaped folder (60000 + 10000 images of 28x28, all gzipped) whose headers are plausible
 * but whose files named in `bombs` go on inflating to `inflatedBytes` each; the other files are whole
 * (zeros). Label files are bombs too when named, so all four can be.
 */
export async function writeIdxBombFolder(
  dir: string,
  options: {
    inflatedBytes: number
    bombs: ('train-images' | 'train-labels' | 't10k-images' | 't10k-labels')[]
  },
): Promise<IdxBombFolder> {
  await mkdir(dir, { recursive: true })
  const files: [string, number[]][] = [
    ['train-images', [60000, 28, 28]],
    ['train-labels', [60000]],
    ['t10k-images', [10000, 28, 28]],
    ['t10k-labels', [10000]],
  ]
  const out: IdxBombFolder = { dir, bombs: [], declared: [] }
  for (const [role, dims] of files) {
    const file = join(dir, `${role}-idx${dims.length === 3 ? 3 : 1}-ubyte.gz`)
    const header = idxHeader(dims)
    const declared = header.length + dims.reduce((a, b) => a * b, 1)
    const bomb = options.bombs.includes(role as (typeof options.bombs)[number])
    await writeFile(file, gzipBomb(header, bomb ? options.inflatedBytes : declared))
    if (bomb) {
      out.bombs.push(file)
      out.declared.push(declared)
    }
  }
  return out
}

/** Pickle opcodes used below. */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63,
  BINPUT: 0x71,
  BINGET: 0x68,
  BINUNICODE: 0x58,
  SHORT_BINUNICODE: 0x8c,
  TUPLE2: 0x86,
  REDUCE: 0x52,
  EMPTY_DICT: 0x7d,
  STOP: 0x2e,
}

/**
 * A pickle that holds one `stringBytes`-character latin-1 string and builds `copies` bytes objects of it
 * with `_codecs.encode` (5 bytes of pickle per copy, each copy left on the stack): about
 * `stringBytes * copies` bytes of values from a file of `stringBytes + 5 * copies` bytes.
 */
export function pickleCopyBomb(stringBytes: number, copies: number): Uint8Array {
  const head = [OP.PROTO, 2, OP.GLOBAL, ...Buffer.from('_codecs\nencode\n', 'latin1'), OP.BINPUT, 0]
  const len = Buffer.alloc(4)
  len.writeUInt32LE(stringBytes)
  const text = Buffer.alloc(stringBytes, 0x61)
  const args = [OP.SHORT_BINUNICODE, 6, ...Buffer.from('latin1'), OP.TUPLE2, OP.BINPUT, 1]
  const copy = Buffer.from([OP.BINGET, 0, OP.BINGET, 1, OP.REDUCE])
  return Buffer.concat([
    Buffer.from(head),
    Buffer.from([OP.BINUNICODE]),
    len,
    text,
    Buffer.from(args),
    Buffer.alloc(copy.length * copies).fill(copy),
    Buffer.from([OP.STOP]),
  ])
}

/** A pickle of `count` EMPTY_DICT opcodes: one byte of file per dict built (and never a STOP). */
export function pickleDictFlood(count: number): Uint8Array {
  return Buffer.concat([Buffer.from([OP.PROTO, 2]), Buffer.alloc(count, OP.EMPTY_DICT)])
}
