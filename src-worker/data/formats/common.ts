/**
 * What every format reader shares: the one error type bad input turns into, file reading that reports
 * the file, and the assembly of parsed batches into SharedArrayBuffer-backed splits.
 */
import { readFile, stat } from 'node:fs/promises'
import { sharedBytes, type ImageSplit } from '../types'

/**
 * Bad or unreadable dataset input. `file` is the file (or folder) at fault; the message names it too and
 * says what was expected, so it can be shown to the user as is.
 */
export class DatasetError extends Error {
  override name = 'DatasetError'
  readonly file: string

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options)
    this.file = file
  }
}

/** CIFAR-10's classes in label order, as in batches.meta and batches.meta.txt. */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]

/**
 * Largest metadata file read (classes.txt, batches.meta.txt, batches.meta): the real ones are under 200
 * bytes, and a list of class names of 1 MB is no dataset's.
 */
export const METADATA_MAX_BYTES = 2 ** 20

/**
 * Reads a whole file; a missing or unreadable file becomes a DatasetError naming it. With `limit`, a file
 * larger than `limit.maxBytes` is refused from its size, before it is read.
 */
export async function readBytes(
  file: string,
  limit?: { maxBytes: number; what: string },
): Promise<Uint8Array> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (e) {
    throw new DatasetError(file, `cannot read file (${errorText(e)})`, { cause: e })
  }
  if (limit !== undefined && size > limit.maxBytes) {
    throw new DatasetError(
      file,
      `expected ${limit.what} of at most ${limit.maxBytes} bytes, found ${size} bytes`,
    )
  }
  try {
    const buf = await readFile(file)
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  } catch (e) {
    throw new DatasetError(file, `cannot read file (${errorText(e)})`, { cause: e })
  }
}

/** A metadata text file (at most METADATA_MAX_BYTES), as UTF-8; `what` says what it should hold. */
export async function readTextFile(file: string, what: string): Promise<string> {
  const bytes = await readBytes(file, { maxBytes: METADATA_MAX_BYTES, what: `a text file of ${what}` })
  return new TextDecoder().decode(bytes)
}

/** A short text for an unknown thrown value. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.message
  return String(e)
}

/**
 * Class names from a text file: one per line, surrounding blanks trimmed, empty lines skipped (CIFAR's
 * batches.meta.txt ends with blank lines).
 */
export function parseNameList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
}

/** One parsed file of a split: its labels, and a way to copy its images (C*H*W bytes each) into place. */
export interface ParsedBatch {
  file: string
  count: number
  labels: Uint8Array
  copyImages(target: Uint8Array, offset: number): void
}

/** Concatenates parsed batches into one split over fresh SharedArrayBuffers. */
export function assembleSplit(batches: ParsedBatch[], imageBytes: number): ImageSplit {
  let count = 0
  for (const b of batches) count += b.count
  const images = sharedBytes(count * imageBytes)
  const labels = sharedBytes(count)
  let at = 0
  for (const b of batches) {
    b.copyImages(images, at * imageBytes)
    labels.set(b.labels, at)
    at += b.count
  }
  return { images, labels, count }
}

/**
 * Runs a parser and turns anything it throws that is not already a DatasetError into one for `file`,
 * keeping the original as `cause` (a safety net: the parsers check their input explicitly).
 */
export function guard<T>(file: string, what: string, parse: () => T): T {
  try {
    return parse()
  } catch (e) {
    if (e instanceof DatasetError) throw e
    throw new DatasetError(file, `malformed ${what} (${errorText(e)})`, { cause: e })
  }
}

/** First label >= classCount, as its index, or -1 when all are in range. */
export function firstLabelOutOfRange(labels: Uint8Array, classCount: number): number {
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= classCount) return i
  return -1
}
