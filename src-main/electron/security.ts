/**
 * The decisions behind the window's hardening, as pure functions (no Electron import) so they are unit
 * tested in plain Node: which URLs are the app, which IPC senders are trusted, which links may leave for
 * the system browser, and the Content-Security-Policy.
 */
import { headerPolicy } from '../../src-shared/csp'
import { APP_INDEX_URL } from './appProtocol'

/**
 * Where the renderer comes from: the built folder over the app:// scheme (appProtocol.ts), or the dev
 * server under `electron-vite dev`. `devServerUrl` is ELECTRON_RENDERER_URL, honoured only while
 * developing: a packaged app must never load whatever an environment variable points at.
 */
export type AppLocation = { kind: 'app'; url: string } | { kind: 'dev'; origin: string }

export function appLocation(devServerUrl: string | undefined, isPackaged: boolean): AppLocation {
  if (devServerUrl && !isPackaged) return { kind: 'dev', origin: new URL(devServerUrl).origin }
  return { kind: 'app', url: APP_INDEX_URL }
}

/**
 * Whether `url` is the app itself. For the built app only our index.html counts (its hash and query are
 * the router's): not another file the scheme serves. For the dev server, its origin.
 */
export function isAppUrl(url: string, app: AppLocation): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (app.kind === 'dev') return u.origin === app.origin
  const own = new URL(app.url)
  return (
    u.protocol === own.protocol &&
    u.host === own.host &&
    u.username === '' &&
    u.password === '' &&
    u.port === '' &&
    decodedPath(u) === decodedPath(own)
  )
}

function decodedPath(u: URL): string | null {
  try {
    return decodeURIComponent(u.pathname)
  } catch {
    return null
  }
}

export interface SenderInfo {
  /** The webContents the message came from. */
  webContentsId: number
  /** Its sending frame; null when the frame navigated away or was destroyed since sending. */
  frame: { url: string; isMainFrame: boolean } | null
}

/**
 * Only our window's top frame showing the app may call the API: not an iframe (even a same-origin one),
 * not another webContents, not a page the window was somehow navigated to.
 */
export function isTrustedSender(
  sender: SenderInfo,
  trusted: { webContentsId: number; app: AppLocation } | null,
): boolean {
  if (!trusted || sender.webContentsId !== trusted.webContentsId) return false
  const frame = sender.frame
  return frame !== null && frame.isMainFrame && isAppUrl(frame.url, trusted.app)
}

/** Links the app may hand to the system browser: https only, no credentials in the URL. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

/**
 * The policy for every response the window loads: the one the renderer's `<meta>` also holds
 * (src-shared/csp.ts). Under the dev server, HMR needs its websocket.
 */
export function contentSecurityPolicy(app: AppLocation): string {
  return headerPolicy(app.kind === 'dev' ? [app.origin.replace(/^http/, 'ws')] : [])
}

/** Response headers with ours as the only CSP (header names are case-insensitive). */
export function withCsp(
  headers: Record<string, string[] | string> | undefined,
  csp: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue
    out[name] = Array.isArray(value) ? value : [value]
  }
  out['Content-Security-Policy'] = [csp]
  return out
}
