/**
 * Test helpers for the datasets layer: small generated dataset files, and a local HTTP server on 127.0.0.1
 * that serves them with Range support and scripted misbehaviour (dropped connections, ignored Range,
 * stalls, error statuses). Not used by production code.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as tar from 'tar'
import type { DatasetSource, SourceFile } from './sources'

export async function makeTempDir(
  prefix = 'wb-datasets-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Deterministic bytes (xorshift), so generated files and their md5s repeat. */
export function pseudoRandomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

export function idxImages(count: number, rows: number, cols: number, seed = 1): Buffer {
  const header = Buffer.alloc(16)
  header.writeUInt32BE(0x00000803, 0)
  header.writeUInt32BE(count, 4)
  header.writeUInt32BE(rows, 8)
  header.writeUInt32BE(cols, 12)
  return Buffer.concat([header, pseudoRandomBytes(count * rows * cols, seed)])
}

export function idxLabels(count: number, classes = 10): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32BE(0x00000801, 0)
  header.writeUInt32BE(count, 4)
  const labels = Buffer.alloc(count)
  for (let i = 0; i < count; i++) labels[i] = i % classes
  return Buffer.concat([header, labels])
}

export const IDX_FILE_NAMES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
] as const

/** The four gzipped IDX files of a small MNIST-like dataset, by file name. */
export function idxGzFiles(train: number, test: number, rows = 28, cols = 28): Record<string, Buffer> {
  return {
    'train-images-idx3-ubyte.gz': gzipSync(idxImages(train, rows, cols, 7), { level: 1 }),
    'train-labels-idx1-ubyte.gz': gzipSync(idxLabels(train)),
    't10k-images-idx3-ubyte.gz': gzipSync(idxImages(test, rows, cols, 11), { level: 1 }),
    't10k-labels-idx1-ubyte.gz': gzipSync(idxLabels(test)),
  }
}

export async function writeFiles(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data)
}

/** Gzipped tarball of `folder` (inside `cwd`), as the CIFAR archives are made. */
export async function tarGz(cwd: string, folder: string, out: string): Promise<void> {
  await tar.c({ gzip: true, file: out, cwd, portable: true }, [folder])
}

export function md5(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex')
}

/** A test source whose files are served by `server` and whose md5s are computed from the bytes. */
export function testSource(
  name: string,
  baseUrl: string,
  files: Record<string, Uint8Array>,
  options: {
    format?: DatasetSource['format']
    unpack?: SourceFile['unpack']
    md5?: Record<string, string>
  } = {},
): DatasetSource {
  return {
    name,
    title: name,
    format: options.format ?? 'idx',
    homepage: 'http://127.0.0.1/',
    files: Object.entries(files).map(([file, data]) => ({
      url: new URL(file, baseUrl).href,
      md5: options.md5?.[file] ?? md5(data),
      size: data.length,
      unpack: options.unpack ?? 'keep',
    })),
    classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
    license: 'test data',
    citation: 'none',
  }
}

export interface Behaviour {
  /** Send this many bytes of the body, then destroy the connection. */
  dropAfter?: number
  /** Send this many bytes, then keep the connection open without sending more. */
  stallAfter?: number
  /** Answer 200 with the whole file even when a Range is asked. */
  ignoreRange?: boolean
  /** Answer this status with an empty body. */
  status?: number
  /** Send the body at about this many bytes per second (16 KB at a time), as a slow link would. */
  bytesPerSecond?: number
  /** How many requests the behaviour applies to (default: all); later requests are served normally. */
  times?: number
}

export interface RecordedRequest {
  path: string
  range: string | undefined
  status: number
}

export interface TestServer {
  url: string
  files: Map<string, Uint8Array>
  behaviours: Map<string, Behaviour>
  requests: RecordedRequest[]
  /** Resolves when a stalled response has started (its first bytes are sent). */
  stalled: () => Promise<void>
  close: () => Promise<void>
}

/** An HTTP server on 127.0.0.1 (`port`, default ephemeral) serving `files` at `/<name>`, with Range support. */
export async function startServer(files: Record<string, Uint8Array> = {}, port = 0): Promise<TestServer> {
  const state: TestServer = {
    url: '',
    files: new Map(Object.entries(files)),
    behaviours: new Map(),
    requests: [],
    stalled: () => stalledPromise,
    close: async () => {},
  }
  let onStall: () => void = () => {}
  const stalledPromise = new Promise<void>((resolve) => (onStall = resolve))

  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1))
    const range = req.headers.range
    const data = state.files.get(path)
    const record = (status: number): void => void state.requests.push({ path, range, status })
    let behaviour = state.behaviours.get(path)
    if (behaviour?.times !== undefined) {
      if (behaviour.times <= 0) behaviour = undefined
      else behaviour.times--
    }
    if (behaviour?.status !== undefined) {
      record(behaviour.status)
      res.writeHead(behaviour.status, { 'content-length': '0' }).end()
      return
    }
    if (data === undefined) {
      record(404)
      res.writeHead(404, { 'content-length': '0' }).end()
      return
    }
    let start = 0
    let status = 200
    const m = /^bytes=(\d+)-$/.exec(range ?? '')
    if (m && !behaviour?.ignoreRange) {
      start = Number(m[1])
      if (start >= data.length) {
        record(416)
        res.writeHead(416, { 'content-range': `bytes */${data.length}`, 'content-length': '0' }).end()
        return
      }
      status = 206
    }
    record(status)
    const body = data.subarray(start)
    const headers: http.OutgoingHttpHeaders = {
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    }
    if (status === 206) headers['content-range'] = `bytes ${start}-${data.length - 1}/${data.length}`
    res.writeHead(status, headers)
    if (behaviour?.dropAfter !== undefined) {
      res.write(body.subarray(0, behaviour.dropAfter), () => setTimeout(() => res.socket?.destroy(), 20))
    } else if (behaviour?.stallAfter !== undefined) {
      res.write(body.subarray(0, behaviour.stallAfter), () => onStall())
    } else if (behaviour?.bytesPerSecond !== undefined) {
      const chunk = 16 * 1024
      const delayMs = (chunk * 1000) / behaviour.bytesPerSecond
      let at = 0
      const next = (): void => {
        if (res.destroyed) return
        if (at >= body.length) return void res.end()
        res.write(body.subarray(at, at + chunk))
        at += chunk
        setTimeout(next, delayMs)
      }
      next()
    } else {
      res.end(body)
    }
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}
