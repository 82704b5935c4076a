/** The tapped variants of the fused layers a model's loss() uses, for layer capture (ActivationTap). */
import { affineForward } from '../layers/affine'
import { reluForward } from '../layers/relu'
import { affineReluForward, type AffineReluCache } from '../layers/sandwich'
import { scratchUninit, type Tensor } from '../tensor'
import type { ActivationTap } from './types'

/**
 * affineReluForward, or with a tap the same function unfused (the fused kernel clamps in place and keeps
 * no pre-activation), reporting the pre-activation as hidden layer `index`. The cache is the sandwich's,
 * so affineReluBackward reads it as usual.
 */
export function affineReluForwardTapped(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  tap: ActivationTap | null | undefined,
  index: number,
): [Tensor, AffineReluCache] {
  if (!tap) return affineReluForward(x, w, b)
  const [a, fc] = affineForward(x, w, b)
  tap(index, a, null)
  const [out] = reluForward(a)
  return [out, { fc, relu: { x: out } }]
}

/**
 * Reports a conv layer's pre-activation from convReluPoolForward's cache, which holds the convolution
 * before its bias (the sandwich adds it after pooling): conv + b, (N, F, Ho, Wo), in a scratch buffer.
 */
export function tapConvPreactivation(unbiased: Tensor, b: Tensor, tap: ActivationTap, index: number): void {
  const [N, F, Ho, Wo] = unbiased.shape as [number, number, number, number]
  const P = Ho * Wo
  const pre = scratchUninit(unbiased.shape, unbiased.dtype)
  const src = unbiased.data
  const dst = pre.data
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const bf = b.data[f]!
      const o = (n * F + f) * P
      for (let q = 0; q < P; q++) dst[o + q] = src[o + q]! + bf
    }
  }
  tap(index, pre, null)
}
