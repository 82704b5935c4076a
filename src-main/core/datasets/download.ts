/**
 * Downloads a dataset source into `<datasetsDir>/<name>/`, resumably and atomically:
 *
 *   <datasetsDir>/.partial-<name>/<file>.part   bytes received so far (kept on cancel/failure: the next call
 *                                               resumes with `Range: bytes=N-`)
 *   <datasetsDir>/.partial-<name>/<file>        a file whose md5 matched the published sum
 *   <datasetsDir>/.tmp-<name>-<random>/         the dataset being assembled (unpacked, loaded, manifest)
 *   <datasetsDir>/<name>/                       appears in one rename once everything is verified
 *
 * HTTP goes through node:http/node:https (not fetch) so the bytes hashed are exactly the bytes served:
 * fetch would transparently decode a `Content-Encoding: gzip` answer, and both md5 and Range offsets
 * refer to the encoded file.
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { join, sep } from 'node:path'
import * as tar from 'tar'
import type { RawDataset } from '../../../src-worker/data/types'
import { abortedError, DatasetsError, errorMessage, fileOf, invalidArgument, throwIfAborted } from './errors'
import { dirSize, fileSize, md5File, pathExists, writeFileAtomic } from './fsutil'
import { buildManifest, writeManifest, type DatasetManifest } from './manifest'
import { defaultLoader, type DatasetLoader } from './loader'
import { buildPreview, writePreview } from './preview'
import { sourceFileName, type DatasetSource, type SourceFile } from './sources'
import {
  validateAbsolutePath,
  validateName,
  validateOptionalFunction,
  validateOptionalObject,
  validateOptionalSignal,
} from './validate'

export type DownloadPhase = 'download' | 'retry' | 'verify' | 'unpack' | 'load' | 'done'

/** Phase 'retry': the connection failed and the next attempt waits `inMs`. */
export interface DownloadRetry {
  /** The attempt about to be made (2 = the first retry). */
  attempt: number
  /** Attempts allowed without progress before the download fails (retries + 1). */
  of: number
  inMs: number
  /** What failed, as Node or the server said it (`ECONNREFUSED`, `HTTP 503`, ...). */
  reason: string
  /** The error code when there is one (`ECONNREFUSED`, `ENOTFOUND`): the UI words "offline" from it. */
  code: string | null
  host: string
}

export interface DownloadProgress {
  phase: DownloadPhase
  /** The file being handled (its name on disk), or the dataset name for 'load' and 'done'. */
  file: string
  /** Bytes of this file on disk so far (resumed bytes included). */
  bytes: number
  /** This file's size, if known (published size or the server's Content-Length). */
  total: number | null
  /** Overall download progress in [0, 1] over all files: by bytes when every size is known, else by file. */
  fraction: number
  /** Bytes of all files on disk so far (complete files plus this one's). */
  overallBytes: number
  /** All files' published sizes added up, if every one is known. */
  overallTotal: number | null
  /** Phase 'retry' only. */
  retry?: DownloadRetry
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void
  /** Cancels the download; the `.part` files stay for the next call to resume. */
  signal?: AbortSignal
  /** Fetch every file from `<baseUrl>/<file name>` instead of its published URL (tests, mirrors). */
  baseUrl?: string
  /** Folder name under `datasetsDir` (default: `source.name`). */
  name?: string
  /** Retries after a transient network failure without progress (default 4). Progress resets the count. */
  retries?: number
  /** First retry delay; doubles each retry, capped at 30 s (default 1000 ms). */
  retryDelayMs?: number
  /** A connection with no data for this long is dropped and retried (default 30 000 ms). */
  timeoutMs?: number
  /** Minimum time between two 'download' progress events of one file (default 100 ms). */
  progressIntervalMs?: number
  /** Reads the assembled folder (default: `loadDataset` from src-worker/data/load). */
  loader?: DatasetLoader
}

