/**
 * The one way the renderer reaches main: `window.api` from Electron's preload when present, else the
 * browser mode's WebSocket. Stores call getApi(); components never do.
 */
import { METHODS, type Api } from '../../../src-shared/contract'
import { toApiError } from './errors'
import { storedToken } from './token'
import { createWsClient, wsUrlFor, type ConnectionState } from './wsClient'

export { ApiCallError, toApiError } from './errors'
export { adoptUrlToken } from './token'
export type { ConnectionState } from './wsClient'

export interface Transport {
  api: Api
  state(): ConnectionState
  onState(listener: (state: ConnectionState) => void): () => void
}

/**
 * The preload's functions, wrapped so that rejections are ApiCallErrors as over the WebSocket. IPC is
 * always connected while the window lives.
 */
export function electronTransport(raw: Api): Transport {
  const api = { on: (event: never, listener: never) => raw.on(event, listener) } as Record<string, unknown>
  for (const m of METHODS) {
    const fn = (raw as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[m]
    api[m] = async (...args: unknown[]) => {
      if (typeof fn !== 'function')
        throw toApiError({ code: 'unsupported', message: `${m} is not available` })
      try {
        return await fn(...args)
      } catch (e) {
        throw toApiError(e)
      }
    }
  }
  return { api: api as unknown as Api, state: () => 'open', onState: () => () => undefined }
}

let transport: Transport | null = null

export function getTransport(): Transport {
  if (!transport) {
    transport = window.api
      ? electronTransport(window.api)
      : createWsClient({ url: wsUrlFor(window.location), token: storedToken() })
  }
  return transport
}

export function getApi(): Api {
  return getTransport().api
}

/** Tests (and nothing else) swap in a fake; null goes back to detecting the real one. */
export function setTransport(t: Transport | null): void {
  transport = t
}

/** Calls `listener` each time the connection comes back after a loss: events may have been missed. */
export function onReconnect(listener: () => void): () => void {
  const t = getTransport()
  let wasOpen = t.state() === 'open'
  let lost = false
  return t.onState((s) => {
    if (s === 'open') {
      if (wasOpen && lost) listener()
      wasOpen = true
      lost = false
    } else if (wasOpen) {
      lost = true
    }
  })
}
