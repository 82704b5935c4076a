import { describe, expect, it } from 'vitest'
import { CodecError, decodeMessage, encodeMessage } from './codec'

describe('cluster message codec', () => {
  it('round-trips typed arrays as raw bytes and keeps non-finite numbers', () => {
    const w = new Float32Array([0.1, -2.5, 3e-8])
    const value = {
      type: 'snapshot',
      W1: { shape: [3], data: w, dtype: 'float32' },
      d: new Float64Array([Math.PI, -0]),
      labels: new Uint8Array([1, 2, 255]),
      losses: [NaN, Infinity, -Infinity, 0.30000000000000004],
    }
    const buf = encodeMessage(value)
    // The floats travel as their 4 and 8 bytes, not as decimals.
    expect(buf.length).toBeLessThan(400)
    const back = decodeMessage(buf) as typeof value
    expect(back.W1.data).toBeInstanceOf(Float32Array)
    expect([...back.W1.data]).toEqual([...w])
    expect(back.d).toBeInstanceOf(Float64Array)
    expect(Object.is(back.d[1], -0)).toBe(true)
    expect([...back.labels]).toEqual([1, 2, 255])
    expect(back.losses).toEqual([NaN, Infinity, -Infinity, 0.30000000000000004])
  })

  it('refuses a damaged message rather than returning part of it', () => {
    const buf = encodeMessage({ a: new Float64Array(4) })
    expect(() => decodeMessage(buf.subarray(0, buf.length - 8))).toThrow(CodecError)
    expect(() => decodeMessage(buf.subarray(0, 3))).toThrow(CodecError)
    const bad = Buffer.from(buf)
    bad.writeUInt32LE(10_000, 0)
    expect(() => decodeMessage(bad)).toThrow(/runs past/)
    const head = Buffer.from(JSON.stringify({ a: { $wbTyped: 'f64', offset: 0, bytes: 7 } }))
    const len = Buffer.alloc(4)
    len.writeUInt32LE(head.length)
    expect(() => decodeMessage(Buffer.concat([len, head, Buffer.alloc(8)]))).toThrow(/outside/)
  })
})
