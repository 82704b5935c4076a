import type { EngineInfo } from '../../../src-shared/engine-info'
import type { FloatArray } from '../tensor'

/**
 * The kernels every backend provides. The TypeScript backend (./ts.ts) is the executable specification;
 * the native backend must agree with it (tests compare them) and exists only to be faster.
 */
export interface Backend {
  readonly name: 'native' | 'ts'
  /**
   * General matrix multiply on row-major arrays, BLAS semantics:
   *   C := alpha * op(A) @ op(B) + beta * C
   * op(A): (M, K) (A stored (K, M) when transA), op(B): (K, N) (B stored (N, K) when transB), C: (M, N).
   * lda/ldb/ldc are row strides in elements. A, B and C share one element type and must not overlap.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: FloatArray,
    lda: number,
    B: FloatArray,
    ldb: number,
    beta: number,
    C: FloatArray,
    ldc: number,
  ): void
  /** y[0:n] += alpha * x[0:n]. x and y share one element type and must not overlap. */
  axpy(n: number, alpha: number, x: FloatArray, y: FloatArray): void
  /**
   * Minibatch assembly from uint8 images: out[b * D + j] = src[indices[b] * D + j] - mean[j] for b < count
   * (mean null: no subtraction). Indices must be in range; the caller has checked them.
   */
  gatherU8(
    src: Uint8Array,
    D: number,
    indices: Int32Array,
    count: number,
    mean: Float32Array | null,
    out: FloatArray,
  ): void
}

/** What the engine runs on, reported with every run so that timings can be compared honestly. */
export type BackendInfo = EngineInfo
