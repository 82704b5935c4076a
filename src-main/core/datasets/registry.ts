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
import type { RawDataset } from '../../../src-worker/data/types'
import { downloadDataset, type DownloadOptions, type DownloadProgress } from './download'
import { DatasetsError, errorMessage, fileOf, invalidArgument, throwIfAborted } from './errors'
import { dirSize, filesSize, pathExists, removeDirAtomic } from './fsutil'
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
  >
  /** Reads a dataset folder (default: `loadDataset`). */
  loader?: DatasetLoader
}

export interface ImportOptions {
  /** Registry name (default: derived from the folder name). */
  name?: string
  /** 'reference' reads the data where it is (only a manifest is stored); 'copy' copies it in. */
  mode: ImportMode
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

  /**
   * Registers a dataset folder (CIFAR-10 python or binary batches, or IDX files) after loading it once to
   * prove it parses. 'reference' keeps the data where it is; 'copy' copies the files the loader read into
   * `<datasets>/<name>/` through a temp folder and a rename, and loads the copy again to check it.
   */
  async importFolder(path: string, options: ImportOptions): Promise<DatasetInfo> {
    const opts = validateOptionalObject(options, 'options') as Partial<ImportOptions>
    const mode = validateOneOf(opts.mode, ['reference', 'copy'] as const, 'mode')
    const folder = await validateExistingDir(path, 'path')
    const real = await realpath(folder)
    for (const own of [this.datasetsDir, this.builtinDir]) {
      if (own !== undefined && (await isInside(real, own))) {
        throw invalidArgument('path', `${folder} is inside the registry's own folder ${own}`)
      }
    }
    const name = validateName(opts.name ?? defaultImportName(folder), 'name')

    return this.withLock(name, async () => {
      await this.assertNameFree(name)
      // Only the facts and the file list are kept: a copy is loaded again below, and holding the first
      // load's buffers meanwhile would double the import's memory.
      let dataset: DatasetFacts
      let files: string[]
      try {
        const loaded = await this.loader(folder)
        dataset = datasetFacts(loaded)
        files = loaded.files
      } catch (err) {
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
          await copyDatasetFiles(folder, files, tmp)
          if (dataset.format === 'idx' && !files.some((f) => basename(f) === 'classes.txt')) {
            // The loader may have taken the class names from the folder's name ("fashion"), which the
            // copy does not keep: classes.txt pins them.
            await writeFile(join(tmp, 'classes.txt'), dataset.classNames.join('\n') + '\n')
          }
          let copy: DatasetFacts
          try {
            copy = datasetFacts(await this.loader(tmp))
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
        await writeManifest(tmp, manifest)
        await this.placeAtomically(tmp, name)
        return this.toInfo(manifest, join(this.datasetsDir, name))
      } catch (err) {
        await rm(tmp, { recursive: true, force: true })
        throw err
      }
    })
  }

  /** Downloads a known source (see `sourceNames()`) under its own name. See downloadDataset. */
  async download(sourceName: string, options: RegistryDownloadOptions = {}): Promise<DatasetInfo> {
    if (typeof sourceName !== 'string') throw invalidArgument('sourceName', 'must be a string')
    const source = Object.prototype.hasOwnProperty.call(this.sources, sourceName)
      ? this.sources[sourceName]
      : undefined
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
      const { dir, manifest } = await downloadDataset(source, this.datasetsDir, {
        ...this.downloadOptions,
        name,
        loader: this.loader,
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
      })
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

/** Copies the files a load read (relative layout kept), or the whole folder if the loader listed none. */
async function copyDatasetFiles(from: string, files: readonly string[], to: string): Promise<void> {
  const list = files.length > 0 ? [...new Set(files)] : await listFiles(from)
  for (const file of list) {
    const rel = relative(from, file)
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new DatasetsError('invalid-data', `${file} is outside the imported folder ${from}`, { file })
    }
    if (basename(rel) === MANIFEST_FILE && dirname(rel) === '.') continue
    await mkdir(dirname(join(to, rel)), { recursive: true })
    await copyFile(file, join(to, rel))
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
