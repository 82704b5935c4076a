import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAGE_POLICY } from '../../src-shared/csp'
import { get, INDEX_HTML, startHarness, TOKEN, type Harness } from './testing'

let h: Harness
let port: number
beforeAll(async () => {
  h = await startHarness()
  port = h.server.port
})
afterAll(() => h.close())

describe('browser-mode HTTP', () => {
  it('prints a loopback URL that carries the token in its fragment, which browsers never send', () => {
    expect(h.server.url).toBe(`http://127.0.0.1:${port}/#token=${TOKEN}`)
    expect(h.server.token).toBe(TOKEN)
  })

  it('serves the UI (public code) without a token, and never sets a cookie or redirects', async () => {
    for (const path of [
      '/',
      '/assets/app.js',
      `/?token=${TOKEN}`,
      '/?token=wrong-token-0123456789abcdef',
      `//evil.example/x?token=${TOKEN}`,
      `/\\evil.example?token=${TOKEN}`,
      '/assets/missing.js',
    ]) {
      const r = await get(port, path, { Cookie: `wb_token=${TOKEN}` })
      expect([200, 404], path).toContain(r.status)
      expect(r.headers['set-cookie'], path).toBeUndefined()
      expect(r.headers.location, path).toBeUndefined()
      expect(r.body, path).not.toContain(TOKEN)
    }
    expect((await get(port, '/')).body).toBe(INDEX_HTML)
  })

  it('serves index.html and assets with content types and cache rules', async () => {
    const index = await get(port, '/')
    expect(index.status).toBe(200)
    expect(index.body).toBe(INDEX_HTML)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-store')
    const js = await get(port, '/assets/app.js')
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toContain('immutable')
    const css = await get(port, '/assets/app.css')
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    const head = await get(port, '/assets/app.js', {}, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
  })

  it('answers client-side routes with index.html and unknown assets with 404', async () => {
    const route = await get(port, '/runs/20261126-194501-ab12cd')
    expect(route.status).toBe(200)
    expect(route.body).toBe(INDEX_HTML)
    expect((await get(port, '/assets/missing.js')).status).toBe(404)
    expect((await get(port, '/favicon.ico')).status).toBe(404)
  })

  it('does not list folders', async () => {
    const r = await get(port, '/assets/')
    expect(r.body).toBe(INDEX_HTML)
    expect(r.body).not.toContain('app.css')
  })

  it('keeps every path inside the UI folder, however it is encoded', async () => {
    for (const path of [
      '/../secret.txt',
      '/../../package.json',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2E%2E/package.json',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/.%2e/secret.txt',
    ]) {
      const r = await get(port, path)
      expect([403, 404], path).toContain(r.status)
      expect(r.body, path).not.toContain('secret')
    }
    expect((await get(port, '/%00')).status).toBe(400)
    expect((await get(port, '/%E0%A4%A')).status).toBe(400)
    expect((await get(port, '/.hidden')).status).toBe(404)
  })

  it('sets the security headers on every response, 403s and 404s included', async () => {
    const csp = `${PAGE_POLICY}; frame-ancestors 'none'`
    expect(csp).toContain("form-action 'none'")
    for (const [path, headers] of [
      ['/', {}],
      ['/', { Host: 'evil.example' }],
      ['/assets/nope.js', {}],
      ['/assets/app.js', {}],
    ] as const) {
      const r = await get(port, path, headers)
      expect(r.headers['content-security-policy'], path).toBe(csp)
      expect(r.headers['x-content-type-options']).toBe('nosniff')
      expect(r.headers['referrer-policy']).toBe('no-referrer')
      expect(r.headers['x-frame-options']).toBe('DENY')
    }
  })

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    const r = await get(port, '/', { Host: `evil.example:${port}` })
    expect(r.status).toBe(403)
    expect((await get(port, '/', { Host: `127.0.0.1:${port + 1}` })).status).toBe(403)
    expect((await get(port, '/', { Host: `localhost:${port}` })).status).toBe(200)
  })

  it('allows only GET and HEAD, and /ws only as a WebSocket', async () => {
    const post = await get(port, '/', {}, 'POST')
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await get(port, '/ws')).status).toBe(426)
  })
})
