/**
 * Who may talk to the browser-mode server. Every request must name this server in its Host header (DNS
 * rebinding); the WebSocket, the only way to the API, must also come from this server's own page (Origin)
 * and carry the token as an offered subprotocol (src-shared/browserAuth.ts). The static files (the built
 * UI, public code) need no token. Nothing is kept in a cookie: cookies ignore ports, so any other server
 * on 127.0.0.1 the user visits would receive it, and could replace it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../src-shared/browserAuth'

export { TOKEN_PATTERN } from '../../src-shared/browserAuth'

export function newToken(): string {
  return randomBytes(32).toString('hex')
}

/** Constant-time for equal lengths; a length mismatch says nothing a guesser could use. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given, 'utf8')
  const b = Buffer.from(token, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h)
}

/** The `host:port` names a request may use for this server, or null for "any" (an allowed remote server). */
export function allowedHosts(host: string, port: number, remote: boolean): Set<string> | null {
  if (remote) return null
  const names = new Set(['127.0.0.1', 'localhost', host.includes(':') ? `[${host}]` : host.toLowerCase()])
  const hosts = new Set<string>()
  for (const n of names) {
    hosts.add(`${n}:${port}`)
    // Browsers leave the default port out of Host and Origin.
    if (port === 80) hosts.add(n)
  }
  return hosts
}

export function hostAllowed(req: IncomingMessage, hosts: Set<string> | null): boolean {
  const host = req.headers.host?.toLowerCase()
  if (!host) return false
  return hosts === null || hosts.has(host)
}

/** The page that opens the socket must be this server's own: same scheme, host and port as the request. */
export function originAllowed(req: IncomingMessage, hosts: Set<string> | null): boolean {
  const origin = req.headers.origin?.toLowerCase()
  const host = req.headers.host?.toLowerCase()
  if (!origin || !host || !hostAllowed(req, hosts)) return false
  return origin === `http://${host}`
}

/** The subprotocols a WebSocket upgrade offers, in order (Sec-WebSocket-Protocol, comma-separated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol']
  if (typeof header !== 'string') return []
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
}

export type SocketAuth = 'ok' | 'no-protocol' | 'unauthorized'

/**
 * `no-protocol`: not our page's client at all (it did not offer WS_PROTOCOL); `unauthorized`: our client
 * without this server's token (none, a wrong one, or more than one).
 */
export function socketAuth(offered: readonly string[], token: string): SocketAuth {
  if (!offered.includes(WS_PROTOCOL)) return 'no-protocol'
  const given = offered.filter((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX))
  if (given.length !== 1) return 'unauthorized'
  return tokenMatches(given[0]!.slice(WS_TOKEN_PROTOCOL_PREFIX.length), token) ? 'ok' : 'unauthorized'
}
