/** One error class for the datasets layer, with a machine-readable `code`, so IPC and HTTP can map it. */

export type DatasetsErrorCode =
  /** An argument failed validation; `field` names it. */
  | 'invalid-argument'
  /** No dataset (or source) by that name; `field` names the argument. */
  | 'not-found'
  /** A dataset by that name exists already. */
  | 'exists'
  /** Another download/import/removal of that name is running in this process. */
  | 'busy'
  /** Built-in datasets cannot be removed. */
  | 'read-only'
  /** The server answered with an unusable HTTP status (after retries, for transient ones). */
  | 'http'
  /** The network failed (after retries). */
  | 'network'
  /** A downloaded file does not match its published checksum; `file`, `expected`, `actual` say how. */
  | 'checksum'
  /** An archive could not be extracted. */
  | 'unpack'
  /** The files do not load as a dataset (the loader's message is kept as `cause`). */
  | 'invalid-data'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** Queued or running runs need the dataset (removal is refused). */
  | 'in-use'

export interface DatasetsErrorDetails {
  field?: string
  file?: string
  expected?: string
  actual?: string
  status?: number
  cause?: unknown
}

export class DatasetsError extends Error {
  override name = 'DatasetsError'
  readonly code: DatasetsErrorCode
  /** The argument that failed validation. */
  readonly field?: string
  /** The file concerned (a download's file name, or a path). */
  readonly file?: string
  /** Checksum errors: the published md5. */
  readonly expected?: string
  /** Checksum errors: the md5 of what was received. */
  readonly actual?: string
  /** HTTP errors: the status code. */
  readonly status?: number

  constructor(code: DatasetsErrorCode, message: string, details: DatasetsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    if (details.field !== undefined) this.field = details.field
    if (details.file !== undefined) this.file = details.file
    if (details.expected !== undefined) this.expected = details.expected
    if (details.actual !== undefined) this.actual = details.actual
    if (details.status !== undefined) this.status = details.status
  }
}

export function invalidArgument(field: string, message: string): DatasetsError {
  return new DatasetsError('invalid-argument', `${field}: ${message}`, { field })
}

export function abortedError(signal?: AbortSignal): DatasetsError {
  return new DatasetsError('aborted', 'the operation was cancelled', { cause: signal?.reason })
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal)
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/** The `file` an error names (the loader's DatasetError has one), if any. */
export function fileOf(err: unknown): string | undefined {
  const file = (err as { file?: unknown } | null)?.file
  return typeof file === 'string' ? file : undefined
}
