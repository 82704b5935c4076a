/**
 * A text file read as a stream of whole lines, chunk by chunk: memory stays at one chunk plus the longest
 * line allowed, however big the file (a 7.5M-iteration run's metrics.jsonl is over 600 MB, more than a V8
 * string can hold). Lines are cut at newline bytes, which never occur inside a multi-byte UTF-8
 * character, so a character split across two reads is whole again before any line is decoded.
 */
import { open } from 'node:fs/promises'
import { isErrno } from './errors'

export interface LineChunkOptions {
  /** Read no further than this byte offset (a second pass stays within what the first one saw). */
  end?: number
  /** Bytes per read; default 1 MiB. */
  chunkBytes?: number
  /** A longer line is skipped (reported to onLongLine) instead of buffered; default 1 MiB. */
  maxLineBytes?: number
  /** Called with the byte offset of each line longer than maxLineBytes, in file order with the chunks. */
  onLongLine?: (offset: number) => void
}

/**
 * Calls `onLines(buf, start, end, offset)` with runs of complete lines: buf[start, end) ends with a
 * newline and starts at byte `offset` of the file. The buffer is reused, so read it before returning.
 * Bytes after the last newline (a line whose write never finished) are never passed on.
 * Resolves with the length of the file up to and including its last newline, or null if it is missing.
 */
export async function forEachLineChunk(
  path: string,
  onLines: (buf: Buffer, start: number, end: number, offset: number) => void,
  options: LineChunkOptions = {},
): Promise<number | null> {
  const chunkBytes = options.chunkBytes ?? 1 << 20
  const maxLineBytes = options.maxLineBytes ?? 1 << 20
  const limit = options.end ?? Infinity
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null
    throw err
  }
  try {
    const buf = Buffer.allocUnsafe(maxLineBytes + chunkBytes)
    // buf[0, held) is the start of a line not yet complete; it begins at file offset `base`.
    let held = 0
    let base = 0
    let complete = 0
    // Inside a line that was too long: its bytes are dropped up to its newline.
    let skipping = false
    while (base + held < limit) {
      const want = Math.min(chunkBytes, limit - base - held)
      const { bytesRead } = await fh.read(buf, held, want, base + held)
      if (bytesRead === 0) break
      const avail = held + bytesRead
      const view = buf.subarray(0, avail)
      let start = 0
      if (skipping) {
        const nl = view.indexOf(0x0a)
        if (nl < 0) {
          base += avail
          held = 0
          continue
        }
        skipping = false
        start = nl + 1
        complete = base + start
      }
      const last = view.lastIndexOf(0x0a)
      if (last >= start) {
        onLines(buf, start, last + 1, base + start)
        start = last + 1
        complete = base + start
      }
      const rest = avail - start
      if (rest > maxLineBytes) {
        options.onLongLine?.(base + start)
        skipping = true
        base += avail
        held = 0
      } else {
        buf.copy(buf, 0, start, avail)
        base += start
        held = rest
      }
    }
    return complete
  } finally {
    await fh.close()
  }
}
