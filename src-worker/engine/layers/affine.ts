/** Fully connected (affine) layer: out = x @ w + b, with x flattened per row. */
import { getBackend } from '../backend'
import { assertDtype, assertMinRank, assertShape, assertTensor } from '../check'
import { formatShape, scratchUninit, sizeOf, type Tensor } from '../tensor'

export interface AffineCache {
  /** x: (N, d1, ..., dk) as given to the forward pass. */
  x: Tensor
  /** w: (D, M) with D = d1 * ... * dk. */
  w: Tensor
  /** b: (M,) */
  b: Tensor
}

/** Options of a backward pass. `dx: false` skips the input gradient (a first layer does not need it). */
export interface BackwardOptions {
  dx?: boolean
}

/**
 * x: (N, d1, ..., dk), w: (D, M), b: (M,) -> out: (N, M).
 * Every row of x is flattened to D = d1 * ... * dk values.
 */
export function affineForward(x: Tensor, w: Tensor, b: Tensor): [Tensor, AffineCache] {
  return affineActForward(x, w, b, false, 'affineForward')
}

/**
 * affineForward with the relu applied in the same pass as the bias when `relu` (affineReluForward):
 * the GEMM writes out, then one Backend.biasAct pass adds b and clamps.
 */
export function affineActForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  relu: boolean,
  fn: string,
): [Tensor, AffineCache] {
  assertTensor(x, fn, 'x')
  assertTensor(w, fn, 'w')
  assertTensor(b, fn, 'b')
  assertMinRank(x, 2, fn, 'x')
  assertShape(w, [-1, -1], fn, 'w')
  const N = x.shape[0]!
  const D = sizeOf(x.shape.slice(1))
  const [Dw, M] = w.shape as [number, number]
  if (D !== Dw) {
    throw new RangeError(
      `${fn}: x ${formatShape(x.shape)} has ${D} values per row but w ${formatShape(w.shape)} expects ${Dw}`,
    )
  }
  assertShape(b, [M], fn, 'b')
  assertDtype(w, x.dtype, fn, 'w')
  assertDtype(b, x.dtype, fn, 'b')

  const out = scratchUninit([N, M], x.dtype)
  const backend = getBackend()
  backend.gemm(false, false, N, M, D, 1, x.data, D, w.data, M, 0, out.data, M)
  backend.biasAct(out.data, b.data, N, M, relu, out.data)
  return [out, { x, w, b }]
}

/**
 * dout: (N, M) -> [dx: (N, d1, ..., dk), dw: (D, M), db: (M,)].
 * With `{ dx: false }` the input gradient is not computed and dx is null.
 */
export function affineBackward(dout: Tensor, cache: AffineCache): [Tensor, Tensor, Tensor]
export function affineBackward(
  dout: Tensor,
  cache: AffineCache,
  options: BackwardOptions,
): [Tensor | null, Tensor, Tensor]
export function affineBackward(
  dout: Tensor,
  cache: AffineCache,
  options: BackwardOptions = {},
): [Tensor | null, Tensor, Tensor] {
  const fn = 'affineBackward'
  const { x, w } = cache
  const N = x.shape[0]!
  const M = w.shape[1]!
  assertTensor(dout, fn, 'dout')
  assertShape(dout, [N, M], fn, 'dout')
  assertDtype(dout, x.dtype, fn, 'dout')
  const db = scratchUninit([M], x.dtype)
  getBackend().colSums(dout.data, N, M, db.data)
  const [dx, dw] = affineWeightGrads(dout, cache, options.dx !== false)
  return [dx, dw, db]
}

/** dx (when wanted) and dw of an affine layer; the bias gradient is the caller's (colSums or fused). */
export function affineWeightGrads(
  dout: Tensor,
  cache: AffineCache,
  wantDx: boolean,
): [Tensor | null, Tensor] {
  const { x, w } = cache
  const N = x.shape[0]!
  const [D, M] = w.shape as [number, number]
  const gemm = getBackend().gemm
  const g = dout.data
  let dx: Tensor | null = null
  if (wantDx) {
    dx = scratchUninit(x.shape, x.dtype)
    gemm(false, true, N, D, M, 1, g, M, w.data, M, 0, dx.data, D)
  }
  const dw = scratchUninit([D, M], x.dtype)
  gemm(true, false, D, M, N, 1, x.data, D, g, M, 0, dw.data, M)
  return [dx, dw]
}
