/** Checks of X and y at a model's loss(), naming the model and the option they disagree with. */
import { assertLabels, assertMinRank, assertShape, assertTensor } from '../check'
import { formatShape, sizeOf, type DType, type Tensor } from '../tensor'

export function checkModelInputs(
  fn: string,
  X: Tensor,
  y: Int32Array | undefined,
  inputDim: number,
  numClasses: number,
  dtype: DType,
): void {
  assertTensor(X, fn, 'X')
  assertMinRank(X, 2, fn, 'X')
  const N = X.shape[0]!
  const D = sizeOf(X.shape.slice(1))
  if (D !== inputDim) {
    throw new RangeError(
      `${fn}: X ${formatShape(X.shape)} has ${D} values per row, but inputDim is ${inputDim}`,
    )
  }
  if (X.dtype !== dtype) throw new TypeError(`${fn}: X is ${X.dtype} but the model is ${dtype}`)
  if (y !== undefined) assertLabels(y, N, numClasses, fn)
}

/**
 * The model's `params` record must hold exactly the expected names, each a tensor of the model's dtype
 * and shape: a replaced parameter is honoured, but a typo'd, missing or mis-shaped one is named here.
 */
export function checkModelParams(
  fn: string,
  params: Record<string, Tensor>,
  expected: Readonly<Record<string, readonly number[]>>,
  dtype: DType,
): void {
  if (typeof params !== 'object' || params === null) throw new TypeError(`${fn}: params must be an object`)
  for (const name of Object.keys(params)) {
    if (!(name in expected)) {
      throw new TypeError(`${fn}: unknown param '${name}'; expected ${Object.keys(expected).join(', ')}`)
    }
  }
  for (const [name, shape] of Object.entries(expected)) {
    const t = params[name]
    if (t === undefined) throw new TypeError(`${fn}: params.${name} is missing`)
    assertTensor(t, fn, `params.${name}`)
    assertShape(t, shape, fn, `params.${name}`)
    if (t.dtype !== dtype)
      throw new TypeError(`${fn}: params.${name} is ${t.dtype} but the model is ${dtype}`)
  }
}
