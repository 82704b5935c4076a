/**
 * Extra local servers for the credential tests: browser-mode servers of the built CLI, each on its own data
 * folder (a port the OS picks unless told), and a plain "other local listener" that records every request
 * it receives, as any other program on 127.0.0.1 could.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '..', '..')

export interface ServeProcess {
  /** What `serve --json` printed. */
  url: string
  port: number
  token: string
  dataDir: string
  stderr(): string
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'wb-e2e-cred-'))
}

/** `workbench serve --json` on `dataDir`; resolves once it printed its URL. `extraEnv` adds variables. */
export function serve(
  dataDir: string,
  args: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv }
  delete env['WORKBENCH_TOKEN']
  const child = spawn(
    process.execPath,
    ['out/main/cli.js', 'serve', '--data-dir', dataDir, '--threads', '1', '--json', ...args],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed nothing in 20 s\n${err}`)), 20_000)
    const early = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}\n${err}`))
    }
    child.once('exit', early)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      let printed: { url: string; port: number; token: string }
      try {
        printed = JSON.parse(out) as typeof printed
      } catch {
        return
      }
      clearTimeout(timer)
      child.off('exit', early)
      resolvePromise({
        ...printed,
        dataDir,
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
    })
  })
}

export interface Recorded {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

export interface SpyServer {
  url: string
  requests: Recorded[]
  close(): Promise<void>
}

/** Another local listener: answers every request with a small page and keeps what it was sent. */
export async function spyServer(): Promise<SpyServer> {
  const requests: Recorded[] = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><title>another local server</title><p>hello</p>')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}
