import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultMemoryBudget } from '../../src-shared/memoryBudget'
import { defaultDataDir } from '../cli/dataDir'
import { AppSettings, startupSettings } from '../core/settings/appSettings'
import { readSettingsFile } from '../core/settings/settingsFile'
import { dispatch } from './dispatch'
import type { Handlers } from './handlers'
import { createSettingsHandlers } from './settingsHandlers'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wb-settings-'))
  file = join(dir, 'config', 'settings.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

interface FakeCore {
  runs: unknown[]
  datasets: { readOnly: boolean }[]
}

function handlers(
  core: FakeCore = { runs: [], datasets: [{ readOnly: true }] },
  o: { editable?: boolean; env?: NodeJS.ProcessEnv; picker?: () => Promise<string | null> } = {},
) {
  const env = o.env ?? { HOME: dir }
  const { settings } = AppSettings.load(
    file,
    { env, useSavedDataDir: o.editable ?? true },
    o.editable ?? true,
  )
  const wb = {
    maxThreads: 2,
    memoryBudgetBytes: defaultMemoryBudget(totalmem()),
    listRuns: async () => core.runs as never,
    datasets: { list: async () => core.datasets as never },
  }
  const h = createSettingsHandlers(wb, {
    settings,
    ...(o.picker ? { pickDataDir: o.picker } : {}),
  }) as unknown as Handlers
  return { h, settings }
}

async function call(h: Handlers, method: string, args: unknown[]) {
  const r = await dispatch(h, method, args)
  if (!r.ok) throw Object.assign(new Error(r.error.message), { apiError: r.error })
  return r.result as Record<string, unknown>
}

async function failure(h: Handlers, method: string, args: unknown[]) {
  const r = await dispatch(h, method, args)
  if (r.ok) throw new Error(`${method} succeeded`)
  return r.error
}

describe('settings.get', () => {
  it('says what this process uses, the defaults, the file, and that the first-run screen is due', async () => {
    const { h } = handlers()
    const info = await call(h, 'settings.get', [])
    expect(info).toMatchObject({
      file,
      saved: {},
      current: { maxThreads: 2, dataDir: defaultDataDir({}) },
      editable: { dataDir: true, maxThreads: true, memoryBudget: true },
      firstRun: true,
      maxThreadsLimit: 256,
    })
    expect(await failure(h, 'settings.get', [1])).toMatchObject({ code: 'invalid-argument' })
  })

  it('no first-run screen once there is a run, an imported dataset, or it was dismissed', async () => {
    expect((await call(handlers({ runs: [{}], datasets: [] }).h, 'settings.get', [])).firstRun).toBe(false)
    const imported = { runs: [], datasets: [{ readOnly: true }, { readOnly: false }] }
    expect((await call(handlers(imported).h, 'settings.get', [])).firstRun).toBe(false)
    const { h } = handlers()
    const after = await call(h, 'settings.set', [{ firstRunDismissed: true }])
    expect(after.firstRun).toBe(false)
    expect(readSettingsFile(file).settings).toEqual({ firstRunDismissed: true })
  })
})

describe('settings.set', () => {
  it('saves threads, the memory budget and the data folder; they apply after a restart', async () => {
    const { h } = handlers()
    const target = join(dir, 'runs-here')
    const info = await call(h, 'settings.set', [{ maxThreads: 3, memoryBudget: '1GB', dataDir: target }])
    expect(info.saved).toEqual({ maxThreads: 3, memoryBudget: '1GB', dataDir: target })
    expect(info.savedMemoryBudgetBytes).toBe(2 ** 30)
    expect(info.restartNeeded).toEqual(['dataDir', 'maxThreads', 'memoryBudget'])
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      dataDir: target,
      maxThreads: 3,
      memoryBudget: '1GB',
    })
    // null puts a setting back to its default.
    const back = await call(h, 'settings.set', [{ dataDir: null, memoryBudget: null }])
    expect(back.saved).toEqual({ maxThreads: 3 })
    // The next start uses the saved values.
    const next = AppSettings.load(file, { env: { HOME: dir }, useSavedDataDir: true }, true).settings
    expect(next.startup).toMatchObject({ maxThreads: 3 })
  })

  it('refuses each bad field by name and saves nothing', async () => {
    const { h } = handlers()
    writeFileSync(join(dir, 'a-file'), 'x')
    mkdirSync(join(dir, 'locked'))
    chmodSync(join(dir, 'locked'), 0o500)
    const cases: [unknown[], string, RegExp][] = [
      [[], 'patch', /needs/],
      [[null], 'patch', /must be an object/],
      [[[1]], 'patch', /must be an object/],
      [[{ colour: 'red' }], 'patch.colour', /unknown setting/],
      [[{ maxThreads: 0 }], 'patch.maxThreads', /from 1 to 256, got 0/],
      [[{ maxThreads: 2.5 }], 'patch.maxThreads', /whole number/],
      [[{ maxThreads: '4' }], 'patch.maxThreads', /got "4"/],
      [[{ maxThreads: 257 }], 'patch.maxThreads', /got 257/],
      [[{ memoryBudget: 'lots' }], 'patch.memoryBudget', /./],
      [[{ memoryBudget: 12 }], 'patch.memoryBudget', /such as 12GB/],
      [[{ memoryBudget: '999999TB' }], 'patch.memoryBudget', /more than this machine's memory/],
      [[{ dataDir: 'relative/path' }], 'patch.dataDir', /absolute/],
      [[{ dataDir: 42 }], 'patch.dataDir', /folder path/],
      [[{ dataDir: '' }], 'patch.dataDir', /folder path/],
      [[{ dataDir: join(dir, 'a-file') }], 'patch.dataDir', /is a file/],
      [[{ dataDir: join(dir, 'a-file', 'below') }], 'patch.dataDir', /is a file/],
      [[{ dataDir: `${dir}/x\0y` }], 'patch.dataDir', /at most/],
      [[{ firstRunDismissed: 'yes' }], 'patch.firstRunDismissed', /true or false/],
      [[{ maxThreads: 2, memoryBudget: 'nope' }], 'patch.memoryBudget', /./],
    ]
    if (process.getuid?.() !== 0) {
      cases.push([[{ dataDir: join(dir, 'locked', 'sub') }], 'patch.dataDir', /not writable/])
    } else {
      console.log('skipped the unwritable-folder case: running as root, every folder is writable')
    }
    for (const [args, path, message] of cases) {
      const e = await failure(h, 'settings.set', args)
      expect(e.code, JSON.stringify(args)).toBe('invalid-argument')
      expect(e.fields?.[0]?.path, JSON.stringify(args)).toBe(path)
      expect(e.message, JSON.stringify(args)).toMatch(message)
    }
    expect(readSettingsFile(file)).toEqual({ settings: {}, problem: null })
  })

  it('the browser mode cannot move its data folder (it is --data-dir) but may set the rest', async () => {
    const { h } = handlers(undefined, { editable: false })
    const info = await call(h, 'settings.get', [])
    expect(info.editable).toEqual({ dataDir: false, maxThreads: true, memoryBudget: true })
    expect(await failure(h, 'settings.set', [{ dataDir: join(dir, 'x') }])).toMatchObject({
      code: 'unsupported',
    })
    expect((await call(h, 'settings.set', [{ maxThreads: 1 }])).saved).toEqual({ maxThreads: 1 })
    expect(await failure(h, 'settings.pickDataDir', [])).toMatchObject({ code: 'unsupported' })
  })

  it('settings.pickDataDir uses the desktop picker', async () => {
    const { h } = handlers(undefined, { picker: async () => '/chosen' })
    expect(await call(h, 'settings.pickDataDir', [])).toBe('/chosen')
  })

  it('answers unsupported in a process that keeps no settings', async () => {
    const h = createSettingsHandlers(
      { maxThreads: 1, memoryBudgetBytes: 1, listRuns: async () => [], datasets: { list: async () => [] } },
      {},
    ) as unknown as Handlers
    expect(await failure(h, 'settings.get', [])).toMatchObject({ code: 'unsupported' })
  })
})

