/**
 * The datasets a user has: `<dataDir>/datasets/<name>/` folders, each with a `dataset.json` manifest, plus
 * the read-only built-in datasets shipped under `builtinDir` (resources/datasets/<name>/).
 *
 *   const registry = new DatasetRegistry(dataDir, { builtinDir })
 *   await registry.importFolder('/home/me/cifar-10-batches-py', { mode: 'reference' })
 *   await registry.download('fashion-mnist', { onProgress, signal })
 *   const data = await registry.load('fashion-mnist')   // one load per process, shared by every caller
 *
 * Every public method validates its arguments (they may come from the renderer or an HTTP client) and
 * fails with a DatasetsError whose `code` and `field` say what was wrong.
 */
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path'
import type { DatasetPreview } from '../../../src-shared/contract'
import { detectFormat } from '../../../src-worker/data/detect'
import type { RawDataset } from '../../../src-worker/data/types'
import { downloadDataset, type DownloadOptions, type DownloadProgress } from './download'
import { DatasetsError, errorMessage, fileOf, invalidArgument, throwIfAborted } from './errors'
import { dirSize, fileSize, filesSize, pathExists, removeDirAtomic } from './fsutil'
import { defaultLoader, type DatasetLoader } from './loader'
import {
  buildManifest,
  datasetFacts,
  MANIFEST_FILE,
  readManifest,
  writeManifest,
  type DatasetFacts,
  type DatasetManifest,
} from './manifest'
import { buildPreview, PREVIEW_MAX_PER_CLASS, readPreview, trimPreview, writePreview } from './preview'
import { SOURCES, type DatasetSource } from './sources'
import {
  DATASET_NAME_PATTERN,
  validateAbsolutePath,
  validateExistingDir,
  validateName,
  validateOneOf,
  validateOptionalFunction,
  validateOptionalObject,
  validateOptionalSignal,
} from './validate'

export type ImportMode = 'reference' | 'copy'

export interface DatasetInfo extends DatasetManifest {
  /** The folder the data is read from: the dataset folder, the referenced folder, or the built-in one. */
  path: string
  /** Built-in datasets cannot be removed. */
  readOnly: boolean
  /** False when a referenced folder has gone (moved, unmounted): the entry stays, `load` fails. */
  available: boolean
}

export interface DatasetRegistryOptions {
  /** Folder of built-in datasets (resources/datasets): each subfolder that loads is a read-only dataset. */
  builtinDir?: string
  /** The downloadable sources (default: SOURCES). */
  sources?: Readonly<Record<string, DatasetSource>>
  /** Defaults for every download: a mirror `baseUrl`, retries, timeouts. */
  downloadOptions?: Pick<
    DownloadOptions,
    'baseUrl' | 'retries' | 'retryDelayMs' | 'timeoutMs' | 'progressIntervalMs'
  > & {
    /**
     * A mirror laid out by dataset: each source's files come from `<mirror>/<source name>/<file name>`
     * (MNIST and Fashion-MNIST share file names). Checked against the published md5s all the same.
     */
    mirror?: string
  }
  /** Reads a dataset folder (default: `loadDataset`). */
  loader?: DatasetLoader
}

export interface ImportOptions {
  /** Registry name (default: derived from the folder name). */
  name?: string
  /** 'reference' reads the data where it is (only a manifest is stored); 'copy' copies it in. */
  mode: ImportMode
  onProgress?: (progress: ImportProgress) => void
  /** Cancels between files; nothing is registered. */
  signal?: AbortSignal
}

export type ImportPhase = 'detect' | 'read' | 'copy' | 'verify' | 'preview' | 'done'

export interface ImportProgress {
  phase: ImportPhase
  /** The file just read or copied. */
  file: string | null
  /** Bytes of the files read (or copied, or verified) so far in this phase. */
  bytes: number
  /** Bytes of the phase's files, when known. */
  total: number | null
  /** Overall progress in [0, 1]: reading is most of a reference import, copying most of a copy. */
  fraction: number
}

/** A change to the list of datasets, for whoever shows it. */
export interface DatasetsChange {
  change: 'added' | 'removed'
  name: string
}

