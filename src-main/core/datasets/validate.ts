/** Argument checks for everything that may come from an untrusted caller (the renderer, an HTTP client). */
import { stat } from 'node:fs/promises'
import { isAbsolute, normalize } from 'node:path'
import { invalidArgument } from './errors'

/** Dataset names: 1-64 of [a-z0-9_-], starting with a letter or digit (so never `.`, `..` or `-x`). */
export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/

export function validateName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw invalidArgument(field, `must be a string, got ${typeof value}`)
  if (value === '') throw invalidArgument(field, 'must not be empty')
  if (!DATASET_NAME_PATTERN.test(value)) {
    throw invalidArgument(
      field,
      `${JSON.stringify(value.slice(0, 80))} is not a valid dataset name: use 1-64 characters ` +
        'a-z, 0-9, - and _, starting with a letter or digit',
    )
  }
  return value
}

/** An absolute path (string, no NUL), normalized. Does not touch the disk. */
export function validateAbsolutePath(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidArgument(field, `must be a string, got ${typeof value}`)
  if (value === '') throw invalidArgument(field, 'must not be empty')
  if (value.includes('\0')) throw invalidArgument(field, 'must not contain NUL characters')
  if (!isAbsolute(value))
    throw invalidArgument(field, `must be an absolute path, got ${JSON.stringify(value)}`)
  return normalize(value)
}

/** An absolute path to an existing directory (symlinks followed), normalized. */
export async function validateExistingDir(value: unknown, field: string): Promise<string> {
  const path = validateAbsolutePath(value, field)
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch {
    throw invalidArgument(field, `${path} does not exist or cannot be read`)
  }
  if (!isDir) throw invalidArgument(field, `${path} is not a directory`)
  return path
}

export function validateOptionalFunction<T extends (...args: never[]) => unknown>(
  value: unknown,
  field: string,
): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw invalidArgument(field, 'must be a function')
  return value as T
}

export function validateOptionalSignal(value: unknown, field = 'signal'): AbortSignal | undefined {
  if (value === undefined) return undefined
  if (!(value instanceof AbortSignal)) throw invalidArgument(field, 'must be an AbortSignal')
  return value
}

export function validateOptionalObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(field, 'must be an object')
  }
  return value as Record<string, unknown>
}

export function validateOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(field, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
  }
  return value as T
}
