import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_SIZE,
  initialWindowState,
  readWindowState,
  stateToSave,
  writeWindowState,
  type Rect,
} from './windowState'

const LAPTOP: Rect = { x: 0, y: 0, width: 1440, height: 876 }
const RIGHT_MONITOR: Rect = { x: 1440, y: 0, width: 2560, height: 1415 }

describe('initialWindowState', () => {
  it('restores saved bounds on a connected screen', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: true }
    expect(initialWindowState(saved, [LAPTOP, RIGHT_MONITOR])).toEqual({
      x: 1600,
      y: 100,
      width: 1800,
      height: 1000,
      maximized: true,
    })
  })

  it('falls back to the default size, centred, with nothing or garbage saved', () => {
    const centred = { ...DEFAULT_SIZE, maximized: false }
    for (const saved of [null, undefined, 'x', 42, [], {}, { bounds: null }, { bounds: 'big' }]) {
      expect(initialWindowState(saved, [RIGHT_MONITOR])).toEqual(centred)
    }
  })

  it('drops a position on a monitor that is gone but keeps the size, fitted to the screen', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1800, height: 1000 }, maximized: false }
    expect(initialWindowState(saved, [LAPTOP])).toEqual({ width: 1440, height: 876, maximized: false })
  })

  it('refuses a title bar above the screen or only a sliver on screen', () => {
    const above = { bounds: { x: 100, y: -30, width: 1000, height: 700 }, maximized: false }
    expect(initialWindowState(above, [LAPTOP])).not.toHaveProperty('x')
    const sliver = { bounds: { x: 1400, y: 100, width: 1000, height: 700 }, maximized: false }
    expect(initialWindowState(sliver, [LAPTOP])).not.toHaveProperty('x')
    const enough = { bounds: { x: 1300, y: 100, width: 1000, height: 700 }, maximized: false }
    expect(initialWindowState(enough, [LAPTOP])).toMatchObject({ x: 1300, y: 100 })
  })

  it('ignores non-numeric, non-finite, tiny or absurd sizes and coordinates', () => {
    const bad = [
      { x: 10, y: 10, width: '900', height: 700 },
      { x: 10, y: 10, width: Number.NaN, height: 700 },
      { x: 10, y: 10, width: 900, height: 100 },
      { x: 10, y: 10, width: 1e9, height: 700 },
    ]
    for (const bounds of bad) {
      expect(initialWindowState({ bounds, maximized: false }, [LAPTOP])).toEqual({
        width: 1280,
        height: 800,
        maximized: false,
      })
    }
    const badPosition = { bounds: { x: 'left', y: Infinity, width: 900, height: 700 }, maximized: false }
    expect(initialWindowState(badPosition, [LAPTOP])).toEqual({ width: 900, height: 700, maximized: false })
  })

  it('treats anything but true as not maximized, and copes with no display information', () => {
    const saved = { bounds: { x: 10, y: 10, width: 900, height: 700 }, maximized: 'yes' }
    expect(initialWindowState(saved, [LAPTOP]).maximized).toBe(false)
    expect(initialWindowState(saved, [])).toEqual({ width: 900, height: 700, maximized: false })
  })

  it('fits the default size on a small screen', () => {
    expect(initialWindowState(null, [{ x: 0, y: 0, width: 1024, height: 700 }])).toEqual({
      width: 1024,
      height: 700,
      maximized: false,
    })
  })
})

describe('stateToSave', () => {
  it('rounds bounds and refuses empty or broken ones', () => {
    expect(stateToSave({ x: 1.4, y: 2.6, width: 900.5, height: 700 }, true)).toEqual({
      bounds: { x: 1, y: 3, width: 901, height: 700 },
      maximized: true,
    })
    expect(stateToSave({ x: 0, y: 0, width: 0, height: 0 }, false)).toBeNull()
    expect(stateToSave({ x: Number.NaN, y: 0, width: 900, height: 700 }, false)).toBeNull()
  })
})

describe('window-state.json', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-window-state-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('round-trips through an atomic write that leaves no temp files', async () => {
    const file = join(dir, 'window-state.json')
    const state = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false }
    await writeWindowState(file, state)
    await writeWindowState(file, { ...state, maximized: true })
    expect(await readWindowState(file)).toEqual({ ...state, maximized: true })
    expect(await readdir(dir)).toEqual(['window-state.json'])
    expect(await readFile(file, 'utf8')).toMatch(/\n$/)
  })

  it('creates the folder it saves into', async () => {
    const file = join(dir, 'fresh', 'user-data', 'window-state.json')
    const state = { bounds: { x: 10, y: 20, width: 900, height: 700 }, maximized: false }
    await writeWindowState(file, state)
    expect(await readWindowState(file)).toEqual(state)
  })

  it('reads a missing or corrupt file as nothing saved', async () => {
    expect(await readWindowState(join(dir, 'missing.json'))).toBeNull()
    const file = join(dir, 'window-state.json')
    await writeFile(file, '{"bounds": {"x": 1')
    expect(await readWindowState(file)).toBeNull()
    expect(initialWindowState(await readWindowState(file), [LAPTOP])).toEqual({
      ...DEFAULT_SIZE,
      maximized: false,
    })
  })
})
