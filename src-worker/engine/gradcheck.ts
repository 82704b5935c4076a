/**
 * Numerical gradients by centred differences (CS231n gradient_check.py), for checking analytic
 * backward passes. Use float64 tensors: float32 cannot resolve the differences involved.
 */
import { zeros, type Tensor } from './tensor'

export interface NumericalGradientOptions {
  /** Print each coordinate's gradient as it is computed. */
  verbose?: boolean
  /** Step size of the centred difference. Default 1e-5. */
  h?: number
}

/**
 * Gradient of a scalar function at x. f is called with x modified in place (and restored), as CS231n's
 * `eval_numerical_gradient`: f usually ignores its argument and reads the model's parameters.
 * x: any shape -> grad: same shape.
 */
export function evalNumericalGradient(
  f: (x: Tensor) => number,
  x: Tensor,
  { verbose = false, h = 1e-5 }: NumericalGradientOptions = {},
): Tensor {
  const grad = zeros(x.shape, x.dtype)
  const xd = x.data
  for (let i = 0; i < xd.length; i++) {
    const old = xd[i]!
    let fxph: number
    let fxmh: number
    try {
      xd[i] = old + h
      fxph = f(x)
      xd[i] = old - h
      fxmh = f(x)
    } finally {
      xd[i] = old
    }
    grad.data[i] = (fxph - fxmh) / (2 * h)
    if (verbose) console.log(`[${i}] ${grad.data[i]}`)
  }
  return grad
}

/**
 * Numerical gradient of sum(f(x) * df) for an array-valued f, i.e. what backward(df) should return.
 * x: any shape, df: shape of f(x) -> grad: shape of x. f may return x itself or a view of it (an identity
 * layer) or a buffer it reuses between calls: both outputs are read before x is restored.
 */
export function evalNumericalGradientArray(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  df: Tensor,
  h = 1e-5,
): Tensor {
  const grad = zeros(x.shape, x.dtype)
  const xd = x.data
  const dfd = df.data
  for (let i = 0; i < xd.length; i++) {
    const old = xd[i]!
    let s = 0
    try {
      xd[i] = old + h
      const pos = f(x).data.slice()
      xd[i] = old - h
      // Not a copy: `neg` may alias x, so it must be read before x[i] is restored.
      const neg = f(x).data
      if (pos.length !== dfd.length || neg.length !== dfd.length) {
        throw new RangeError(
          `evalNumericalGradientArray: f(x) has ${pos.length} values, df has ${dfd.length}`,
        )
      }
      for (let j = 0; j < pos.length; j++) s += (pos[j]! - neg[j]!) * dfd[j]!
    } finally {
      xd[i] = old
    }
    grad.data[i] = s / (2 * h)
  }
  return grad
}

/** Maximum relative error max(|x - y| / max(1e-8, |x| + |y|)) over all elements. */
export function relError(x: Tensor | number, y: Tensor | number): number {
  const a = typeof x === 'number' ? [x] : x.data
  const b = typeof y === 'number' ? [y] : y.data
  if (a.length !== b.length) throw new RangeError(`relError: sizes differ (${a.length} vs ${b.length})`)
  let worst = 0
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1e-8, Math.abs(a[i]!) + Math.abs(b[i]!))
    if (e > worst || Number.isNaN(e)) worst = e
  }
  return worst
}
