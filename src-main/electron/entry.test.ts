/**
 * The main process entry (src-main/index.ts) under plain Node with a stub `electron`: it must register a
 * handler for every contract method that refuses callers other than the app's own top frame, open a
 * hardened window on app://, serve the renderer over that scheme and refuse traversal.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { headerPolicy } from '../../src-shared/csp'
import { METHODS } from '../../src-shared/contract'

const tmp = mkdtempSync(join(tmpdir(), 'wb-entry-'))
const rendererDir = join(tmp, 'renderer')

const stub = vi.hoisted(() => {
  // Hoisted above the imports, so a small emitter of its own rather than node:events.
  class Emitter {
    private readonly listeners = new Map<string, ((...a: unknown[]) => void)[]>()
    on(event: string, l: (...a: unknown[]) => void): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), l])
      return this
    }
    once(event: string, l: (...a: unknown[]) => void): this {
      const once = (...a: unknown[]) => {
        this.listeners.set(
          event,
          (this.listeners.get(event) ?? []).filter((x) => x !== once),
        )
        l(...a)
      }
      return this.on(event, once)
    }
    emit(event: string, ...a: unknown[]): boolean {
      const ls = this.listeners.get(event) ?? []
      for (const l of ls) l(...a)
      return ls.length > 0
    }
  }
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>()
  const schemes: { registered: unknown[]; handlers: Map<string, (r: Request) => Promise<Response>> } = {
    registered: [],
    handlers: new Map(),
  }
  const windows: FakeWindow[] = []
  let nextId = 1
  class FakeWindow extends Emitter {
    readonly options: Record<string, unknown>
    readonly loaded: string[] = []
    readonly webContents: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      super()
      this.options = options
      const contents = new Emitter() as Emitter & Record<string, unknown>
      contents.id = nextId++
      contents.isDestroyed = () => false
      contents.send = () => undefined
      contents.setWindowOpenHandler = () => undefined
      this.webContents = contents
      windows.push(this)
    }
    loadURL(url: string) {
      this.loaded.push(url)
      return Promise.resolve()
    }
    loadFile(file: string) {
      this.loaded.push(`loadFile:${file}`)
      return Promise.resolve()
    }
    isDestroyed = () => false
    isMinimized = () => false
    isMaximized = () => false
    getNormalBounds = () => ({ x: 0, y: 0, width: 1200, height: 800 })
    show = () => undefined
    hide = () => undefined
    focus = () => undefined
    maximize = () => undefined
    restore = () => undefined
    static getAllWindows = () => windows
  }
  const emitter = new Emitter()
  const app = Object.assign(emitter, {
    isPackaged: false,
    paths: new Map<string, string>(),
    exited: [] as number[],
    quits: 0,
    getPath(name: string) {
      const p = this.paths.get(name)
      if (!p) throw new Error(`stub: no path ${name}`)
      return p
    },
    setPath(name: string, p: string) {
      this.paths.set(name, p)
    },
    setAppLogsPath(p?: string) {
      this.paths.set('logs', p ?? `${this.paths.get('userData') ?? '/nowhere'}/logs`)
    },
    getVersion: () => '0.1.0',
    requestSingleInstanceLock: () => true,
    enableSandbox: () => undefined,
    whenReady: () => Promise.resolve(),
    isReady: () => true,
    quit() {
      this.quits++
      // As Electron does: quitting asks before-quit first.
      const e = { defaultPrevented: false, preventDefault: () => (e.defaultPrevented = true) }
      emitter.emit('before-quit', e)
    },
    exit(code: number) {
      this.exited.push(code)
    },
    setAboutPanelOptions: () => undefined,
    showAboutPanel: () => undefined,
  })
  const electron = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => {
        if (handlers.has(channel)) throw new Error(`stub: second handler for ${channel}`)
        handlers.set(channel, fn)
      },
      removeHandler: (channel: string) => handlers.delete(channel),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => schemes.registered.push(...s),
      handle: (scheme: string, fn: (r: Request) => Promise<Response>) => schemes.handlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => undefined },
        setPermissionRequestHandler: () => undefined,
        setPermissionCheckHandler: () => undefined,
      },
    },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => undefined },
    shell: { openPath: () => Promise.resolve(''), openExternal: () => Promise.resolve() },
    dialog: { showErrorBox: () => undefined, showOpenDialog: () => Promise.resolve({ canceled: true }) },
    crashReporter: {
      started: [] as unknown[],
      start(o: unknown) {
        this.started.push(o)
      },
    },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
      getAllDisplays: () => [],
    },
  }
  return { electron, handlers, schemes, windows }
})

vi.mock('electron', () => ({ ...stub.electron, default: stub.electron }))
// The built renderer's folder is the fixture's (the test does not need a build).
vi.mock('./paths', async (importOriginal) => {
  const real = await importOriginal<typeof import('./paths')>()
  return { appPaths: (p: Parameters<typeof real.appPaths>[0]) => ({ ...real.appPaths(p), rendererDir }) }
})

const env = { ...process.env }
const listeners = { exception: 0, rejection: 0, sigint: 0, sigterm: 0 }

beforeAll(async () => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Workbench</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'export {}')
  writeFileSync(join(tmp, 'outside.txt'), 'outside')
  process.env['WORKBENCH_DATA_DIR'] = join(tmp, 'data')
  process.env['WORKBENCH_CONFIG_DIR'] = join(tmp, 'config')
  process.env['WORKBENCH_USER_DATA_DIR'] = join(tmp, 'user-data')
  delete process.env['WORKBENCH_MEMORY_BUDGET']
  process.env['ELECTRON_RENDERER_URL'] = ''
  listeners.exception = process.listenerCount('uncaughtException')
  listeners.rejection = process.listenerCount('unhandledRejection')
  listeners.sigint = process.listenerCount('SIGINT')
  listeners.sigterm = process.listenerCount('SIGTERM')
  await import('../index')
  // The window opens after the (already resolved) whenReady chain.
  await vi.waitFor(() => expect(stub.windows).toHaveLength(1))
})

afterAll(async () => {
  // Quit as the menu does: the core closes, then the app quits for good.
  stub.electron.app.quit()
  await vi.waitFor(() => expect(stub.electron.app.quits).toBeGreaterThanOrEqual(2), { timeout: 15_000 })
  for (const [event, before] of [
    ['uncaughtException', listeners.exception],
    ['unhandledRejection', listeners.rejection],
    ['SIGINT', listeners.sigint],
    ['SIGTERM', listeners.sigterm],
  ] as const) {
    const all = process.listeners(event as 'SIGINT') as ((...a: unknown[]) => void)[]
    for (const l of all.slice(before)) process.off(event as 'SIGINT', l)
  }
  process.env = env
  rmSync(tmp, { recursive: true, force: true })
})

function callerFrom(webContentsId: number, url: string, isMainFrame = true) {
  return { sender: { id: webContentsId }, senderFrame: { url, parent: isMainFrame ? null : {} } }
}

const ownWindow = () => stub.windows[0]!.webContents.id as number

describe('the main process entry under a stub electron', () => {
  it('registers app:// as a standard, secure scheme and starts the crash reporter with uploads off', () => {
    expect(stub.schemes.registered).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ])
    expect(stub.electron.crashReporter.started).toEqual([{ uploadToServer: false }])
  })

  it('has an IPC handler for every contract method and no other channel', () => {
    expect([...stub.handlers.keys()].sort()).toEqual([...METHODS].sort())
  })

  it("answers the app's own top frame and refuses iframes, other windows and other pages", async () => {
    const info = stub.handlers.get('app.info')!
    const ok = (await info(callerFrom(ownWindow(), 'app://workbench/index.html#/experiments'))) as {
      mode: string
      dataDir: string
    }
    expect(ok).toMatchObject({ mode: 'electron', dataDir: join(tmp, 'data') })
    for (const [caller, what] of [
      [callerFrom(ownWindow(), 'app://workbench/index.html', false), 'an iframe'],
      [callerFrom(ownWindow() + 100, 'app://workbench/index.html'), 'another webContents'],
      [callerFrom(ownWindow(), 'https://evil.example/'), 'a remote page'],
      [callerFrom(ownWindow(), 'file:///tmp/index.html'), 'a file:// page'],
      [callerFrom(ownWindow(), 'app://workbench/other.html'), 'another file of the app'],
    ] as const) {
      for (const method of METHODS) {
        const r = await stub.handlers.get(method)!(caller)
        expect(r, `${method} from ${what}`).toEqual({
          __apiError: expect.objectContaining({ code: 'forbidden' }),
        })
      }
    }
  })

  it('validates arguments of the settings methods behind the sender check', async () => {
    const set = stub.handlers.get('settings.set')!
    const r = await set(callerFrom(ownWindow(), 'app://workbench/index.html'), { maxThreads: 0 })
    expect(r).toEqual({
      __apiError: expect.objectContaining({
        code: 'invalid-argument',
        fields: [expect.objectContaining({ path: 'patch.maxThreads' })],
      }),
    })
  })

  it('opens one window with context isolation, the sandbox and no Node, on app://', () => {
    const w = stub.windows[0]!
    expect(w.options['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    })
    expect(w.loaded).toEqual(['app://workbench/index.html'])
  })

  it('serves the renderer over app:// with the CSP, and refuses traversal', async () => {
    const handle = stub.schemes.handlers.get('app')!
    const index = await handle(new Request('app://workbench/index.html'))
    expect(index.status).toBe(200)
    expect(await index.text()).toContain('<title>Workbench</title>')
    expect(index.headers.get('content-security-policy')).toBe(headerPolicy())
    const js = await handle(new Request('app://workbench/assets/app.js'))
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
    for (const url of [
      'app://workbench/%2e%2e/outside.txt',
      'app://workbench/assets/%2e%2e/%2e%2e/outside.txt',
      'app://workbench/..%2foutside.txt',
    ]) {
      const r = { url, method: 'GET' } as Request
      const res = await handle(r)
      expect(res.status, url).toBeGreaterThanOrEqual(400)
      expect(await res.text(), url).not.toContain('outside')
    }
  })

  it('writes its log in the logs folder', () => {
    // In the userData folder the test profile names, as Electron puts it on Linux and Windows.
    expect(existsSync(join(tmp, 'user-data', 'logs'))).toBe(true)
    expect(readdirSync(join(tmp, 'user-data', 'logs'))).toContain('main.log')
  })
})

describe('what the entry logs', () => {
  it('records refused callers in the log file, not only on the console', async () => {
    const { readFileSync } = await import('node:fs')
    await stub.handlers.get('runs.list')!(callerFrom(ownWindow(), 'https://evil.example/'))
    await vi.waitFor(() =>
      expect(readFileSync(join(tmp, 'user-data', 'logs', 'main.log'), 'utf8')).toContain(
        "refused runs.list from a sender that is not the app's window",
      ),
    )
  })
})