export interface DownloadResult {
  /** `<datasetsDir>/<name>` */
  dir: string
  manifest: DatasetManifest
}

const DEFAULT_RETRIES = 4
/** Retries ENOTEMPTY/EBUSY: a failed extraction may still be closing a file while we clean up. */
const RM_RETRYING = { recursive: true, force: true, maxRetries: 5, retryDelay: 50 } as const
const MAX_REDIRECTS = 5
const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504])
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
])

/** A failure worth retrying: the network hiccupped, or the server said "later". */
class TransientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

/** Downloads, verifies, unpacks, loads and places a dataset. See the file comment for the layout. */
export async function downloadDataset(
  source: DatasetSource,
  datasetsDir: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  validateSource(source)
  const root = validateAbsolutePath(datasetsDir, 'datasetsDir')
  const opts = validateOptionalObject(options, 'options') as DownloadOptions
  const onProgress = validateOptionalFunction<(p: DownloadProgress) => void>(opts.onProgress, 'onProgress')
  const signal = validateOptionalSignal(opts.signal)
  const loader = validateOptionalFunction<DatasetLoader>(opts.loader, 'loader') ?? defaultLoader
  const name = validateName(opts.name ?? source.name, 'name')
  const baseUrl =
    opts.baseUrl === undefined ? undefined : asDirectoryUrl(validateHttpUrl(opts.baseUrl, 'baseUrl'))
  const retries = nonNegativeInt(opts.retries ?? DEFAULT_RETRIES, 'retries')
  const retryDelayMs = nonNegativeInt(opts.retryDelayMs ?? 1000, 'retryDelayMs')
  const timeoutMs = nonNegativeInt(opts.timeoutMs ?? 30_000, 'timeoutMs')
  const progressIntervalMs = nonNegativeInt(opts.progressIntervalMs ?? 100, 'progressIntervalMs')

  throwIfAborted(signal)
  const finalDir = join(root, name)
  if (await pathExists(finalDir)) {
    throw new DatasetsError('exists', `a dataset named '${name}' already exists at ${finalDir}`, {
      field: 'name',
    })
  }
  const partialDir = join(root, `.partial-${name}`)
  await mkdir(partialDir, { recursive: true })

  const files = source.files.map((file) => {
    const fileName = sourceFileName(file)
    const url = baseUrl === undefined ? new URL(file.url) : new URL(encodeURIComponent(fileName), baseUrl)
    return { file, fileName, url }
  })
  const progress = new ProgressReporter(
    files.map((f) => f.file.size ?? null),
    progressIntervalMs,
    onProgress,
  )
  const ctx: TransferContext = { signal, retries, retryDelayMs, timeoutMs, progress }

  const verified: string[] = []
  for (const [index, { file, fileName, url }] of files.entries()) {
    verified.push(await downloadFile(ctx, index, file, fileName, url, partialDir))
  }

  throwIfAborted(signal)
  const tmp = await mkdtemp(join(root, `.tmp-${name}-`))
  try {
    for (const [index, { file, fileName }] of files.entries()) {
      const path = verified[index] as string
      if (file.unpack === 'tar.gz') {
        progress.after('unpack', fileName)
        await extractTarGz(path, tmp, fileName)
      } else {
        await copyFile(path, join(tmp, fileName))
      }
      throwIfAborted(signal)
    }

    if (source.format === 'idx' && source.classNames.length > 0) {
      // IDX files carry no class names: classes.txt makes the folder self-describing for loadDataset.
      await writeFile(join(tmp, 'classes.txt'), source.classNames.join('\n') + '\n')
    }

    progress.after('load', name)
    let dataset: RawDataset
    try {
      dataset = await loader(tmp)
    } catch (err) {
      // The loader names files inside the temp folder, which is about to go: keep just their names.
      const inTmp = (text: string): string => text.split(tmp + sep).join('')
      const file = fileOf(err)
      throw new DatasetsError(
        'invalid-data',
        `the downloaded files of '${source.name}' do not load as a dataset: ${inTmp(errorMessage(err))}`,
        { cause: err, ...(file === undefined ? {} : { file: inTmp(file) }) },
      )
    }
    if (dataset.format !== source.format) {
      throw new DatasetsError(
        'invalid-data',
        `the downloaded files of '${source.name}' load as ${dataset.format}, expected ${source.format}`,
      )
    }
    const manifest = buildManifest({
      name,
      source: 'download',
      // The file's URL, or for several files the folder they share (the first file's).
      origin: files.length === 1 ? files[0]!.url.href : new URL('.', files[0]!.url).href,
      reference: false,
      dataset,
      sizeOnDisk: await dirSize(tmp),
      sourceName: source.name,
      license: source.license,
      citation: source.citation,
    })
    await writePreview(tmp, buildPreview(name, { ...dataset, classNames: manifest.classNames }))
    await writeManifest(tmp, manifest)

    throwIfAborted(signal)
    if (await pathExists(finalDir)) {
      throw new DatasetsError('exists', `a dataset named '${name}' appeared at ${finalDir} meanwhile`, {
        field: 'name',
      })
    }
    await rename(tmp, finalDir)
    await rm(partialDir, RM_RETRYING).catch(() => {})
    progress.after('done', name)
    return { dir: finalDir, manifest }
  } catch (err) {
    await rm(tmp, RM_RETRYING)
    throw err
  }
}

