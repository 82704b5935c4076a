import { describe, expect, it } from 'vitest'
import {
  appLocation,
  contentSecurityPolicy,
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSender,
  withCsp,
} from './security'

const APP = appLocation(undefined, false)
const DEV_APP = appLocation('http://localhost:5173/', false)

describe('appLocation', () => {
  it('serves the built renderer over app:// unless a dev server is named', () => {
    expect(APP).toEqual({ kind: 'app', url: 'app://workbench/index.html' })
    expect(DEV_APP).toEqual({ kind: 'dev', origin: 'http://localhost:5173' })
  })

  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    expect(appLocation('http://localhost:5173/', true)).toEqual(APP)
    expect(appLocation('https://evil.example/', true)).toEqual(APP)
  })
})

describe('isAppUrl', () => {
  it('accepts our index.html with any route in its hash or query', () => {
    expect(isAppUrl('app://workbench/index.html', APP)).toBe(true)
    expect(isAppUrl('app://workbench/index.html#/runs/abc?tab=charts', APP)).toBe(true)
    expect(isAppUrl('app://workbench/index%2Ehtml', APP)).toBe(true)
  })

  it('refuses other files, other hosts, file:// pages, remote pages and odd schemes', () => {
    for (const url of [
      'app://workbench/other.html',
      'app://workbench/assets/index.js',
      'app://evil/index.html',
      'app://user@workbench/index.html',
      'app://workbench:8080/index.html',
      'file:///opt/workbench/out/renderer/index.html',
      'file:///etc/passwd',
      'https://example.com/index.html',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
      'app://workbench/%E0%A4%A.html',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url, APP), url).toBe(false)
    }
  })

  it("under the dev server, accepts that server's origin only", () => {
    expect(isAppUrl('http://localhost:5173/src/views/Runs.vue', DEV_APP)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', DEV_APP)).toBe(false)
    expect(isAppUrl('https://localhost:5173/', DEV_APP)).toBe(false)
    expect(isAppUrl('app://workbench/index.html', DEV_APP)).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const trusted = { webContentsId: 7, app: APP }
  const ownUrl = 'app://workbench/index.html#/runs'

  it("trusts our window's top frame showing the app", () => {
    expect(isTrustedSender({ webContentsId: 7, frame: { url: ownUrl, isMainFrame: true } }, trusted)).toBe(
      true,
    )
  })

  it('refuses subframes, other webContents, foreign pages, gone frames and a missing window', () => {
    expect(isTrustedSender({ webContentsId: 7, frame: { url: ownUrl, isMainFrame: false } }, trusted)).toBe(
      false,
    )
    expect(isTrustedSender({ webContentsId: 8, frame: { url: ownUrl, isMainFrame: true } }, trusted)).toBe(
      false,
    )
    const foreign = { webContentsId: 7, frame: { url: 'https://evil.example/', isMainFrame: true } }
    expect(isTrustedSender(foreign, trusted)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, frame: null }, trusted)).toBe(false)
    expect(isTrustedSender({ webContentsId: 7, frame: { url: ownUrl, isMainFrame: true } }, null)).toBe(false)
  })
})

describe('isSafeExternalUrl', () => {
  it('lets https links out and nothing else', () => {
    expect(isSafeExternalUrl('https://cs231n.github.io/neural-networks-1/')).toBe(true)
    for (const url of [
      'http://cs231n.github.io/',
      'file:///etc/passwd',
      'smb://server/share',
      'javascript:alert(1)',
      'https://user:pw@example.com/',
      'ms-msdt:/id',
      'nonsense',
    ]) {
      expect(isSafeExternalUrl(url), url).toBe(false)
    }
  })
})

describe('contentSecurityPolicy', () => {
  it('is strict for the built app', () => {
    const csp = contentSecurityPolicy(APP)
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "connect-src 'self'",
    ]) {
      expect(csp).toContain(d)
    }
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/)
  })

  it("allows the dev server's HMR websocket under the dev server only", () => {
    expect(contentSecurityPolicy(DEV_APP)).toContain("connect-src 'self' ws://localhost:5173")
    expect(contentSecurityPolicy(APP)).not.toContain('ws:')
  })

  it('replaces any CSP header, whatever its case, and keeps the other headers', () => {
    const headers = withCsp(
      { 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' },
      'x',
    )
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ['x'] })
    expect(withCsp(undefined, 'y')).toEqual({ 'Content-Security-Policy': ['y'] })
  })
})
