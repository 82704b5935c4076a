/** Fully connected (affine) layer: out = x @ w + b, with x flattened per row. */
import { getBackend } from '../backend'
import { assertDtype, assertMinRank, assertShape, assertTensor } from '../check'
import { formatShape, scratch, scratchUninit, sizeOf, type Tensor } from '../tensor'

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
  const fn = 'affineForward'
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
  const o = out.data
  const bd = b.data
  for (let i = 0; i < N; i++) o.set(bd, i * M)
  getBackend().gemm(false, false, N, M, Dw, 1, x.data, Dw, w.data, M, 1, o, M)
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
  const [D, M] = w.shape as [number, number]
  assertTensor(dout, fn, 'dout')
  assertShape(dout, [N, M], fn, 'dout')
  assertDtype(dout, x.dtype, fn, 'dout')
  const gemm = getBackend().gemm
  const g = dout.data

  let dx: Tensor | null = null
  if (options.dx !== false) {
    dx = scratchUninit(x.shape, x.dtype)
    gemm(false, true, N, D, M, 1, g, M, w.data, M, 0, dx.data, D)
  }
  const dw = scratchUninit([D, M], x.dtype)
  gemm(true, false, D, M, N, 1, x.data, D, g, M, 0, dw.data, M)
  const db = scratch([M], x.dtype)
  const dbd = db.data
  for (let i = 0; i < N; i++) {
    const row = i * M
    for (let j = 0; j < M; j++) dbd[j]! += g[row + j]!
  }
  return [dx, dw, db]
}
