/**
 * The safetensors format (https://github.com/huggingface/safetensors), so checkpoints open in Python with
 * `safetensors.numpy.load_file`: an 8-byte little-endian header length, a JSON header padded with spaces
 * to a multiple of 8 bytes, then the tensors' raw little-endian bytes back to back.
 */
import { open } from 'node:fs/promises'
import { corrupt, invalidArgument } from './errors'

interface TensorOf<D extends string, A> {
  dtype: D
  shape: readonly number[]
  data: A
}

export type Tensor =
  | TensorOf<'F64', Float64Array>
  | TensorOf<'F32', Float32Array>
  | TensorOf<'I32', Int32Array>
  | TensorOf<'U8', Uint8Array>

export type Dtype = Tensor['dtype']

export type Tensors = Record<string, Tensor>

/** A tensor whose dtype follows from its array's type (engine tensors, which name dtypes differently, fit). */
export interface TensorData {
  shape: readonly number[]
  data: Float64Array | Float32Array | Int32Array | Uint8Array
}

export interface Safetensors {
  tensors: Tensors
  /** The header's `__metadata__` (string to string); `{}` when the file has none. */
  metadata: Record<string, string>
}

type TypedArrayClass =
  Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor

/**
 * In the reference implementation's dtype order, largest alignment first: it lays tensors out by
 * descending dtype then by name, which keeps every tensor aligned given the 8-byte-aligned header.
 */
const DTYPES: Record<Dtype, { rank: number; array: TypedArrayClass }> = {
  F64: { rank: 0, array: Float64Array },
  F32: { rank: 1, array: Float32Array },
  I32: { rank: 2, array: Int32Array },
  U8: { rank: 3, array: Uint8Array },
}

const METADATA_KEY = '__metadata__'
/** The reference implementation refuses larger headers, so a bigger length means a damaged file. */
const MAX_HEADER_BYTES = 100_000_000
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export function encodeSafetensors(tensors: Tensors, metadata?: Record<string, string>): Uint8Array {
  const entries = Object.entries(tensors)
  for (const [name, tensor] of entries) checkTensor(name, tensor)
  entries.sort(([an, a], [bn, b]) => DTYPES[a.dtype].rank - DTYPES[b.dtype].rank || compareUtf8(an, bn))

  // Null prototype: a tensor named `__proto__` must become a key, not the object's prototype.
  const header = Object.create(null) as Record<string, unknown>
  if (metadata !== undefined) header[METADATA_KEY] = checkMetadata(metadata)
  let offset = 0
  for (const [name, { dtype, shape, data }] of entries) {
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + data.byteLength] }
    offset += data.byteLength
  }
  const json = new TextEncoder().encode(JSON.stringify(header))
  const headerLength = Math.ceil(json.length / 8) * 8

  const out = new Uint8Array(8 + headerLength + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let at = 8 + headerLength
  for (const [, { data }] of entries) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    out.set(bytes, at)
    if (!LITTLE_ENDIAN) swapBytes(out.subarray(at, at + bytes.length), data.BYTES_PER_ELEMENT)
    at += bytes.length
  }
  return out
}

/** Parses and validates a safetensors file's bytes; every error names `file` and, where one is at fault, the tensor. */
export function decodeSafetensors(bytes: Uint8Array, file: string): Safetensors {
  const { metadata, entries, dataStart } = parseLayout(bytes, bytes.length, file)
  const tensors: Tensors = Object.create(null) as Tensors
  for (const { name, dtype, shape, begin, end, count } of entries) {
    const { array } = DTYPES[dtype]
    // A copy, so the array is aligned and independent of the file buffer (on a Buffer, slice() would not copy).
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end))
    if (!LITTLE_ENDIAN) swapBytes(copy, array.BYTES_PER_ELEMENT)
    tensors[name] = { dtype, shape, data: new array(copy.buffer, 0, count) } as Tensor
  }
  return { tensors, metadata }
}

