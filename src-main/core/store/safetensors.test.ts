import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StoreError } from './errors'
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsLayout,
  withDtypes,
  type Tensors,
} from './safetensors'

const FILE = '/data/runs/x/checkpoints/last.safetensors'

function ascii(s: string): number[] {
  return [...Buffer.from(s, 'utf8')]
}

/** A file with this header (an object, or raw text) and data section, the way another writer might make it. */
function craft(header: object | string, data: number[] = [], pad = true): Uint8Array {
  let json = typeof header === 'string' ? header : JSON.stringify(header)
  if (pad) json = json.padEnd(Math.ceil(Buffer.byteLength(json) / 8) * 8, ' ')
  const h = Buffer.from(json, 'utf8')
  const out = Buffer.alloc(8 + h.length + data.length)
  out.writeBigUInt64LE(BigInt(h.length), 0)
  h.copy(out, 8)
  Buffer.from(data).copy(out, 8 + h.length)
  return new Uint8Array(out)
}

function decodeError(bytes: Uint8Array): StoreError {
  try {
    decodeSafetensors(bytes, FILE)
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).code).toBe('corrupt')
    expect((err as StoreError).file).toBe(FILE)
    expect((err as StoreError).message).toContain(FILE)
    return err as StoreError
  }
  throw new Error('expected a decode error')
}

describe('encodeSafetensors', () => {
  it('lays out a small file byte for byte as the format specifies', () => {
    // Header keys after __metadata__ follow the data order: larger dtypes first, then by name, so the
    // F32 tensor `b` precedes the U8 tensor `a`. The JSON is 131 bytes, padded with 5 spaces to 136.
    const json =
      '{"__metadata__":{"k":"v"},' +
      '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
      '"a":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}'
    expect(json.length).toBe(131)
    const expected = [
      ...[136, 0, 0, 0, 0, 0, 0, 0],
      ...ascii(json),
      ...ascii('     '),
      ...[0x00, 0x00, 0x80, 0x3f], // 1.0f, little-endian
      ...[1, 2],
    ]
    const bytes = encodeSafetensors(
      {
        a: { dtype: 'U8', shape: [2], data: Uint8Array.from([1, 2]) },
        b: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) },
      },
      { k: 'v' },
    )
    expect([...bytes]).toEqual(expected)
  })

  it('matches the reference implementation on its own example', () => {
    // safetensors' test_serialization_forced_alignement: one F32 tensor, 65 bytes of JSON padded to 72.
    const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'
    const bytes = encodeSafetensors({
      attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) },
    })
    expect([...bytes.subarray(0, 8 + 72)]).toEqual([72, 0, 0, 0, 0, 0, 0, 0, ...ascii(json.padEnd(72, ' '))])
    expect([...bytes.subarray(80)]).toEqual([
      ...[0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64],
      ...[0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64],
    ])
  })

  it('writes an empty file as a padded {}', () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')])
  })

  it('refuses tensors whose array, shape or name do not fit', () => {
    const bad: [Tensors, RegExp][] = [
      [
        { w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } as never },
        /tensors\.w: a F32 tensor needs a Float32Array/,
      ],
      [
        { w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } },
        /tensors\.w: shape \[2, 2\] has 4 elements, data has 3/,
      ],
      [{ w: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }, /tensors\.w: shape must be/],
      [
        { w: { dtype: 'F16', shape: [1], data: new Uint8Array(2) } as never },
        /tensors\.w: unsupported dtype 'F16'/,
      ],
      [{ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }, /reserved/],
    ]
    for (const [tensors, message] of bad) {
      expect(() => encodeSafetensors(tensors)).toThrow(message)
    }
    expect(() => encodeSafetensors({}, { n: 1 as never })).toThrow(
      /metadata\.n: metadata values must be strings/,
    )
  })
})

