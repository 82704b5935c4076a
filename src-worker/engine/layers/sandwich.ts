/** Convenience "sandwich" layers (CS231n layer_utils.py): common sequences as one forward/backward pair. */
import { affineBackward, affineForward, type AffineCache, type BackwardOptions } from './affine'
import { reluBackward, reluForward, type ReluCache } from './relu'
import type { Tensor } from '../tensor'

export interface AffineReluCache {
  fc: AffineCache
  relu: ReluCache
}

/** x: (N, d1, ..., dk), w: (D, M), b: (M,) -> out: (N, M) = relu(x @ w + b). */
export function affineReluForward(x: Tensor, w: Tensor, b: Tensor): [Tensor, AffineReluCache] {
  const [a, fc] = affineForward(x, w, b)
  const [out, relu] = reluForward(a)
  return [out, { fc, relu }]
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
  const da = reluBackward(dout, cache.relu)
  return affineBackward(da, cache.fc, options)
}
