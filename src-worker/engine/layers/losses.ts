/** Classification losses on scores x: (N, C) and integer labels y: (N,). Both return [loss, dx]. */
import { getBackend } from '../backend'
import { assertFinite, assertLabels, assertShape, assertTensor } from '../check'
import { scratch, scratchUninit, type Tensor } from '../tensor'

function checkLossArgs(fn: string, x: Tensor, y: Int32Array): [number, number] {
  assertTensor(x, fn, 'x')
  assertShape(x, [-1, -1], fn, 'x')
  const [N, C] = x.shape as [number, number]
  if (N < 1) throw new RangeError(`${fn}: x must have at least one row, got (0, ${C})`)
  assertLabels(y, N, C, fn)
  // Scores are small (N x C); a NaN here usually means the learning rate blew the weights up.
  assertFinite(x, fn, 'x (scores)')
  return [N, C]
}

/**
 * Multiclass SVM (hinge) loss with margin 1.
 * x: (N, C) scores, y: (N,) labels in [0, C) -> [loss: mean over rows, dx: (N, C)].
 */
export function svmLoss(x: Tensor, y: Int32Array): [number, Tensor] {
  const [N, C] = checkLossArgs('svmLoss', x, y)
  const s = x.data
  const dx = scratch([N, C], x.dtype)
  const d = dx.data
  let loss = 0
  for (let i = 0; i < N; i++) {
    const row = i * C
    const yi = y[i]!
    const correct = s[row + yi]!
    let positive = 0
    for (let j = 0; j < C; j++) {
      if (j === yi) continue
      const margin = s[row + j]! - correct + 1
      if (margin > 0) {
        loss += margin
        d[row + j] = 1 / N
        positive++
      }
    }
    d[row + yi] = -positive / N
  }
  return [loss / N, dx]
}

/**
 * Softmax cross-entropy, numerically stable (scores shifted by their row maximum).
 * x: (N, C) scores, y: (N,) labels in [0, C) -> [loss: mean -log p(y), dx: (N, C)].
 */
export function softmaxLoss(x: Tensor, y: Int32Array): [number, Tensor] {
  const [N, C] = checkLossArgs('softmaxLoss', x, y)
  const dx = scratchUninit([N, C], x.dtype)
  // One pass per row in the backend: max, exponentials, loss and gradient (see Backend.softmaxLoss).
  const loss = getBackend().softmaxLoss(x.data, y, N, C, dx.data)
  return [loss, dx]
}
