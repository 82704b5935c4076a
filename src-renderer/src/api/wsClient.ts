/**
 * The contract over a WebSocket (browser mode): numbered requests answered by id, events pushed by the
 * server, and reconnection with exponential backoff. The socket carries this tab's token as a subprotocol
 * (src-shared/browserAuth.ts); without a token, or once the server refuses it, the client stops and says
 * so instead of retrying: only opening the server's URL again can help.
 */
import { WS_CLOSE_UNAUTHORIZED, wsProtocols } from '../../../src-shared/browserAuth'
import {
  METHODS,
  type Api,
  type ClientFrame,
  type EventName,
  type Events,
  type MethodName,
} from '../../../src-shared/contract'
import { ApiCallError } from './errors'

/**
 * `no-token`: this tab was not opened with the server's URL; `token-rejected`: the server no longer takes
 * this tab's token (replaced with --new-token, say). Both are final.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'no-token' | 'token-rejected'

/** The part of the DOM WebSocket this client uses, so that tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: unknown) => void) | null
  onerror: ((ev: unknown) => void) | null
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike

export interface WsClientOptions {
  url: string
  /** This tab's token; null: there is none, and no socket is opened. */
  token: string | null
  createSocket?: SocketFactory
  /** First reconnect delay; doubles per failed attempt up to maxDelayMs. */
  minDelayMs?: number
  maxDelayMs?: number
  /** Jitter source, so that many tabs do not reconnect in lockstep after a server restart. */
  random?: () => number
}

export interface WsClient {
  api: Api
  state(): ConnectionState
  onState(listener: (state: ConnectionState) => void): () => void
  /** Closes for good: pending calls reject and no reconnect follows. */
  close(): void
}

const OPEN = 1

const UNAUTHORIZED_MESSAGE = 'this tab has no valid token for the server: open the URL the server printed'

interface Pending {
  frame: ClientFrame
  sent: boolean
  resolve(value: unknown): void
  reject(error: Error): void
}

/** The ws URL for a page at `location`: same scheme and host, /ws. Nothing secret goes in it. */
export function wsUrlFor(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws`
}

export function createWsClient(options: WsClientOptions): WsClient {
  const {
    url,
    token,
    createSocket = (u: string, protocols: string[]) => new WebSocket(u, protocols) as unknown as SocketLike,
    minDelayMs = 500,
    maxDelayMs = 10_000,
    random = Math.random,
  } = options
  const pending = new Map<number, Pending>()
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  const stateListeners = new Set<(state: ConnectionState) => void>()
  let nextId = 1
  let socket: SocketLike | null = null
  let state: ConnectionState = 'closed'
  let attempts = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let closedForGood = false
  let lockedOut: ConnectionState | null = null

  const setState = (s: ConnectionState): void => {
    if (s === state) return
    state = s
    for (const l of [...stateListeners]) l(s)
  }

  const send = (p: Pending): void => {
    if (!socket || socket.readyState !== OPEN) return
    socket.send(JSON.stringify(p.frame))
    p.sent = true
  }

  const onMessage = (data: unknown): void => {
    let frame: unknown
    try {
      frame = JSON.parse(String(data))
    } catch {
      return
    }
    if (typeof frame !== 'object' || frame === null) return
    const f = frame as Record<string, unknown>
    if (typeof f.event === 'string') {
      for (const l of [...(listeners.get(f.event as EventName) ?? [])]) {
        try {
          ;(l as (p: unknown) => void)(f.payload)
        } catch (e) {
          // One listener's bug must not starve the others of events.
          console.error(e)
        }
      }
      return
    }
    if (typeof f.id !== 'number') return
    const p = pending.get(f.id)
    if (!p) return
    pending.delete(f.id)
    if ('error' in f) {
      const e = (f.error ?? {}) as Record<string, unknown>
      p.reject(
        new ApiCallError({
          code: typeof e.code === 'string' ? e.code : 'internal',
          message: typeof e.message === 'string' ? e.message : 'request failed',
          ...(Array.isArray(e.fields) ? { fields: e.fields as { path: string; message: string }[] } : {}),
        }),
      )
    } else {
      p.resolve(f.result)
    }
  }

  const rejectPending = (code: string, message: string, sentOnly: boolean): void => {
    for (const [id, p] of pending) {
      if (sentOnly && !p.sent) continue
      pending.delete(id)
      p.reject(new ApiCallError({ code, message }))
    }
  }

  /** No token, or the server refused it: nothing more is tried and every call fails with `unauthorized`. */
  const lockOut = (s: 'no-token' | 'token-rejected'): void => {
    closedForGood = true
    lockedOut = s
    rejectPending('unauthorized', UNAUTHORIZED_MESSAGE, false)
    setState(s)
  }

  const connect = (): void => {
    timer = null
    if (closedForGood) return
    if (token === null) return lockOut('no-token')
    setState('connecting')
    const ws = createSocket(url, wsProtocols(token))
    socket = ws
    ws.onopen = () => {
      if (socket !== ws) return
      attempts = 0
      setState('open')
      for (const p of pending.values()) if (!p.sent) send(p)
    }
    ws.onmessage = (ev) => {
      if (socket === ws) onMessage(ev.data)
    }
    ws.onerror = () => {
      // The close event that follows does the work.
    }
    ws.onclose = (ev) => {
      if (socket !== ws) return
      socket = null
      if ((ev as { code?: unknown } | null)?.code === WS_CLOSE_UNAUTHORIZED) return lockOut('token-rejected')
      // A request already sent may or may not have run; the caller decides whether to retry it.
      rejectPending('disconnected', 'the connection to the server was lost', true)
      setState('closed')
      if (closedForGood) return
      const delay = Math.min(maxDelayMs, minDelayMs * 2 ** attempts) * (0.5 + random() / 2)
      attempts++
      timer = setTimeout(connect, delay)
    }
  }

  const call = (method: MethodName, args: unknown[]): Promise<unknown> => {
    if (lockedOut !== null) {
      return Promise.reject(new ApiCallError({ code: 'unauthorized', message: UNAUTHORIZED_MESSAGE }))
    }
    if (closedForGood) {
      return Promise.reject(new ApiCallError({ code: 'closed', message: 'the client was closed' }))
    }
    // JSON turns a trailing undefined (an omitted optional argument) into null; drop it instead.
    const trimmed = [...args]
    while (trimmed.length > 0 && trimmed[trimmed.length - 1] === undefined) trimmed.pop()
    return new Promise((resolve, reject) => {
      const p: Pending = { frame: { id: nextId++, method, args: trimmed }, sent: false, resolve, reject }
      pending.set(p.frame.id, p)
      send(p)
    })
  }

  const api = {
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as (payload: never) => void)
      return () => set.delete(listener as (payload: never) => void)
    },
  } as Record<string, unknown>
  for (const m of METHODS) api[m] = (...args: unknown[]) => call(m, args)

  connect()

  return {
    api: api as unknown as Api,
    state: () => state,
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    close() {
      closedForGood = true
      if (timer) clearTimeout(timer)
      timer = null
      const ws = socket
      socket = null
      ws?.close()
      rejectPending('closed', 'the client was closed', false)
      if (lockedOut === null) setState('closed')
    },
  }
}
