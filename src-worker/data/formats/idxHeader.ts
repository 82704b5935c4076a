/**
 * The IDX header: 00 00 <type> <ndim>, then ndim big-endian uint32 sizes. Readers parse it before any
 * data, so what a file may hold (and what a reader allocates or inflates) is known from its first bytes.
 */
import { DatasetError } from './common'

/** Largest IDX array accepted, in data bytes (a bound for hostile headers; MNIST's is 47 MB). */
export const IDX_MAX_DATA_BYTES = 2 ** 31

export interface IdxHeader {
  /** The sizes, outermost first: (n, rows, cols) for images, (n) for labels. */
  dims: number[]
  /** 4 + 4 * ndim. */
  headerBytes: number
  /** The product of `dims`: the unsigned bytes that must follow the header. */
  dataBytes: number
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const hex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing'

/**
 * The header's length, from the first 4 bytes of `start` (checks the magic, the type and ndim). Fewer than
 * 4 bytes is an error: callers pass what they have once the file has ended, or at least 4 bytes.
 */
export function idxHeaderLength(start: Uint8Array, file: string): number {
  if (start.length < 4 || start[0] !== 0 || start[1] !== 0) {
    throw new DatasetError(
      file,
      `expected an IDX file (magic 00 00 08 0n) or gzip data (1f 8b), found ${hex(start.subarray(0, 4))}`,
    )
  }
  const type = start[2]!
  if (type !== 0x08) {
    const code = `type 0x${type.toString(16).padStart(2, '0')}`
    const found = TYPE_NAMES[type] ? `${TYPE_NAMES[type]} (${code})` : `unknown ${code}`
    throw new DatasetError(file, `expected IDX data of unsigned bytes (type 0x08), found ${found}`)
  }
  const ndim = start[3]!
  if (ndim === 0) throw new DatasetError(file, 'expected an IDX array of at least one dimension, found 0')
  return 4 + 4 * ndim
}

/** Parses the header at the start of `bytes`; `bytes` may hold more (the data), or be all the file has. */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader {
  const headerBytes = idxHeaderLength(bytes, file)
  if (bytes.length < headerBytes) {
    throw new DatasetError(file, `truncated IDX header: expected ${headerBytes} bytes, found ${bytes.length}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dims: number[] = []
  let dataBytes = 1
  for (let i = 0; i < (headerBytes - 4) / 4; i++) {
    const d = view.getUint32(4 + 4 * i, false)
    dims.push(d)
    dataBytes *= d
  }
  return { dims, headerBytes, dataBytes }
}

/** "expected N data bytes for an IDX array of (dims), found M": the data does not match the header. */
export function idxSizeError(file: string, header: IdxHeader, found: number): DatasetError {
  return new DatasetError(
    file,
    `expected ${header.dataBytes} data bytes for an IDX array of (${header.dims.join(', ')}), found ${found}` +
      (found < header.dataBytes ? ' (truncated file?)' : ''),
  )
}

/** Refuses a header that declares more than IDX_MAX_DATA_BYTES, before anything is allocated for it. */
export function checkIdxHeaderSize(header: IdxHeader, file: string): void {
  if (header.dataBytes > IDX_MAX_DATA_BYTES) {
    throw new DatasetError(
      file,
      `expected an IDX array of at most ${IDX_MAX_DATA_BYTES} bytes, the header declares ` +
        `(${header.dims.join(', ')}) = ${header.dataBytes} bytes`,
    )
  }
}
