/**
 * Names shared by the main process and the preload. No runtime imports: the sandboxed preload bundle
 * inlines this file, and it can only `require('electron')`.
 */
import { EVENTS, type ApiError } from '../../src-shared/contract'

/** The one channel main pushes on: `(name, payload)` with a name from PUSH_EVENTS. */
export const EVENT_CHANNEL = 'event'

/** Menu actions the renderer carries out (the main process has no form to open). */
export const MENU_EVENTS = ['menu:new-run'] as const
export type MenuEventName = (typeof MENU_EVENTS)[number]

/** Everything the renderer may subscribe to through `window.api.on`. */
export const PUSH_EVENTS = [...EVENTS, ...MENU_EVENTS] as const
export type PushEventName = (typeof PUSH_EVENTS)[number]

/**
 * How a failed call comes back over IPC: as a value, because Electron keeps only the message of an
 * error a handler throws, and the renderer needs the code and the field errors.
 */
export const API_ERROR_KEY = '__apiError'
export interface IpcErrorEnvelope {
  [API_ERROR_KEY]: ApiError
}

export function isPushEventName(value: unknown): value is PushEventName {
  return typeof value === 'string' && (PUSH_EVENTS as readonly string[]).includes(value)
}