/** A safetensors file's tensors (without their data) and metadata, as its header declares them. */
export interface SafetensorsLayout {
  tensors: Record<string, { dtype: Dtype; shape: number[] }>
  metadata: Record<string, string>
}

/**
 * Checks a file as decodeSafetensors would (header, offsets, and that the file is exactly as long as
 * they say: a truncated file fails) but reads only its header, not the data.
 */
export async function readSafetensorsLayout(path: string): Promise<SafetensorsLayout> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const head = Buffer.alloc(Math.min(size, 8))
    await fh.read(head, 0, head.length, 0)
    if (head.length < 8) throw corrupt(path, `too short for a safetensors header (${size} bytes)`)
    const headerLength = head.readBigUInt64LE(0)
    // Bounded before allocating: a damaged length must not allocate gigabytes.
    const available = Math.max(0, Math.min(Number(headerLength), MAX_HEADER_BYTES, size - 8))
    const bytes = Buffer.alloc(8 + available)
    head.copy(bytes, 0)
    await fh.read(bytes, 8, available, 8)
    const { metadata, entries } = parseLayout(bytes, size, path)
    const tensors: SafetensorsLayout['tensors'] = Object.create(null) as SafetensorsLayout['tensors']
    for (const e of entries) tensors[e.name] = { dtype: e.dtype, shape: e.shape }
    return { tensors, metadata }
  } finally {
    await fh.close()
  }
}

/**
 * The header of a file of `fileLength` bytes, of which `bytes` holds at least the length prefix and the
 * header: every check that does not need the tensors' data.
 */
function parseLayout(
  bytes: Uint8Array,
  fileLength: number,
  file: string,
): { metadata: Record<string, string>; entries: (TensorInfo & { count: number })[]; dataStart: number } {
  if (fileLength < 8) throw corrupt(file, `too short for a safetensors header (${fileLength} bytes)`)
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw corrupt(file, `header length ${headerLength} is too large (a damaged or non-safetensors file?)`)
  }
  const dataStart = 8 + Number(headerLength)
  if (dataStart > fileLength) {
    throw corrupt(file, `header length ${headerLength} runs past the end of the file (${fileLength} bytes)`)
  }
  const header = parseHeader(bytes.subarray(8, dataStart), file)
  const metadata = readMetadata(header[METADATA_KEY], file)

  const infos = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => readInfo(name, info, file))
    .sort((a, b) => a.begin - b.begin || a.end - b.end)

  const entries: (TensorInfo & { count: number })[] = []
  let expected = 0
  let previous: string | null = null
  for (const info of infos) {
    const { name, dtype, shape, begin, end } = info
    if (begin !== expected) {
      const where =
        previous === null ? 'the start of the data' : `the end of tensor '${previous}' (${expected})`
      const what = begin < expected ? 'overlap' : 'leave a gap after'
      throw corrupt(file, `tensor '${name}': data_offsets [${begin}, ${end}] ${what} ${where}`)
    }
    const { array } = DTYPES[dtype]
    const count = elementCount(shape, name, file)
    if (count * array.BYTES_PER_ELEMENT !== end - begin) {
      throw corrupt(
        file,
        `tensor '${name}': shape [${shape.join(', ')}] of ${dtype} needs ` +
          `${count * array.BYTES_PER_ELEMENT} bytes but data_offsets span ${end - begin}`,
      )
    }
    if (dataStart + end > fileLength) {
      throw corrupt(file, `tensor '${name}': data ends past the end of the file (truncated?)`)
    }
    entries.push({ ...info, count })
    expected = end
    previous = name
  }
  if (dataStart + expected !== fileLength) {
    throw corrupt(file, `${fileLength - dataStart - expected} unexpected bytes after the last tensor`)
  }
  return { metadata, entries, dataStart }
}

export function dtypeOf(data: TensorData['data']): Dtype {
  if (data instanceof Float64Array) return 'F64'
  if (data instanceof Float32Array) return 'F32'
  if (data instanceof Int32Array) return 'I32'
  if (data instanceof Uint8Array) return 'U8'
  throw new TypeError(`no safetensors dtype for ${Object.prototype.toString.call(data)}`)
}

