/**
 * Messages between cluster workers and the submitting app as one Buffer each: a JSON header, then the
 * bytes of every typed array it holds (weights, checkpoints), so a snapshot travels as its raw floats
 * rather than as a JSON list of decimals. Non-finite numbers (a diverged loss) survive, which plain JSON
 * would turn into null; every finite double round-trips exactly (JSON writes the shortest exact form).
 */

const TYPED = '$wbTyped'
const NUMBER = '$wbNumber'

type TypedKind = 'f32' | 'f64' | 'u8' | 'i32'

const CONSTRUCTORS = {
  f32: Float32Array,
  f64: Float64Array,
  u8: Uint8Array,
  i32: Int32Array,
} as const

function kindOf(v: unknown): TypedKind | null {
  if (v instanceof Float32Array) return 'f32'
  if (v instanceof Float64Array) return 'f64'
  if (v instanceof Uint8Array) return 'u8'
  if (v instanceof Int32Array) return 'i32'
  return null
}

/** Encodes a message of plain data and typed arrays (Float32/Float64/Uint8/Int32). */
export function encodeMessage(value: unknown): Buffer {
  const blobs: Buffer[] = []
  let offset = 0
  const header = JSON.stringify(value, function (this: unknown, _key: string, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) return { [NUMBER]: String(v) }
    const kind = kindOf(v)
    if (kind === null) return v
    const view = v as Float32Array | Float64Array | Uint8Array | Int32Array
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength)
    blobs.push(bytes)
    const entry = { [TYPED]: kind, offset, bytes: view.byteLength }
    offset += view.byteLength
    return entry
  })
  const head = Buffer.from(header, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32LE(head.length, 0)
  return Buffer.concat([length, head, ...blobs])
}

export class CodecError extends Error {}

/** The inverse of encodeMessage; a damaged buffer is a CodecError, never a partial value. */
export function decodeMessage(buf: Buffer): unknown {
  if (buf.length < 4) throw new CodecError('message shorter than its header length')
  const headLength = buf.readUInt32LE(0)
  if (4 + headLength > buf.length) throw new CodecError('message header runs past its end')
  const body = buf.subarray(4 + headLength)
  let parsed: unknown
  try {
    parsed = JSON.parse(buf.subarray(4, 4 + headLength).toString('utf8'), (_key, v: unknown) => {
      if (v === null || typeof v !== 'object') return v
      const o = v as Record<string, unknown>
      if (typeof o[NUMBER] === 'string') {
        const n = Number(o[NUMBER])
        if (!Number.isNaN(n) || o[NUMBER] === 'NaN') return n
        throw new CodecError(`not a number: ${String(o[NUMBER])}`)
      }
      const kind = o[TYPED]
      if (typeof kind !== 'string') return v
      if (!(kind in CONSTRUCTORS)) throw new CodecError(`unknown array kind ${kind}`)
      const C = CONSTRUCTORS[kind as TypedKind]
      const offset = o.offset
      const bytes = o.bytes
      if (
        !Number.isSafeInteger(offset) ||
        !Number.isSafeInteger(bytes) ||
        (offset as number) < 0 ||
        (bytes as number) < 0 ||
        (offset as number) + (bytes as number) > body.length ||
        (bytes as number) % C.BYTES_PER_ELEMENT !== 0
      ) {
        throw new CodecError('an array lies outside the message')
      }
      // Copied into its own buffer: aligned for the element type, and independent of the message.
      const copy = new ArrayBuffer(bytes as number)
      new Uint8Array(copy).set(body.subarray(offset as number, (offset as number) + (bytes as number)))
      return new C(copy)
    })
  } catch (e) {
    if (e instanceof CodecError) throw e
    throw new CodecError(`message header is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  return parsed
}
