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
}

/** What the engine runs on, reported with every run so that timings can be compared honestly. */
export interface BackendInfo {
  backend: 'native' | 'ts'
  /** e.g. 'OpenBLAS 0.3.21' or 'Accelerate'; null on the TypeScript backend. */
  library: string | null
  /** The BLAS kernel family in use (OpenBLAS core name such as 'Haswell'), null when unknown. */
  core: string | null
  /** Where the core came from: the user's OPENBLAS_CORETYPE, our CPU-feature pick, or the library. */
  coreSource: 'env' | 'cpu-features' | 'library' | null
  blasThreads: number | null
  /** Why the native backend is not in use, when it is not. */
  fallbackReason: string | null
}
