import { afterEach, describe, expect, it } from 'vitest'
import { nativeAvailability, setBackend } from './backend'
import { gatherU8Ts } from './backend/ts'
import { Rng } from './rng'
import { tensorRows, uint8Rows } from './rows'
import { Solver } from './solver'
import { TwoLayerNet } from './models/twoLayerNet'
import { tensor } from './tensor'

const native = nativeAvailability()
afterEach(() => {
  setBackend('auto')
})

function images(n: number, D: number, seed = 1): Uint8Array {
  const rng = new Rng(seed)
  return Uint8Array.from({ length: n * D }, () => rng.nextUint32() & 255)
}

function meanOf(bytes: Uint8Array, n: number, D: number): Float32Array {
  const mean = new Float32Array(D)
  for (let j = 0; j < D; j++) {
    let s = 0
    for (let i = 0; i < n; i++) s += bytes[i * D + j]!
    mean[j] = s / n
  }
  return mean
}

describe('row sources', () => {
  it('uint8Rows returns pixel minus mean for the requested rows of its split', () => {
    const D = 6
    const bytes = images(10, D)
    const mean = Float32Array.from({ length: D }, (_, j) => j + 0.25)
    const rows = uint8Rows(bytes, [1, 2, 3], 4, 5, mean) // rows 4..8 of the buffer
    expect(rows.shape).toEqual([5, 1, 2, 3])
    const out = new Float32Array(2 * D)
    rows.readRows(Int32Array.of(3, 0), 2, out)
    for (let j = 0; j < D; j++) {
      expect(out[j]).toBe(Math.fround(bytes[7 * D + j]! - mean[j]!))
      expect(out[D + j]).toBe(Math.fround(bytes[4 * D + j]! - mean[j]!))
    }
    const raw = uint8Rows(bytes, [D], 0, 10, null)
    const out64 = new Float64Array(D)
    raw.readRows(Int32Array.of(9), 1, out64)
    expect([...out64]).toEqual([...bytes.subarray(9 * D, 10 * D)])
  })

  it('rejects rows outside the split, short buffers and mismatched means', () => {
    const bytes = images(4, 3)
    const rows = uint8Rows(bytes, [3], 1, 2, null)
    expect(() => rows.readRows(Int32Array.of(2), 1, new Float32Array(3))).toThrow(
      /row index 2 is outside \[0, 2\)/,
    )
    expect(() => rows.readRows(Int32Array.of(0, 1), 2, new Float32Array(5))).toThrow(/out holds 5 values/)
    expect(() => uint8Rows(bytes, [3], 2, 3, null)).toThrow(/rows \[2, 5\) of 3 bytes need 15 bytes, have 12/)
    expect(() => uint8Rows(bytes, [3], 0, 4, new Float32Array(2))).toThrow(/mean has 2 values, rows have 3/)
    const t = tensorRows(tensor([1, 2, 3, 4], [2, 2]))
    expect(() => t.readRows(Int32Array.of(-1), 1, new Float32Array(2))).toThrow(/row index -1/)
  })

  it.skipIf(!native.available)('the native gather equals the TypeScript kernel bit for bit', () => {
    const D = 3072
    const bytes = images(64, D, 3)
    const mean = meanOf(bytes, 64, D)
    const idx = Int32Array.from({ length: 40 }, (_, i) => (i * 37) % 64)
    const want = new Float32Array(40 * D)
    gatherU8Ts(bytes, D, idx, 40, mean, want)
    const backend = setBackend('native')
    const got = new Float32Array(40 * D)
    backend.gatherU8(bytes, D, idx, 40, mean, got)
    expect(got).toEqual(want)
    const gotRaw = new Float32Array(40 * D)
    backend.gatherU8(bytes, D, idx, 40, null, gotRaw)
    expect(gotRaw[5]).toBe(bytes[idx[0]! * D + 5])
  })

  it('a Solver on uint8 rows trains exactly like one on the same float32 tensor', () => {
    const n = 60
    const D = 48
    const bytes = images(n, D, 4)
    const mean = meanOf(bytes, n, D)
    const dense = tensor(
      Array.from(bytes, (v, k) => Math.fround(v - mean[k % D]!)),
      [n, 3, 4, 4],
    )
    const y = Int32Array.from({ length: n }, (_, i) => i % 5)
    const run = (XTrain: Parameters<typeof tensorRows>[0] | ReturnType<typeof uint8Rows>): number[] => {
      const model = new TwoLayerNet({ inputDim: D, hiddenDim: 20, numClasses: 5, weightScale: 1e-2, seed: 2 })
      const solver = new Solver(
        model,
        { XTrain, yTrain: y, XVal: XTrain, yVal: y },
        {
          optimConfig: { learningRate: 1e-4 },
          batchSize: 16,
          numEpochs: 3,
          seed: 7,
        },
      )
      solver.train()
      return [...solver.lossHistory, ...solver.valAccHistory]
    }
    const fromBytes = run(uint8Rows(bytes, [3, 4, 4], 0, n, mean))
    expect(fromBytes).toEqual(run(dense))
    expect(fromBytes.length).toBeGreaterThan(9)
  })
})