describe('startupSettings', () => {
  it('an environment variable or a flag wins over the saved value, which wins over the default', () => {
    const saved = { dataDir: '/saved', maxThreads: 3, memoryBudget: '2GB' }
    expect(startupSettings({ saved, env: { HOME: '/h' }, useSavedDataDir: true })).toEqual({
      dataDir: '/saved',
      maxThreads: 3,
      memoryBudget: '2GB',
      overriddenBy: {},
    })
    const env = { HOME: '/h', WORKBENCH_DATA_DIR: '/env', WORKBENCH_MEMORY_BUDGET: '1GB' }
    expect(startupSettings({ saved, env, useSavedDataDir: true })).toEqual({
      dataDir: '/env',
      maxThreads: 3,
      memoryBudget: '1GB',
      overriddenBy: { dataDir: 'WORKBENCH_DATA_DIR', memoryBudget: 'WORKBENCH_MEMORY_BUDGET' },
    })
    const flags = {
      maxThreads: [1, '--threads'] as [number, string],
      dataDir: ['/flag', '--data-dir'] as [string, string],
    }
    expect(startupSettings({ saved, env: { HOME: '/h' }, useSavedDataDir: false, flags })).toMatchObject({
      dataDir: '/flag',
      maxThreads: 1,
      overriddenBy: { maxThreads: '--threads', dataDir: '--data-dir' },
    })
    expect(startupSettings({ saved, env: {}, useSavedDataDir: false }).dataDir).toBe(defaultDataDir({}))
  })

  it('a damaged settings file is reported and the defaults are used', () => {
    mkdirSync(join(dir, 'config'))
    writeFileSync(file, '{"maxThreads": "many"}')
    const loaded = AppSettings.load(file, { env: { HOME: dir }, useSavedDataDir: true }, true)
    expect(loaded.problem).toMatch(/settings\.json: maxThreads: .*using the defaults/)
    expect(loaded.settings.current).toEqual({})
    writeFileSync(file, 'not json')
    expect(readSettingsFile(file).problem).toMatch(/not valid JSON/)
  })
})
