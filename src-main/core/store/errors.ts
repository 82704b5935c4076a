/** One error class for the run store, with a machine-readable `code` so IPC and HTTP can map it. */

export type StoreErrorCode =
  /** An argument failed validation; `field` names it. */
  | 'invalid-argument'
  /** No run by that id; `field` names the argument. */
  | 'not-found'
  /** A run with that id exists already. */
  | 'exists'
  /** The run's metrics log is open for writing in this process. */
  | 'busy'
  /** A file on disk does not parse or validate; `file` names it. */
  | 'corrupt'

export interface StoreErrorDetails {
  field?: string
  file?: string
  cause?: unknown
}

export class StoreError extends Error {
  override name = 'StoreError'
  readonly code: StoreErrorCode
  readonly field?: string
  readonly file?: string

  constructor(code: StoreErrorCode, message: string, details: StoreErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    if (details.field !== undefined) this.field = details.field
    if (details.file !== undefined) this.file = details.file
  }
}

export function invalidArgument(field: string, message: string): StoreError {
  return new StoreError('invalid-argument', `${field}: ${message}`, { field })
}

export function corrupt(file: string, message: string, cause?: unknown): StoreError {
  return new StoreError('corrupt', `${file}: ${message}`, { file, cause })
}

/**
 * Something unreadable that a listing or a metrics read skipped rather than failing on, so one damaged
 * file never hides the rest. `line` is 1-based.
 */
export interface StoreProblem {
  file: string
  line?: number
  message: string
}

export type ProblemReporter = (problem: StoreProblem) => void

export const warnProblem: ProblemReporter = (p) => {
  console.warn(`run store: ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`)
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
