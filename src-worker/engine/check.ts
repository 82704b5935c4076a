/**
 * Argument checks shared by layers, models and the Solver. Every message names the function, the
 * argument and what was expected, because a shape error deep in a training run is otherwise a riddle.
 * Nothing broadcasts silently.
 */
import { formatShape, isTensor, sizeOf, type DType, type Tensor } from './tensor'

export function assertTensor(v: unknown, fn: string, name: string): asserts v is Tensor {
  if (!isTensor(v)) throw new TypeError(`${fn}: ${name} must be a tensor, got ${describe(v)}`)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v
}

/** Check a tensor's rank and, where given (not -1), each dimension. */
export function assertShape(t: Tensor, expected: readonly number[], fn: string, name: string): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === -1 || d === t.shape[i])
  if (!ok) {
    const want = formatShape(expected).replace(/-1/g, '*')
    throw new RangeError(`${fn}: ${name} must have shape ${want}, got ${formatShape(t.shape)}`)
  }
}

export function assertMinRank(t: Tensor, rank: number, fn: string, name: string): void {
  if (t.shape.length < rank) {
    throw new RangeError(`${fn}: ${name} must have at least ${rank} dimensions, got ${formatShape(t.shape)}`)
  }
}

export function assertSameShape(a: Tensor, b: Tensor, fn: string, nameA: string, nameB: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(
      `${fn}: ${nameA} ${formatShape(a.shape)} and ${nameB} ${formatShape(b.shape)} must have the same shape`,
    )
  }
}

export function assertDtype(t: Tensor, dtype: DType, fn: string, name: string): void {
  if (t.dtype !== dtype) throw new TypeError(`${fn}: ${name} is ${t.dtype}, expected ${dtype}`)
}

/** A NaN or Inf where finite numbers were expected; the Solver reports it as divergence. */
export class NonFiniteError extends RangeError {
  override readonly name = 'NonFiniteError'
  constructor(
    message: string,
    readonly value: number,
  ) {
    super(message)
  }
}

/** Throws on the first NaN or Inf, naming its flat index and the row it sits in. */
export function assertFinite(t: Tensor, fn: string, name: string): void {
  const d = t.data
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!
    if (v - v !== 0) {
      const row = t.shape.length > 1 ? ` (row ${Math.floor(i / (sizeOf(t.shape) / t.shape[0]!))})` : ''
      throw new NonFiniteError(
        `${fn}: ${name} contains ${v} at flat index ${i}${row}; inputs must be finite`,
        v,
      )
    }
  }
}

/** Labels: an Int32Array of length n with every value in [0, numClasses). */
export function assertLabels(
  y: unknown,
  n: number,
  numClasses: number,
  fn: string,
  name = 'y',
): asserts y is Int32Array {
  if (!(y instanceof Int32Array))
    throw new TypeError(`${fn}: ${name} must be an Int32Array of labels, got ${describe(y)}`)
  if (y.length !== n) throw new RangeError(`${fn}: ${name} has ${y.length} labels for ${n} rows`)
  for (let i = 0; i < n; i++) {
    const c = y[i]!
    if (c < 0 || c >= numClasses) {
      throw new RangeError(`${fn}: ${name}[${i}] = ${c} is out of range [0, ${numClasses})`)
    }
  }
}

export function assertPositiveInt(v: unknown, fn: string, name: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, got ${String(v)}`)
  }
}

export function assertNumberInRange(
  v: unknown,
  lo: number,
  hi: number,
  fn: string,
  name: string,
  { loOpen = false, hiOpen = false } = {},
): asserts v is number {
  const ok =
    typeof v === 'number' && Number.isFinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi)
  if (!ok) {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`
    throw new RangeError(`${fn}: ${name} must be a number in ${range}, got ${String(v)}`)
  }
}

/** Rejects option keys a function does not know, so a typo (`learningRate` for `learning_rate`) is loud. */
export function assertKnownKeys(obj: object, known: readonly string[], fn: string, name: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) {
      throw new TypeError(`${fn}: unknown ${name} '${k}'; expected one of ${known.join(', ')}`)
    }
  }
}
