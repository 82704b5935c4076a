/** Helpers for the server tests: a temp data dir and UI build, raw HTTP requests, WebSocket clients. */
import { request } from 'node:http'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import WebSocket from 'ws'
import { wsProtocols } from '../../src-shared/browserAuth'
import type { ServerFrame } from '../../src-shared/contract'
import { Workbench } from '../core/workbench'
import { startServer, type RunningServer, type ServerOptions } from './server'

export const TOKEN = 'test-token-0123456789abcdef'
export const EXAMPLES_DIR = resolve(__dirname, '../../examples')
export const INDEX_HTML = '<!doctype html><title>Workbench</title><script src="/assets/app.js"></script>\n'

export interface Harness {
  server: RunningServer
  workbench: Workbench
  dir: string
  staticDir: string
  close(): Promise<void>
}

/** A fake UI build (index.html, one asset) beside a data dir, and a server over a fresh workbench. */
export async function startHarness(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-server-'))
  const staticDir = join(dir, 'renderer')
  await mkdir(join(staticDir, 'assets'), { recursive: true })
  await writeFile(join(staticDir, 'index.html'), INDEX_HTML)
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app")\n')
  await writeFile(join(staticDir, 'assets', 'app.css'), 'body { margin: 0 }\n')
  // A secret beside the UI folder that no path may reach.
  await writeFile(join(dir, 'secret.txt'), 'secret\n')
  const workbench = await Workbench.open({
    dataDir: join(dir, 'data'),
    maxThreads: 1,
    progressIntervalMs: 20,
  })
  const server = await startServer({
    workbench,
    dataDir: join(dir, 'data'),
    staticDir,
    examplesDir: EXAMPLES_DIR,
    token: TOKEN,
    ...options,
  })
  return {
    server,
    workbench,
    dir,
    staticDir,
    async close() {
      await server.close()
      await workbench.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw GET (the path is sent as written, unnormalized), with any headers, Host included. */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Reply>((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

export interface ClientOptions {
  origin?: string | null
  host?: string
  /** Offered as the page does (wsProtocols); default TOKEN. Ignored when `protocols` is given. */
  token?: string
  /** The subprotocols offered, raw. */
  protocols?: string[]
  /** Any other request headers (a cookie, say). */
  headers?: Record<string, string>
  /** Appended to /ws (a query). */
  query?: string
}

/**
 * Opens a socket to /ws; rejects with the HTTP status when the server refuses the upgrade. A socket the
 * server accepts and then closes (a wrong token) resolves: see `closeOf`.
 */
export function connect(port: number, options: ClientOptions = {}): Promise<Client> {
  const origin = options.origin === undefined ? `http://127.0.0.1:${port}` : options.origin
  const headers: Record<string, string> = { ...options.headers }
  if (options.host) headers.Host = options.host
  const protocols = options.protocols ?? wsProtocols(options.token ?? TOKEN)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${options.query ?? ''}`, protocols, {
    headers,
    ...(origin !== null ? { origin } : {}),
  })
  const client = new Client(ws)
  return new Promise((resolvePromise, reject) => {
    ws.once('open', () => resolvePromise(client))
    ws.once('unexpected-response', (_req, res) => {
      reject(new RejectedUpgrade(res.statusCode ?? 0))
      ws.terminate()
    })
    ws.once('error', reject)
  })
}

/** How the server ended a socket it accepted: the close code, and how many frames it sent first. */
export async function closeOf(client: Client): Promise<{ code: number; frames: number }> {
  const code = await client.closed
  return { code, frames: client.frames.length }
}

export class RejectedUpgrade extends Error {
  constructor(readonly status: number) {
    super(`upgrade rejected with ${status}`)
  }
}

type Waiter = { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }

/** A test client: sends frames, collects everything received, waits for a frame that matches. */
export class Client {
  readonly frames: ServerFrame[] = []
  private waiters: Waiter[] = []
  private nextId = 1
  /** The close code, once the socket is closed. */
  readonly closed: Promise<number>

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((r) => ws.once('close', (code: number) => r(code)))
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame
      this.frames.push(frame)
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters = this.waiters.filter((x) => x !== w)
          w.resolve(frame)
        }
      }
    })
  }

  /** Sends a raw text frame. */
  sendRaw(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary })
  }

  /** Calls a method and resolves with the reply frame (result or error). */
  call(method: string, ...args: unknown[]): Promise<ServerFrame> {
    const id = this.nextId++
    const reply = this.waitFor((f) => 'id' in f && f.id === id, this.frames.length)
    this.sendRaw(JSON.stringify({ id, method, args }))
    return reply
  }

  /** The first frame from index `since` on that matches, received already or still to come. */
  waitFor(match: (f: ServerFrame) => boolean, since = 0): Promise<ServerFrame> {
    const seen = this.frames.slice(since).find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolvePromise) => this.waiters.push({ match, resolve: resolvePromise }))
  }

  close(): void {
    this.ws.close()
  }
}
