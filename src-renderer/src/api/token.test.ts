import { describe, expect, it, vi } from 'vitest'
import { adoptUrlToken, fragmentToken, storedToken, TOKEN_STORAGE_KEY, type PageWindow } from './token'

const TOKEN = 'tab-token-0123456789abcdef'

/** A tab: its address, its history entry, its sessionStorage and its listeners. */
function tab(hash: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored))
  const listeners = new Map<string, (() => void)[]>()
  const win = {
    location: { hash, pathname: '/', search: '', reload: vi.fn() },
    history: {
      state: { position: 3 },
      replaceState: vi.fn((_state: unknown, _unused: string, url: string) => {
        win.location.hash = new URL(url, 'http://127.0.0.1:8231').hash
      }),
    },
    sessionStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
    },
    addEventListener: (type: string, l: () => void) =>
      listeners.set(type, [...(listeners.get(type) ?? []), l]),
  }
  /** The user changes the address's fragment in this tab (popstate, then hashchange). */
  const navigate = (newHash: string): void => {
    win.location.hash = newHash
    for (const type of ['popstate', 'hashchange']) for (const l of listeners.get(type) ?? []) l()
  }
  return { win: win as PageWindow & typeof win, storage, navigate }
}

describe('the tab’s token', () => {
  it('is taken from a #token= fragment into sessionStorage and removed from the address', () => {
    const { win, storage } = tab(`#token=${TOKEN}`)
    adoptUrlToken(win)
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe(TOKEN)
    expect(win.history.replaceState).toHaveBeenCalledWith({ position: 3 }, '', '/')
    expect(win.location.hash).toBe('')
    expect(storedToken(win)).toBe(TOKEN)
    expect(win.location.reload).not.toHaveBeenCalled()
  })

  it('is left alone by a route fragment, and survives a reload from storage', () => {
    const { win } = tab('#/runs/abc', { [TOKEN_STORAGE_KEY]: TOKEN })
    adoptUrlToken(win)
    expect(win.history.replaceState).not.toHaveBeenCalled()
    expect(win.location.hash).toBe('#/runs/abc')
    expect(storedToken(win)).toBe(TOKEN)
  })

  it('is none in a tab opened without it (a bookmark)', () => {
    const { win } = tab('#/experiments')
    adoptUrlToken(win)
    expect(storedToken(win)).toBeNull()
  })

  it('ignores a malformed token (it could not travel as a subprotocol) but still strips it', () => {
    for (const bad of ['#token=', '#token=short', '#token=has%20space%200123', '#token=a<b>c0123456']) {
      expect(fragmentToken(bad), bad).toBeNull()
      const { win, storage } = tab(bad)
      adoptUrlToken(win)
      expect(storage.size, bad).toBe(0)
      expect(win.location.hash, bad).toBe('')
    }
    expect(fragmentToken(`#token=${TOKEN}`)).toBe(TOKEN)
    expect(fragmentToken(`#/runs?token=${TOKEN}`)).toBeNull()
  })

  it('is replaced when a new URL is pasted into an open tab, which then reloads', () => {
    const { win, storage, navigate } = tab('#/experiments', { [TOKEN_STORAGE_KEY]: 'old-token-0123456789' })
    adoptUrlToken(win)
    navigate('#/runs/abc')
    expect(win.location.reload).not.toHaveBeenCalled()
    navigate(`#token=${TOKEN}`)
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe(TOKEN)
    expect(win.location.hash).toBe('')
    expect(win.location.reload).toHaveBeenCalledTimes(1)
  })

  it('lives as long as the page when the browser refuses storage', () => {
    const own = 'memory-token-0123456789'
    const { win } = tab(`#token=${own}`)
    const refusing = {
      ...win,
      sessionStorage: {
        getItem: () => {
          throw new Error('SecurityError')
        },
        setItem: () => {
          throw new Error('SecurityError')
        },
      },
    }
    adoptUrlToken(refusing)
    expect(storedToken(refusing)).toBe(own)
  })
})
