/**
 * The run store: `<dataDir>/runs/<id>/` is the source of truth for a run. run.json holds the RunRecord
 * (replaced atomically), metrics.jsonl the events (append-only), checkpoints/ the best and last params.
 * Everything here is plain files a user can read, copy or open in Python.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { corruptRun, isCorrupt, type CorruptRun, type RunListEntry } from '../../../src-shared/corruptRun'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { META_FILE, overlayMeta, RunMetaSchema, type RunMeta } from '../../../src-shared/runMeta'
import { describeFieldErrors, parseRunRecord, recordFieldErrors } from '../../../src-shared/runSchema'
import { syncDir, writeJsonAtomic } from './atomic'
import {
  StoreError,
  errorMessage,
  invalidArgument,
  isErrno,
  warnProblem,
  type ProblemReporter,
} from './errors'
import { assertRunId, isRunId } from './ids'
import { KeyedLock } from './lock'
import { MetricsLog } from './metricsLog'
import { LayersLog } from './layersLog'
import { readLayers, type ReadLayersOptions } from './layersRead'
import type { LayerSeries } from '../../../src-shared/layerStats'
import { readMetrics, type MetricsReader } from './metricsRead'
import { RunIndex, type FolderRead, type RunIndexOptions } from './runIndex'
import {
  CHECKPOINT_KINDS,
  findCheckpointIn,
  removeCheckpointFiles,
  writeCheckpointFiles,
  type Checkpoint,
  type CheckpointKind,
  type CheckpointLookup,
  type ReadCheckpointOptions,
} from './checkpoints'
import type { TensorData } from './safetensors'

export { newRunId } from './ids'
export { CHECKPOINT_KINDS, type Checkpoint, type CheckpointKind } from './checkpoints'

export const RUN_FILE = 'run.json'
export const METRICS_FILE = 'metrics.jsonl'
/** Layer dynamics (issue 15): one LayerCapture per line, append-only (layersLog.ts, layersRead.ts). */
export const LAYERS_FILE = 'layers.jsonl'
export const CHECKPOINTS_DIR = 'checkpoints'

/** Every field but the id, which names the folder and never changes. */
export type RunPatch = Partial<Omit<RunRecord, 'id'>>

type RecordRead = { ok: true; record: RunRecord } | { ok: false; corrupt: CorruptRun }

export interface RunStoreOptions {
  /**
   * Receives each damaged file passed over: a metrics line, a checkpoint a read fell back from
   * (default: console.warn). Damaged run.json files are not reported: listEntries() lists them.
   */
  onProblem?: ProblemReporter
  /** run.json files read at once by list(). */
  listConcurrency?: number
  /** Passed to each MetricsLog. */
  metricsFlushIntervalMs?: number
  /** The folder of the data dir holding the run folders: `runs` (default), or `trash` for the trash's. */
  folder?: string
  /**
   * List through an index (runIndex.ts) rather than by reading every run.json: `file` is where it is
   * kept between processes (null: in memory only). Lists exactly what the scan lists.
   */
  index?: Pick<RunIndexOptions, 'file' | 'loadSqlite' | 'now'>
}

export class RunStore {
  readonly runsDir: string
  private readonly onProblem: ProblemReporter
  private readonly listConcurrency: number
  private readonly flushIntervalMs: number | undefined
  private readonly lock = new KeyedLock()
  /** Runs with an open MetricsLog: one writer per run, and such runs are not removed or recovered. */
  private readonly writing = new Set<string>()
  /** Null: every listing reads every run folder. */
  readonly index: RunIndex | null

  constructor(dataDir: string, options: RunStoreOptions = {}) {
    this.runsDir = join(dataDir, options.folder ?? 'runs')
    this.onProblem = options.onProblem ?? warnProblem
    this.listConcurrency = options.listConcurrency ?? 16
    this.flushIntervalMs = options.metricsFlushIntervalMs
    this.index = options.index
      ? new RunIndex(this.runsDir, (id) => this.readFolder(id), {
          ...options.index,
          onProblem: this.onProblem,
          concurrency: this.listConcurrency,
        })
      : null
  }

