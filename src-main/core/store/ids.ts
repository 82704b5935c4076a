/** Run ids: the run folder's name, so they must be safe as one path segment and sort by creation time. */
import { randomBytes } from 'node:crypto'
import { invalidArgument } from './errors'

/** `20261126-194501-ab12cd`: UTC date and time of creation, then 6 random base-36 characters. */
export const RUN_ID = /^\d{8}-\d{6}-[0-9a-z]{6}$/

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID.test(value)
}

/** Ids come from the renderer, which is untrusted: anything but the exact form is refused. */
export function assertRunId(value: unknown, field = 'id'): string {
  if (!isRunId(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value
    throw invalidArgument(field, `not a run id (expected the form 20261126-194501-ab12cd, got ${shown})`)
  }
  return value
}

/**
 * UTC rather than local time so ids keep sorting by creation across time zones and DST changes. Ids made
 * in the same second sort in random order; 36^6 suffixes make a clash negligible, and `create` refuses one.
 */
export function newRunId(date: Date = new Date()): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const day = `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  let suffix = ''
  for (const byte of randomBytes(6)) suffix += SUFFIX_CHARS[byte % SUFFIX_CHARS.length]
  return `${day}-${time}-${suffix}`
}

// 252 of 256 byte values map evenly; the slight bias toward the first 4 characters is harmless here.
const SUFFIX_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz'