export interface RegistryDownloadOptions {
  onProgress?: (progress: DownloadProgress) => void
  signal?: AbortSignal
}

export interface CleanupOptions {
  /** Leftover `.tmp-*` / `.trash-*` folders older than this are deleted (default 1 hour). */
  maxAgeMs?: number
  /** Resumable `.partial-*` downloads untouched for this long are deleted (default 30 days). */
  partialMaxAgeMs?: number
}

const HOUR = 3_600_000

export class DatasetRegistry {
  readonly dataDir: string
  /** `<dataDir>/datasets` */
  readonly datasetsDir: string
  readonly builtinDir: string | undefined
  private readonly sources: Readonly<Record<string, DatasetSource>>
  private readonly downloadOptions: DatasetRegistryOptions['downloadOptions']
  private readonly loader: DatasetLoader
  private readonly loads = new Map<string, Promise<RawDataset>>()
  private readonly busy = new Set<string>()
  private builtins: Promise<Map<string, DatasetInfo>> | undefined
  /** Built-ins are read-only folders: their previews are made when they are scanned and kept here. */
  private readonly builtinPreviews = new Map<string, DatasetPreview>()
  private readonly changeListeners = new Set<(c: DatasetsChange) => void>()

  constructor(dataDir: string, options: DatasetRegistryOptions = {}) {
    this.dataDir = validateAbsolutePath(dataDir, 'dataDir')
    this.datasetsDir = join(this.dataDir, 'datasets')
    const opts = validateOptionalObject(options, 'options') as DatasetRegistryOptions
    this.builtinDir =
      opts.builtinDir === undefined ? undefined : validateAbsolutePath(opts.builtinDir, 'builtinDir')
    this.sources = opts.sources ?? SOURCES
    this.downloadOptions = opts.downloadOptions
    this.loader = validateOptionalFunction<DatasetLoader>(opts.loader, 'loader') ?? defaultLoader
  }

  /** Built-in datasets first, then the user's, by name. Folders without a valid manifest are skipped. */
  async list(): Promise<DatasetInfo[]> {
    const builtins = await this.getBuiltins()
    const own: DatasetInfo[] = []
    for (const name of await this.ownNames()) {
      if (builtins.has(name)) continue
      const info = await this.readOwn(name)
      if (info !== null) own.push(info)
    }
    own.sort((a, b) => a.name.localeCompare(b.name))
    return [...builtins.values(), ...own]
  }

  /** The dataset called `name`; fails with code 'not-found' if there is none. */
  async get(name: string): Promise<DatasetInfo> {
    validateName(name)
    const builtin = (await this.getBuiltins()).get(name)
    if (builtin !== undefined) return builtin
    const info = await this.readOwn(name)
    if (info === null) throw notFound(name)
    return info
  }

  /** Names of the downloadable sources. */
  sourceNames(): string[] {
    return Object.keys(this.sources)
  }

  /** The downloadable sources, in their declared order. */
  sourceList(): DatasetSource[] {
    return Object.values(this.sources)
  }

  /** Bytes an interrupted download of `sourceName` left on disk for the next one to resume from. */
  async partialBytes(sourceName: string): Promise<number> {
    const source = this.sourceOf(sourceName)
    if (source === undefined) return 0
    const dir = join(this.datasetsDir, `.partial-${source.name}`)
    let entries: string[]
    try {
      entries = await readdir(dir)
    } catch {
      return 0
    }
    let total = 0
    for (const e of entries) if (!e.endsWith('.json')) total += (await fileSize(join(dir, e))) ?? 0
    return total
  }

