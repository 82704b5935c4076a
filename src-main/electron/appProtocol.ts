/**
 * The `app://` scheme the built renderer is served from, instead of file://: a file:// page may read
 * any other file:// URL and shares its origin with every file on disk, while app://workbench is an origin
 * of its own whose only content is the built renderer folder. Pure Node (no Electron import): app.ts
 * registers the scheme and hands requests to `serveAppRequest`, which the tests call directly.
 */
import { promises as fsp } from 'node:fs'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { headerPolicy } from '../../src-shared/csp'

export const APP_SCHEME = 'app'
export const APP_HOST = 'workbench'
/** What the window loads; its hash is the router's. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready: `standard` gives the scheme real
 * origins and relative URLs (the bundle's `./assets/...`), `secure` makes it a secure context like https.
 * No CORS, no service workers, no streaming privileges: the page needs none.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const

/** By extension; a file of any other kind is refused rather than served as bytes to sniff. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

export function mimeType(file: string): string | null {
  return MIME_TYPES[extname(file).toLowerCase()] ?? null
}

/** A `.` or `..` path segment, plain or percent-encoded, between separators (plain or encoded). */
const DOT_SEGMENT = /(?:\/|\\|%2f|%5c)(?:\.|%2e){1,2}(?=\/|\\|%2f|%5c|$)/i

export type ResolvedPath = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string }

/**
 * The file under `root` a request URL names, decided from the URL alone: another scheme or host, an
 * encoded separator, a NUL, a `.`/`..` segment (however encoded: URL parsers fold `%2e%2e` into `..`
 * for some schemes and not others, so segments are checked after decoding), a drive letter or anything
 * that lands outside `root` is refused. `/` is index.html.
 */
export function resolveAppPath(root: string, url: string): ResolvedPath {
  // Parsers fold dot segments away (`/a/%2e%2e/b` is `/b`): what is left is inside root, but a request
  // that tried to climb is refused as such rather than answered from somewhere else in the folder.
  if (DOT_SEGMENT.test(url.split(/[?#]/, 1)[0] ?? '')) {
    return { ok: false, status: 400, reason: 'path traversal' }
  }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' }
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) {
    return { ok: false, status: 404, reason: `not ${APP_SCHEME}://${APP_HOST}` }
  }
  const raw = u.pathname
  // Encoded slashes and backslashes would become separators only after decoding.
  if (/%2f|%5c|%00|\\/i.test(raw)) return { ok: false, status: 400, reason: 'encoded separator' }
  const segments: string[] = []
  for (const part of raw.split('/')) {
    if (part === '') continue
    let s: string
    try {
      s = decodeURIComponent(part)
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' }
    }
    if (s === '.' || s === '..' || s.includes('\0') || s.includes('/') || s.includes('\\')) {
      return { ok: false, status: 400, reason: 'path traversal' }
    }
    // `C:` as a segment would make path.resolve start again at a drive on Windows.
    if (/^[A-Za-z]:/.test(s)) return { ok: false, status: 400, reason: 'drive letter' }
    segments.push(s)
  }
  if (segments.length === 0) segments.push('index.html')
  const base = resolve(root)
  const file = resolve(base, ...segments)
  if (!isInside(base, file)) return { ok: false, status: 400, reason: 'outside the renderer folder' }
  return { ok: true, file }
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/** The headers of every response: the strict CSP (src-shared/csp.ts), and no sniffing of types. */
export function responseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': headerPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  }
}

function refusal(status: number, reason: string): Response {
  return new Response(`${status}: ${reason}`, {
    status,
    headers: responseHeaders('text/plain; charset=utf-8'),
  })
}

export interface AppRequest {
  url: string
  method: string
}

/**
 * Answers one request for the renderer under `root`: GET or HEAD of an existing regular file of a known
 * type whose real path (symlinks followed) is still inside the real `root`.
 */
export async function serveAppRequest(root: string, request: AppRequest): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'method not allowed')
  const resolved = resolveAppPath(root, request.url)
  if (!resolved.ok) return refusal(resolved.status, resolved.reason)
  const type = mimeType(resolved.file)
  if (type === null) return refusal(404, 'unknown file type')
  let real: string
  let realRoot: string
  try {
    ;[real, realRoot] = await Promise.all([fsp.realpath(resolved.file), fsp.realpath(root)])
  } catch {
    return refusal(404, 'not found')
  }
  // A symlink inside the folder must not lead out of it.
  if (!isInside(realRoot, real)) return refusal(404, 'outside the renderer folder')
  try {
    const stat = await fsp.stat(real)
    if (!stat.isFile()) return refusal(404, 'not a file')
    const body = request.method === 'HEAD' ? null : await fsp.readFile(real)
    return new Response(body, { status: 200, headers: responseHeaders(type) })
  } catch {
    return refusal(404, 'not found')
  }
}
