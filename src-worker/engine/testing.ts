/**
 * Helpers shared by the engine's tests (not used at run time): numpy-like constructors and CS231n-style
 * gradient-check plumbing. Reference values in the tests were computed with numpy and are embedded.
 */
import { evalNumericalGradient, evalNumericalGradientArray, relError } from './gradcheck'
import { Rng } from './rng'
import { tensor, type DType, type Tensor } from './tensor'

/** numpy.linspace(start, stop, n): start + i * step, the last point exactly `stop`. */
export function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1)
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step))
}

/** np.linspace(start, stop, prod(shape)).reshape(shape) */
export function lin(start: number, stop: number, shape: readonly number[], dtype: DType = 'float64'): Tensor {
  return tensor(
    linspace(
      start,
      stop,
      shape.reduce((a, b) => a * b, 1),
    ),
    shape,
    dtype,
  )
}

/** scale * np.random.randn(*shape) + shift, drawn from a seeded Rng. */
export function randn(
  rng: Rng,
  shape: readonly number[],
  { scale = 1, shift = 0, dtype = 'float64' as DType } = {},
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1)
  return tensor(
    Array.from({ length: n }, () => shift + scale * rng.normal()),
    shape,
    dtype,
  )
}

/** Labels drawn uniformly from [0, C). */
export function randLabels(rng: Rng, n: number, C: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(C))
}

/** Rel. error of an analytic gradient against the numerical gradient of sum(f(x) * dout) w.r.t. x. */
export function arrayGradError(f: (x: Tensor) => Tensor, x: Tensor, dout: Tensor, analytic: Tensor): number {
  return relError(evalNumericalGradientArray(f, x, dout), analytic)
}

type LossModel = {
  params: Record<string, Tensor>
  loss(X: Tensor, y: Int32Array): { loss: number; grads: Record<string, Tensor> }
}

/** Gradient-check errors of one parameter: `rel` is CS231n's rel_error; `scaled` is max|num - analytic| /
 * max|analytic|, which stays meaningful when some entries are tiny (where `rel` measures rounding noise). */
export interface GradErrors {
  rel: number
  scaled: number
  /** max |analytic| and max |numerical|: for gradients that are exactly zero (biases before batchnorm). */
  maxAbs: number
  maxAbsNum: number
}

/**
 * For each parameter, the errors of the model's analytic gradient against the numerical gradient of its
 * loss (CS231n's FullyConnectedNets check). The model must be float64.
 */
export function modelGradErrors(model: LossModel, X: Tensor, y: Int32Array): Record<string, GradErrors> {
  const { grads } = model.loss(X, y)
  const errors: Record<string, GradErrors> = {}
  for (const name of Object.keys(model.params)) {
    const f = (): number => model.loss(X, y).loss
    const num = evalNumericalGradient(f, model.params[name]!)
    const ana = grads[name]!
    const maxAbs = maxAbsDiff(ana.data, new Float64Array(ana.data.length))
    const maxAbsNum = maxAbsDiff(num.data, new Float64Array(num.data.length))
    errors[name] = {
      rel: relError(num, ana),
      scaled: maxAbsDiff(num.data, ana.data) / maxAbs,
      maxAbs,
      maxAbsNum,
    }
  }
  return errors
}

/** Flat values of a tensor as a plain array (for toEqual / toBeCloseTo loops). */
export function values(t: Tensor): number[] {
  return Array.from(t.data)
}

/** Max |a - b| over all elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: sizes differ (${a.length} vs ${b.length})`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}