// ---------------------------------------------------------------------------------------------------------
// One file: resume, retry, verify

interface TransferContext {
  signal: AbortSignal | undefined
  retries: number
  retryDelayMs: number
  timeoutMs: number
  progress: ProgressReporter
}

interface PartMeta {
  url: string
  md5: string
}

/** Returns the path of the verified file in `partialDir`. */
async function downloadFile(
  ctx: TransferContext,
  index: number,
  file: SourceFile,
  fileName: string,
  url: URL,
  partialDir: string,
): Promise<string> {
  const donePath = join(partialDir, fileName)
  const partPath = `${donePath}.part`
  const metaPath = `${partPath}.json`

  // Verified by an earlier call that failed later (another file, unpacking): keep it if it still matches.
  if (await pathExists(donePath)) {
    const size = (await fileSize(donePath)) ?? 0
    ctx.progress.verify(index, fileName, size)
    if ((await md5File(donePath)) === file.md5) return donePath
    await rm(donePath, { force: true })
  }

  // A part from another URL or checksum (the source changed) cannot be resumed.
  const meta = await readPartMeta(metaPath)
  if (meta === null || meta.url !== url.href || meta.md5 !== file.md5) {
    await rm(partPath, { force: true })
    await writeFileAtomic(metaPath, JSON.stringify({ url: url.href, md5: file.md5 } satisfies PartMeta))
  }

  let failures = 0
  let attempts = 0
  const maxAttempts = (ctx.retries + 1) * 10
  for (;;) {
    throwIfAborted(ctx.signal)
    const before = (await fileSize(partPath)) ?? 0
    attempts++
    try {
      await transfer(ctx, index, file, fileName, url, partPath)
      break
    } catch (err) {
      if (ctx.signal?.aborted) throw abortedError(ctx.signal)
      if (!isTransient(err)) throw err
      const after = (await fileSize(partPath)) ?? 0
      failures = after > before ? 1 : failures + 1
      if (failures > ctx.retries || attempts >= maxAttempts) {
        const status = err instanceof TransientError ? err.status : undefined
        throw new DatasetsError(
          status === undefined ? 'network' : 'http',
          `${fileName}: download from ${url.href} failed after ${attempts} attempt(s): ${errorMessage(err)}` +
            (after > 0 ? ` (${after} bytes kept for resuming)` : ''),
          { file: fileName, cause: err, ...(status === undefined ? {} : { status }) },
        )
      }
      const inMs = backoffMs(ctx.retryDelayMs, failures)
      ctx.progress.retry(index, fileName, after, {
        attempt: failures + 1,
        of: ctx.retries + 1,
        inMs,
        reason: errorMessage(err),
        code: errorCode(err),
        host: url.host,
      })
      await sleep(inMs, ctx.signal)
    }
  }

  ctx.progress.verify(index, fileName, (await fileSize(partPath)) ?? 0)
  const actual = await md5File(partPath)
  if (actual !== file.md5) {
    await rm(partPath, { force: true })
    await rm(metaPath, { force: true })
    throw new DatasetsError(
      'checksum',
      `${fileName}: checksum mismatch: expected md5 ${file.md5}, got ${actual} (the partial file was deleted)`,
      { file: fileName, expected: file.md5, actual },
    )
  }
  await rename(partPath, donePath)
  await rm(metaPath, { force: true })
  return donePath
}

