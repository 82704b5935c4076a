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
  /**
   * im2col of one image for a convolution with zero padding `pad` and `stride`:
   * x: (C, H, W) -> cols: (C * HH * WW, Ho * Wo), row-major, with Ho = floor((H + 2 pad - HH) / stride) + 1
   * (Wo likewise) and
   *   cols[(c * HH + i) * WW + j, oy * Wo + ox] = x[c, oy * stride + i - pad, ox * stride + j - pad]
   * (0 where that falls in the padding). Every element of cols[0 : C HH WW Ho Wo] is written.
   */
  im2col(
    x: FloatArray,
    C: number,
    H: number,
    W: number,
    HH: number,
    WW: number,
    stride: number,
    pad: number,
    cols: FloatArray,
  ): void
  /**
   * The adjoint of im2col, accumulating: dx: (C, H, W) += col2im(cols), i.e. every entry of
   * cols: (C * HH * WW, Ho * Wo) is added to the x element it was read from (padding entries are dropped).
   */
  col2im(
    cols: FloatArray,
    C: number,
    H: number,
    W: number,
    HH: number,
    WW: number,
    stride: number,
    pad: number,
    dx: FloatArray,
  ): void
  /**
   * 2x2 max pooling with stride 2 over `planes` planes of H x W (H, W >= 2):
   * out[p, i, j] = max(x[p, 2i, 2j], x[p, 2i, 2j + 1], x[p, 2i + 1, 2j], x[p, 2i + 1, 2j + 1]) for
   * i < floor(H / 2), j < floor(W / 2); a NaN in a window makes its maximum NaN.
   */
  maxPool2x2(x: FloatArray, planes: number, H: number, W: number, out: FloatArray): void
  /**
   * Its backward pass: dx (planes, H, W) is overwritten with zeros except that dout[p, i, j] is stored at
   * the first maximum of window (p, i, j) in row-major order (comparing x with `>`).
   */
  maxPool2x2Backward(
    x: FloatArray,
    dout: FloatArray,
    planes: number,
    H: number,
    W: number,
    dx: FloatArray,
  ): void
}

/** What the engine runs on, reported with every run so that timings can be compared honestly. */
export type BackendInfo = EngineInfo
