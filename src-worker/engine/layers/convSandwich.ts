/** Convolutional "sandwich" layers (CS231n layer_utils.py): conv - relu and conv - relu - max pool. */
import type { BackwardOptions } from './affine'
import { convBackward, convForward, type ConvCache, type ConvParam } from './conv'
import { maxPoolBackward, maxPoolForward, type MaxPoolCache, type PoolParam } from './pool'
import { reluBackward, reluForward, type ReluCache } from './relu'
import type { Tensor } from '../tensor'

export interface ConvReluCache {
  conv: ConvCache
  relu: ReluCache
}

export interface ConvReluPoolCache {
  conv: ConvCache
  /** The pool's cache: its input is the convolution's output (N, F, Ho, Wo). */
  pool: MaxPoolCache
  /** The relu's cache: its input is the pooled (N, F, Hp, Wp). */
  relu: ReluCache
}

/** x: (N, C, H, W), w: (F, C, HH, WW), b: (F,) -> out: (N, F, Ho, Wo) = relu(conv(x)). */
export function convReluForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
): [Tensor, ConvReluCache] {
  const [a, conv] = convForward(x, w, b, convParam)
  const [out, relu] = reluForward(a)
  return [out, { conv, relu }]
}

/** dout: (N, F, Ho, Wo) -> [dx: (N, C, H, W), dw, db]; `{ dx: false }` skips dx (null). */
export function convReluBackward(dout: Tensor, cache: ConvReluCache): [Tensor, Tensor, Tensor]
export function convReluBackward(
  dout: Tensor,
  cache: ConvReluCache,
  options: BackwardOptions,
): [Tensor | null, Tensor, Tensor]
export function convReluBackward(
  dout: Tensor,
  cache: ConvReluCache,
  options: BackwardOptions = {},
): [Tensor | null, Tensor, Tensor] {
  return convBackward(reluBackward(dout, cache.relu), cache.conv, options)
}

/**
 * x: (N, C, H, W), w: (F, C, HH, WW), b: (F,) -> out: (N, F, Hp, Wp) = maxpool(relu(conv(x))), with
 * (Hp, Wp) the pooled size of the convolution's (Ho, Wo).
 *
 * Computed as relu(maxpool(conv(x))), which is the same function (relu is monotonic, so it commutes with
 * max) with the same gradients (a window whose maximum is <= 0 passes no gradient either way; otherwise
 * both route it to the first maximum), and applies the relu to a quarter of the values for 2x2 pooling.
 */
export function convReluPoolForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
  poolParam: PoolParam,
): [Tensor, ConvReluPoolCache] {
  const [a, conv] = convForward(x, w, b, convParam)
  const [p, pool] = maxPoolForward(a, poolParam)
  const [out, relu] = reluForward(p)
  return [out, { conv, relu, pool }]
}

/** dout: (N, F, Hp, Wp) -> [dx: (N, C, H, W), dw, db]; `{ dx: false }` skips dx (null). */
export function convReluPoolBackward(dout: Tensor, cache: ConvReluPoolCache): [Tensor, Tensor, Tensor]
export function convReluPoolBackward(
  dout: Tensor,
  cache: ConvReluPoolCache,
  options: BackwardOptions,
): [Tensor | null, Tensor, Tensor]
export function convReluPoolBackward(
  dout: Tensor,
  cache: ConvReluPoolCache,
  options: BackwardOptions = {},
): [Tensor | null, Tensor, Tensor] {
  const dp = reluBackward(dout, cache.relu)
  const da = maxPoolBackward(dp, cache.pool)
  return convBackward(da, cache.conv, options)
}
