/**
 * Browser mode: one loopback HTTP server that serves the built renderer (public code, no token needed) and
 * speaks the contract over a WebSocket at /ws, which needs the token. The token reaches the page in the
 * fragment of the URL printed at start and travels on as a WebSocket subprotocol
 * (src-shared/browserAuth.ts); see auth.ts for what each check stops.
 */
import type { AppSettings } from '../core/settings/appSettings'
import { realpath } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { forwardEvents, type EventPacing } from '../api/events'
import { createHandlers } from '../api/handlers'
import { ChromiumPdfPrinter } from '../core/export/pdf/chromium'
import type { PdfPrinter } from '../core/export/pdf/printer'
import type { Workbench } from '../core/workbench'
import { TOKEN_FRAGMENT_PARAM, WS_CLOSE_UNAUTHORIZED, WS_PROTOCOL } from '../../src-shared/browserAuth'
import {
  allowedHosts,
  hostAllowed,
  isLoopbackHost,
  newToken,
  offeredProtocols,
  originAllowed,
  socketAuth,
  TOKEN_PATTERN,
} from './auth'
import { serveConnection } from './connection'
import { MAX_FRAME_BYTES } from './frames'
import { sendText, setSecurityHeaders } from './headers'
import { serveStatic } from './static'

export interface ServerOptions {
  workbench: Workbench
  dataDir: string
  /** The built renderer (out/renderer). */
  staticDir: string
  examplesDir: string
  /** Default 127.0.0.1. Anything but a loopback address needs `allowRemote`. */
  host?: string
  /**
   * Default 0: a free port. A list: the first of them that is free (EADDRINUSE moves on to the next;
   * any other error, or the last port taken, fails).
   */
  port?: number | readonly number[]
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
  /** The settings the Settings page edits (serve reads them at start); absent: settings.* unsupported. */
  settings?: AppSettings
}

export interface RunningServer {
  /** Open this: it carries the token in its fragment (`/#token=...`), which the browser never sends. */
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
    ...(options.settings ? { settings: options.settings } : {}),
  })

  // Known once listening (the port may be ephemeral); until then no Host is allowed.
  let hosts: Set<string> | null = new Set()

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal server error')
      else res.destroy()
    })
  })
  // The hard cap closes the socket; frames between MAX_FRAME_BYTES and it get an error frame instead.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * MAX_FRAME_BYTES,
    // The one protocol echoed back; the token protocol is read, never selected.
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  })
  /** Every open socket (closed on shutdown); only `clients` get events and calls answered. */
  const sockets = new Set<WebSocket>()
  const clients = new Set<WebSocket>()

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res)
    const { path } = splitUrl(req.url)
    if (!hostAllowed(req, hosts)) return sendText(res, 403, 'Forbidden: unexpected Host header')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' })
    }
    if (path === WS_PATH) return sendText(res, 426, 'Upgrade required: this is the WebSocket endpoint')
    return serveStatic(res, root, path)
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const { path } = splitUrl(req.url)
    if (path !== WS_PATH) return reject(socket, 404, 'Not found')
    if (!hostAllowed(req, hosts)) return reject(socket, 403, 'Forbidden: unexpected Host header')
    if (!originAllowed(req, hosts)) return reject(socket, 403, "Forbidden: not this server's page")
    const auth = socketAuth(offeredProtocols(req), token)
    if (auth === 'no-protocol') {
      return reject(socket, 401, `Unauthorized: offer the ${WS_PROTOCOL} subprotocol and the token`)
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      ws.on('close', () => sockets.delete(ws))
      if (auth !== 'ok') {
        // Our page without this server's token: it is told so, and nothing it sends is read.
        ws.close(WS_CLOSE_UNAUTHORIZED, 'unauthorized: wrong or missing token')
        return
      }
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

  const candidates: readonly number[] =
    typeof options.port === 'number' ? [options.port] : options.port?.length ? options.port : [0]
  for (const [i, candidate] of candidates.entries()) {
    try {
      await listen(server, candidate, host)
      break
    } catch (e) {
      if (i < candidates.length - 1 && (e as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE') continue
      events.close()
      throw e
    }
  }
  const port = (server.address() as AddressInfo).port
  hosts = allowedHosts(host, port, remote)

  let closing: Promise<void> | null = null
  const close = async (): Promise<void> => {
    events.close()
    for (const ws of sockets) ws.close(1001, 'server shutting down')
    // A client that does not answer the closing handshake promptly is cut off.
    const deadline = setTimeout(() => {
      for (const ws of sockets) ws.terminate()
    }, 1000)
    await Promise.all(
      [...sockets].map(
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

  return {
    url: serverUrl(host, port, token),
    port,
    token,
    close: () => (closing ??= close()),
  }
}

/** The URL a person opens: the token in the fragment, which the browser keeps to itself. */
export function serverUrl(host: string, port: number, token: string): string {
  const shown = isWildcard(host) ? '127.0.0.1' : urlHost(host)
  return `http://${shown}:${port}/#${TOKEN_FRAGMENT_PARAM}=${token}`
}

/** The path of a request target, still percent-encoded, without its query. */
function splitUrl(url: string | undefined): { path: string } {
  const target = url ?? '/'
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  return { path: path || '/' }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
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