  /** Closes the index's file (listing goes on, from memory and the folders). */
  close(): void {
    this.index?.close()
  }

  /** The run's folder; throws on anything that is not a run id, so no caller can reach outside `runs/`. */
  runDir(id: string): string {
    return join(this.runsDir, assertRunId(id))
  }

  async create(record: RunRecord): Promise<RunRecord> {
    const id = assertRunId(record?.id, 'record.id')
    checkWritable(record, 'record.')
    return this.lock.run(id, async () => {
      await mkdir(this.runsDir, { recursive: true })
      const dir = this.runDir(id)
      try {
        await mkdir(dir)
      } catch (err) {
        if (isErrno(err, 'EEXIST')) {
          throw new StoreError('exists', `a run with id ${id} exists already`, { field: 'record.id' })
        }
        throw err
      }
      try {
        await writeJsonAtomic(join(dir, RUN_FILE), record)
        await syncDir(this.runsDir)
      } catch (err) {
        await rm(dir, { recursive: true, force: true })
        throw err
      }
      return record
    })
  }

  /** The run's record; a run.json that does not parse or validate is a `corrupt` error naming the file. */
  async get(id: string): Promise<RunRecord> {
    return this.readRecord(assertRunId(id))
  }

  /** The run's record, or its corrupt entry when run.json does not parse or validate. */
  async getEntry(id: string): Promise<RunListEntry> {
    const read = await this.readEntry(assertRunId(id))
    return read.ok ? read.record : read.corrupt
  }

  /**
   * Replaces run.json with the patched record. Updates of one run are applied one at a time in call
   * order, each to the result of the previous one, so concurrent updates never lose each other's fields.
   */
  async update(id: string, change: RunPatch | ((record: RunRecord) => RunRecord)): Promise<RunRecord> {
    assertRunId(id)
    return this.lock.run(id, async () => {
      const current = await this.readRecord(id)
      const next = typeof change === 'function' ? change(current) : { ...current, ...change }
      if (next.id !== id) {
        throw invalidArgument('id', `a run's id cannot change (${id} to ${String(next.id)})`)
      }
      checkWritable(next, '')
      await writeJsonAtomic(join(this.runDir(id), RUN_FILE), next)
      return next
    })
  }

  /**
   * Every readable run, sorted by id (creation time). A folder whose run.json is missing, damaged or
   * invalid is left out (listEntries() has it, with what is wrong), so one bad folder never hides the
   * others.
   */
  async list(): Promise<RunRecord[]> {
    return (await this.listEntries()).filter((e): e is RunRecord => !isCorrupt(e))
  }

  /**
   * Every run folder, sorted by id: the readable runs' records and, for each folder whose run.json is
   * damaged or invalid, its corrupt entry (the file, the reason, what could be salvaged).
   */
  async listEntries(): Promise<RunListEntry[]> {
    return this.index ? this.index.list() : this.scanEntries()
  }

  /** listEntries() by reading every run folder, whether or not there is an index. */
  async scanEntries(): Promise<RunListEntry[]> {
    return (await this.scan()).map((e) => (e.ok ? e.record : e.corrupt))
  }

  /** One run folder as the scan reads it, for the index: cacheable when its run.json could be read. */
  private async readFolder(id: string): Promise<FolderRead> {
    try {
      const read = await this.readEntry(id)
      return { entry: read.ok ? read.record : read.corrupt, cacheable: true }
    } catch (err) {
      const read = await this.unreadable(id, err)
      return read && { entry: read.ok ? read.record : read.corrupt, cacheable: false }
    }
  }

