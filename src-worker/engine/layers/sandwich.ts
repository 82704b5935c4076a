/** Convenience "sandwich" layers (CS231n layer_utils.py): common sequences as one forward/backward pair. */
import { getBackend } from '../backend'
import { assertDtype, assertShape, assertTensor } from '../check'
import { scratchUninit, type Tensor } from '../tensor'
import { affineActForward, affineWeightGrads, type AffineCache, type BackwardOptions } from './affine'
import type { ReluCache } from './relu'

export interface AffineReluCache {
  fc: AffineCache
  /** Holds the relu's output rather than its input: both are > 0 at the same places. */
  relu: ReluCache
}

/** x: (N, d1, ..., dk), w: (D, M), b: (M,) -> out: (N, M) = relu(x @ w + b). */
export function affineReluForward(x: Tensor, w: Tensor, b: Tensor): [Tensor, AffineReluCache] {
  // One buffer: the GEMM writes it, then bias and relu are applied to it in place.
  const [out, fc] = affineActForward(x, w, b, true, 'affineReluForward')
  return [out, { fc, relu: { x: out } }]
}

/** dout: (N, M) -> [dx: (N, d1, ..., dk), dw: (D, M), db: (M,)]; `{ dx: false }` skips dx (null). */
export function affineReluBackward(dout: Tensor, cache: AffineReluCache): [Tensor, Tensor, Tensor]
export function affineReluBackward(
  dout: Tensor,
  cache: AffineReluCache,
  options: BackwardOptions,
): [Tensor | null, Tensor, Tensor]
export function affineReluBackward(
  dout: Tensor,
  cache: AffineReluCache,
  options: BackwardOptions = {},
): [Tensor | null, Tensor, Tensor] {
  const fn = 'affineReluBackward'
  const h = cache.relu.x
  assertTensor(dout, fn, 'dout')
  assertShape(dout, h.shape, fn, 'dout')
  assertDtype(dout, h.dtype, fn, 'dout')
  const [N, M] = h.shape as [number, number]
  // The relu mask and the bias gradient in one pass; the masked gradient is the weight GEMMs' input.
  const da = scratchUninit(h.shape, h.dtype)
  const db = scratchUninit([M], h.dtype)
  getBackend().reluBackward(dout.data, h.data, N, M, da.data, db.data)
  const [dx, dw] = affineWeightGrads(da, cache.fc, options.dx !== false)
  return [dx, dw, db]
}