  /** Calls `listener` after each dataset this registry adds or removes; returns an unsubscribe. */
  onChange(listener: (c: DatasetsChange) => void): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /**
   * The first `perClass` training images of each class (see preview.ts). Stored with the dataset when it
   * is added; a dataset added before previews existed gets one made (one load) and kept.
   */
  async preview(name: string, perClass = 7): Promise<DatasetPreview> {
    if (!Number.isSafeInteger(perClass) || perClass < 1 || perClass > PREVIEW_MAX_PER_CLASS) {
      throw invalidArgument('perClass', `must be an integer from 1 to ${PREVIEW_MAX_PER_CLASS}`)
    }
    const info = await this.get(name)
    const builtin = this.builtinPreviews.get(name)
    if (info.readOnly && builtin !== undefined) return trimPreview(builtin, perClass)
    const dir = join(this.datasetsDir, name)
    const expect = { shape: info.shape, classCount: info.classNames.length }
    const stored = info.readOnly ? null : await readPreview(dir, expect)
    if (stored !== null) return trimPreview({ ...stored, classNames: [...info.classNames] }, perClass)
    const raw = this.isLoaded(name) ? await this.load(name) : await this.loadUncached(name)
    const made = buildPreview(name, { ...raw, classNames: info.classNames })
    if (info.readOnly) this.builtinPreviews.set(name, made)
    else await writePreview(dir, made).catch(() => undefined) // a read-only data folder still previews
    return trimPreview(made, perClass)
  }

  /**
   * Registers a dataset folder (CIFAR-10 python or binary batches, or IDX files) after loading it once to
   * prove it parses. 'reference' keeps the data where it is; 'copy' copies the files the loader read into
   * `<datasets>/<name>/` through a temp folder and a rename, and loads the copy again to check it.
   */
  async importFolder(path: string, options: ImportOptions): Promise<DatasetInfo> {
    const opts = validateOptionalObject(options, 'options') as Partial<ImportOptions>
    const mode = validateOneOf(opts.mode, ['reference', 'copy'] as const, 'mode')
    const onProgress = validateOptionalFunction<(p: ImportProgress) => void>(opts.onProgress, 'onProgress')
    const signal = validateOptionalSignal(opts.signal)
    const report = (p: ImportProgress): void => {
      try {
        onProgress?.(p)
      } catch {
        // A listener's bug must not break the import.
      }
    }
    const { folder, name } = await this.checkImport(path, opts.name)

    return this.withLock(name, async () => {
      await this.assertNameFree(name)
      // Only the facts and the file list are kept: a copy is loaded again below, and holding the first
      // load's buffers meanwhile would double the import's memory.
      let dataset: DatasetFacts
      let files: string[]
      let preview: DatasetPreview
      report({ phase: 'detect', file: null, bytes: 0, total: null, fraction: 0 })
      const expected = await detectedFiles(folder)
      // Reading is the whole of a reference import; a copy reads, copies and reads the copy again.
      const share = mode === 'reference' ? { read: [0, 0.95] } : { read: [0, 0.3], copy: [0.3, 0.65] }
      try {
        const loaded = await this.loader(folder, {
          onFile: progressOf('read', expected, share.read as [number, number], report),
        })
        throwIfAborted(signal)
        dataset = datasetFacts(loaded)
        files = loaded.files
        preview = buildPreview(name, loaded)
      } catch (err) {
        if (err instanceof DatasetsError && err.code === 'aborted') throw err
        throw new DatasetsError(
          'invalid-data',
          `${folder} does not load as a dataset: ${errorMessage(err)}`,
          {
            field: 'path',
            file: fileOf(err) ?? folder,
            cause: err,
          },
        )
      }

      await mkdir(this.datasetsDir, { recursive: true })
      const tmp = await mkdtemp(join(this.datasetsDir, `.tmp-${name}-`))
      try {
        let sizeOnDisk: number
        if (mode === 'reference') {
          sizeOnDisk = files.length > 0 ? await filesSize(files) : await dirSize(folder)
        } else {
          await copyDatasetFiles(folder, files, tmp, signal, share.copy as [number, number], report)
          if (dataset.format === 'idx' && !files.some((f) => basename(f) === 'classes.txt')) {
            // The loader may have taken the class names from the folder's name ("fashion"), which the
            // copy does not keep: classes.txt pins them.
            await writeFile(join(tmp, 'classes.txt'), dataset.classNames.join('\n') + '\n')
          }
          let copy: DatasetFacts
          try {
            const inCopy = expected.map((f) => ({ ...f, path: join(tmp, relative(folder, f.path)) }))
            copy = datasetFacts(
              await this.loader(tmp, { onFile: progressOf('verify', inCopy, [0.65, 0.95], report) }),
            )
          } catch (err) {
            throw new DatasetsError(
              'invalid-data',
              `the copy of ${folder} does not load: ${errorMessage(err)}`,
              {
                cause: err,
              },
            )
          }
          if (!sameData(copy, dataset)) {
            throw new DatasetsError(
              'invalid-data',
              `the copy of ${folder} does not load as the original does`,
            )
          }
          sizeOnDisk = await dirSize(tmp)
        }
        const manifest = buildManifest({
          name,
          source: 'import',
          origin: folder,
          reference: mode === 'reference',
          dataset,
          sizeOnDisk,
        })
        report({ phase: 'preview', file: null, bytes: 0, total: null, fraction: 0.97 })
        await writePreview(tmp, preview)
        await writeManifest(tmp, manifest)
        throwIfAborted(signal)
        await this.placeAtomically(tmp, name)
        report({ phase: 'done', file: null, bytes: 0, total: null, fraction: 1 })
        this.changed({ change: 'added', name })
        return this.toInfo(manifest, join(this.datasetsDir, name))
      } catch (err) {
        await rm(tmp, { recursive: true, force: true })
        throw err
      }
    })
  }

