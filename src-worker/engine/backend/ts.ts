/**
 * Pure-TypeScript kernels: the definition of what each kernel computes. Loops are ordered so the inner
 * loop walks contiguous memory (i-k-j for the plain case); correctness first, then this much speed.
 */
import type { FloatArray } from '../tensor'
import type { Backend } from './types'

export const gemmTs: Backend['gemm'] = (transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) => {
  for (let i = 0; i < M; i++) {
    const ci = i * ldc
    if (beta === 0) for (let j = 0; j < N; j++) C[ci + j] = 0
    else if (beta !== 1) for (let j = 0; j < N; j++) C[ci + j]! *= beta
  }
  if (alpha === 0 || K === 0) return
  // Accumulate in a float64 row so float32 results do not depend on summation rounding more than BLAS's.
  const acc = new Float64Array(N)
  for (let i = 0; i < M; i++) {
    acc.fill(0)
    for (let k = 0; k < K; k++) {
      const a = transA ? A[k * lda + i]! : A[i * lda + k]!
      if (a === 0) continue
      if (transB) {
        for (let j = 0; j < N; j++) acc[j]! += a * B[j * ldb + k]!
      } else {
        const bk = k * ldb
        for (let j = 0; j < N; j++) acc[j]! += a * B[bk + j]!
      }
    }
    const ci = i * ldc
    for (let j = 0; j < N; j++) C[ci + j]! += alpha * acc[j]!
  }
}

export function axpyTs(n: number, alpha: number, x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < n; i++) y[i]! += alpha * x[i]!
}

export function gatherU8Ts(
  src: Uint8Array,
  D: number,
  indices: Int32Array,
  count: number,
  mean: Float32Array | null,
  out: FloatArray,
): void {
  for (let b = 0; b < count; b++) {
    const s = indices[b]! * D
    const o = b * D
    if (mean === null) for (let j = 0; j < D; j++) out[o + j] = src[s + j]!
    // The difference of a byte and a float32 is exact in a double; storing rounds it once, as C does.
    else for (let j = 0; j < D; j++) out[o + j] = src[s + j]! - mean[j]!
  }
}

export const tsBackend: Backend = { name: 'ts', gemm: gemmTs, axpy: axpyTs, gatherU8: gatherU8Ts }
