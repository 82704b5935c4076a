/** Convolutional "sandwich" layers (CS231n layer_utils.py): conv - relu and conv - relu - max pool. */
import { getBackend } from '../backend'
import { assertDtype, assertShape, assertTensor } from '../check'
import { scratchUninit, type FloatArray, type Tensor } from '../tensor'
import type { BackwardOptions } from './affine'
import {
  convBackward,
  convDims,
  convForward,
  convForwardUnbiased,
  convWeightGrads,
  foldPlanes,
  transposeInto,
  type ConvCache,
  type ConvParam,
} from './conv'
import { maxPoolBackward, maxPoolForward, type MaxPoolCache, type PoolParam } from './pool'
import { reluBackward, reluForward, type ReluCache } from './relu'

export interface ConvReluCache {
  conv: ConvCache
  relu: ReluCache
}

export interface ConvReluPoolCache {
  conv: ConvCache
  /** The pool's cache: its input is the convolution's output before the bias, (N, F, Ho, Wo). */
  pool: MaxPoolCache
  /** The relu's cache, holding the layer's output (N, F, Hp, Wp): > 0 exactly where its input is. */
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
 * Computed as relu(maxpool(conv(x) without b) + b), which is the same function: relu is monotonic, so it
 * commutes with max, and so does adding a per-channel constant. Bias and relu then touch a quarter of the
 * values for 2x2 pooling, in one pass (Backend.biasAct). The gradients are the same too: a window whose
 * maximum is <= 0 passes none either way, otherwise both route it to the first maximum.
 */
export function convReluPoolForward(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  convParam: ConvParam,
  poolParam: PoolParam,
): [Tensor, ConvReluPoolCache] {
  const [a, conv] = convForwardUnbiased(x, w, b, convParam, 'convReluPoolForward')
  const [out, pool] = maxPoolForward(a, poolParam)
  const [N, F, Hp, Wp] = out.shape as [number, number, number, number]
  const Q = Hp * Wp
  const perValue = scratchUninit([F * Q], x.dtype).data
  for (let f = 0; f < F; f++) perValue.fill(b.data[f]!, f * Q, (f + 1) * Q)
  getBackend().biasAct(out.data, perValue, N, F * Q, true, out.data)
  return [out, { conv, relu: { x: out }, pool }]
}

/**
 * The gradients of convReluPoolForward, with the filter gradient transposed (C HH WW, F) as BLAS
 * computes it fastest (see convWeightGrads): for callers that fold it into an update.
 */
export function convReluPoolGrads(
  dout: Tensor,
  cache: ConvReluPoolCache,
  options: BackwardOptions = {},
): { dx: Tensor | null; dwT: FloatArray; db: Tensor } {
  const fn = 'convReluPoolBackward'
  const out = cache.relu.x
  assertTensor(dout, fn, 'dout')
  assertShape(dout, out.shape, fn, 'dout')
  assertDtype(dout, out.dtype, fn, 'dout')
  const [N, F, Hp, Wp] = out.shape as [number, number, number, number]
  const dp = scratchUninit(out.shape, out.dtype)
  const backend = getBackend()
  backend.reluBackward(dout.data, out.data, N, F * Hp * Wp, dp.data, null)
  const da = maxPoolBackward(dp, cache.pool)
  const d = convDims(fn, da, cache.conv)
  // db summed as convBackward sums it (over da, not the 4x fewer pooled values): the same numbers in
  // the same order, so the sandwich's gradients equal the textbook composition's bit for bit.
  const P = d.Ho * d.Wo
  const sums = scratchUninit([F * P], out.dtype).data
  backend.colSums(da.data, N, F * P, sums)
  const db = scratchUninit([F], out.dtype)
  foldPlanes(sums, F, P, db.data)
  const { dx, dwT } = convWeightGrads(da, cache.conv, d, options.dx !== false)
  return { dx, dwT, db }
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
  const { dx, dwT, db } = convReluPoolGrads(dout, cache, options)
  const w = cache.conv.w
  const F = w.shape[0]!
  const dw = transposeInto(dwT, w.data.length / F, F, scratchUninit(w.shape, w.dtype))
  return [dx, dw, db]
}
