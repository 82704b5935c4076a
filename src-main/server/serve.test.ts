import { createServer, type Server } from 'node:net'
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Context, type CliIo } from '../cli/context'
import { CliError } from '../cli/errors'
import { cli } from '../cli/testing'
import { wsProtocols } from '../../src-shared/browserAuth'
import { CREDENTIALS_FILE } from './credentials'
import { serveCommand, type ServeOptions } from './serve'
import { closeOf, connect, get, INDEX_HTML, TOKEN } from './testing'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'wb-serve-'))
  dirs.push(dir)
  const staticDir = join(dir, 'renderer')
  await mkdir(staticDir)
  await writeFile(join(staticDir, 'index.html'), INDEX_HTML)
  return { dir, staticDir, dataDir: join(dir, 'data') }
}

interface Session {
  stdout: () => string
  stderr: () => string
  stop: () => void
  /** Resolves with the exit code. */
  done: Promise<number>
  /** Resolves with the printed URL once serving. */
  url: Promise<string>
}

function serve(dataDir: string, options: ServeOptions, env: NodeJS.ProcessEnv = {}, json = false): Session {
  let out = ''
  let err = ''
  const interrupt = new AbortController()
  let printed: (url: string) => void = () => {}
  const url = new Promise<string>((r) => (printed = r))
  const io: CliIo = {
    stdout: (s) => {
      out += s
      const m = /http:\/\/[^\s"]+/.exec(out)
      if (m) printed(m[0])
    },
    stderr: (s) => void (err += s),
    terminal: null,
    stdoutIsTerminal: false,
    env,
    cwd: process.cwd(),
    interrupt: interrupt.signal,
  }
  const done = serveCommand(new Context(io, { dataDir, json }), { threads: 1, ...options })
  return { stdout: () => out, stderr: () => err, stop: () => interrupt.abort(), done, url }
}

/** `n` consecutive free loopback ports (held while probing, then released): a default range for a test. */
async function freeRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 40_000)
    const held: Server[] = []
    try {
      for (let i = 0; i < n; i++) held.push(await listenOn(first + i))
      return first
    } catch {
      // Taken: try elsewhere.
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))))
    }
  }
  throw new Error(`no ${n} consecutive free ports`)
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => resolvePromise(s))
  })
}

interface Printed {
  url: string
  port: number
  token: string
  credentialsFile: string
  notes: string[]
}

async function printed(s: Session): Promise<Printed> {
  await s.url
  return JSON.parse(s.stdout()) as Printed
}

async function stopped(s: Session): Promise<void> {
  s.stop()
  expect(await s.done).toBe(0)
}

