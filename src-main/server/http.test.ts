import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cookie, get, INDEX_HTML, startHarness, TOKEN, type Harness } from './testing'

let h: Harness
let port: number
beforeAll(async () => {
  h = await startHarness()
  port = h.server.port
})
afterAll(() => h.close())

describe('browser-mode HTTP', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(h.server.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`)
    expect(h.server.token).toBe(TOKEN)
  })

  it('answers 401 without a token or with a wrong one, in query or cookie', async () => {
    for (const [path, headers] of [
      ['/', {}],
      ['/assets/app.js', {}],
      ['/?token=wrong-token-0123456789abcdef', {}],
      ['/?token=', {}],
      ['/', cookie('wrong-token-0123456789abcdef')],
      ['/', { Cookie: 'other=1' }],
    ] as const) {
      const r = await get(port, path, headers)
      expect(r.status, path).toBe(401)
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(r.body).toMatch(/^Unauthorized/)
      expect(r.body).not.toContain(TOKEN)
    }
  })

  it('trades a token in the query for an HttpOnly cookie and a redirect to the URL without it', async () => {
    const r = await get(port, `/runs/abc?view=chart&token=${TOKEN}`)
    expect(r.status).toBe(302)
    expect(r.headers.location).toBe('/runs/abc?view=chart')
    expect(r.headers['set-cookie']).toEqual([`wb_token=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`])
    const root = await get(port, `/?token=${TOKEN}`)
    expect(root.headers.location).toBe('/')
  })

  it('never redirects to another host', async () => {
    const r = await get(port, `//evil.example/x?token=${TOKEN}`)
    expect(r.status).toBe(302)
    expect(r.headers.location).toBe('/evil.example/x')
    const back = await get(port, `/\\evil.example?token=${TOKEN}`)
    expect(back.headers.location).toBe('/evil.example')
  })

  it('serves index.html and assets with the cookie, with content types and cache rules', async () => {
    const index = await get(port, '/', cookie())
    expect(index.status).toBe(200)
    expect(index.body).toBe(INDEX_HTML)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-store')
    const js = await get(port, '/assets/app.js', cookie())
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.headers['cache-control']).toContain('immutable')
    const css = await get(port, '/assets/app.css', cookie())
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    const head = await get(port, '/assets/app.js', cookie(), 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
  })

  it('answers client-side routes with index.html and unknown assets with 404', async () => {
    const route = await get(port, '/runs/20261126-194501-ab12cd', cookie())
    expect(route.status).toBe(200)
    expect(route.body).toBe(INDEX_HTML)
    expect((await get(port, '/assets/missing.js', cookie())).status).toBe(404)
    expect((await get(port, '/favicon.ico', cookie())).status).toBe(404)
  })

  it('does not list folders', async () => {
    const r = await get(port, '/assets/', cookie())
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
      const r = await get(port, path, cookie())
      expect([403, 404], path).toContain(r.status)
      expect(r.body, path).not.toContain('secret')
    }
    expect((await get(port, '/%00', cookie())).status).toBe(400)
    expect((await get(port, '/%E0%A4%A', cookie())).status).toBe(400)
    expect((await get(port, '/.hidden', cookie())).status).toBe(404)
  })

  it('sets the security headers on every response, 401s and 404s included', async () => {
    const csp =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; ` +
      "frame-ancestors 'none'; base-uri 'none'"
    for (const [path, headers] of [
      ['/', cookie()],
      ['/', {}],
      ['/assets/nope.js', cookie()],
      ['/assets/app.js', cookie()],
    ] as const) {
      const r = await get(port, path, headers)
      expect(r.headers['content-security-policy'], path).toBe(csp)
      expect(r.headers['x-content-type-options']).toBe('nosniff')
      expect(r.headers['referrer-policy']).toBe('no-referrer')
      expect(r.headers['x-frame-options']).toBe('DENY')
    }
  })

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    const r = await get(port, '/', { ...cookie(), Host: `evil.example:${port}` })
    expect(r.status).toBe(403)
    expect((await get(port, '/', { ...cookie(), Host: `127.0.0.1:${port + 1}` })).status).toBe(403)
    expect((await get(port, '/', { ...cookie(), Host: `localhost:${port}` })).status).toBe(200)
  })

  it('allows only GET and HEAD, and /ws only as a WebSocket', async () => {
    const post = await get(port, '/', cookie(), 'POST')
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await get(port, '/ws', cookie())).status).toBe(426)
  })
})