/** One HTTP request: appends to (206) or rewrites (200) the part file until the body ends. */
async function transfer(
  ctx: TransferContext,
  index: number,
  file: SourceFile,
  fileName: string,
  url: URL,
  partPath: string,
): Promise<void> {
  const start = (await fileSize(partPath)) ?? 0
  const headers: Record<string, string> = {
    'accept-encoding': 'identity',
    'user-agent': 'Workbench-dataset-downloader',
  }
  if (start > 0) headers.range = `bytes=${start}-`
  const res = await httpGet(url, headers, ctx.signal, ctx.timeoutMs)
  try {
    const status = res.statusCode ?? 0
    let offset: number
    if (status === 416 && start > 0) {
      // Nothing left to send after `start`: the part is whole (md5 decides), or longer than the file.
      const total = parseUnsatisfiedRange(res.headers['content-range']) ?? file.size ?? null
      if (total === start) return
      await rm(partPath, { force: true })
      throw new TransientError(`${fileName}: the server refused the range bytes=${start}- (restarting)`)
    } else if (status === 200) {
      offset = 0 // a fresh copy: either no Range was sent, or the server ignores Range (restart)
    } else if (status === 206) {
      const range = parseContentRange(res.headers['content-range'])
      if (range === null || range.start !== start) {
        // A range we did not ask for: throw the part away and start over.
        await rm(partPath, { force: true })
        throw new TransientError(`${fileName}: unexpected Content-Range ${res.headers['content-range']}`)
      }
      offset = start
    } else if (TRANSIENT_STATUS.has(status)) {
      throw new TransientError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), status)
    } else {
      throw new DatasetsError(
        'http',
        `${fileName}: HTTP ${status} ${res.statusMessage ?? ''} from ${url.href}`,
        {
          file: fileName,
          status,
        },
      )
    }

    const length = parseLength(res.headers['content-length'])
    const total = length !== null ? offset + length : (file.size ?? null)
    const fh = await open(partPath, offset === 0 ? 'w' : 'a')
    let bytes = offset
    try {
      ctx.progress.download(index, fileName, bytes, total, true)
      for await (const chunk of res as AsyncIterable<Buffer>) {
        await fh.write(chunk)
        bytes += chunk.length
        ctx.progress.download(index, fileName, bytes, total, false)
      }
    } finally {
      await fh.close()
    }
    if (length !== null && bytes - offset !== length) {
      throw new TransientError(`${fileName}: connection closed after ${bytes} of ${total} bytes`)
    }
    ctx.progress.download(index, fileName, bytes, total, true)
  } finally {
    res.destroy()
  }
}

