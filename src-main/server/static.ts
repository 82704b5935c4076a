/**
 * The built renderer, served from one folder and nothing outside it: the decoded path is resolved against
 * the folder and must stay inside it (symlinks included), dotfiles are never served, folders are never
 * listed, and a path that names no file and has no extension is a client-side route, answered with
 * index.html.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { contentType, sendText } from './headers'

const INDEX = 'index.html'

/** Vite's hashed bundles: a new build gets new names, so a file may be cached for good. */
const IMMUTABLE_DIR = '/assets/'

/** `root` must be a real path (no symlinks), as `realpath` returns it. */
export async function serveStatic(res: ServerResponse, root: string, rawPath: string): Promise<void> {
  let path: string
  try {
    path = decodeURIComponent(rawPath)
  } catch {
    return sendText(res, 400, 'Bad request: malformed path')
  }
  if (path.includes('\0')) return sendText(res, 400, 'Bad request: malformed path')
  const file = resolve(root, '.' + (path.startsWith('/') ? path : '/' + path))
  if (!inside(root, file)) return sendText(res, 403, 'Forbidden')
  if (path.split(/[/\\]/).some((segment) => segment.startsWith('.'))) return sendText(res, 404, 'Not found')

  const found = await regularFile(root, file)
  if (found) return sendFile(res, found, path.startsWith(IMMUTABLE_DIR))
  const lastSegment = path.split('/').at(-1) ?? ''
  if (extname(lastSegment) !== '') return sendText(res, 404, 'Not found')
  const index = await regularFile(root, join(root, INDEX))
  if (!index) return sendText(res, 404, 'Not found: the UI is not built (npm run build)')
  return sendFile(res, index, false)
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep)
}

/** The file's real path when it is a regular file inside `root`; null otherwise. */
async function regularFile(root: string, file: string): Promise<{ path: string; size: number } | null> {
  try {
    const real = await realpath(file)
    if (!inside(root, real)) return null
    const st = await stat(real)
    return st.isFile() ? { path: real, size: st.size } : null
  } catch {
    return null
  }
}

function sendFile(res: ServerResponse, file: { path: string; size: number }, immutable: boolean): void {
  const isIndex = file.path.endsWith(sep + INDEX)
  res.writeHead(200, {
    'Content-Type': contentType(extname(file.path)),
    'Content-Length': file.size,
    // index.html names the current bundles and must never be stale; other files revalidate.
    'Cache-Control': isIndex ? 'no-store' : immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
  })
  if (res.req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
