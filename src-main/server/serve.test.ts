import { createServer } from 'node:net'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Context, type CliIo } from '../cli/context'
import { CliError } from '../cli/errors'
import { cli } from '../cli/testing'
import { serveCommand, type ServeOptions } from './serve'
import { get, INDEX_HTML, TOKEN } from './testing'

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
      const m = /http:\/\/\S+/.exec(out)
      if (m) printed(m[0].replace(/"$/, ''))
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

describe('serve', () => {
  it('prints the URL with the token, serves until interrupted, then closes', async () => {
    const { staticDir, dataDir } = await setup()
    const s = serve(dataDir, { staticDir, port: 0 }, { WORKBENCH_TOKEN: TOKEN })
    const url = new URL(await s.url)
    expect(url.hostname).toBe('127.0.0.1')
    expect(url.searchParams.get('token')).toBe(TOKEN)
    expect(s.stdout().trim()).toBe(url.href)
    const port = Number(url.port)
    const r = await get(port, url.pathname + url.search)
    expect(r.status).toBe(302)
    expect((await get(port, '/')).status).toBe(401)
    expect(s.stderr()).toContain('Ctrl-C')
    s.stop()
    expect(await s.done).toBe(0)
    await expect(get(port, '/')).rejects.toThrow()
  })

  it('makes a random token when none is given, and stops on SIGTERM', async () => {
    const { staticDir, dataDir } = await setup()
    const listeners = process.listenerCount('SIGTERM')
    const s = serve(dataDir, { staticDir }, {}, true)
    await s.url
    const printed = JSON.parse(s.stdout()) as { url: string; port: number; token: string }
    expect(printed.token).toMatch(/^[0-9a-f]{64}$/)
    expect(printed.url).toBe(`http://127.0.0.1:${printed.port}/?token=${printed.token}`)
    process.emit('SIGTERM')
    expect(await s.done).toBe(0)
    expect(process.listenerCount('SIGTERM')).toBe(listeners)
  })

  it('leaves a running run interrupted (resumable) when stopped', async () => {
    const { staticDir, dataDir } = await setup()
    const s = serve(dataDir, { staticDir }, { WORKBENCH_TOKEN: TOKEN })
    const url = new URL(await s.url)
    const { default: WebSocket } = await import('ws')
    const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws?token=${TOKEN}`, { origin: url.origin })
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
    expect(help.stdout).toMatch(/--port <n>[\s\S]*--host <host>[\s\S]*--allow-remote[\s\S]*--threads <n>/)
    expect((await cli(['serve', '--port', 'abc'])).code).toBe(2)
    expect((await cli(['serve', '--port', '70000'])).code).toBe(2)
    const remote = await cli(['serve', '--host', '0.0.0.0', '--json'])
    expect(remote.code).toBe(2)
    expect(JSON.parse(remote.stderr)).toMatchObject({ error: { code: 'usage' } })
  })
})
