/**
 * One call as a transport receives it (a method name and an argument list, both untrusted) turned into a
 * result or an ApiError: never a throw, so IPC and WebSocket code only has to send what comes back.
 */
import { METHODS, type ApiError, type MethodName } from '../../src-shared/contract'
import { toApiError } from './errors'
import type { Handlers } from './handlers'

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiError }

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value)
}

/** Errors the core did not classify are bugs: the client gets the message, the log gets the stack. */
export type InternalErrorReporter = (method: MethodName, error: unknown) => void

const logInternal: InternalErrorReporter = (method, error) => console.error(`${method} failed:`, error)

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  args: unknown,
  report: InternalErrorReporter = logInternal,
): Promise<DispatchResult> {
  if (!isMethodName(method)) {
    const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 80)) : typeof method
    return { ok: false, error: { code: 'unknown-method', message: `no method ${shown}` } }
  }
  if (!Array.isArray(args)) {
    return {
      ok: false,
      error: {
        code: 'invalid-argument',
        message: 'args: must be an array of arguments',
        fields: [{ path: 'args', message: 'must be an array of arguments' }],
      },
    }
  }
  try {
    return { ok: true, result: await handlers[method](...(args as unknown[])) }
  } catch (e) {
    const error = toApiError(e)
    if (error.code === 'internal') report(method, e)
    return { ok: false, error }
  }
}
