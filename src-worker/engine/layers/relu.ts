/** Rectified linear unit, elementwise: out = max(0, x). */
import { assertDtype, assertSameShape, assertTensor } from '../check'
import { scratchUninit, type Tensor } from '../tensor'

export interface ReluCache {
  /** x: any shape, as given to the forward pass. */
  x: Tensor
}

/** x: any shape -> out: same shape. */
export function reluForward(x: Tensor): [Tensor, ReluCache] {
  assertTensor(x, 'reluForward', 'x')
  const out = scratchUninit(x.shape, x.dtype)
  const o = out.data
  const xd = x.data
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!
    // As np.maximum(0, x): NaN propagates, so a diverged weight reaches the loss's finiteness check
    // instead of silently becoming a dead unit.
    o[i] = v < 0 ? 0 : v
  }
  return [out, { x }]
}

/** dout: shape of x -> dx: shape of x; the gradient passes where x > 0. */
export function reluBackward(dout: Tensor, cache: ReluCache): Tensor {
  const fn = 'reluBackward'
  assertTensor(dout, fn, 'dout')
  assertSameShape(dout, cache.x, fn, 'dout', 'x')
  assertDtype(dout, cache.x.dtype, fn, 'dout')
  const dx = scratchUninit(dout.shape, dout.dtype)
  const d = dx.data
  const g = dout.data
  const xd = cache.x.data
  for (let i = 0; i < g.length; i++) d[i] = xd[i]! > 0 ? g[i]! : 0
  return dx
}
