/** Rectified linear unit, elementwise: out = max(0, x). */
import { getBackend } from '../backend'
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
  // As np.maximum(0, x): NaN propagates, so a diverged weight reaches the loss's finiteness check instead
  // of silently becoming a dead unit (the kernel's relu is `v < 0 ? 0 : v`).
  getBackend().biasAct(x.data, null, 1, x.data.length, true, out.data)
  return [out, { x }]
}

/** dout: shape of x -> dx: shape of x; the gradient passes where x > 0. */
export function reluBackward(dout: Tensor, cache: ReluCache): Tensor {
  const fn = 'reluBackward'
  assertTensor(dout, fn, 'dout')
  assertSameShape(dout, cache.x, fn, 'dout', 'x')
  assertDtype(dout, cache.x.dtype, fn, 'dout')
  const dx = scratchUninit(dout.shape, dout.dtype)
  getBackend().reluBackward(dout.data, cache.x.data, 1, dout.data.length, dx.data, null)
  return dx
}