describe('serve', () => {
  it('prints the URL with the token in its fragment, serves until interrupted, then closes', async () => {
    const { staticDir, dataDir } = await setup()
    const s = serve(dataDir, { staticDir, port: 0 }, { WORKBENCH_TOKEN: TOKEN })
    const url = new URL(await s.url)
    expect(url.hostname).toBe('127.0.0.1')
    expect(url.search).toBe('')
    expect(url.hash).toBe(`#token=${TOKEN}`)
    expect(s.stdout().trim()).toBe(url.href)
    const port = Number(url.port)
    expect((await get(port, '/')).status).toBe(200)
    const c = await connect(port)
    expect(await c.call('runs.list')).toEqual({ id: 1, result: [] })
    c.close()
    expect(s.stderr()).toContain('Ctrl-C')
    expect(s.stderr()).toContain("the token is $WORKBENCH_TOKEN's")
    s.stop()
    expect(await s.done).toBe(0)
    await expect(get(port, '/')).rejects.toThrow()
  })

  it('makes a token the first time and keeps it in the data folder (mode 0600); stops on SIGTERM', async () => {
    const { staticDir, dataDir } = await setup()
    const listeners = process.listenerCount('SIGTERM')
    const s = serve(dataDir, { staticDir, port: 0 }, {}, true)
    const p = await printed(s)
    expect(p.token).toMatch(/^[0-9a-f]{64}$/)
    expect(p.url).toBe(`http://127.0.0.1:${p.port}/#token=${p.token}`)
    expect(p.credentialsFile).toBe(join(dataDir, CREDENTIALS_FILE))
    expect(p.notes).toEqual([])
    expect(JSON.parse(await readFile(p.credentialsFile, 'utf8'))).toEqual({
      version: 1,
      token: p.token,
      port: p.port,
    })
    if (process.platform !== 'win32') expect((await lstat(p.credentialsFile)).mode & 0o777).toBe(0o600)
    process.emit('SIGTERM')
    expect(await s.done).toBe(0)
    expect(process.listenerCount('SIGTERM')).toBe(listeners)
  })

  it('serves the same URL after a restart: the port and the token this data folder used last', async () => {
    const { staticDir, dataDir } = await setup()
    const defaultPort = await freeRange(3)
    const first = serve(dataDir, { staticDir, port: 0, defaultPort }, {}, true)
    const a = await printed(first)
    expect(a.port).not.toBe(defaultPort)
    await stopped(first)
    const second = serve(dataDir, { staticDir, defaultPort }, {}, true)
    const b = await printed(second)
    expect(b.url).toBe(a.url)
    const c = await connect(b.port, { token: a.token })
    expect(await c.call('runs.list')).toEqual({ id: 1, result: [] })
    c.close()
    await stopped(second)
  })

  it('gives each data folder its own port and token, from the default port on', async () => {
    const one = await setup()
    const two = await setup()
    const defaultPort = await freeRange(3)
    const a = serve(one.dataDir, { staticDir: one.staticDir, defaultPort }, {}, true)
    const pa = await printed(a)
    const b = serve(two.dataDir, { staticDir: two.staticDir, defaultPort }, {}, true)
    const pb = await printed(b)
    expect([pa.port, pb.port]).toEqual([defaultPort, defaultPort + 1])
    expect(pb.token).not.toBe(pa.token)
    // Side by side, each takes its own token only.
    for (const [port, own, other] of [
      [pa.port, pa.token, pb.token],
      [pb.port, pb.token, pa.token],
    ] as const) {
      const ok = await connect(port, { token: own })
      expect(await ok.call('runs.list')).toEqual({ id: 1, result: [] })
      ok.close()
      expect(await closeOf(await connect(port, { token: other }))).toEqual({ code: 4401, frames: 0 })
    }
    await stopped(a)
    await stopped(b)
    // Restarted the other way round, each still gets the port it used last.
    const b2 = serve(two.dataDir, { staticDir: two.staticDir, defaultPort }, {}, true)
    expect((await printed(b2)).port).toBe(pb.port)
    const a2 = serve(one.dataDir, { staticDir: one.staticDir, defaultPort }, {}, true)
    expect((await printed(a2)).port).toBe(pa.port)
    await stopped(a2)
    await stopped(b2)
  })

  it('moves to another port when the remembered one is taken, says so and remembers it', async () => {
    const { staticDir, dataDir } = await setup()
    const defaultPort = await freeRange(3)
    const first = serve(dataDir, { staticDir, port: 0, defaultPort }, {}, true)
    const a = await printed(first)
    await stopped(first)
    const blocker = await listenOn(a.port)
    try {
      const s = serve(dataDir, { staticDir, defaultPort }, {})
      const url = new URL(await s.url)
      expect(Number(url.port)).toBe(defaultPort)
      expect(url.hash).toBe(`#token=${a.token}`)
      expect(s.stderr()).toContain(`Port ${a.port}, which this data folder used last, is taken`)
      await stopped(s)
      const kept = JSON.parse(await readFile(a.credentialsFile, 'utf8')) as { port: number }
      expect(kept.port).toBe(defaultPort)
    } finally {
      await new Promise((r) => blocker.close(r))
    }
  })

  it('--new-token replaces the kept token (the old one is refused) and keeps the port', async () => {
    const { staticDir, dataDir } = await setup()
    const first = serve(dataDir, { staticDir, port: 0 }, {}, true)
    const a = await printed(first)
    await stopped(first)
    const second = serve(dataDir, { staticDir, newToken: true }, {}, true)
    const b = await printed(second)
    expect(b.port).toBe(a.port)
    expect(b.token).not.toBe(a.token)
    expect(b.notes.join('\n')).toContain('--new-token')
    expect(await closeOf(await connect(b.port, { token: a.token }))).toEqual({ code: 4401, frames: 0 })
    await stopped(second)
    const kept = JSON.parse(await readFile(a.credentialsFile, 'utf8')) as { token: string }
    expect(kept.token).toBe(b.token)
  })

  it('replaces a damaged token file with a new token and says so (in --json, among the notes)', async () => {
    const { staticDir, dataDir } = await setup()
    await mkdir(dataDir, { recursive: true })
    const file = join(dataDir, CREDENTIALS_FILE)
    await writeFile(file, '{"version": 1, "tok', { mode: 0o600 })
    const s = serve(dataDir, { staticDir, port: 0 }, {})
    await s.url
    expect(s.stderr()).toContain(`${file} was not usable (it is not valid JSON`)
    expect(s.stderr()).toContain('made a new token')
    await stopped(s)
    await writeFile(file, '[]', { mode: 0o600 })
    const j = serve(dataDir, { staticDir, port: 0 }, {}, true)
    const p = await printed(j)
    expect(p.notes).toEqual([expect.stringContaining(`${file} was not usable ((the whole file)`)])
    expect(j.stderr()).toBe('')
    await stopped(j)
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ token: p.token })
  })

  it('--print-url prints the kept URL without serving (no built UI needed), even while the server runs', async () => {
    const { dir, staticDir, dataDir } = await setup()
    const noUi = join(dir, 'missing')
    await expect(serve(dataDir, { staticDir: noUi, printUrl: true }).done).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('no server has run on'),
    })
    const running = serve(dataDir, { staticDir, port: 0 }, {}, true)
    const p = await printed(running)
    const again = serve(dataDir, { staticDir: noUi, printUrl: true })
    expect(await again.done).toBe(0)
    expect(again.stdout()).toBe(`${p.url}\n`)
    const json = serve(dataDir, { staticDir: noUi, printUrl: true }, {}, true)
    expect(await json.done).toBe(0)
    expect(JSON.parse(json.stdout())).toEqual({
      url: p.url,
      port: p.port,
      token: p.token,
      credentialsFile: p.credentialsFile,
    })
    await expect(
      serve(dataDir, { staticDir: noUi, printUrl: true, newToken: true }).done,
    ).rejects.toMatchObject({ exitCode: 2 })
    await stopped(running)
  })

  it('WORKBENCH_TOKEN overrides the kept token and leaves it as it is', async () => {
    const { staticDir, dataDir } = await setup()
    const first = serve(dataDir, { staticDir, port: 0 }, {}, true)
    const kept = (await printed(first)).token
    await stopped(first)
    const s = serve(dataDir, { staticDir }, { WORKBENCH_TOKEN: TOKEN }, true)
    const p = await printed(s)
    expect(p.token).toBe(TOKEN)
    expect(await closeOf(await connect(p.port, { token: kept }))).toEqual({ code: 4401, frames: 0 })
    await stopped(s)
    const file = JSON.parse(await readFile(p.credentialsFile, 'utf8')) as { token: string }
    expect(file.token).toBe(kept)
    await expect(
      serve(dataDir, { staticDir, newToken: true }, { WORKBENCH_TOKEN: TOKEN }).done,
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--new-token') })
  })

  it('leaves a running run interrupted (resumable) when stopped', async () => {
    const { staticDir, dataDir } = await setup()
    const s = serve(dataDir, { staticDir, port: 0 }, { WORKBENCH_TOKEN: TOKEN })
    const url = new URL(await s.url)
    const { default: WebSocket } = await import('ws')
    const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws`, wsProtocols(TOKEN), { origin: url.origin })
    await new Promise((r) => ws.once('open', r))
    const running = new Promise<string>((resolve) =>
      ws.on('message', (d) => {
        const f = JSON.parse(String(d)) as { event?: string; payload?: { id: string; status: string } }
        if (f.event === 'run' && f.payload?.status === 'running') resolve(f.payload.id)
      }),
    )
    const config = {
      name: 'long',
      dataset: { name: 'fashion-mnist-small', numTraining: 500 },
      model: { kind: 'two-layer', hiddenDim: 20 },
      solver: { numEpochs: 10000, batchSize: 100 },
    }
    ws.send(JSON.stringify({ id: 1, method: 'runs.create', args: [config] }))
    const id = await running
    s.stop()
    expect(await s.done).toBe(0)
    expect(s.stderr()).toContain('1 running run(s) will be left interrupted')
    const record = JSON.parse(await readFile(join(dataDir, 'runs', id, 'run.json'), 'utf8')) as {
      status: string
    }
    expect(record.status).toBe('interrupted')
  })

  it('refuses to start without a built UI (exit 2: run npm run build first)', async () => {
    const { dir, dataDir } = await setup()
    const s = serve(dataDir, { staticDir: join(dir, 'missing') })
    await expect(s.done).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('npm run build first'),
    })
  })

  it('refuses a bad WORKBENCH_TOKEN, a non-loopback host, a port in use', async () => {
    const { staticDir, dataDir } = await setup()
    await expect(serve(dataDir, { staticDir }, { WORKBENCH_TOKEN: 'short' }).done).rejects.toBeInstanceOf(
      CliError,
    )
    await expect(
      serve(dataDir, { staticDir }, { WORKBENCH_TOKEN: 'has space 0123456' }).done,
    ).rejects.toMatchObject({
      exitCode: 2,
    })
    await expect(serve(dataDir, { staticDir, host: '0.0.0.0' }).done).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('--allow-remote'),
    })
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    try {
      await expect(serve(dataDir, { staticDir, port }).done).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringContaining('in use'),
      })
    } finally {
      blocker.close()
    }
  })

  it('is the CLI’s `serve` command: options checked, errors reported with exit code 2', async () => {
    const help = await cli(['serve', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(
      /--port <n>[\s\S]*--new-token[\s\S]*--print-url[\s\S]*--host <host>[\s\S]*--allow-remote[\s\S]*--threads <n>/,
    )
    const flat = help.stdout.replace(/\s+/g, ' ')
    expect(flat).toContain(`<data-dir>/${CREDENTIALS_FILE} (mode 600)`)
    expect(flat).toContain('else the first free one from 8231')
    expect((await cli(['serve', '--port', 'abc'])).code).toBe(2)
    expect((await cli(['serve', '--port', '70000'])).code).toBe(2)
    const remote = await cli(['serve', '--host', '0.0.0.0', '--json'])
    expect(remote.code).toBe(2)
    expect(JSON.parse(remote.stderr)).toMatchObject({ error: { code: 'usage' } })
  })
})
