/**
 * Reads one IDX file from disk, raw or gzipped (recognised by the gzip magic 1f 8b, whatever the name), in
 * two steps: `open` reads just the header, so a folder's four headers can be checked against each other
 * before anything is allocated; `readInto` then streams the data into the caller's buffer of exactly the
 * declared size, inflating 64 KiB at a time, and stops as soon as the file holds more than its header
 * declares. Memory is the declared data plus a few chunks, whatever the file inflates to.
 */
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import type { ReadStream } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { sharedBytes } from '../types'
import { DatasetError, errorText } from './common'
import {
  checkIdxHeaderSize,
  idxHeaderLength,
  idxSizeError,
  parseIdxHeader,
  type IdxHeader,
} from './idxHeader'

/** Bytes per inflated (and per read) chunk: the most a reader holds beyond the declared data. */
export const IDX_CHUNK_BYTES = 64 * 1024

/**
 * deflate's largest possible expansion (a 258-byte match coded in 2 bits): a gzip file of n bytes never
 * inflates to more than 1032 n, so a header declaring more than that is a truncated file.
 */
const DEFLATE_MAX_RATIO = 1032

export class IdxFileReader {
  private headerRead: IdxHeader | null = null
  /** Bytes of the file read past the header, not yet handed out. */
  private pending: Uint8Array = new Uint8Array(0)
  private readonly chunks: AsyncIterator<Buffer>

  private constructor(
    readonly file: string,
    /** True when the file is gzip data. */
    readonly gzip: boolean,
    /** The file's size on disk (compressed, for gzip). */
    readonly fileSize: number,
    private readonly input: ReadStream,
    private readonly output: Readable,
  ) {
    this.chunks = (output as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  /** Opens `file` and reads its header. The caller must `close()` the reader (readInto does too). */
  static async open(file: string): Promise<IdxFileReader> {
    let fh: FileHandle
    let size: number
    let gzip: boolean
    try {
      fh = await open(file, 'r')
    } catch (e) {
      throw new DatasetError(file, `cannot read file (${errorText(e)})`, { cause: e })
    }
    try {
      size = (await fh.stat()).size
      const magic = new Uint8Array(2)
      const { bytesRead } = await fh.read(magic, 0, 2, 0)
      gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
    } catch (e) {
      await fh.close().catch(() => {})
      throw new DatasetError(file, `cannot read file (${errorText(e)})`, { cause: e })
    }
    // The stream owns the handle from here: destroying it closes the file.
    const input = fh.createReadStream({ start: 0, highWaterMark: IDX_CHUNK_BYTES })
    let output: Readable = input
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: IDX_CHUNK_BYTES })
      pipeline(input, gunzip, () => {}) // errors surface through the gunzip stream's iterator
      output = gunzip
    }
    const reader = new IdxFileReader(file, gzip, size, input, output)
    try {
      await reader.readHeader()
      return reader
    } catch (e) {
      reader.close()
      throw e
    }
  }

  get header(): IdxHeader {
    if (this.headerRead === null) throw new Error('IdxFileReader: the header has not been read')
    return this.headerRead
  }

  /**
   * Streams the data into `target` (header.dataBytes long) and closes the reader. Fails with a DatasetError
   * when the file ends early, holds more than its header declares (inflation stops at the first chunk
   * beyond), or is not valid gzip data.
   */
  async readInto(target: Uint8Array): Promise<void> {
    try {
      if (target.length !== this.header.dataBytes) {
        throw new RangeError(`readInto: target of ${target.length} bytes for ${this.header.dataBytes}`)
      }
      let at = 0
      const take = (chunk: Uint8Array): void => {
        if (at + chunk.length > target.length) throw this.overflow(at + chunk.length)
        target.set(chunk, at)
        at += chunk.length
      }
      take(this.pending)
      this.pending = new Uint8Array(0)
      for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) take(chunk)
      if (at < target.length) throw idxSizeError(this.file, this.header, at)
    } finally {
      this.close()
    }
  }

  /** Stops reading (and inflating) and closes the file. */
  close(): void {
    this.output.destroy()
    this.input.destroy()
  }

  private async readHeader(): Promise<void> {
    let need = 4
    for (;;) {
      while (this.pending.length < need) {
        const chunk = await this.next()
        if (chunk === null) break
        this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
      }
      if (need > 4 || this.pending.length < 4) break
      need = idxHeaderLength(this.pending, this.file)
    }
    const header = parseIdxHeader(this.pending, this.file)
    checkIdxHeaderSize(header, this.file)
    const declared = header.headerBytes + header.dataBytes
    if (!this.gzip && this.fileSize !== declared) {
      throw idxSizeError(this.file, header, this.fileSize - header.headerBytes)
    }
    if (this.gzip && declared > DEFLATE_MAX_RATIO * this.fileSize) {
      throw new DatasetError(
        this.file,
        `expected ${header.dataBytes} data bytes for an IDX array of (${header.dims.join(', ')}), but ` +
          `${this.fileSize} bytes of gzip data inflate to at most ${DEFLATE_MAX_RATIO * this.fileSize} ` +
          '(truncated file?)',
      )
    }
    this.headerRead = header
    this.pending = this.pending.subarray(header.headerBytes)
  }

  /** The next chunk of the (inflated) file, or null at its end. */
  private async next(): Promise<Uint8Array | null> {
    try {
      const r = await this.chunks.next()
      return r.done ? null : r.value
    } catch (e) {
      const code = (e as { code?: unknown }).code
      if (this.gzip && typeof code === 'string' && code.startsWith('Z_')) {
        throw new DatasetError(
          this.file,
          `expected gzip-compressed IDX data, decompression failed (${errorText(e)})`,
          { cause: e },
        )
      }
      throw new DatasetError(this.file, `cannot read file (${errorText(e)})`, { cause: e })
    }
  }

  /** The file holds more than declared: `data` bytes after the header so far. */
  private overflow(data: number): DatasetError {
    const { headerBytes, dataBytes, dims } = this.header
    if (!this.gzip) return idxSizeError(this.file, this.header, data) // the file grew while being read
    return new DatasetError(
      this.file,
      `expected gzip data that inflates to the ${headerBytes + dataBytes} bytes its IDX header declares ` +
        `(${headerBytes}-byte header + (${dims.join(', ')}) unsigned bytes), it inflates to more: stopped ` +
        `after ${headerBytes + data} bytes, having read ${this.input.bytesRead} of its ${this.fileSize} bytes`,
    )
  }
}

/** Reads a whole IDX file into a fresh SharedArrayBuffer of its declared data size. */
export async function readIdxFile(file: string): Promise<{ dims: number[]; data: Uint8Array }> {
  const reader = await IdxFileReader.open(file)
  const data = sharedBytes(reader.header.dataBytes)
  await reader.readInto(data)
  return { dims: reader.header.dims, data }
}
