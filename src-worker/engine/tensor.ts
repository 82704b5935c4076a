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

export function allocData(size: number, dtype: DType): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size)
}

function flatten(values: Nested, out: number[]): void {
  if (typeof values === 'number') out.push(values)
  else for (const v of values) flatten(v, out)
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
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`tensor: dtype must be 'float32' or 'float64', got ${String(dtype)}`)
  }
  let flat: ArrayLike<number> = values as ArrayLike<number>
  if (Array.isArray(values) && values.some((v) => Array.isArray(v))) {
    const out: number[] = []
    flatten(values as readonly Nested[], out)
    flat = out
  }
  const n = sizeOf(shape)
  if (flat.length !== n) {
    throw new RangeError(`tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${n} elements)`)
  }
  const data = allocData(n, dtype)
  data.set(flat)
  return { shape: [...shape], data, dtype }
}

/** A new zero tensor, never taken from a scratch arena: use it for state that outlives a step. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  checkShape(shape, 'zeros')
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