  /**
   * What `importFolder` checks before it reads anything: `path` is an absolute path to an existing folder
   * outside the registry's own folders, and the name (given, or made from the folder's) is valid and free.
   */
  async checkImport(path: unknown, name?: unknown): Promise<{ folder: string; name: string }> {
    // `/data/x/../../etc` would normalise to a folder the person did not type: refused, not resolved.
    if (typeof path === 'string' && path.split(/[\\/]/).includes('..')) {
      throw invalidArgument(
        'path',
        `must not contain '..' segments, got ${JSON.stringify(path.slice(0, 200))}`,
      )
    }
    const folder = await validateExistingDir(path, 'path')
    const real = await realpath(folder)
    for (const own of [this.datasetsDir, this.builtinDir]) {
      if (own !== undefined && (await isInside(real, own))) {
        throw invalidArgument('path', `${folder} is inside the registry's own folder ${own}`)
      }
    }
    const derived = defaultImportName(folder)
    if (name === undefined && derived === '') {
      throw invalidArgument('name', `cannot make a dataset name from the folder name of ${folder}: give one`)
    }
    const valid = validateName(name ?? derived, 'name')
    await this.assertNameFree(valid)
    return { folder, name: valid }
  }

  /** Whether an import, download or removal of `name` is running in this process. */
  isBusy(name: string): boolean {
    return this.busy.has(name)
  }

  /** The source called `name`, if there is one. */
  source(name: string): DatasetSource | undefined {
    return this.sourceOf(name)
  }

  /** Downloads a known source (see `sourceNames()`) under its own name. See downloadDataset. */
  async download(sourceName: string, options: RegistryDownloadOptions = {}): Promise<DatasetInfo> {
    if (typeof sourceName !== 'string') throw invalidArgument('sourceName', 'must be a string')
    const source = this.sourceOf(sourceName)
    if (source === undefined) {
      throw new DatasetsError(
        'not-found',
        `sourceName: no downloadable dataset named ${JSON.stringify(sourceName.slice(0, 80))}; ` +
          `known: ${this.sourceNames().join(', ')}`,
        { field: 'sourceName' },
      )
    }
    const opts = validateOptionalObject(options, 'options') as RegistryDownloadOptions
    const onProgress = validateOptionalFunction<(p: DownloadProgress) => void>(opts.onProgress, 'onProgress')
    const signal = validateOptionalSignal(opts.signal)
    const name = validateName(source.name, 'sourceName')

    return this.withLock(name, async () => {
      await this.assertNameFree(name)
      throwIfAborted(signal)
      const { mirror, ...defaults } = this.downloadOptions ?? {}
      const { dir, manifest } = await downloadDataset(source, this.datasetsDir, {
        ...defaults,
        ...(mirror === undefined ? {} : { baseUrl: mirrorUrl(mirror, source.name) }),
        name,
        loader: this.loader,
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
      })
      this.changed({ change: 'added', name })
      return this.toInfo(manifest, dir)
    })
  }

