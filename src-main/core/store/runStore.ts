/**
 * The run store: `<dataDir>/runs/<id>/` is the source of truth for a run. run.json holds the RunRecord
 * (replaced atomically), metrics.jsonl the events (append-only), checkpoints/ the best and last params.
 * Everything here is plain files a user can read, copy or open in Python.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { RUN_STATUSES, type MetricEvent, type RunRecord } from '../../../src-shared/runs'
import { syncDir, writeFileAtomic, writeJsonAtomic } from './atomic'
import {
  StoreError,
  corrupt,
  errorMessage,
  invalidArgument,
  isErrno,
  warnProblem,
  type ProblemReporter,
} from './errors'
import { assertRunId, isRunId } from './ids'
import { KeyedLock } from './lock'
import { MetricsLog } from './metricsLog'
import { readMetrics, type MetricsReader } from './metricsRead'
import {
  decodeSafetensors,
  encodeSafetensors,
  withDtypes,
  type TensorData,
  type Tensors,
} from './safetensors'

export { newRunId } from './ids'

export const RUN_FILE = 'run.json'
export const METRICS_FILE = 'metrics.jsonl'
export const CHECKPOINTS_DIR = 'checkpoints'

export const CHECKPOINT_KINDS = ['best', 'last'] as const
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number]

export interface Checkpoint {
  tensors: Tensors
  /** The metadata given to writeCheckpoint. */
  metadata: Record<string, string>
  /** The state written with these tensors, or null if none was (or it did not survive a crash). */
  state: unknown
}

/** Every field but the id, which names the folder and never changes. */
export type RunPatch = Partial<Omit<RunRecord, 'id'>>

export interface RunStoreOptions {
  /** Receives each unreadable run.json or metrics line that was skipped (default: console.warn). */
  onProblem?: ProblemReporter
  /** run.json files read at once by list(). */
  listConcurrency?: number
  /** Passed to each MetricsLog. */
  metricsFlushIntervalMs?: number
}

/**
 * Pairs a state file with the tensors written alongside it: a crash between the two writes leaves a
 * state whose stamp differs from the tensors', which readCheckpoint then ignores.
 */
const STAMP_KEY = 'workbench.checkpoint'

export class RunStore {
  readonly runsDir: string
  private readonly onProblem: ProblemReporter
  private readonly listConcurrency: number
  private readonly flushIntervalMs: number | undefined
  private readonly lock = new KeyedLock()
  /** Runs with an open MetricsLog: one writer per run, and such runs are not removed or recovered. */
  private readonly writing = new Set<string>()

  constructor(dataDir: string, options: RunStoreOptions = {}) {
    this.runsDir = join(dataDir, 'runs')
    this.onProblem = options.onProblem ?? warnProblem
    this.listConcurrency = options.listConcurrency ?? 16
    this.flushIntervalMs = options.metricsFlushIntervalMs
  }

  /** The run's folder; throws on anything that is not a run id, so no caller can reach outside `runs/`. */
  runDir(id: string): string {
    return join(this.runsDir, assertRunId(id))
  }

