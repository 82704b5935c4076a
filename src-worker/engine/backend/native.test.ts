import { Worker } from 'node:worker_threads'
import { describe, it, expect } from 'vitest'
import type { FloatArray } from '../tensor'
import { backendInfo, setBackend } from './index'
import {
  loadAddon,
  loadNativeBackend,
  pickCore,
  selfTest,
  type CpuFeatures,
  type NativeAddon,
} from './native'
import { gemmTs } from './ts'
import type { Backend } from './types'

const loaded = loadNativeBackend()
const reason = 'error' in loaded ? loaded.error : null
// CI installs BLAS, so there an unavailable backend is a failure, not a skip.
const skip = reason !== null && !process.env['CI']
if (skip) console.warn('skipped: native backend unavailable: ' + reason)

function native(): Backend {
  if ('error' in loaded) throw new Error(`native backend unavailable: ${loaded.error}`)
  return loaded.backend
}

function addon(): NativeAddon {
  native()
  const a = loadAddon()
  if ('error' in a) throw new Error(a.error)
  return a.addon
}

let seed = 1
function random(n: number, dtype: 'float32' | 'float64'): FloatArray {
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    a[i] = seed / 2 ** 31 - 1
  }
  return a
}

interface Case {
  tA: boolean
  tB: boolean
  M: number
  N: number
  K: number
  alpha?: number
  beta?: number
  pad?: number
}

/** Runs a case on both backends (C starts random, strides padded by `pad`) and returns the relative error. */
function relError(dtype: 'float32' | 'float64', c: Case): number {
  const { tA, tB, M, N, K, alpha = 1, beta = 0, pad = 0 } = c
  const [ar, ac] = tA ? [K, M] : [M, K]
  const [br, bc] = tB ? [N, K] : [K, N]
  const A = random(ar * (ac + pad), dtype)
  const B = random(br * (bc + pad), dtype)
  const want = random(M * (N + pad), dtype)
  const got = want.slice()
  gemmTs(tA, tB, M, N, K, alpha, A, ac + pad, B, bc + pad, beta, want, N + pad)
  native().gemm(tA, tB, M, N, K, alpha, A, ac + pad, B, bc + pad, beta, got, N + pad)
  let diff = 0
  let scale = 1e-300
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!))
    scale = Math.max(scale, Math.abs(want[i]!))
  }
  return diff / scale
}

const TOL = { float32: 1e-5, float64: 1e-12 } as const

describe('native gemm agrees with gemmTs', () => {
  const small: Case[] = []
  for (const tA of [false, true]) {
    for (const tB of [false, true]) {
      small.push({ tA, tB, M: 7, N: 5, K: 3 })
      small.push({ tA, tB, M: 37, N: 29, K: 53, alpha: -0.5, beta: 0.25, pad: 3 })
      small.push({ tA, tB, M: 1, N: 1, K: 300, alpha: 2, beta: 1 })
    }
  }
  // The benchmark net's first affine layer: forward X.W, backward Xt.dout (dW) and dout.Wt (dX).
  const training: Case[] = [
    { tA: false, tB: false, M: 200, N: 100, K: 3072 },
    { tA: true, tB: false, M: 3072, N: 100, K: 200, beta: 1 },
    { tA: false, tB: true, M: 200, N: 3072, K: 100 },
  ]
  for (const dtype of ['float32', 'float64'] as const) {
    it.skipIf(skip)(`${dtype}: all transposes, alpha/beta, padded strides`, () => {
      for (const c of small) expect(relError(dtype, c), JSON.stringify(c)).toBeLessThan(TOL[dtype])
    })
    it.skipIf(skip)(`${dtype}: training shapes 200x3072x100 and its backward GEMMs`, () => {
      for (const c of training) expect(relError(dtype, c), JSON.stringify(c)).toBeLessThan(TOL[dtype])
    })
  }

  it.skipIf(skip)('K = 0 or alpha = 0 scales C by beta; beta = 0 clears NaN; empty C is a no-op', () => {
    const C = new Float32Array([1, 2, Number.NaN, 4])
    native().gemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 0.5, C, 2)
    expect([...C.slice(0, 2)]).toEqual([0.5, 1])
    native().gemm(false, false, 2, 2, 3, 0, random(6, 'float32'), 3, random(6, 'float32'), 2, 0, C, 2)
    expect([...C]).toEqual([0, 0, 0, 0])
    native().gemm(false, false, 0, 0, 3, 1, new Float32Array(0), 3, new Float32Array(6), 1, 0, C, 1)
    expect([...C]).toEqual([0, 0, 0, 0])
  })

  it.skipIf(skip)('leaves the padding between rows of C untouched', () => {
    const C = new Float64Array(3 * 4).fill(7)
    native().gemm(
      false,
      false,
      3,
      2,
      1,
      1,
      new Float64Array([1, 2, 3]),
      1,
      new Float64Array([1, 1]),
      2,
      0,
      C,
      4,
    )
    expect([...C]).toEqual([1, 1, 7, 7, 2, 2, 7, 7, 3, 3, 7, 7])
  })
})

