import { describe, expect, it } from 'vitest'
import {
  appLocation,
  contentSecurityPolicy,
  isAppUrl,
  isSafeExternalUrl,
  isTrustedSender,
  withCsp,
  type AppLocation,
} from './security'

const FILE_APP = appLocation('file:///opt/workbench/out/renderer/index.html', undefined)
const DEV_APP = appLocation('file:///ignored/index.html', 'http://localhost:5173/')

describe('isAppUrl', () => {
  it('accepts our index.html with any route in its hash or query', () => {
    expect(isAppUrl('file:///opt/workbench/out/renderer/index.html', FILE_APP)).toBe(true)
    expect(isAppUrl('file:///opt/workbench/out/renderer/index.html#/runs/abc?tab=charts', FILE_APP)).toBe(
      true,
    )
  })

  it('refuses other files, remote pages and odd schemes', () => {
    for (const url of [
      'file:///opt/workbench/out/renderer/other.html',
      'file:///etc/passwd',
      'file:///opt/workbench/out/renderer/index.html/../../../secret.html',
      'file://evil.example/opt/workbench/out/renderer/index.html',
      'https://example.com/index.html',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'data:text/html,<h1>hi</h1>',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url, FILE_APP), url).toBe(false)
    }
  })

  it('compares paths however they are percent-encoded', () => {
    const app = appLocation('file:///home/me/My%20Apps/out/renderer/index.html', undefined)
    expect(isAppUrl('file:///home/me/My Apps/out/renderer/index.html', app)).toBe(true)
    const win: AppLocation = { kind: 'file', url: 'file:///C:/Work/out/renderer/index.html' }
    expect(isAppUrl('file:///c:/Work/out/renderer/index.html', win)).toBe(true)
    expect(isAppUrl('file:///C:/Work/out/renderer/%E0%A4%A.html', win)).toBe(false)
  })

  it("under the dev server, accepts that server's origin only", () => {
    expect(DEV_APP).toEqual({ kind: 'dev', origin: 'http://localhost:5173' })
    expect(isAppUrl('http://localhost:5173/src/views/Runs.vue', DEV_APP)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', DEV_APP)).toBe(false)
    expect(isAppUrl('https://localhost:5173/', DEV_APP)).toBe(false)
    expect(isAppUrl('file:///opt/workbench/out/renderer/index.html', DEV_APP)).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const trusted = { webContentsId: 7, app: FILE_APP }
  const ownUrl = 'file:///opt/workbench/out/renderer/index.html#/runs'

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
    const csp = contentSecurityPolicy(FILE_APP)
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
    expect(contentSecurityPolicy(FILE_APP)).not.toContain('ws:')
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