function httpGet(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  redirects = 0,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null
    if (client === null) {
      reject(new DatasetsError('http', `unsupported protocol in ${url.href}`))
      return
    }
    const req = client.get(url, { headers, ...(signal ? { signal } : {}) }, (res) => {
      const status = res.statusCode ?? 0
      const location = res.headers.location
      if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
        res.resume()
        if (redirects >= MAX_REDIRECTS) {
          reject(new DatasetsError('http', `too many redirects from ${url.href}`, { status }))
          return
        }
        let next: URL
        try {
          next = new URL(location, url)
        } catch {
          reject(new DatasetsError('http', `bad redirect from ${url.href} to ${location}`, { status }))
          return
        }
        resolve(httpGet(next, headers, signal, timeoutMs, redirects + 1))
        return
      }
      resolve(res)
    })
    if (timeoutMs > 0) {
      req.setTimeout(timeoutMs, () =>
        req.destroy(new TransientError(`no data from ${url.host} for ${timeoutMs} ms`)),
      )
    }
    req.on('error', reject)
  })
}

function isTransient(err: unknown): boolean {
  if (err instanceof TransientError) return true
  if (err instanceof DatasetsError) return false
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') return TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR_')
  // Node's http client reports a body cut short as a plain Error('aborted').
  return (err as Error).message === 'aborted'
}

function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return err instanceof TransientError && err.status !== undefined ? `HTTP_${err.status}` : null
}

function backoffMs(base: number, failures: number): number {
  const delay = Math.min(30_000, base * 2 ** (failures - 1))
  return Math.round(delay * (0.8 + 0.4 * Math.random()))
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal))
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortedError(signal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function readPartMeta(path: string): Promise<PartMeta | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<PartMeta>
    return typeof value.url === 'string' && typeof value.md5 === 'string'
      ? { url: value.url, md5: value.md5 }
      : null
  } catch {
    return null
  }
}

function parseLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d+$/.test(header.trim())) return null
  return Number(header.trim())
}

/** `bytes 100-199/1000` → {start: 100, end: 199, total: 1000 | null}. */
function parseContentRange(
  header: string | undefined,
): { start: number; end: number; total: number | null } | null {
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '')
  if (m === null) return null
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) }
}

/** `bytes *\/1000` (the 416 form) → 1000. */
function parseUnsatisfiedRange(header: string | undefined): number | null {
  const m = /^bytes\s+\*\/(\d+)$/i.exec(header?.trim() ?? '')
  return m === null ? null : Number(m[1])
}

// ---------------------------------------------------------------------------------------------------------
// Unpacking

/**
 * Bounds on what an archive may unpack to, from its (verified) size: the CIFAR-10 archives unpack to about
 * 1.1 times their size in 8 entries, so a tarball that would write far more is refused before it writes.
 */
const UNPACK_MAX_RATIO = 4
const UNPACK_SLACK_BYTES = 2 ** 20
const UNPACK_MAX_ENTRIES = 10_000

/**
 * Extracts a .tar.gz into `destDir`. Only regular files and folders are extracted (no links, devices);
 * absolute and `..` paths are refused by `tar`. A single top-level folder (cifar-10-batches-py/) is
 * flattened, so the dataset's files sit directly in `destDir`.
 */