export function withDtypes(tensors: Record<string, TensorData>): Tensors {
  const out = Object.create(null) as Tensors
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    out[name] = { dtype: dtypeOf(data), shape, data } as Tensor
  }
  return out
}

function checkTensor(name: string, tensor: Tensor): void {
  const field = `tensors.${name}`
  if (name === METADATA_KEY) throw invalidArgument(field, `'${METADATA_KEY}' is reserved for metadata`)
  const spec = Object.hasOwn(DTYPES, tensor.dtype) ? DTYPES[tensor.dtype] : undefined
  if (spec === undefined) {
    throw invalidArgument(
      field,
      `unsupported dtype '${String(tensor.dtype)}' (${Object.keys(DTYPES).join(', ')})`,
    )
  }
  if (!(tensor.data instanceof spec.array)) {
    throw invalidArgument(field, `a ${tensor.dtype} tensor needs a ${spec.array.name}`)
  }
  if (!Array.isArray(tensor.shape) || !tensor.shape.every(isDimension)) {
    throw invalidArgument(field, 'shape must be an array of non-negative integers')
  }
  const count = tensor.shape.reduce((a, b) => a * b, 1)
  if (count !== tensor.data.length) {
    throw invalidArgument(
      field,
      `shape [${tensor.shape.join(', ')}] has ${count} elements, data has ${tensor.data.length}`,
    )
  }
}

function checkMetadata(metadata: Record<string, string>): Record<string, string> {
  // Sorted, so equal inputs give byte-identical files (the reference's map order is arbitrary anyway).
  const sorted: Record<string, string> = {}
  for (const key of Object.keys(metadata).sort(compareUtf8)) {
    const value = metadata[key]
    if (typeof value !== 'string') throw invalidArgument(`metadata.${key}`, 'metadata values must be strings')
    sorted[key] = value
  }
  return sorted
}

function parseHeader(raw: Uint8Array, file: string): Record<string, unknown> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw)
  } catch {
    throw corrupt(file, 'header is not valid UTF-8')
  }
  if (!text.startsWith('{')) throw corrupt(file, "header does not start with '{'")
  let header: unknown
  try {
    header = JSON.parse(text)
  } catch (err) {
    throw corrupt(file, `header is not valid JSON: ${(err as Error).message}`)
  }
  if (!isPlainObject(header)) throw corrupt(file, 'header is not a JSON object')
  return header
}

function readMetadata(value: unknown, file: string): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>
  if (value === undefined || value === null) return metadata
  if (!isPlainObject(value)) throw corrupt(file, `${METADATA_KEY} is not an object`)
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw corrupt(file, `${METADATA_KEY}.${key} is not a string`)
    metadata[key] = v
  }
  return metadata
}

interface TensorInfo {
  name: string
  dtype: Dtype
  shape: number[]
  begin: number
  end: number
}

function readInfo(name: string, info: unknown, file: string): TensorInfo {
  const bad = (message: string) => corrupt(file, `tensor '${name}': ${message}`)
  if (!isPlainObject(info)) throw bad('entry is not an object')
  const { dtype, shape, data_offsets: offsets } = info
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype)) {
    throw bad(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`)
  }
  if (!Array.isArray(shape) || !shape.every(isDimension)) {
    throw bad('shape is not a list of non-negative integers')
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDimension)) {
    throw bad('data_offsets is not a pair of non-negative integers')
  }
  const [begin, end] = offsets as [number, number]
  if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`)
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end }
}

function elementCount(shape: readonly number[], name: string, file: string): number {
  let count = 1
  for (const d of shape) count *= d
  if (!Number.isSafeInteger(count)) {
    throw corrupt(file, `tensor '${name}': shape [${shape.join(', ')}] is too large`)
  }
  return count
}

function isDimension(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Rust sorts strings by their UTF-8 bytes; JS `<` compares UTF-16 units, which differs above U+FFFF. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse()
}