describe('decodeSafetensors', () => {
  it('round-trips every dtype, empty and scalar tensors, and metadata', () => {
    const tensors: Tensors = {
      'params.W1': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 1e-30, 5, Infinity]) },
      'params.b1': { dtype: 'F64', shape: [3], data: Float64Array.from([0.1, -0, 1e-300]) },
      labels: { dtype: 'I32', shape: [2, 2], data: Int32Array.from([-2147483648, 2147483647, 0, 7]) },
      pixels: { dtype: 'U8', shape: [1, 3], data: Uint8Array.from([0, 128, 255]) },
      empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      emptyBytes: { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
      scalar: { dtype: 'F64', shape: [], data: Float64Array.from([42]) },
      'ünï ☃': { dtype: 'U8', shape: [1], data: Uint8Array.from([9]) },
    }
    // A literal `__proto__:` would set the prototype; the name must still survive as a tensor name.
    Object.defineProperty(tensors, '__proto__', {
      value: { dtype: 'I32', shape: [1], data: Int32Array.from([3]) },
      enumerable: true,
    })
    const metadata = { format: 'pt', note: 'héllo "quoted"\n' }
    const bytes = encodeSafetensors(tensors, metadata)
    const decoded = decodeSafetensors(bytes, FILE)
    expect({ ...decoded.metadata }).toEqual(metadata)
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(tensors).sort())
    for (const [name, t] of Object.entries(tensors)) {
      const d = decoded.tensors[name]!
      expect(d.dtype).toBe(t.dtype)
      expect(d.shape).toEqual(t.shape)
      expect(d.data.constructor).toBe(t.data.constructor)
      expect([...d.data]).toEqual([...t.data])
    }
    // Every tensor's data starts at a multiple of its element size in the file, as numpy needs.
    const headerEnd = 8 + Number(Buffer.from(bytes).readBigUInt64LE(0))
    expect(headerEnd % 8).toBe(0)
    const header = JSON.parse(Buffer.from(bytes.subarray(8, headerEnd)).toString()) as Record<
      string,
      { dtype: string; data_offsets: [number, number] }
    >
    const size: Record<string, number> = { F64: 8, F32: 4, I32: 4, U8: 1 }
    for (const [name, info] of Object.entries(header)) {
      if (name !== '__metadata__') expect((headerEnd + info.data_offsets[0]) % size[info.dtype]!).toBe(0)
    }
  })

  it('decodes from a Buffer at an odd offset of a shared pool, copying the data out', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'F64', shape: [2], data: Float64Array.from([1.5, -2]) } })
    const pool = Buffer.alloc(bytes.length + 3)
    pool.set(bytes, 3)
    const decoded = decodeSafetensors(pool.subarray(3), FILE)
    expect([...decoded.tensors.w!.data]).toEqual([1.5, -2])
    pool.fill(0)
    expect([...decoded.tensors.w!.data]).toEqual([1.5, -2])
  })

  it('returns empty metadata when the file has none, and reads headers without padding', () => {
    const bytes = craft({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0x80, 0x3f], false)
    const decoded = decodeSafetensors(bytes, FILE)
    expect({ ...decoded.metadata }).toEqual({})
    expect([...decoded.tensors.x!.data]).toEqual([1])
  })

  it('infers dtypes from array types for engine-style tensors', () => {
    const t = withDtypes({
      w: { shape: [1], data: new Float32Array(1) },
      d: { shape: [1], data: new Float64Array(1) },
      i: { shape: [1], data: new Int32Array(1) },
      u: { shape: [1], data: new Uint8Array(1) },
    })
    expect(Object.values(t).map((x) => x.dtype)).toEqual(['F32', 'F64', 'I32', 'U8'])
  })

  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  })

  it('rejects truncated files and impossible header lengths', () => {
    expect(decodeError(new Uint8Array(5)).message).toMatch(/too short/)
    const huge = new Uint8Array(16)
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true)
    expect(decodeError(huge).message).toMatch(/header length 1099511627776 is too large/)
    const past = craft({}, [])
    new DataView(past.buffer).setBigUint64(0, 64n, true)
    expect(decodeError(past).message).toMatch(/runs past the end of the file/)
    const good = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array(2) } })
    expect(decodeError(good.subarray(0, good.length - 1)).message).toMatch(
      /tensor 'w': data ends past the end/,
    )
  })

  it('rejects headers that are not a JSON object', () => {
    expect(decodeError(craft('{"w": {"dtype": ')).message).toMatch(/header is not valid JSON/)
    expect(decodeError(craft('[1, 2]')).message).toMatch(/does not start with '\{'/)
    const bad = craft('{}      ')
    bad[9] = 0xff
    expect(decodeError(bad).message).toMatch(/not valid UTF-8/)
  })

  it('rejects overlapping, gapped and out-of-order offsets, naming the tensor', () => {
    const data = new Array(16).fill(0)
    expect(decodeError(craft({ a: f32(0, 8), b: f32(4, 12) }, data.slice(0, 12))).message).toMatch(
      /tensor 'b': data_offsets \[4, 12\] overlap the end of tensor 'a' \(8\)/,
    )
    expect(decodeError(craft({ a: f32(0, 4), b: f32(8, 12) }, data.slice(0, 12))).message).toMatch(
      /tensor 'b': data_offsets \[8, 12\] leave a gap after the end of tensor 'a'/,
    )
    expect(decodeError(craft({ a: f32(4, 8) }, data.slice(0, 8))).message).toMatch(
      /tensor 'a': .* leave a gap after the start of the data/,
    )
    expect(decodeError(craft({ a: f32(8, 4, [1]) }, data.slice(0, 8))).message).toMatch(
      /tensor 'a': .*end before/,
    )
    expect(decodeError(craft({ a: f32(0, 4) }, data.slice(0, 12))).message).toMatch(/8 unexpected bytes/)
  })

  it('rejects unknown dtypes, bad shapes and sizes that do not match the shape', () => {
    const four = [0, 0, 0, 0]
    expect(
      decodeError(craft({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, four)).message,
    ).toMatch(/tensor 'h': unsupported dtype "F16"/)
    expect(
      decodeError(craft({ s: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, four)).message,
    ).toMatch(/tensor 's': shape \[2\] of F32 needs 8 bytes but data_offsets span 4/)
    expect(
      decodeError(craft({ s: { dtype: 'U8', shape: [-4], data_offsets: [0, 4] } }, four)).message,
    ).toMatch(/tensor 's': shape is not a list/)
    expect(decodeError(craft({ s: { dtype: 'U8', shape: [4], data_offsets: [0] } }, four)).message).toMatch(
      /tensor 's': data_offsets is not a pair/,
    )
    expect(decodeError(craft({ s: 3 }, four)).message).toMatch(/tensor 's': entry is not an object/)
    expect(decodeError(craft({ __metadata__: { n: 1 } })).message).toMatch(/__metadata__\.n is not a string/)
  })
})

