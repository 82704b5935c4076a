/**
 * Who may talk to the browser-mode server: a request must carry the token (query or cookie) and name this
 * server in its Host header; a WebSocket must also come from this server's own page (Origin). Together
 * they stop other web pages (cross-site WebSocket, DNS rebinding) and other local users without the
 * token, while the token alone still guards an explicitly remote server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const TOKEN_COOKIE = 'wb_token'
export const TOKEN_PARAM = 'token'
/** Tokens travel in URLs and cookies: only characters that need no escaping in either. */
export const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/

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

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    const raw = part.slice(eq + 1).trim()
    try {
      return decodeURIComponent(raw)
    } catch {
      return raw
    }
  }
  return null
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

export interface RequestTokens {
  query: string | null
  cookie: string | null
}

export function requestTokens(req: IncomingMessage, query: URLSearchParams): RequestTokens {
  return { query: query.get(TOKEN_PARAM), cookie: cookieValue(req.headers.cookie, TOKEN_COOKIE) }
}

export function authorized(tokens: RequestTokens, token: string): boolean {
  return tokenMatches(tokens.query, token) || tokenMatches(tokens.cookie, token)
}