  private async scan(): Promise<RecordRead[]> {
    let names: string[]
    try {
      names = await readdir(this.runsDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
    const ids = names.filter(isRunId).sort()
    const reads = await mapLimit(ids, this.listConcurrency, (id) =>
      this.readEntry(id).catch((err: unknown) => this.unreadable(id, err)),
    )
    return reads.filter((r) => r !== null)
  }

  /** What the scan lists for a folder whose run.json could not be read: a corrupt entry, or nothing. */
  private async unreadable(id: string, err: unknown): Promise<RecordRead | null> {
    const file = join(this.runDir(id), RUN_FILE)
    if (!(err instanceof StoreError && err.code === 'not-found')) {
      return { ok: false, corrupt: corruptRun(id, file, errorMessage(err)) }
    }
    // Removed between readdir and read, or being created (the folder is made just before its
    // run.json): not a problem. A folder that holds a run's files but no run.json is one.
    const left = await readdir(this.runDir(id)).catch(() => [] as string[])
    if (!left.some((name) => !name.startsWith('.'))) return null
    return {
      ok: false,
      corrupt: corruptRun(id, file, `run.json is missing (the folder holds ${left.join(', ')})`),
    }
  }

  /**
   * The run's metrics log, for its one writer; `busy` while another is open in this process. Synchronous
   * so a caller can hold the log before its first await; the file itself opens on the first flush.
   */
  metricsLog(id: string, options: { onError?: (err: unknown) => void } = {}): MetricsLog {
    assertRunId(id)
    if (this.writing.has(id)) {
      throw new StoreError('busy', `run ${id}: its metrics log is already open`, { field: 'id' })
    }
    if (!existsSync(join(this.runDir(id), RUN_FILE))) throw notFound(id)
    this.writing.add(id)
    return new MetricsLog(join(this.runDir(id), METRICS_FILE), {
      ...(this.flushIntervalMs === undefined ? {} : { flushIntervalMs: this.flushIntervalMs }),
      onClose: () => this.writing.delete(id),
      ...(options.onError ? { onError: options.onError } : {}),
    })
  }

  /**
   * The run's layer captures log, for its one writer: opened with its metrics log, which guards that
   * there is only one (metricsLog's `busy`). The file itself opens on the first flush.
   */
  layersLog(id: string, options: { onError?: (err: unknown) => void } = {}): LayersLog {
    assertRunId(id)
    return new LayersLog(join(this.runDir(id), LAYERS_FILE), {
      ...(this.flushIntervalMs === undefined ? {} : { flushIntervalMs: this.flushIntervalMs }),
      ...(options.onError ? { onError: options.onError } : {}),
    })
  }

  /** The run's layer captures that count (layersRead.ts); a run without the file has none. */
  async readLayers(
    id: string,
    options: Omit<ReadLayersOptions, 'onProblem' | 'chunkBytes'> = {},
  ): Promise<LayerSeries> {
    await this.requireRun(assertRunId(id))
    return readLayers(join(this.runDir(id), LAYERS_FILE), { ...options, onProblem: this.onProblem })
  }

  /** Every event of the run's log that counts (see metricsScan.ts). */
  readMetrics(id: string): Promise<MetricEvent[]> {
    return this.readMetricsWith(id, readMetrics)
  }

  /** The run's log read by `reader` (metricsRead.ts: the bounded series, the full columns, ...). */
  async readMetricsWith<T>(id: string, reader: MetricsReader<T>): Promise<T> {
    await this.requireRun(assertRunId(id))
    return reader(join(this.runDir(id), METRICS_FILE), { onProblem: this.onProblem })
  }

  /**
   * Writes `<kind>.safetensors` (dtypes from the arrays' types: Float32Array is F32, ...), then (if given)
   * `<kind>.state.json` for what a resume needs beyond tensors, each atomically; the checkpoint before
   * stays as `<kind>.previous.*` until this one is complete (see checkpoints.ts).
   */
  async writeCheckpoint(
    id: string,
    kind: CheckpointKind,
    tensors: Record<string, TensorData>,
    state?: object,
    metadata: Record<string, string> = {},
  ): Promise<void> {
    assertRunId(id)
    checkKind(kind)
    await this.requireRun(id)
    const dir = join(this.runDir(id), CHECKPOINTS_DIR)
    await this.lock.run(`${id}/${kind}`, () => writeCheckpointFiles(dir, kind, tensors, state, metadata))
  }

  /**
   * The newest usable checkpoint of that kind (falling back to the previous one when the newest is
   * damaged or torn), or null if the run has none; what was passed over goes to `onProblem`.
   */
  async readCheckpoint(
    id: string,
    kind: CheckpointKind,
    options: ReadCheckpointOptions = {},
  ): Promise<Checkpoint | null> {
    const { checkpoint, problems } = await this.findCheckpoint(id, kind, options)
    for (const p of problems) this.onProblem(p)
    return checkpoint
  }

  /** As readCheckpoint, with the problems returned instead of reported (resume explains them). */
  async findCheckpoint(
    id: string,
    kind: CheckpointKind,
    options: ReadCheckpointOptions = {},
  ): Promise<CheckpointLookup> {
    assertRunId(id)
    checkKind(kind)
    const dir = join(this.runDir(id), CHECKPOINTS_DIR)
    const { checkpoint, problems, found } = await this.lock.run(`${id}/${kind}`, () =>
      findCheckpointIn(dir, kind, options),
    )
    if (!found) await this.requireRun(id)
    return { checkpoint, problems }
  }

  /** Deletes a kind's checkpoints (a fresh restart leaves no resume point behind). */
  async removeCheckpoint(id: string, kind: CheckpointKind): Promise<void> {
    assertRunId(id)
    checkKind(kind)
    await this.requireRun(id)
    const dir = join(this.runDir(id), CHECKPOINTS_DIR)
    await this.lock.run(`${id}/${kind}`, () => removeCheckpointFiles(dir, kind))
  }

  /** Whether this process has the run's metrics log open (it trains the run): such a run is not moved. */
  isWriting(id: string): boolean {
    return this.writing.has(id)
  }

  /**
   * The run's edits (meta.json), or null when it has none. A damaged meta.json is reported to `onProblem`
   * and read as none: the run shows its record's name, tags and notes, and the next edit replaces it.
   */
  async readMeta(id: string): Promise<RunMeta | null> {
    const file = join(this.runDir(assertRunId(id)), META_FILE)
    // Most runs were never edited: a stat that returns nothing is far cheaper than a rejected open
    // (Node builds an Error with a stack for each), and listing reads this for every run.
    if (statSync(file, { throwIfNoEntry: false }) === undefined) return null
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return null
      this.onProblem({ file, message: `cannot be read (${errorMessage(err)}); its edits are ignored` })
      return null
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      this.onProblem({ file, message: `not valid JSON (${errorMessage(err)}); its edits are ignored` })
      return null
    }
    const parsed = RunMetaSchema.safeParse(value)
    if (!parsed.success) {
      const why = describeFieldErrors(recordFieldErrors(parsed.error))
      this.onProblem({ file, message: `not a valid edit record (${why}); its edits are ignored` })
      return null
    }
    return parsed.data
  }

  /**
   * Replaces meta.json (atomically). Never makes the run folder: an edit of a run removed meanwhile
   * (moved to the trash) is `not-found`, not a folder that brings it back.
   */
  async writeMeta(id: string, meta: RunMeta): Promise<void> {
    assertRunId(id)
    const parsed = RunMetaSchema.safeParse(meta)
    if (!parsed.success) {
      const [first] = recordFieldErrors(parsed.error)
      throw invalidArgument(first?.path ?? 'edit', first?.message ?? 'invalid')
    }
    try {
      await writeJsonAtomic(join(this.runDir(id), META_FILE), meta)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(id)
      throw err
    }
  }

  /** Deletes the run folder. Refused (`busy`) while its metrics log is open. */
  async remove(id: string): Promise<void> {
    assertRunId(id)
    if (this.writing.has(id)) throw new StoreError('busy', `run ${id} is being written to`, { field: 'id' })
    await this.lock.run(id, async () => {
      // Renamed away first, so the run vanishes from listings at once even if the delete is slow or cut short.
      const trash = join(this.runsDir, `.trash-${id}-${randomBytes(4).toString('hex')}`)
      try {
        await rename(this.runDir(id), trash)
      } catch (err) {
        if (isErrno(err, 'ENOENT')) throw notFound(id)
        throw err
      }
      await syncDir(this.runsDir)
      await rm(trash, { recursive: true, force: true })
    })
  }

  /**
   * At startup: runs still marked `running` were cut short by a crash or a kill; they become
   * `interrupted` (resumable from their last checkpoint). Also deletes what a removal cut short left.
   * Returns the ids it changed.
   */
  async recoverInterrupted(skip: (run: RunRecord) => boolean = () => false): Promise<string[]> {
    await this.removeTrash()
    const changed: string[] = []
    for (const run of await this.list()) {
      if (run.status !== 'running' || this.writing.has(run.id) || skip(run)) continue
      let did = false
      await this.update(run.id, (r) => {
        if (r.status !== 'running') return r
        did = true
        return { ...r, status: 'interrupted' }
      })
      if (did) changed.push(run.id)
    }
    return changed
  }

  private async readRecord(id: string): Promise<RunRecord> {
    const read = await this.readEntry(id)
    if (read.ok) return read.record
    const { file, message } = read.corrupt.problem
    throw new StoreError('corrupt', `run ${id} is damaged: ${file}: ${message}`, { file })
  }

  /** run.json parsed and validated; throws only when it cannot be read at all (not-found, I/O). */
  private async readEntry(id: string): Promise<RecordRead> {
    const file = join(this.runDir(id), RUN_FILE)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw notFound(id)
      throw err
    }
    const bad = (message: string, value?: unknown): RecordRead => ({
      ok: false,
      corrupt: corruptRun(id, file, message, value),
    })
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      return bad(`not valid JSON: ${errorMessage(err)}`)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return bad('not a JSON object')
    }
    const r = value as Record<string, unknown>
    if (r.id !== id) return bad(`id ${JSON.stringify(r.id)} does not match its folder ${id}`, value)
    const parsed = parseRunRecord(value)
    if (!parsed.ok) return bad(describeFieldErrors(parsed.errors), value)
    return { ok: true, record: overlayMeta(parsed.value, await this.readMeta(id)) }
  }

  private async requireRun(id: string): Promise<void> {
    if (!(await exists(join(this.runDir(id), RUN_FILE)))) throw notFound(id)
  }

  /** Deletes what a removal cut short left behind. */
  async removeTrash(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.runsDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return
      throw err
    }
    for (const name of names.filter((n) => n.startsWith('.trash-'))) {
      await rm(join(this.runsDir, name), { recursive: true, force: true })
    }
  }
}

function notFound(id: string): StoreError {
  return new StoreError('not-found', `no run with id ${id}`, { field: 'id' })
}

function checkKind(kind: unknown): asserts kind is CheckpointKind {
  if (!CHECKPOINT_KINDS.includes(kind as CheckpointKind)) {
    throw invalidArgument('kind', `expected ${CHECKPOINT_KINDS.join(' or ')}, got ${JSON.stringify(kind)}`)
  }
}

/**
 * A record is validated before it is written too, so the store never writes what it would then read
 * back as corrupt. `prefix` is how the caller names the record (`record.` for create).
 */
function checkWritable(record: RunRecord, prefix: string): void {
  const parsed = parseRunRecord(record)
  if (parsed.ok) return
  const [first, ...rest] = parsed.errors.map((e) => ({ ...e, path: `${prefix}${e.path}` }))
  const more = rest.length > 0 ? `; ${describeFieldErrors(rest, 3)}` : ''
  throw invalidArgument(first!.path, `${first!.message}${more}`)
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