  /**
   * Deletes a downloaded or imported dataset: renamed to a trash folder first (it disappears at once),
   * then deleted. A referenced folder is never touched: only the registry's manifest goes.
   */
  async remove(name: string): Promise<void> {
    validateName(name)
    if ((await this.getBuiltins()).has(name)) {
      throw new DatasetsError('read-only', `'${name}' is a built-in dataset and cannot be removed`, {
        field: 'name',
      })
    }
    await this.withLock(name, async () => {
      const dir = join(this.datasetsDir, name)
      if (!(await isDirectory(dir))) throw notFound(name)
      this.evict(name)
      await removeDirAtomic(dir)
    })
    this.changed({ change: 'removed', name })
  }

  /**
   * The dataset's data, loaded once per process: every caller gets the same promise, hence the same
   * SharedArrayBuffers. A failed load is forgotten, so the next call tries again.
   */
  load(name: string): Promise<RawDataset> {
    try {
      validateName(name)
    } catch (err) {
      return Promise.reject(err)
    }
    let promise = this.loads.get(name)
    if (promise === undefined) {
      promise = this.loadUncached(name)
      this.loads.set(name, promise)
      promise.catch(() => {
        if (this.loads.get(name) === promise) this.loads.delete(name)
      })
    }
    return promise
  }

  /** Forgets a cached load (workers still holding its buffers keep them). True if there was one. */
  evict(name: string): boolean {
    return this.loads.delete(name)
  }

  /** Whether `name`'s data is loaded (or loading) in this process. */
  isLoaded(name: string): boolean {
    return this.loads.has(name)
  }

  /** Deletes what interrupted operations left behind. Returns the folders removed. */
  async cleanup(options: CleanupOptions = {}): Promise<string[]> {
    const opts = validateOptionalObject(options, 'options') as CleanupOptions
    const maxAge = opts.maxAgeMs ?? HOUR
    const partialMaxAge = opts.partialMaxAgeMs ?? 30 * 24 * HOUR
    const removed: string[] = []
    let entries: string[]
    try {
      entries = await readdir(this.datasetsDir)
    } catch {
      return removed
    }
    const now = Date.now()
    for (const entry of entries) {
      const kind = /^\.(tmp|trash|partial)-/.exec(entry)?.[1]
      if (kind === undefined) continue
      // Folders of operations running in this process (prefix match: names may contain '-').
      if ([...this.busy].some((b) => entry.startsWith(`.${kind}-${b}`))) continue
      const path = join(this.datasetsDir, entry)
      const age = now - (await newestMtime(path))
      if (age >= (kind === 'partial' ? partialMaxAge : maxAge)) {
        await rm(path, { recursive: true, force: true })
        removed.push(path)
      }
    }
    return removed
  }

  // -------------------------------------------------------------------------------------------------------

  private async loadUncached(name: string): Promise<RawDataset> {
    const info = await this.get(name)
    if (!info.available) {
      throw new DatasetsError('not-found', `the folder of '${name}' (${info.path}) is not there anymore`, {
        field: 'name',
        file: info.path,
      })
    }
    let dataset: RawDataset
    try {
      dataset = await this.loader(info.path)
    } catch (err) {
      throw new DatasetsError('invalid-data', `'${name}' does not load: ${errorMessage(err)}`, {
        file: fileOf(err) ?? info.path,
        cause: err,
      })
    }
    // Downloads record the authors' class names (IDX files carry none); use them when they fit.
    if (
      info.classNames.length === dataset.classNames.length &&
      info.classNames.some((c, i) => c !== dataset.classNames[i])
    ) {
      return { ...dataset, classNames: [...info.classNames] }
    }
    return dataset
  }

  private sourceOf(name: string): DatasetSource | undefined {
    return Object.prototype.hasOwnProperty.call(this.sources, name) ? this.sources[name] : undefined
  }

  private changed(c: DatasetsChange): void {
    for (const l of [...this.changeListeners]) {
      try {
        l(c)
      } catch {
        // A listener's failure must not undo or fail the change.
      }
    }
  }