  async create(record: RunRecord): Promise<RunRecord> {
    const id = assertRunId(record?.id, 'record.id')
    checkStatus(record.status, 'record.status')
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

  async get(id: string): Promise<RunRecord> {
    return this.readRecord(assertRunId(id))
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
      checkStatus(next.status, 'status')
      await writeJsonAtomic(join(this.runDir(id), RUN_FILE), next)
      return next
    })
  }

  /**
   * Every readable run, sorted by id (creation time). A folder whose run.json is missing or damaged is
   * skipped and reported to `onProblem`, so one bad folder never hides the others.
   */
  async list(): Promise<RunRecord[]> {
    let names: string[]
    try {
      names = await readdir(this.runsDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return []
      throw err
    }
    const ids = names.filter(isRunId).sort()
    const records = await mapLimit(ids, this.listConcurrency, async (id) => {
      try {
        return await this.readRecord(id)
      } catch (err) {
        // Removed between readdir and read: not a problem, just gone.
        if (!(await exists(this.runDir(id)))) return null
        const file =
          err instanceof StoreError && err.file !== undefined ? err.file : join(this.runDir(id), RUN_FILE)
        this.onProblem({ file, message: errorMessage(err) })
        return null
      }
    })
    return records.filter((r) => r !== null)
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
   * Writes `<kind>.safetensors` (dtypes from the arrays' types: Float32Array is F32, ...), then (if given) `<kind>.state.json` for what a resume needs beyond
   * tensors, each atomically. The state goes second and carries the tensors' stamp, so a state that reads
   * back always belongs to complete tensors written with it.
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
    const stamp = randomBytes(8).toString('hex')
    const bytes = encodeSafetensors(withDtypes(tensors), { ...metadata, [STAMP_KEY]: stamp })
    const dir = join(this.runDir(id), CHECKPOINTS_DIR)
    await this.lock.run(`${id}/${kind}`, async () => {
      await mkdir(dir, { recursive: true })
      await writeFileAtomic(join(dir, `${kind}.safetensors`), bytes)
      const statePath = join(dir, `${kind}.state.json`)
      if (state === undefined) await rm(statePath, { force: true })
      else await writeJsonAtomic(statePath, { checkpoint: stamp, state })
    })
  }

  /** The checkpoint, or null if the run has none of that kind yet. */
  async readCheckpoint(id: string, kind: CheckpointKind): Promise<Checkpoint | null> {
    assertRunId(id)
    checkKind(kind)
    const dir = join(this.runDir(id), CHECKPOINTS_DIR)
    const file = join(dir, `${kind}.safetensors`)
    let bytes: Uint8Array
    try {
      bytes = await readFile(file)
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err
      await this.requireRun(id)
      return null
    }
    const { tensors, metadata } = decodeSafetensors(bytes, file)
    const stamp = metadata[STAMP_KEY]
    delete metadata[STAMP_KEY]
    return { tensors, metadata, state: await this.readState(join(dir, `${kind}.state.json`), stamp) }
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
    const file = join(this.runDir(id), RUN_FILE)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw notFound(id)
      throw err
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw corrupt(file, `not valid JSON: ${errorMessage(err)}`)
    }
    return checkRecord(value, id, file)
  }

  private async requireRun(id: string): Promise<void> {
    if (!(await exists(join(this.runDir(id), RUN_FILE)))) throw notFound(id)
  }

  private async readState(path: string, stamp: string | undefined): Promise<unknown> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null
      throw err
    }
    try {
      const saved = JSON.parse(text) as { checkpoint?: unknown; state?: unknown }
      return stamp !== undefined && saved.checkpoint === stamp ? (saved.state ?? null) : null
    } catch (err) {
      this.onProblem({ file: path, message: `not valid JSON: ${errorMessage(err)}` })
      return null
    }
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

function checkStatus(status: unknown, field: string): void {
  if (!RUN_STATUSES.includes(status as RunRecord['status'])) {
    throw invalidArgument(field, `expected one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(status)}`)
  }
}

/** Enough structure to list and show a run; the config itself is validated where runs are made. */
function checkRecord(value: unknown, id: string, file: string): RunRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(file, 'not a JSON object')
  }
  const r = value as Record<string, unknown>
  if (r.id !== id) throw corrupt(file, `id ${JSON.stringify(r.id)} does not match its folder ${id}`)
  if (!RUN_STATUSES.includes(r.status as RunRecord['status'])) {
    throw corrupt(file, `unknown status ${JSON.stringify(r.status)}`)
  }
  for (const key of ['config', 'progress'] as const) {
    if (typeof r[key] !== 'object' || r[key] === null) throw corrupt(file, `${key} is missing`)
  }
  if (typeof r.createdAt !== 'string') throw corrupt(file, 'createdAt is missing')
  return value as RunRecord
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
