import type { ApiError } from '../../../src-shared/contract'

/** An `ApiError` that is also an `Error`, so it can be thrown, caught and shown the same way everywhere. */
export class ApiCallError extends Error implements ApiError {
  override name = 'ApiCallError'
  readonly code: string
  readonly fields?: NonNullable<ApiError['fields']>

  constructor(error: ApiError) {
    super(error.message)
    this.code = error.code
    if (error.fields) this.fields = error.fields
  }
}

function isFieldList(v: unknown): v is { path: string; message: string }[] {
  return (
    Array.isArray(v) &&
    v.every(
      (f) =>
        typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.message === 'string',
    )
  )
}

// Electron's ipcRenderer.invoke keeps only the message of an error thrown in main, prefixed like this.
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/

/**
 * Whatever a transport rejected with, as an ApiCallError: an ApiError-shaped value keeps its code and
 * fields; an IPC error whose message is the JSON of an ApiError is unpacked; anything else is 'internal'.
 */
export function toApiError(e: unknown): ApiCallError {
  if (e instanceof ApiCallError) return e
  if (typeof e === 'object' && e !== null) {
    const o = e as Record<string, unknown>
    if (typeof o.code === 'string' && typeof o.message === 'string') {
      return new ApiCallError({
        code: o.code,
        message: o.message,
        ...(isFieldList(o.fields) ? { fields: o.fields } : {}),
      })
    }
    if (typeof o.message === 'string') {
      const message = o.message.replace(IPC_PREFIX, '')
      try {
        const inner: unknown = JSON.parse(message)
        if (typeof inner === 'object' && inner !== null && 'code' in inner) return toApiError(inner)
      } catch {
        // Not JSON: a plain message.
      }
      return new ApiCallError({ code: 'internal', message })
    }
  }
  return new ApiCallError({ code: 'internal', message: String(e) })
}