  private getBuiltins(): Promise<Map<string, DatasetInfo>> {
    if (this.builtins === undefined) {
      const scan = this.scanBuiltins()
      this.builtins = scan
      scan.catch(() => {
        if (this.builtins === scan) this.builtins = undefined // try again next time
      })
    }
    return this.builtins
  }

  /** Each subfolder of builtinDir with a valid name that loads; loaded once per registry for its facts. */
  private async scanBuiltins(): Promise<Map<string, DatasetInfo>> {
    const found = new Map<string, DatasetInfo>()
    if (this.builtinDir === undefined) return found
    let entries: string[]
    try {
      entries = (await readdir(this.builtinDir)).sort()
    } catch {
      return found
    }
    for (const name of entries) {
      const dir = join(this.builtinDir, name)
      if (!DATASET_NAME_PATTERN.test(name) || !(await isDirectory(dir))) continue
      let dataset: RawDataset
      try {
        dataset = await this.loader(dir)
      } catch {
        continue
      }
      const meta = await readBuiltinMeta(dir, dataset.classNames.length)
      const manifest = buildManifest({
        name,
        source: 'builtin',
        origin: dir,
        reference: true,
        dataset,
        sizeOnDisk: dataset.files.length > 0 ? await filesSize(dataset.files) : await dirSize(dir),
        ...meta,
      })
      this.builtinPreviews.set(name, buildPreview(name, { ...dataset, classNames: manifest.classNames }))
      // A built-in's "added" date is when the app's resources were written.
      const addedAt = (await stat(dir)).mtime.toISOString()
      found.set(name, { ...manifest, addedAt, path: dir, readOnly: true, available: true })
    }
    return found
  }

  private async ownNames(): Promise<string[]> {
    try {
      return (await readdir(this.datasetsDir)).filter((n) => DATASET_NAME_PATTERN.test(n))
    } catch {
      return []
    }
  }

  private async readOwn(name: string): Promise<DatasetInfo | null> {
    const dir = join(this.datasetsDir, name)
    let manifest: DatasetManifest
    try {
      manifest = await readManifest(dir)
    } catch {
      return null
    }
    return this.toInfo({ ...manifest, name }, dir)
  }

  private async toInfo(manifest: DatasetManifest, dir: string): Promise<DatasetInfo> {
    const path = manifest.reference ? manifest.origin : dir
    const available = !manifest.reference || (await isDirectory(path))
    return { ...manifest, path, readOnly: false, available }
  }

  private async assertNameFree(name: string): Promise<void> {
    if ((await this.getBuiltins()).has(name)) {
      throw new DatasetsError('exists', `'${name}' is the name of a built-in dataset`, { field: 'name' })
    }
    if (await pathExists(join(this.datasetsDir, name))) {
      throw new DatasetsError('exists', `a dataset named '${name}' exists already`, { field: 'name' })
    }
  }

  private async placeAtomically(tmp: string, name: string): Promise<void> {
    const final = join(this.datasetsDir, name)
    if (await pathExists(final)) {
      throw new DatasetsError('exists', `a dataset named '${name}' appeared meanwhile`, { field: 'name' })
    }
    await rename(tmp, final)
  }

