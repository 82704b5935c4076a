/**
 * Dotted paths into plain data (`solver.optimConfig.learningRate`, `model.hiddenDims.0`). Sweeps name the
 * fields they vary this way, and sweeps arrive from untrusted files and from the renderer, so a path can
 * never reach an object's prototype: `__proto__`, `constructor` and `prototype` are rejected, and only own
 * properties are followed.
 */

export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype'])

/** Bounds a path so that one bad value cannot grow a huge sparse array that validation then walks. */
export const MAX_ARRAY_INDEX = 1023
const MAX_SEGMENTS = 32
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const INDEX = /^(0|[1-9][0-9]*)$/

export class PathError extends Error {
  override name = 'PathError'
}

/** Splits and checks a path; throws PathError for empty, malformed or forbidden segments. */
export function parsePath(path: string): string[] {
  if (typeof path !== 'string' || path === '') throw new PathError('a path is required')
  const segments = path.split('.')
  if (segments.length > MAX_SEGMENTS) throw new PathError(`at most ${MAX_SEGMENTS} segments`)
  for (const s of segments) {
    if (FORBIDDEN_SEGMENTS.has(s)) throw new PathError(`"${s}" is not allowed in a path`)
    if (INDEX.test(s)) {
      if (Number(s) > MAX_ARRAY_INDEX) throw new PathError(`index ${s} is over ${MAX_ARRAY_INDEX}`)
    } else if (!IDENTIFIER.test(s)) {
      throw new PathError(`"${s}" is not a field name or an array index`)
    }
  }
  return segments
}

function segmentsOf(path: string | readonly string[]): readonly string[] {
  return typeof path === 'string' ? parsePath(path) : parsePath(path.join('.'))
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null
}

/** The own value at `path`, or undefined when any step is missing or not an object. */
export function getPath(obj: unknown, path: string | readonly string[]): unknown {
  let cur = obj
  for (const s of segmentsOf(path)) {
    if (Array.isArray(cur)) {
      if (!INDEX.test(s)) return undefined
      cur = cur[Number(s)]
    } else if (isContainer(cur)) {
      cur = Object.hasOwn(cur, s) ? (cur as Record<string, unknown>)[s] : undefined
    } else {
      return undefined
    }
  }
  return cur
}

/**
 * Sets `value` at `path`, creating missing intermediates: an array when the next segment is an index (so
 * `model.hiddenDims.0` builds a list), an object otherwise. Throws PathError when a step is a primitive or
 * null, or when a non-index segment would land on an array (it would set a property no schema sees).
 */
export function setPath(
  obj: Record<string, unknown> | unknown[],
  path: string | readonly string[],
  value: unknown,
): void {
  const segments = segmentsOf(path)
  let cur: Record<string, unknown> | unknown[] = obj
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string
    const at = segments.slice(0, i).join('.') || '(root)'
    if (Array.isArray(cur) && !INDEX.test(s)) throw new PathError(`${at} is a list; "${s}" is not an index`)
    const last = i === segments.length - 1
    const container: Record<string, unknown> = cur as Record<string, unknown>
    if (last) {
      container[s] = value
      return
    }
    let next = Object.hasOwn(container, s) ? container[s] : undefined
    if (next === undefined) {
      next = INDEX.test(segments[i + 1] as string) ? [] : {}
      container[s] = next
    } else if (!isContainer(next)) {
      const here = segments.slice(0, i + 1).join('.')
      throw new PathError(`${here} is ${next === null ? 'null' : `a ${typeof next}`}, not an object`)
    }
    cur = next as Record<string, unknown> | unknown[]
  }
}

/** Plain data as JSON.parse or a structured clone makes it, as opposed to class instances. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * A deep copy of JSON-like data (plain objects, arrays, primitives); anything else is shared as is. Keys
 * are copied as own data properties, so a parsed `"__proto__"` key stays a key (which a strict schema then
 * reports) instead of becoming the copy's prototype.
 */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneData(v)) as T
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) {
    Object.defineProperty(out, k, {
      value: cloneData(value[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out as T
}
