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
   * A layer capture's statistics of `values` (with relu: of max(values, 0), NaN kept) in two passes, as
   * tensorStats (src-shared/layerStats.ts) computes them and equal to it:
   *   out[0..5] = count of finite values, count of NaN and infinities, their sum, min, max, and the sum of
   *   squared deviations from their mean; out[6..6 + BIN_COUNT) = the counts per histogram bin.
   * out: a Float64Array of capture/bins.ts's STATS_LENGTH.
   */
  histogramStats(values: FloatArray, relu: boolean, out: Float64Array): void
  /** sum of x[i]^2 for i < n, accumulated in float64 (the L2 term of a loss). */
  sumSquares(x: FloatArray, n: number): number
  /**
   * Bias and activation after a GEMM, one pass: out[i, j] = act(x[i, j] + b[j]) over (N, M), with act the
   * relu `v < 0 ? 0 : v` (NaN passes, as np.maximum) when `relu`, else the identity; b null adds nothing.
   * out may be x itself (in place); otherwise no array overlaps another.
   */
  biasAct(x: FloatArray, b: FloatArray | null, N: number, M: number, relu: boolean, out: FloatArray): void
  /**
   * Relu backward and the previous layer's bias gradient, one pass over (N, M):
   *   out[i, j] = h[i, j] > 0 ? g[i, j] : 0,   db[j] = sum_i out[i, j] (float64 sums; db null: skipped)
   * h is the relu's input or its output (both are > 0 at the same places). out may be g itself.
   */
  reluBackward(
    g: FloatArray,
    h: FloatArray,
    N: number,
    M: number,
    out: FloatArray,
    db: FloatArray | null,
  ): void
  /** db[j] = sum_i g[i, j] over (N, M), float64 sums (an affine layer's bias gradient). */
  colSums(g: FloatArray, N: number, M: number, db: FloatArray): void
  /**
   * Softmax cross-entropy of scores x (N, C) with labels y in [0, C), rows shifted by their maximum:
   * returns mean_i -log softmax(x_i)[y_i] and writes dx = (softmax(x) - onehot(y)) / N. Labels are checked
   * by the caller; dx does not overlap x.
   */
  softmaxLoss(x: FloatArray, y: Int32Array, N: number, C: number, dx: FloatArray): number
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
   * Minibatch assembly from float rows: out[b * D + j] = src[indices[b] * D + j] for b < count, j < D.
   * src and out share one element type and do not overlap; indices are in range (the caller checked).
   */
  gatherRows(src: FloatArray, D: number, indices: Int32Array, count: number, out: FloatArray): void
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
