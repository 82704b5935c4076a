/**
 * No remote content, no new powers: every webContents (ours, and any a bug or an exploit might create)
 * stays on the app's own page, opens no windows and attaches no <webview>; the session grants no
 * permission and serves everything with a strict CSP.
 */
import { shell, type Session, type WebContents } from 'electron'
import { contentSecurityPolicy, isAppUrl, isSafeExternalUrl, withCsp, type AppLocation } from './security'

export function hardenSession(session: Session, app: AppLocation): void {
  const csp = contentSecurityPolicy(app)
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) })
  })
  // The app needs no camera, notifications, clipboard reads or the like: refuse requests and checks.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

export function hardenContents(contents: WebContents, app: AppLocation): void {
  const stayHome = (e: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url, app)) e.preventDefault()
  }
  contents.on('will-navigate', (e) => stayHome(e, e.url))
  // Also iframes, which will-navigate does not cover.
  contents.on('will-frame-navigate', (e) => stayHome(e, e.url))
  contents.on('will-redirect', (e) => stayHome(e, e.url))
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // Documentation links go to the system browser, never into an Electron window.
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}
