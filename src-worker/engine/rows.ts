/**
 * Examples the Solver reads a minibatch at a time: a float tensor, or uint8 images minus a mean image.
 * The uint8 form lets a dataset stay in one shared uint8 copy (CIFAR-10: 180 MB instead of 720 MB as
 * float32) that every worker reads, converting only the rows of the current minibatch.
 */
import { getBackend } from './backend'
import { formatShape, sizeOf, type DType, type FloatArray, type Tensor } from './tensor'

export interface RowSource {
  readonly kind: 'rows'
  /** (N, d1, ..., dk): N examples of shape (d1, ..., dk). */
  readonly shape: readonly number[]
  /** The element type rows are stored in before conversion. */
  readonly storage: 'uint8' | DType
  /**
   * Copies rows indices[0..count) into out: (count, d1, ..., dk), converted to out's float type.
   * Every index must be in [0, N).
   */
  readRows(indices: Int32Array, count: number, out: FloatArray): void
}

export function isRowSource(v: unknown): v is RowSource {
  return typeof v === 'object' && v !== null && (v as RowSource).kind === 'rows'
}

function checkRead(
  fn: string,
  shape: readonly number[],
  indices: Int32Array,
  count: number,
  out: FloatArray,
): number {
  const n = shape[0]!
  const rowSize = sizeOf(shape) / Math.max(n, 1)
  if (count > indices.length) throw new RangeError(`${fn}: count ${count} exceeds ${indices.length} indices`)
  if (out.length < count * rowSize) {
    throw new RangeError(
      `${fn}: out holds ${out.length} values, ${count} rows of ${rowSize} need ${count * rowSize}`,
    )
  }
  for (let b = 0; b < count; b++) {
    const i = indices[b]!
    if (i < 0 || i >= n)
      throw new RangeError(`${fn}: row index ${i} is outside [0, ${n}) of ${formatShape(shape)}`)
  }
  return rowSize
}

/** Rows of a float tensor X: (N, d1, ..., dk). */
export function tensorRows(X: Tensor): RowSource {
  return {
    kind: 'rows',
    shape: X.shape,
    storage: X.dtype,
    readRows(indices, count, out) {
      const rowSize = checkRead('tensorRows.readRows', X.shape, indices, count, out)
      getBackend().gatherRows(X.data, rowSize, indices, count, out)
    },
  }
}

/**
 * Rows of uint8 images minus a mean image: row i is `bytes[(first + i) * D ... + D) - mean`, D = d1 * ... * dk.
 * bytes: the whole dataset (usually over a SharedArrayBuffer); first/count select a split without copying.
 * mean: (D,) or null for raw pixel values.
 */
export function uint8Rows(
  bytes: Uint8Array,
  rowShape: readonly number[],
  first: number,
  count: number,
  mean: Float32Array | null,
): RowSource {
  const D = sizeOf(rowShape)
  const fn = 'uint8Rows'
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) {
    throw new RangeError(`${fn}: first (${first}) and count (${count}) must be non-negative integers`)
  }
  if ((first + count) * D > bytes.length) {
    throw new RangeError(
      `${fn}: rows [${first}, ${first + count}) of ${D} bytes need ${(first + count) * D} bytes, have ${bytes.length}`,
    )
  }
  if (mean !== null && mean.length !== D) {
    throw new RangeError(`${fn}: mean has ${mean.length} values, rows have ${D}`)
  }
  const view = bytes.subarray(first * D, (first + count) * D)
  const shape = [count, ...rowShape]
  return {
    kind: 'rows',
    shape,
    storage: 'uint8',
    readRows(indices, n, out) {
      checkRead('uint8Rows.readRows', shape, indices, n, out)
      getBackend().gatherU8(view, D, indices, n, mean, out)
    },
  }
}
