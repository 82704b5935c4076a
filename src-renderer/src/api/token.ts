/**
 * The browser mode's token inside the page (the design: src-shared/browserAuth.ts). The server's URL hands
 * it over once in the fragment, `#token=...`, which never leaves the browser; the page keeps it in this
 * tab's sessionStorage, readable by this origin only (its port included, unlike a cookie), and removes
 * it from the address bar and the history entry before the router reads the fragment as a route.
 */
import { TOKEN_FRAGMENT_PARAM, TOKEN_PATTERN } from '../../../src-shared/browserAuth'

export const TOKEN_STORAGE_KEY = 'workbench.token'

/** The parts of `window` used here, so that tests can hand in a stand-in. */
export interface PageWindow {
  location: { hash: string; pathname: string; search: string; reload(): void }
  history: { state: unknown; replaceState(state: unknown, unused: string, url: string): void }
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>
  addEventListener(type: 'hashchange' | 'popstate', listener: () => void): void
}

const FRAGMENT_PREFIX = `#${TOKEN_FRAGMENT_PARAM}=`

/** When storage is unavailable (disabled by the browser), the token lives as long as the page. */
let inMemory: string | null = null

/** The token a `#token=...` fragment carries, or null (none, or not a well-formed token). */
export function fragmentToken(hash: string): string | null {
  if (!hash.startsWith(FRAGMENT_PREFIX)) return null
  const token = new URLSearchParams(hash.slice(1)).get(TOKEN_FRAGMENT_PARAM)
  return token !== null && TOKEN_PATTERN.test(token) ? token : null
}

/** The token this tab holds, or null. */
export function storedToken(win: Pick<PageWindow, 'sessionStorage'> = window): string | null {
  let token: string | null
  try {
    token = win.sessionStorage.getItem(TOKEN_STORAGE_KEY)
  } catch {
    token = inMemory
  }
  return token !== null && TOKEN_PATTERN.test(token) ? token : null
}

function store(win: PageWindow, token: string): void {
  inMemory = token
  try {
    win.sessionStorage.setItem(TOKEN_STORAGE_KEY, token)
  } catch {
    // Storage disabled: the in-memory copy serves this page load.
  }
}

/**
 * Takes a `#token=` fragment into this tab's storage and strips it from the address bar; call before the
 * router is created. Also watches for one pasted into this tab later: only the fragment changes then, so the
 * page is not loaded anew by the browser and reloads itself with the new token.
 */
export function adoptUrlToken(win: PageWindow = window): void {
  const take = (): boolean => {
    const hash = win.location.hash
    if (!hash.startsWith(FRAGMENT_PREFIX)) return false
    const token = fragmentToken(hash)
    if (token !== null) store(win, token)
    win.history.replaceState(win.history.state, '', win.location.pathname + win.location.search)
    return true
  }
  take()
  // A fragment navigation fires popstate, then hashchange. This runs before the router's own popstate
  // listener (registered later), so the router never sees the token as a route.
  const retake = (): void => {
    if (take()) win.location.reload()
  }
  win.addEventListener('popstate', retake)
  win.addEventListener('hashchange', retake)
}