describe('native gemm argument checks', () => {
  const f32 = (n: number): Float32Array => new Float32Array(n)
  it.skipIf(skip)('JS wrapper names the bad argument', () => {
    const g = native().gemm
    expect(() => g(false, false, 2, 2, 3, 1, f32(6), 2, f32(6), 2, 0, f32(4), 2)).toThrow(
      /lda = 2.*columns of A/,
    )
    expect(() => g(false, false, 2, 2, 3, 1, f32(5), 3, f32(6), 2, 0, f32(4), 2)).toThrow(
      /A has 5 elements, needs 6/,
    )
    expect(() => g(true, true, 2, 2, 3, 1, f32(6), 2, f32(5), 3, 0, f32(4), 2)).toThrow(
      /B has 5 elements, needs 6/,
    )
    expect(() => g(false, false, 2, 2, 3, 1, f32(6), 3, f32(6), 2, 0, f32(3), 2)).toThrow(RangeError)
    expect(() => g(false, false, 1.5, 2, 3, 1, f32(6), 3, f32(6), 2, 0, f32(4), 2)).toThrow(/M must be/)
    expect(() => g(false, false, 2, 2, 3, 1, f32(6), 3, new Float64Array(6), 2, 0, f32(4), 2)).toThrow(
      TypeError,
    )
  })

  it.skipIf(skip)('addon checks again, so C never reads out of bounds', () => {
    const a = addon()
    expect(() => a.sgemm(false, false, 2, 2, 3, 1, f32(5), 3, f32(6), 2, 0, f32(4), 2)).toThrow(RangeError)
    expect(() => a.sgemm(false, false, 2, 2, 3, 1, f32(6), 3, f32(6), 2, 0, f32(4), 1)).toThrow(/ldc = 1/)
    const wrong = new Float64Array(6) as unknown as Float32Array
    expect(() => a.sgemm(false, false, 2, 2, 3, 1, f32(6), 3, wrong, 2, 0, f32(4), 2)).toThrow(
      /B must be a Float32Array/,
    )
    const A = f32(10)
    expect(() => a.sgemm(false, false, 2, 2, 3, 1, A, 3, f32(6), 2, 0, A.subarray(4), 2)).toThrow(
      /share memory/,
    )
    expect(() => (a.dgemm as (...x: unknown[]) => void)(false, false, 1)).toThrow(/13 arguments/)
  })
})

describe('native backend info', () => {
  it.skipIf(skip)('reports native with the BLAS core in use', () => {
    native()
    setBackend('auto')
    const info = backendInfo()
    expect(info.backend).toBe('native')
    expect(info.fallbackReason).toBeNull()
    expect(info.library).toMatch(/^OpenBLAS \d|^Accelerate$/)
    if (process.platform === 'linux') expect(info.core).toEqual(expect.any(String))
    const env = process.env['OPENBLAS_CORETYPE']
    if (env) expect(info.coreSource === 'env' ? info.core?.toLowerCase() : 'library').toBe(env.toLowerCase())
    expect(info.blasThreads).toBe(Number(process.env['WORKBENCH_BLAS_THREADS'] || 1))
  })

  it.skipIf(skip)('loads in several worker threads at once (context-aware addon)', async () => {
    const { path } = loadAddon() as { path: string }
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const m = { exports: {} }
      process.dlopen(m, workerData)
      m.exports.init({})
      const C = new Float64Array(1)
      m.exports.dgemm(false, false, 1, 1, 2, 1, new Float64Array([1, 2]), 2, new Float64Array([3, 4]), 1, 0, C, 1)
      parentPort.postMessage(C[0])`
    const run = (): Promise<unknown> =>
      new Promise((res, rej) => {
        const w = new Worker(code, { eval: true, workerData: path })
        w.once('message', res)
        w.once('error', rej)
      })
    expect(await Promise.all([run(), run(), run()])).toEqual([11, 11, 11])
  })
})

describe('core pick and self-test (no addon needed)', () => {
  const none: CpuFeatures = {
    avx: false,
    avx2: false,
    fma: false,
    avx512f: false,
    avx512bw: false,
    avx512dq: false,
    avx512vl: false,
  }
  it('maps CPU features to OpenBLAS cores', () => {
    expect(pickCore(none)).toBeNull()
    expect(pickCore({ ...none, avx: true })).toBe('Sandybridge')
    expect(pickCore({ ...none, avx: true, avx2: true, fma: true })).toBe('Haswell')
    const all = { ...none, avx: true, avx2: true, fma: true, avx512f: true, avx512bw: true, avx512dq: true }
    expect(pickCore(all)).toBe('Haswell')
    expect(pickCore({ ...all, avx512vl: true })).toBe('SkylakeX')
  })

  it('self-test passes gemmTs and catches a wrong kernel', () => {
    expect(selfTest(gemmTs)).toBeNull()
    const off: Backend['gemm'] = (tA, tB, M, N, K, alpha, ...rest) =>
      gemmTs(tA, tB, M, N, K, alpha * 1.01, ...rest)
    expect(selfTest(off)).toMatch(/float32 gemm transA=false transB=false .* differs/)
  })
})
