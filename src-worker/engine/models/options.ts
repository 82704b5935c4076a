/** Option checks shared by the model constructors. */
import { assertKnownKeys, assertNumberInRange, assertPositiveInt } from '../check'
import type { DType } from '../tensor'

export function checkModelOptions(
  fn: string,
  options: object,
  known: readonly string[],
  dims: Record<string, unknown>,
  common: { weightScale: unknown; reg: unknown; dtype: unknown },
): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`)
  assertKnownKeys(options, known, fn, 'option')
  for (const [name, v] of Object.entries(dims)) assertPositiveInt(v, fn, name)
  assertNumberInRange(common.weightScale, 0, Infinity, fn, 'weightScale')
  assertNumberInRange(common.reg, 0, Infinity, fn, 'reg')
  checkDtype(fn, common.dtype)
}

/** Seeds are 32-bit unsigned integers (Rng truncates anything else, so 1.2 and 1.7 would collide). */
export function checkSeed(fn: string, seed: unknown): void {
  if (seed === undefined) return
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`${fn}: seed must be an integer in [0, 4294967295], got ${String(seed)}`)
  }
}

export function checkDtype(fn: string, dtype: unknown): asserts dtype is DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`${fn}: dtype must be 'float32' or 'float64', got ${String(dtype)}`)
  }
}
