/**
 * Errors as they cross to the UI (IPC or WebSocket): the core's error classes keep their code, message and
 * field errors; anything else becomes `internal` with its message only, since a stack trace tells a user
 * nothing and tells an attacker where the code lives.
 */
import type { ApiError } from '../../src-shared/contract'
import { DatasetsError } from '../core/datasets/errors'
import { WorkbenchError } from '../core/errors'
import { StoreError } from '../core/store/errors'

export function toApiError(e: unknown): ApiError {
  if (e instanceof WorkbenchError) return withFields(e.code, e.message, e.fields)
  if (e instanceof StoreError || e instanceof DatasetsError) {
    if (e.field === undefined) return { code: e.code, message: e.message }
    // Their messages start with the argument's name (`id: not a run id ...`); the field repeats the rest.
    const prefix = `${e.field}: `
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message
    return { code: e.code, message: e.message, fields: [{ path: e.field, message }] }
  }
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : 'unexpected error'
  return { code: 'internal', message: message || 'unexpected error' }
}

/** An argument the API layer refuses before the core sees it; `name` is the argument's name. */
export function invalidArgument(name: string, message: string): WorkbenchError {
  return new WorkbenchError('invalid-argument', `${name}: ${message}`, [{ path: name, message }])
}

function withFields(code: string, message: string, fields: ApiError['fields'] = []): ApiError {
  return fields.length > 0 ? { code, message, fields: fields.map((f) => ({ ...f })) } : { code, message }
}
