/**
 * WebSocket frames from the browser, checked before anything runs: text, within the size limit, JSON, an
 * object of exactly `{id, method, args}` with a non-negative integer id, a known method and an argument
 * array. Whatever is wrong comes back as an error frame; the connection stays open.
 */
import type { ApiError, ClientFrame, ServerFrame } from '../../src-shared/contract'
import { isMethodName } from '../api/dispatch'

/** Frames bigger than this are refused with an error frame (the socket closes only far above it). */
export const MAX_FRAME_BYTES = 1024 * 1024

/** The id of an error frame that answers a frame whose own id could not be read. */
export const NO_ID = -1

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; reply: ServerFrame }

const KEYS = new Set(['id', 'method', 'args'])

export function parseFrame(data: Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary) return fail(NO_ID, 'invalid-frame', 'frames must be JSON text, not binary')
  if (data.length > MAX_FRAME_BYTES) {
    return fail(
      NO_ID,
      'frame-too-large',
      `frames are limited to ${MAX_FRAME_BYTES} bytes, got ${data.length}`,
    )
  }
  let value: unknown
  try {
    value = JSON.parse(data.toString('utf8'))
  } catch {
    return fail(NO_ID, 'invalid-frame', 'a frame must be JSON: {"id": 1, "method": "runs.list", "args": []}')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(NO_ID, 'invalid-frame', 'a frame must be a JSON object {id, method, args}')
  }
  const obj = value as Record<string, unknown>
  const id = Number.isSafeInteger(obj.id) && (obj.id as number) >= 0 ? (obj.id as number) : NO_ID
  if (id === NO_ID) return fail(NO_ID, 'invalid-frame', 'id: must be a non-negative integer', 'id')
  const extra = Object.keys(obj).filter((k) => !KEYS.has(k))
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40)))
    return fail(id, 'invalid-frame', `unknown keys ${shown.join(', ')}: a frame is {id, method, args}`)
  }
  if (!isMethodName(obj.method)) {
    const shown = typeof obj.method === 'string' ? JSON.stringify(obj.method.slice(0, 80)) : typeof obj.method
    return fail(id, 'unknown-method', `no method ${shown}`, 'method')
  }
  if (!Array.isArray(obj.args)) return fail(id, 'invalid-frame', 'args: must be an array', 'args')
  return { ok: true, frame: { id, method: obj.method, args: obj.args as unknown[] } }
}

function fail(id: number, code: string, message: string, field?: string): ParsedFrame {
  const error: ApiError = { code, message }
  if (field !== undefined) error.fields = [{ path: field, message: message.replace(`${field}: `, '') }]
  return { ok: false, reply: { id, error } }
}