  private async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(name)) {
      throw new DatasetsError('busy', `another operation on '${name}' is running`, { field: 'name' })
    }
    this.busy.add(name)
    try {
      return await fn()
    } finally {
      this.busy.delete(name)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

function notFound(name: string): DatasetsError {
  return new DatasetsError('not-found', `no dataset named '${name}'`, { field: 'name' })
}

/** `My CIFAR (2)` → `my-cifar-2`: the folder name made into a valid dataset name, if possible. */
function defaultImportName(folder: string): string {
  return basename(folder)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 64)
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

async function isInside(path: string, dir: string): Promise<boolean> {
  let realDir: string
  try {
    realDir = await realpath(dir)
  } catch {
    realDir = dir
  }
  const rel = relative(realDir, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** The data files a folder's format names, with their sizes: the totals import progress counts against. */
async function detectedFiles(folder: string): Promise<{ path: string; size: number }[]> {
  const detected = await detectFormat(folder)
  if (!detected.ok) return []
  const f = detected.files as unknown as Record<string, string | string[] | null>
  const paths = Object.values(f).flatMap((v) => (v === null ? [] : Array.isArray(v) ? v : [v]))
  const out: { path: string; size: number }[] = []
  for (const path of paths) out.push({ path, size: (await fileSize(path).catch(() => null)) ?? 0 })
  return out
}

/** An `onFile` for the loader that reports `phase` progress over `files`, in the overall span `span`. */
function progressOf(
  phase: 'read' | 'verify',
  files: readonly { path: string; size: number }[],
  span: [number, number],
  report: (p: ImportProgress) => void,
): (file: string) => void {
  const total = files.reduce((a, f) => a + f.size, 0)
  const seen = new Set<string>()
  let bytes = 0
  return (file) => {
    if (seen.has(file)) return
    seen.add(file)
    bytes += files.find((f) => f.path === file)?.size ?? 0
    const share = total > 0 ? Math.min(1, bytes / total) : 0
    report({
      phase,
      file,
      bytes,
      total: total > 0 ? total : null,
      fraction: span[0] + share * (span[1] - span[0]),
    })
  }
}

/** `<mirror>/<source name>/`: where a mirror laid out by dataset keeps one source's files. */
function mirrorUrl(mirror: string, sourceName: string): string {
  let base: URL
  try {
    base = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`)
  } catch {
    throw invalidArgument('mirror', `${JSON.stringify(mirror)} is not a URL`)
  }
  return new URL(`${encodeURIComponent(sourceName)}/`, base).href
}

/** Copies the files a load read (relative layout kept), or the whole folder if the loader listed none. */
async function copyDatasetFiles(
  from: string,
  files: readonly string[],
  to: string,
  signal?: AbortSignal,
  span: [number, number] = [0, 1],
  report: (p: ImportProgress) => void = () => undefined,
): Promise<void> {
  const list = files.length > 0 ? [...new Set(files)] : await listFiles(from)
  const sizes = new Map<string, number>()
  for (const file of list) sizes.set(file, (await fileSize(file).catch(() => null)) ?? 0)
  const total = [...sizes.values()].reduce((a, b) => a + b, 0)
  let bytes = 0
  for (const file of list) {
    throwIfAborted(signal)
    const rel = relative(from, file)
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new DatasetsError('invalid-data', `${file} is outside the imported folder ${from}`, { file })
    }
    if (basename(rel) === MANIFEST_FILE && dirname(rel) === '.') continue
    await mkdir(dirname(join(to, rel)), { recursive: true })
    await copyFile(file, join(to, rel))
    bytes += sizes.get(file) ?? 0
    const share = total > 0 ? bytes / total : 1
    report({ phase: 'copy', file, bytes, total, fraction: span[0] + share * (span[1] - span[0]) })
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

function sameData(a: DatasetFacts, b: DatasetFacts): boolean {
  return (
    a.format === b.format &&
    a.train.count === b.train.count &&
    a.test.count === b.test.count &&
    a.shape.every((v, i) => v === b.shape[i]) &&
    a.classNames.length === b.classNames.length &&
    a.classNames.every((c, i) => c === b.classNames[i])
  )
}

interface BuiltinMeta {
  classNames?: string[]
  license?: string
  citation?: string
}

/** A built-in folder's own dataset.json may carry class names (IDX files have none), licence, citation. */
async function readBuiltinMeta(dir: string, classCount: number): Promise<BuiltinMeta> {
  const meta: BuiltinMeta = {}
  let value: Record<string, unknown>
  try {
    value = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>
    if (value === null || typeof value !== 'object') return meta
  } catch {
    return meta // no dataset.json, or not JSON: the loader's facts stand
  }
  const names = value.classNames
  if (Array.isArray(names) && names.length === classCount && names.every((n) => typeof n === 'string')) {
    meta.classNames = names as string[]
  }
  if (typeof value.license === 'string') meta.license = value.license
  if (typeof value.citation === 'string') meta.citation = value.citation
  return meta
}

async function newestMtime(path: string): Promise<number> {
  const st = await stat(path)
  let newest = st.mtimeMs
  if (st.isDirectory()) {
    for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)))
  }
  return newest
}