async function extractTarGz(archive: string, destDir: string, fileName: string): Promise<void> {
  // A full read first: a corrupt or truncated archive fails here, before anything is written (tar's
  // promise settles on the first error while its file writes may still be in flight). It streams, so it
  // holds no more than a block in memory, and it adds up what the entries' headers declare: what
  // extraction would write.
  let entries = 0
  let bytes = 0
  try {
    await tar.t({
      file: archive,
      strict: true,
      onReadEntry: (entry) => {
        entries++
        bytes += entry.size ?? 0
      },
    })
  } catch (err) {
    throw new DatasetsError('unpack', `${fileName}: cannot read the archive: ${errorMessage(err)}`, {
      file: fileName,
      cause: err,
    })
  }
  const archiveBytes = (await fileSize(archive)) ?? 0
  const maxBytes = UNPACK_MAX_RATIO * archiveBytes + UNPACK_SLACK_BYTES
  if (bytes > maxBytes || entries > UNPACK_MAX_ENTRIES) {
    throw new DatasetsError(
      'unpack',
      `${fileName}: expected an archive that unpacks to at most ${maxBytes} bytes (${UNPACK_MAX_RATIO}x its ` +
        `${archiveBytes} bytes; CIFAR-10's unpack to 1.1x) in at most ${UNPACK_MAX_ENTRIES} entries, found ` +
        `${bytes} bytes in ${entries} entries`,
      { file: fileName },
    )
  }
  const out = await mkdtemp(join(destDir, '.extract-'))
  try {
    try {
      await tar.x({
        file: archive,
        cwd: out,
        strict: true,
        preservePaths: false,
        preserveOwner: false,
        filter: (_path, entry) => {
          const type = 'type' in entry ? entry.type : entry.isDirectory() ? 'Directory' : 'File'
          return type === 'File' || type === 'OldFile' || type === 'ContiguousFile' || type === 'Directory'
        },
      })
    } catch (err) {
      throw new DatasetsError('unpack', `${fileName}: cannot extract the archive: ${errorMessage(err)}`, {
        file: fileName,
        cause: err,
      })
    }
    const entries = (await readdir(out, { withFileTypes: true })).filter(
      (e) => e.name !== '__MACOSX' && e.name !== '.DS_Store',
    )
    if (entries.length === 0) {
      throw new DatasetsError('unpack', `${fileName}: the archive is empty`, { file: fileName })
    }
    const only = entries.length === 1 ? entries[0] : undefined
    const from = only?.isDirectory() ? join(out, only.name) : out
    for (const name of await readdir(from)) {
      if (from === out && (name === '__MACOSX' || name === '.DS_Store')) continue
      const target = join(destDir, name)
      if (await pathExists(target)) {
        throw new DatasetsError('unpack', `${fileName}: '${name}' is already in the dataset folder`, {
          file: fileName,
        })
      }
      await rename(join(from, name), target)
    }
  } finally {
    await rm(out, RM_RETRYING)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Progress

class ProgressReporter {
  private lastEmit = 0
  /** Sizes of the files verified so far, by index. */
  private readonly done = new Map<number, number>()

  constructor(
    private readonly sizes: readonly (number | null)[],
    private readonly intervalMs: number,
    private readonly onProgress: ((p: DownloadProgress) => void) | undefined,
  ) {}

  /** Bytes of file `index` so far; throttled unless `force` or the file is complete. */
  download(index: number, file: string, bytes: number, total: number | null, force: boolean): void {
    if (this.onProgress === undefined) return
    const now = Date.now()
    if (!force && bytes !== total && now - this.lastEmit < this.intervalMs) return
    this.lastEmit = now
    this.emit({
      phase: 'download',
      file,
      bytes,
      total,
      fraction: this.fraction(index, bytes, total),
      ...this.overall(index, bytes),
    })
  }

  /** The transfer of file `index` failed with `bytes` kept; the next attempt is `retry`. */
  retry(index: number, file: string, bytes: number, retry: DownloadRetry): void {
    this.emit({
      phase: 'retry',
      file,
      bytes,
      total: this.sizes[index] ?? null,
      fraction: this.fraction(index, bytes, this.sizes[index] ?? null),
      ...this.overall(index, bytes),
      retry,
    })
  }

  /** File `index` is downloaded and being verified. */
  verify(index: number, file: string, bytes: number): void {
    this.done.set(index, bytes)
    this.emit({
      phase: 'verify',
      file,
      bytes,
      total: bytes,
      fraction: this.fraction(index + 1, 0, null),
      ...this.overall(index + 1, 0),
    })
  }

  /** Every file is downloaded; `phase` is one of the steps after. */
  after(phase: 'unpack' | 'load' | 'done', file: string): void {
    this.emit({ phase, file, bytes: 0, total: null, fraction: 1, ...this.overall(this.sizes.length, 0) })
  }

  /** Files [0, index) complete (their verified size, else the published one) plus `bytes` of file `index`. */
  private overall(index: number, bytes: number): { overallBytes: number; overallTotal: number | null } {
    let sum = bytes
    for (let i = 0; i < Math.min(index, this.sizes.length); i++) sum += this.done.get(i) ?? this.sizes[i] ?? 0
    const known = this.sizes.every((s) => s !== null)
    return {
      overallBytes: sum,
      overallTotal: known ? (this.sizes as number[]).reduce((a, b) => a + b, 0) : null,
    }
  }

  private emit(p: DownloadProgress): void {
    try {
      this.onProgress?.(p)
    } catch {
      // A listener's bug must not break the download.
    }
  }

  /** Overall fraction with files [0, index) complete and `bytes` of file `index` received. */
  private fraction(index: number, bytes: number, total: number | null): number {
    const n = this.sizes.length
    let f: number
    if (this.sizes.every((s) => s !== null)) {
      const sizes = this.sizes as number[]
      const all = sizes.reduce((a, b) => a + b, 0)
      const before = sizes.slice(0, index).reduce((a, b) => a + b, 0)
      const current = index < n ? Math.min(bytes, sizes[index] as number) : 0
      f = all > 0 ? (before + current) / all : 1
    } else {
      const current = index < n && total !== null && total > 0 ? Math.min(1, bytes / total) : 0
      f = (Math.min(index, n) + current) / n
    }
    return Math.max(0, Math.min(1, f))
  }
}

// ---------------------------------------------------------------------------------------------------------
// Argument checks

export function validateSource(source: unknown): asserts source is DatasetSource {
  if (source === null || typeof source !== 'object')
    throw invalidArgument('source', 'must be a dataset source')
  const s = source as Partial<DatasetSource>
  validateName(s.name, 'source.name')
  if (s.format !== 'cifar10-python' && s.format !== 'cifar10-binary' && s.format !== 'idx') {
    throw invalidArgument('source.format', 'must be cifar10-python, cifar10-binary or idx')
  }
  if (!Array.isArray(s.files) || s.files.length === 0)
    throw invalidArgument('source.files', 'must not be empty')
  const names = new Set<string>()
  for (const [i, f] of s.files.entries()) {
    validateHttpUrl(f?.url, `source.files[${i}].url`)
    if (typeof f.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(f.md5)) {
      throw invalidArgument(`source.files[${i}].md5`, 'must be 32 lowercase hex digits')
    }
    if (f.size !== undefined && !(Number.isSafeInteger(f.size) && f.size >= 0)) {
      throw invalidArgument(`source.files[${i}].size`, 'must be a non-negative integer')
    }
    if (f.unpack !== 'keep' && f.unpack !== 'tar.gz')
      throw invalidArgument(`source.files[${i}].unpack`, 'bad mode')
    let name: string
    try {
      name = sourceFileName(f)
    } catch (err) {
      throw invalidArgument(`source.files[${i}].url`, errorMessage(err))
    }
    if (names.has(name)) throw invalidArgument(`source.files[${i}].url`, `duplicate file name ${name}`)
    names.add(name)
  }
  if (!Array.isArray(s.classNames)) throw invalidArgument('source.classNames', 'must be an array')
}

function validateHttpUrl(value: unknown, field: string): URL {
  if (typeof value !== 'string') throw invalidArgument(field, 'must be a URL string')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalidArgument(field, `${JSON.stringify(value)} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(field, 'must be http(s)')
  return url
}

function asDirectoryUrl(url: URL): URL {
  if (url.pathname.endsWith('/')) return url
  const dir = new URL(url.href)
  dir.pathname += '/'
  return dir
}

function nonNegativeInt(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidArgument(field, 'must be a non-negative integer')
  }
  return value as number
}

/** For tests: md5 of bytes, as the sources publish it. */
export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex')
}
