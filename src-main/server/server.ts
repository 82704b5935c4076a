/**
 * Browser mode: one loopback HTTP server that serves the built renderer and speaks the contract over a
 * WebSocket at /ws, both behind a per-launch token. The token arrives once in the URL printed at start;
 * the first request trades it for an HttpOnly cookie and a redirect, so it does not stay in the address
 * bar or the history. See auth.ts for what each check stops.
 */
import { realpath } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { forwardEvents, type EventPacing } from '../api/events'
import { createHandlers } from '../api/handlers'
import { ChromiumPdfPrinter } from '../core/export/pdf/chromium'
import type { PdfPrinter } from '../core/export/pdf/printer'
import type { Workbench } from '../core/workbench'
import {
  allowedHosts,
  authorized,
  hostAllowed,
  isLoopbackHost,
  newToken,
  originAllowed,
  requestTokens,
  TOKEN_COOKIE,
  TOKEN_PARAM,
  TOKEN_PATTERN,
  tokenMatches,
} from './auth'
import { serveConnection } from './connection'
import { MAX_FRAME_BYTES } from './frames'
import { contentSecurityPolicy, sendText, setSecurityHeaders } from './headers'
import { serveStatic } from './static'

export interface ServerOptions {
  workbench: Workbench
  dataDir: string
  /** The built renderer (out/renderer). */
  staticDir: string
  examplesDir: string
  /** Default 127.0.0.1. Anything but a loopback address needs `allowRemote`. */
  host?: string
  /** Default 0: a free port. */
  port?: number
  /** Default: 32 random bytes, hex. */
  token?: string
  /** Listen on a non-loopback address (the token still guards every request). */
  allowRemote?: boolean
  /** Warnings (remote access); default console.warn. */
  warn?: (message: string) => void
  /** Prints reports to PDF; default: a headless Chromium found on this machine. */
  pdf?: PdfPrinter
  /** Event pacing (tests). */
  pacing?: EventPacing
}

export interface RunningServer {
  /** Open this: it carries the token. */
  url: string
  port: number
  token: string
  /** Closes every socket and the listener; the workbench stays open (its owner closes it). */
  close(): Promise<void>
}

export const WS_PATH = '/ws'

/** A client this far behind on events is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const remote = !isLoopbackHost(host)
  if (remote && !options.allowRemote) {
    throw new Error(
      `refusing to listen on ${host}: not a loopback address; browser mode is meant for this machine ` +
        '(allow remote access explicitly to override)',
    )
  }
  const token = options.token ?? newToken()
  if (!TOKEN_PATTERN.test(token)) {
    throw new Error('the token must be 8 to 256 characters of A-Z a-z 0-9 . _ ~ -')
  }
  if (remote) {
    ;(options.warn ?? console.warn)(
      `warning: listening on ${host}, reachable from other machines; anyone with the URL (token) can ` +
        'train, cancel and read runs, and traffic is not encrypted',
    )
  }
  const root = await realpath(options.staticDir)
  const handlers = createHandlers(options.workbench, {
    mode: 'browser',
    dataDir: options.dataDir,
    examplesDir: options.examplesDir,
    pdf: options.pdf ?? new ChromiumPdfPrinter(),
  })

  // Known once listening (the port may be ephemeral); until then no Host is allowed.
  let hosts: Set<string> | null = new Set()
  let csp = ''

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal server error')
      else res.destroy()
    })
  })
  // The hard cap closes the socket; frames between MAX_FRAME_BYTES and it get an error frame instead.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES })
  const clients = new Set<WebSocket>()

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res, csp)
    const { path, query } = splitUrl(req.url)
    if (!hostAllowed(req, hosts)) return sendText(res, 403, 'Forbidden: unexpected Host header')
    const tokens = requestTokens(req, query)
    if (!authorized(tokens, token)) {
      return sendText(res, 401, 'Unauthorized: open the URL with ?token=... that the server printed')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' })
    }
    if (tokens.query !== null) {
      // Trade the token for a cookie and drop it from the URL. The path is re-rooted so that a request
      // for `//evil.example` cannot become a redirect to another host.
      query.delete(TOKEN_PARAM)
      const rest = query.toString()
      const location = '/' + path.replace(/^[/\\]+/, '') + (rest ? `?${rest}` : '')
      const cookie: Record<string, string> = tokenMatches(tokens.query, token)
        ? { 'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }
        : {}
      return sendText(res, 302, `Found: ${location}`, { Location: location, ...cookie })
    }
    if (path === WS_PATH) return sendText(res, 426, 'Upgrade required: this is the WebSocket endpoint')
    return serveStatic(res, root, path)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const { path, query } = splitUrl(req.url)
    if (path !== WS_PATH) return reject(socket, 404, 'Not found')
    if (!hostAllowed(req, hosts)) return reject(socket, 403, 'Forbidden: unexpected Host header')
    if (!originAllowed(req, hosts)) return reject(socket, 403, "Forbidden: not this server's page")
    if (!authorized(requestTokens(req, query), token)) return reject(socket, 401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws)
      ws.on('close', () => clients.delete(ws))
      serveConnection(ws, handlers)
    })
  })

  const events = forwardEvents(
    options.workbench,
    (e) => {
      const text = JSON.stringify(e)
      for (const ws of clients) {
        if (ws.readyState !== ws.OPEN) continue
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate()
        else ws.send(text)
      }
    },
    options.pacing,
  )

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (e) {
    events.close()
    throw e
  }
  const port = (server.address() as AddressInfo).port
  hosts = allowedHosts(host, port, remote)
  const wsOrigins = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]
  if (host !== '127.0.0.1' && host !== 'localhost' && !isWildcard(host)) {
    wsOrigins.push(`ws://${urlHost(host)}:${port}`)
  }
  csp = contentSecurityPolicy(wsOrigins)

  let closing: Promise<void> | null = null
  const close = async (): Promise<void> => {
    events.close()
    for (const ws of clients) ws.close(1001, 'server shutting down')
    // A client that does not answer the closing handshake promptly is cut off.
    const deadline = setTimeout(() => {
      for (const ws of clients) ws.terminate()
    }, 1000)
    await Promise.all(
      [...clients].map(
        (ws) => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : ws.once('close', () => r()))),
      ),
    )
    clearTimeout(deadline)
    wss.close()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  const shownHost = isWildcard(host) ? '127.0.0.1' : urlHost(host)
  return {
    url: `http://${shownHost}:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    close: () => (closing ??= close()),
  }
}

/** The path (still percent-encoded) and the query of a request target. */
function splitUrl(url: string | undefined): { path: string; query: URLSearchParams } {
  const target = url ?? '/'
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  return { path: path || '/', query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) }
}

function reject(socket: Duplex, status: number, text: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error'
  const body = text + '\n'
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::'
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
