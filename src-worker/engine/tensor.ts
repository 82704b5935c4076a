/**
 * Tensors: a shape and a flat, row-major typed array. Training runs in float32; float64 exists so that
 * gradient checks can resolve differences of 1e-7.
 */
import { scratchData } from './memory'

export type DType = 'float32' | 'float64'
export type FloatArray = Float32Array | Float64Array

export interface Tensor {
  readonly shape: number[]
  readonly data: FloatArray
  readonly dtype: DType
}

type Nested = number | readonly Nested[]

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`
}

function checkShape(shape: readonly number[], where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${where}: shape ${formatShape(shape)} must hold non-negative integers`)
    }
  }
}

function checkDtype(dtype: unknown, where: string): asserts dtype is DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`${where}: dtype must be 'float32' or 'float64', got ${String(dtype)}`)
  }
}

export function allocData(size: number, dtype: DType): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size)
}

/**
 * Flattens nested arrays whose nesting must match `shape` exactly (as numpy builds an array's shape from
 * them): ragged or mis-shaped input is an error rather than a silent reinterpretation.
 */
function flattenNested(values: readonly Nested[], shape: readonly number[], out: number[]): void {
  const walk = (v: Nested, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        throw new TypeError(
          `tensor: values${path} must be a number for shape ${formatShape(shape)}, got an array`,
        )
      }
      out.push(v)
      return
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `${v.length} entries` : typeof v
      throw new RangeError(
        `tensor: values${path} must have ${shape[depth]} entries for shape ${formatShape(shape)}, got ${got}`,
      )
    }
    for (let i = 0; i < v.length; i++) walk(v[i] as Nested, depth + 1, `${path}[${i}]`)
  }
  walk(values, 0, '')
}

/**
 * Build a tensor from flat (or nested) values. `values.length` must equal the product of `shape`.
 * values: flat ArrayLike<number> or nested arrays; shape: (d1, ..., dk); dtype defaults to 'float32'.
 */
export function tensor(
  values: ArrayLike<number> | readonly Nested[],
  shape: readonly number[],
  dtype: DType = 'float32',
): Tensor {
  checkShape(shape, 'tensor')
  checkDtype(dtype, 'tensor')
  let flat: ArrayLike<number> = values as ArrayLike<number>
  if (Array.isArray(values)) {
    if (values.some((v) => Array.isArray(v))) {
      const out: number[] = []
      flattenNested(values as readonly Nested[], shape, out)
      flat = out
    } else {
      const bad = values.findIndex((v) => typeof v !== 'number')
      if (bad >= 0) throw new TypeError(`tensor: values[${bad}] must be a number, got ${typeof values[bad]}`)
    }
  }
  const n = sizeOf(shape)
  if (flat.length !== n) {
    throw new RangeError(
      `tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${n} elements)`,
    )
  }
  const data = allocData(n, dtype)
  data.set(flat)
  return { shape: [...shape], data, dtype }
}

/** A new zero tensor, never taken from a scratch arena: use it for state that outlives a step. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape, 'zeros')
  checkDtype(dtype, 'zeros')
  return { shape: [...shape], data: allocData(sizeOf(shape), dtype), dtype }
}

/**
 * A zero tensor for a layer's output or gradient. Inside `withArena` it reuses the buffer the same call
 * got on the previous step, so a training step allocates no full-size buffers after the first.
 */
export function scratch(shape: readonly number[], dtype: DType): Tensor {
  return { shape: [...shape], data: scratchData(sizeOf(shape), dtype, true), dtype }
}

/** Like `scratch` but without zero-filling: every element must be written by the caller. */
export function scratchUninit(shape: readonly number[], dtype: DType): Tensor {
  return { shape: [...shape], data: scratchData(sizeOf(shape), dtype, false), dtype }
}

/** A view of the same data with another shape of equal size (no copy). */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  checkShape(shape, 'reshape')
  if (sizeOf(shape) !== t.data.length) {
    throw new RangeError(`reshape: cannot view ${formatShape(t.shape)} as ${formatShape(shape)}`)
  }
  return { shape: [...shape], data: t.data, dtype: t.dtype }
}

export function clone(t: Tensor): Tensor {
  const data = allocData(t.data.length, t.dtype)
  data.set(t.data)
  return { shape: [...t.shape], data, dtype: t.dtype }
}

/** A copy converted to `dtype` (float64 for gradient checks, float32 for training). */
export function astype(t: Tensor, dtype: DType): Tensor {
  checkDtype(dtype, 'astype')
  const data = allocData(t.data.length, dtype)
  data.set(t.data)
  return { shape: [...t.shape], data, dtype }
}

export function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as Tensor).shape) &&
    ((v as Tensor).data instanceof Float32Array || (v as Tensor).data instanceof Float64Array)
  )
}
