/**
 * What the preload exposes as `window.api`, built from an `invoke` function so that it runs (and is tested)
 * in plain Node: one function per contract method, generated from METHODS, and `on` for pushed events.
 * Nothing else: no generic invoke or send, no ipcRenderer, so a compromised page can only call what the
 * contract lists, with arguments main validates.
 */
import { METHODS, type ApiError, type MethodName } from '../src-shared/contract'
import { API_ERROR_KEY, PUSH_EVENTS, isPushEventName, type PushEventName } from './electron/channels'

/** Sends one call to main: `ipcRenderer.invoke(method, ...args)` in the preload. */
export type Invoke = (method: MethodName, args: unknown[]) => Promise<unknown>
export type Listener = (payload: unknown) => void

export type DesktopApi = { readonly [M in MethodName]: (...args: unknown[]) => Promise<unknown> } & {
  readonly on: (event: PushEventName, listener: Listener) => () => void
}

/**
 * A failed call rejects with this plain object, not an Error: contextBridge copies only the message of an
 * Error into the page, while a plain object keeps its code and field errors (the renderer's api client
 * turns it into its own error class, as it does for WebSocket errors).
 */
export type ApiRejection = ApiError & { name: 'ApiError' }

export interface EventHub {
  /** Called for every message on main's event channel; unknown names are dropped. */
  dispatch(event: unknown, payload: unknown): void
  add(event: PushEventName, listener: Listener): () => void
}

export function createEventHub(report: (e: unknown) => void = (e) => console.error(e)): EventHub {
  const listeners = new Map<PushEventName, Set<{ listener: Listener }>>()
  return {
    dispatch(event, payload) {
      if (!isPushEventName(event)) return
      for (const entry of [...(listeners.get(event) ?? [])]) {
        try {
          entry.listener(payload)
        } catch (e) {
          // One failing view must not starve the others of updates.
          report(e)
        }
      }
    },
    add(event, listener) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      // An entry per subscription, so subscribing one function twice needs two unsubscribes.
      const entry = { listener }
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
  }
}

export function buildApi(invoke: Invoke, hub: EventHub): DesktopApi {
  const api: Record<string, unknown> = {}
  for (const method of METHODS) {
    api[method] = (...args: unknown[]) => call(invoke, method, args)
  }
  api.on = (event: unknown, listener: unknown) => {
    if (!isPushEventName(event)) {
      throw new TypeError(
        `api.on: unknown event ${describe(event)}; expected one of ${PUSH_EVENTS.join(', ')}`,
      )
    }
    if (typeof listener !== 'function') throw new TypeError('api.on: the listener must be a function')
    return hub.add(event, listener as Listener)
  }
  return Object.freeze(api) as DesktopApi
}

async function call(invoke: Invoke, method: MethodName, args: unknown[]): Promise<unknown> {
  // The list is the whitelist: a name that is not in it never reaches ipcRenderer.
  if (!(METHODS as readonly string[]).includes(method)) {
    throw rejection({ code: 'unknown-method', message: `no method ${describe(method)}` })
  }
  let result: unknown
  try {
    result = await invoke(method, args)
  } catch (e) {
    // The transport failed (arguments that cannot be cloned, main not ready): not an answer from main.
    throw rejection({ code: 'internal', message: e instanceof Error ? e.message : String(e) })
  }
  if (isErrorEnvelope(result)) throw rejection(sanitize(result[API_ERROR_KEY]))
  return result
}

function isErrorEnvelope(v: unknown): v is { [API_ERROR_KEY]: unknown } {
  return typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, API_ERROR_KEY)
}

function sanitize(e: unknown): ApiError {
  if (typeof e !== 'object' || e === null) return { code: 'internal', message: 'malformed error from main' }
  const o = e as Record<string, unknown>
  const out: ApiError = {
    code: typeof o.code === 'string' ? o.code : 'internal',
    message: typeof o.message === 'string' ? o.message : 'unexpected error',
  }
  if (Array.isArray(o.fields)) {
    out.fields = o.fields
      .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
      .map((f) => ({ path: String(f.path), message: String(f.message) }))
  }
  return out
}

function rejection(e: ApiError): ApiRejection {
  return { name: 'ApiError', ...e }
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : typeof v
}
