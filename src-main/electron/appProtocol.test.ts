import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headerPolicy } from '../../src-shared/csp'
import { mimeType, resolveAppPath, serveAppRequest } from './appProtocol'

let base: string
let root: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'wb-app-protocol-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Workbench</title>')
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}')
  writeFileSync(join(root, 'assets', 'logo.svg'), '<svg/>')
  writeFileSync(join(root, 'assets', 'data.bin'), 'x')
  writeFileSync(join(base, 'secret.txt'), 'secret')
  mkdirSync(join(base, 'renderer-evil'))
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil')
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'))
  symlinkSync(base, join(root, 'up'))
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

const get = (url: string, method = 'GET') => serveAppRequest(root, { url, method })

describe('resolveAppPath', () => {
  it('maps app://workbench/ paths into the renderer folder, / to index.html', () => {
    expect(resolveAppPath(root, 'app://workbench/')).toEqual({ ok: true, file: join(root, 'index.html') })
    expect(resolveAppPath(root, 'app://workbench/index.html#/runs?x=1')).toEqual({
      ok: true,
      file: join(root, 'index.html'),
    })
    expect(resolveAppPath(root, 'app://workbench/assets/index-abc.js')).toEqual({
      ok: true,
      file: join(root, 'assets', 'index-abc.js'),
    })
    expect(resolveAppPath(root, 'app://workbench/assets/my%20file.js')).toEqual({
      ok: true,
      file: join(root, 'assets', 'my file.js'),
    })
  })

  it('refuses traversal however it is spelt, other hosts and schemes, drive letters', () => {
    for (const url of [
      'app://workbench/%2e%2e/secret.txt',
      'app://workbench/%2E%2E/secret.txt',
      'app://workbench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://workbench/..%2fsecret.txt',
      'app://workbench/..%5csecret.txt',
      'app://workbench/assets\\..\\..\\secret.txt',
      'app://workbench/.%2e/secret.txt',
      'app://workbench/%00index.html',
      'app://workbench/C:/Windows/win.ini',
      'app://workbench/c%3A/Windows/win.ini',
      'app://other/index.html',
      'file:///etc/passwd',
      'https://workbench/index.html',
      'not a url',
    ]) {
      const r = resolveAppPath(root, url)
      expect(r.ok, url).toBe(false)
    }
  })

  it('never resolves outside the folder, even for a raw ".." the parser keeps', () => {
    // Whatever the URL parser folds, the answer is inside root or a refusal.
    for (const url of ['app://workbench/../secret.txt', 'app://workbench/assets/../../secret.txt']) {
      const r = resolveAppPath(root, url)
      if (r.ok) expect(r.file.startsWith(root + '/') || r.file.startsWith(root + '\\'), url).toBe(true)
    }
  })
})

describe('serveAppRequest', () => {
  it('serves index.html and the assets with their types, the strict CSP and nosniff', async () => {
    const index = await get('app://workbench/index.html')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('content-security-policy')).toBe(headerPolicy())
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toContain('<title>Workbench</title>')
    const js = await get('app://workbench/assets/index-abc.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toBe('console.log(1)')
    expect((await get('app://workbench/assets/index-abc.css')).headers.get('content-type')).toMatch(
      /^text\/css/,
    )
    expect((await get('app://workbench/assets/logo.svg')).headers.get('content-type')).toBe('image/svg+xml')
    const head = await get('app://workbench/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('refuses traversal, symlinks out of the folder, folders, unknown types, missing files and writes', async () => {
    const cases: [string, number, string?][] = [
      ['app://workbench/%2e%2e/secret.txt', 400],
      ['app://workbench/..%2fsecret.txt', 400],
      ['app://workbench/assets/link.txt', 404],
      ['app://workbench/up/secret.txt', 404],
      ['app://workbench/up/renderer-evil/x.js', 404],
      ['app://workbench/assets', 404],
      ['app://workbench/assets/data.bin', 404],
      ['app://workbench/missing.js', 404],
      ['app://workbench/index.html', 405, 'POST'],
    ]
    for (const [url, status, method] of cases) {
      const r = await get(url, method)
      expect(r.status, url).toBe(status)
      const body = await r.text()
      expect(body, url).not.toContain('secret')
      expect(body, url).not.toContain('evil')
      expect(r.headers.get('content-security-policy'), url).toBe(headerPolicy())
    }
  })

  it('knows the types a Vite build emits', () => {
    expect(mimeType('a.woff2')).toBe('font/woff2')
    expect(mimeType('a.PNG')).toBe('image/png')
    expect(mimeType('a.map')).toMatch(/^application\/json/)
    expect(mimeType('a.exe')).toBeNull()
  })
})