describe('readSafetensorsLayout', () => {
  it('reads only the header yet refuses exactly what decodeSafetensors refuses, with the same message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wb-layout-'))
    try {
      const file = join(dir, 'w.safetensors')
      const good = encodeSafetensors(
        withDtypes({
          W1: { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
          b: { shape: [2], data: new Float64Array(2) },
        }),
        { imageShape: '1,3,1', epoch: '4' },
      )
      const variants: Uint8Array[] = [good]
      // Every truncation, and a byte flipped (or appended) at every position of the header and data.
      for (let cut = 0; cut < good.length; cut++) variants.push(good.subarray(0, cut))
      for (let at = 0; at < good.length; at += 3) {
        const flipped = new Uint8Array(good)
        flipped[at] = flipped[at]! ^ 0x5a
        variants.push(flipped)
      }
      variants.push(new Uint8Array([...good, 0]))
      let refused = 0
      for (const bytes of variants) {
        await writeFile(file, bytes)
        const decoded = (() => {
          try {
            return decodeSafetensors(bytes, file)
          } catch (e) {
            return e as StoreError
          }
        })()
        const layout = await readSafetensorsLayout(file).catch((e: unknown) => e as StoreError)
        if (decoded instanceof StoreError) {
          refused++
          expect(layout, `${bytes.length} bytes`).toBeInstanceOf(StoreError)
          expect((layout as StoreError).message).toBe(decoded.message)
        } else {
          expect(layout).not.toBeInstanceOf(Error)
          const l = layout as Awaited<ReturnType<typeof readSafetensorsLayout>>
          expect({ ...l.metadata }).toEqual({ ...decoded.metadata })
          for (const [name, t] of Object.entries(decoded.tensors)) {
            expect(l.tensors[name]).toEqual({ dtype: t.dtype, shape: t.shape })
          }
        }
      }
      expect(refused).toBeGreaterThan(good.length)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
