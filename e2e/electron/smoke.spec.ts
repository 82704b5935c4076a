/**
 * Smoke tests of the desktop app: the built app (npm run build) in a real Electron, on a temporary data
 * folder. Where no Electron binary is installed the suite is skipped and says so.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test'
import { METHODS } from '../../src-shared/contract'
import { ROOT, electronPath, skipReason } from './electron'

if (skipReason) console.log(`Electron smoke tests ${skipReason}`)

/** A run small enough to finish in seconds on the builtin dataset. */
const TINY_RUN = {
  name: 'e2e electron smoke',
  dataset: { name: 'fashion-mnist-small', numTraining: 200, numValidation: 50, numTest: 50 },
  model: { kind: 'two-layer', hiddenDim: 10, weightScale: 0.001, reg: 0 },
  solver: { updateRule: 'sgd', optimConfig: { learningRate: 0.001 }, batchSize: 50, numEpochs: 2 },
}

test.describe('preload bundle', () => {
  test('requires nothing but electron (a sandboxed preload cannot)', async () => {
    const file = join(ROOT, 'out', 'preload', 'index.js')
    const code = await readFile(file, 'utf8').catch(() => {
      throw new Error(`${file} is missing: run npm run build first`)
    })
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code).not.toMatch(/\bimport\s*\(|^import\s/m)
  })
})

test.describe('desktop app', () => {
  test.skip(skipReason !== null, skipReason ?? '')
  test.describe.configure({ mode: 'serial' })

  let dir: string
  let app: ElectronApplication
  let page: Page

  test.beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-electron-e2e-'))
    app = await _electron.launch({
      // Never let Playwright resolve `electron` itself: that would try to download a missing binary.
      executablePath: electronPath!,
      args: ['.'],
      cwd: ROOT,
      env: {
        ...process.env,
        WORKBENCH_DATA_DIR: join(dir, 'data'),
        WORKBENCH_USER_DATA_DIR: join(dir, 'user-data'),
        WORKBENCH_CONFIG_DIR: join(dir, 'config'),
      },
    })
    page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
  })

  test.afterAll(async () => {
    await app?.close().catch(() => undefined)
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('opens one window titled Workbench, showing the built app', async () => {
    await expect(page).toHaveTitle(/Workbench/)
    expect(app.windows()).toHaveLength(1)
    // Served over the app:// scheme (src-main/electron/appProtocol.ts), not file://.
    expect(page.url()).toMatch(/^app:\/\/workbench\/index\.html/)
  })

  test('app:// answers with the strict CSP and refuses to climb out of the renderer folder', async () => {
    const r = await page.evaluate(async () => {
      const own = await fetch('app://workbench/index.html')
      const up = await fetch('app://workbench/..%2f..%2fpackage.json')
      return { own: own.status, csp: own.headers.get('content-security-policy'), up: up.status }
    })
    expect(r.own).toBe(200)
    expect(r.csp).toContain("default-src 'self'")
    expect(r.csp).toContain("frame-ancestors 'none'")
    expect(r.up).toBeGreaterThanOrEqual(400)
  })

  test('exposes exactly the contract methods and on, and no Node', async () => {
    const shape = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>
      const api = w['api'] as Record<string, unknown>
      return {
        keys: Object.keys(api).sort(),
        types: [...new Set(Object.values(api).map((v) => typeof v))],
        require: typeof w['require'],
        process: typeof w['process'],
        module: typeof w['module'],
        Buffer: typeof w['Buffer'],
      }
    })
    expect(shape.keys).toEqual([...METHODS, 'on'].sort())
    expect(shape.types).toEqual(['function'])
    expect(shape).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined' })
    expect(shape.Buffer).toBe('undefined')
    const refused = await page.evaluate(() => {
      const api = (globalThis as unknown as { api: { on: (e: string, l: () => void) => void } }).api
      try {
        api.on('runs.list', () => {})
        return 'accepted'
      } catch (e) {
        return String(e)
      }
    })
    expect(refused).toMatch(/unknown event/)
  })

  test('creates a run through window.api, with events, and rejects a bad config with its fields', async () => {
    const result = await page.evaluate(async (config) => {
      type Call = (...a: unknown[]) => Promise<unknown>
      type Api = {
        'runs.create': Call
        'runs.list': Call
        on: (e: string, l: (p: unknown) => void) => () => void
      }
      const api = (globalThis as unknown as { api: Api }).api
      const events: string[] = []
      const off = api.on('run', (p) => events.push((p as { id: string }).id))
      const created = (await api['runs.create'](config)) as { id: string; status: string }
      const listed = (await api['runs.list']()) as { id: string }[]
      await new Promise((r) => setTimeout(r, 1000))
      off()
      const bad = await api['runs.create']({ ...config, solver: { numEpochs: -1 } }).catch((e: unknown) => e)
      return { created, listed: listed.map((r) => r.id), events, bad }
    }, TINY_RUN)
    expect(result.created.status).toBe('queued')
    expect(result.listed).toContain(result.created.id)
    expect(result.events).toContain(result.created.id)
    expect(result.bad).toMatchObject({ code: 'invalid-config', fields: expect.any(Array) })
  })

  test('stays on the app: no navigation away, no new windows', async () => {
    const before = page.url()
    await page.evaluate(() => {
      const w = globalThis as unknown as { open(url: string): void; location: { href: string } }
      w.open('https://example.com/')
      w.location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe(before)
    expect(app.windows()).toHaveLength(1)
  })

  test('quits cleanly: no run left running, window state saved', async () => {
    await app.close()
    const runsDir = join(dir, 'data', 'runs')
    for (const id of await readdir(runsDir)) {
      const run = JSON.parse(await readFile(join(runsDir, id, 'run.json'), 'utf8')) as { status: string }
      expect(['completed', 'interrupted']).toContain(run.status)
    }
    const state = JSON.parse(await readFile(join(dir, 'user-data', 'window-state.json'), 'utf8')) as unknown
    expect(state).toMatchObject({ bounds: expect.any(Object), maximized: expect.any(Boolean) })
  })
})
