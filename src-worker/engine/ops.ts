/** Small whole-tensor helpers that models and update rules share. */
import { getBackend } from './backend'
import type { Rng } from './rng'
import { zeros, type DType, type Tensor } from './tensor'

/** sum(t * t), accumulated in float64 (the backend's kernel: a BLAS dot product on native). */
export function sumSquares(t: Tensor): number {
  return getBackend().sumSquares(t.data, t.data.length)
}

/** y += alpha * x, in place (the backend's axpy). x and y have the same number of elements. */
export function addScaled(y: Tensor, alpha: number, x: Tensor): void {
  if (x.data.length !== y.data.length) {
    throw new RangeError(`addScaled: x has ${x.data.length} elements, y has ${y.data.length}`)
  }
  getBackend().axpy(y.data.length, alpha, x.data, y.data)
}

/** A new tensor of N(0, scale^2) samples drawn from rng. */
export function randn(shape: readonly number[], scale: number, rng: Rng, dtype: DType): Tensor {
  const t = zeros(shape, dtype)
  for (let i = 0; i < t.data.length; i++) t.data[i] = scale * rng.normal()
  return t
}

/** A new tensor filled with `value`. */
export function full(shape: readonly number[], value: number, dtype: DType): Tensor {
  const t = zeros(shape, dtype)
  t.data.fill(value)
  return t
}

/** Row-wise argmax of scores: (N, C) -> (N,). */
export function argmaxRows(scores: Tensor): Int32Array {
  const [N, C] = scores.shape as [number, number]
  const out = new Int32Array(N)
  const s = scores.data
  for (let i = 0; i < N; i++) {
    let best = 0
    for (let j = 1; j < C; j++) if (s[i * C + j]! > s[i * C + best]!) best = j
    out[i] = best
  }
  return out
}
