/**
 * The core every front end shares (desktop IPC, browser-mode server, CLI): create and queue runs and
 * sweeps, train them on the worker pool, persist everything through the run store, and tell subscribers
 * what changed. Plain Node: no Electron import.
 *
 * Lifecycle of a run: queued -> running -> completed | failed | cancelled; a process that dies leaves
 * `running` behind, which the next open() turns into `interrupted`. resume() queues a cancelled,
 * interrupted or crashed run again; it continues from its last epoch checkpoint when there is one.
 */
import { randomInt } from 'node:crypto'
import { rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { formatFieldErrors, parseRunConfig, type RunConfig } from '../../src-shared/config'
import { isCorrupt, type CorruptRun, type RunListEntry } from '../../src-shared/corruptRun'
import { RESUMABLE_STATUSES, type MetricEvent, type RunRecord } from '../../src-shared/runs'
import { expandSweep } from '../../src-shared/sweep'
import { meanImageAsync, resolveSplits } from '../../src-worker/data/prepare'
import type { RawDataset } from '../../src-worker/data/types'
import type { SolverCheckpoint } from '../../src-worker/engine/solver'
import type { Tensor } from '../../src-worker/engine/tensor'
import type { WorkerMessage } from '../../src-worker/train'
import { appPaths } from './appPaths'
import { DatasetRegistry, type DatasetInfo } from './datasets'
import { runEnvironment } from './environment'
import { WorkbenchError } from './errors'
import { readSnapshot, writeSnapshot } from './snapshots'
import type { MosaicData } from '../../src-shared/contract'
import type { SanityReport } from '../../src-shared/sanity'
import { CheckPool } from './checkPool'
import { RecentChecks, shouldCheckInWorker, type ChecksPolicy } from './checks'
import { TrainingPool, type RunningTask } from './pool'
import { resumePoint, TRAINING_STATE } from './resumePoint'
import type { MetricsLog } from './store/metricsLog'
import { RunStore, newRunId, type Checkpoint } from './store/runStore'
import { StoreError, type ProblemReporter } from './store/errors'
import { SweepStore, SWEEP_RECORD_VERSION, type SweepRecord } from './store/sweepStore'

export interface WorkbenchOptions {
  dataDir: string
  /** Read-only datasets shipped with the app; default: resources/datasets of this checkout. */
  builtinDatasetsDir?: string
  /** Parallel runs; default: the number of cores. */
  maxThreads?: number
  /** The pool's worker module (tests); default: see pool.ts. */
  workerFile?: string
  /** Minimum ms between a worker's metric messages. */
  progressIntervalMs?: number
  /** Minimum ms between a run's epoch checkpoints (default 5 s; the last epoch always checkpoints). */
  checkpointIntervalMs?: number
  /**
   * Inspect only (ls, show): no recovery, no scheduling, no adopting of queued runs; cancel() asks the
   * owning process through a request file.
   */
  readOnly?: boolean
  /** When the worker runs the sanity checks before training (see checks.ts); default 'auto'. */
  checksBeforeTraining?: ChecksPolicy
  /** Damaged files the store passes over (metrics lines, checkpoints it falls back from); default console.warn. */
  onProblem?: ProblemReporter
}

export type WorkbenchEvent =
  | { type: 'run'; run: RunRecord }
  | { type: 'metrics'; runId: string; events: MetricEvent[] }
  | { type: 'queue'; running: string[]; queued: string[] }

const RESUMABLE = RESUMABLE_STATUSES
/** How often run.json is rewritten with progress while a run trains (epoch ends always write). */
const PROGRESS_WRITE_MS = 2000

export const DEFAULT_BUILTIN_DATASETS = appPaths().builtinDatasetsDir

interface Active {
  task: RunningTask | null
  log: MetricsLog
  record: RunRecord
  writes: Promise<unknown>
  lastProgressWrite: number
  cancelRequested: boolean
}

export class Workbench {
  readonly store: RunStore
  readonly sweeps: SweepStore
  readonly datasets: DatasetRegistry
  private readonly pool: TrainingPool
  private readonly queued: string[] = []
  private readonly active = new Map<string, Active>()
  /** Each started run's whole lifecycle, final status write included: close() waits for them. */
  private readonly lifecycles = new Set<Promise<void>>()
  private readonly listeners = new Set<(e: WorkbenchEvent) => void>()
  private readonly means = new Map<string, Promise<Float32Array>>()
  private readonly checkPool: CheckPool
  private readonly recentChecks = new RecentChecks()
  private idleWaiters: (() => void)[] = []
  private closed = false

  private constructor(private readonly options: WorkbenchOptions) {
    this.store = new RunStore(options.dataDir, options.onProblem ? { onProblem: options.onProblem } : {})
    this.sweeps = new SweepStore(options.dataDir)
    this.datasets = new DatasetRegistry(options.dataDir, {
      builtinDir: options.builtinDatasetsDir ?? DEFAULT_BUILTIN_DATASETS,
    })
    this.pool = new TrainingPool({
      ...(options.maxThreads !== undefined ? { maxThreads: options.maxThreads } : {}),
      ...(options.workerFile !== undefined ? { filename: options.workerFile } : {}),
    })
    this.checkPool = new CheckPool(options.workerFile)
  }

  /**
   * Opens a data directory: runs a dead process left `running` become `interrupted`, and queued runs
   * whose owner is gone queue again here. Runs another live process owns are left to it.
   */
  static async open(options: WorkbenchOptions): Promise<Workbench> {
    const wb = new Workbench(options)
    if (options.readOnly) {
      wb.closed = true
      return wb
    }
    await wb.store.recoverInterrupted(ownedElsewhere)
    const runs = await wb.store.list()
    for (const r of runs.filter((r) => r.status === 'queued' && !ownedElsewhere(r)).sort(byCreation)) {
      await wb.store.update(r.id, (x) => ({ ...x, owner: wb.owner }))
      wb.queued.push(r.id)
    }
    wb.cancelPoll = setInterval(() => void wb.pollCancelRequests(), 500)
    wb.cancelPoll.unref()
    wb.schedule()
    return wb
  }

  private readonly owner = { pid: process.pid, host: hostname() }
  private cancelPoll: NodeJS.Timeout | null = null

  /** Cancel requests other processes (e.g. `workbench cancel`) left for runs this process owns. */
  private async pollCancelRequests(): Promise<void> {
    for (const id of [...this.queued, ...this.active.keys()]) {
      const file = join(this.store.runDir(id), CANCEL_REQUEST)
      const found = await stat(file).then(
        () => true,
        () => false,
      )
      if (!found) continue
      await rm(file, { force: true })
      await this.cancel(id).catch(() => undefined)
    }
  }

  get maxThreads(): number {
    return this.pool.maxThreads
  }

  subscribe(listener: (e: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Validates a config (field-level errors), records the run as queued and schedules it. */
  async createRun(input: unknown, options: { sweepId?: string } = {}): Promise<RunRecord> {
    const parsed = parseRunConfig(input)
    if (!parsed.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid run config: ${formatFieldErrors(parsed.errors)}`,
        parsed.errors,
      )
    }
    return this.enqueueNew(parsed.value, options.sweepId ?? null)
  }

  /**
   * Runs the sanity checks of a config (validated first, like createRun) in a worker thread and
   * remembers the report: queuing the identical config (seed included) stores it with the run. A config
   * without a seed gets one, returned in the report.
   */
  async check(input: unknown): Promise<SanityReport> {
    const parsed = parseRunConfig(input)
    if (!parsed.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid run config: ${formatFieldErrors(parsed.errors)}`,
        parsed.errors,
      )
    }
    const config = { ...parsed.value, seed: parsed.value.seed ?? randomInt(0, 2 ** 32 - 1) }
    await this.checkDataset(config)
    const raw = await this.datasets.load(config.dataset.name)
    const mean = await this.meanFor(config, raw)
    const report = await this.checkPool.run({ config, raw, mean })
    this.recentChecks.remember(config, report)
    return report
  }

  /** Expands a sweep (all configs validated before any is queued) and queues its runs under one sweep id. */
  async createSweep(spec: unknown): Promise<{ sweepId: string; runs: RunRecord[] }> {
    const expanded = expandSweep(spec)
    if (!expanded.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid sweep: ${formatFieldErrors(expanded.errors)}`,
        expanded.errors,
      )
    }
    for (const c of expanded.value.configs) {
      await this.checkDataset(c).catch((e: unknown) => {
        // In a sweep the dataset comes from the base config: name the field where the user wrote it.
        if (e instanceof WorkbenchError) {
          const fields = e.fields.map((f) => ({ ...f, path: `base.${f.path}` }))
          throw new WorkbenchError(e.code, `invalid sweep: base.${e.message}`, fields)
        }
        throw e
      })
    }
    const sweepId = `sweep-${newRunId()}`
    // Written first: a sweep whose runs exist always has its ranges on disk for the sweep view.
    const record: SweepRecord = {
      version: SWEEP_RECORD_VERSION,
      id: sweepId,
      createdAt: new Date().toISOString(),
      spec: expanded.value.spec,
      runIds: [],
    }
    await this.sweeps.write(record)
    const runs: RunRecord[] = []
    for (const c of expanded.value.configs) runs.push(await this.enqueueNew(c, sweepId))
    await this.sweeps.write({ ...record, runIds: runs.map((r) => r.id) })
    return { sweepId, runs }
  }

  /**
   * A sweep's spec as queued and its runs (current records, in queue order); runs whose run.json is
   * damaged come apart in `corrupt`, so the others still show.
   */
  async getSweep(id: string): Promise<{ sweep: SweepRecord; runs: RunRecord[]; corrupt: CorruptRun[] }> {
    const sweep = await this.sweeps.get(id)
    // A crash between queuing the runs and recording their ids leaves none recorded: find them by sweepId.
    // Otherwise only the sweep's own run folders are read, not every run's; a run removed since is left out.
    const entries =
      sweep.runIds.length === 0
        ? (await this.listRuns()).filter((r) => r.sweepId === id)
        : await Promise.all(
            sweep.runIds.map(async (runId) => {
              const live = this.active.get(runId)?.record
              if (live) return live
              return this.store.getEntry(runId).catch((e: unknown) => {
                if (e instanceof StoreError && e.code === 'not-found') return null
                throw e
              })
            }),
          )
    const present = entries.filter((r): r is RunListEntry => r !== null)
    return {
      sweep,
      runs: present.filter((r): r is RunRecord => !isCorrupt(r)),
      corrupt: present.filter(isCorrupt),
    }
  }

  /** Every run: the readable ones' records and, for each run whose run.json is damaged, its corrupt entry. */
  async listRuns(): Promise<RunListEntry[]> {
    return (await this.store.listEntries()).map((r) =>
      isCorrupt(r) ? r : (this.active.get(r.id)?.record ?? r),
    )
  }

  async getRun(id: string): Promise<RunRecord> {
    return this.active.get(id)?.record ?? (await this.store.get(id))
  }

  async readMetrics(id: string): Promise<MetricEvent[]> {
    const a = this.active.get(id)
    if (a) await a.log.flush()
    return this.store.readMetrics(id)
  }

  /** First-layer weights saved at `epoch` (default: the latest) for the weight mosaic; null if none yet. */
  async mosaic(id: string, epoch?: number): Promise<MosaicData | null> {
    const dir = this.store.runDir(id)
    await this.store.get(id)
    const a = this.active.get(id)
    if (a) await a.writes
    return readSnapshot(dir, epoch)
  }

  queueState(): { running: string[]; queued: string[] } {
    return { running: [...this.active.keys()], queued: [...this.queued] }
  }

  /** Moves a queued run to `index` in the queue (0 = next). */
  reorder(id: string, index: number): string[] {
    const at = this.queued.indexOf(id)
    if (at < 0) throw new WorkbenchError('conflict', `run ${id} is not queued`)
    if (!Number.isInteger(index) || index < 0) {
      throw new WorkbenchError('invalid-argument', `index must be a non-negative integer, got ${index}`)
    }
    this.queued.splice(at, 1)
    this.queued.splice(Math.min(index, this.queued.length), 0, id)
    this.emitQueue()
    return [...this.queued]
  }

  /**
   * Cancels a queued run at once, or asks a running one to stop after its current step. A run another
   * live process owns is asked through a request file that process polls.
   */
  async cancel(id: string): Promise<RunRecord> {
    const at = this.queued.indexOf(id)
    if (at >= 0) {
      this.queued.splice(at, 1)
      this.emitQueue()
      return this.setStatus(id, { status: 'cancelled', finishedAt: now(), owner: null })
    }
    const a = this.active.get(id)
    if (a) {
      a.cancelRequested = true
      a.task?.cancel()
      return a.record
    }
    const r = await this.store.get(id)
    if (r.status === 'queued' || r.status === 'running') {
      if (ownedElsewhere(r)) {
        await writeFile(join(this.store.runDir(id), CANCEL_REQUEST), `${process.pid}\n`)
        return r
      }
      // Nobody owns it any more: a queued run is simply cancelled, a running one was interrupted.
      return this.setStatus(id, { status: r.status === 'queued' ? 'cancelled' : 'interrupted', owner: null })
    }
    throw new WorkbenchError(
      'conflict',
      `run ${id} is ${r.status}: only queued or running runs can be cancelled`,
    )
  }

  /**
   * Queues an interrupted, cancelled or failed run again; it continues from its newest usable
   * checkpoint. With none usable (damaged or gone) it is refused (`no-checkpoint`) unless `fresh`, which
   * restarts the run from iteration 0 (its log's resume marker then supersedes the whole old curve).
   */
  async resume(id: string, options: { fresh?: boolean } = {}): Promise<RunRecord> {
    const r = await this.store.get(id)
    if (!RESUMABLE.includes(r.status) || this.active.has(id) || this.queued.includes(id)) {
      throw new WorkbenchError(
        'conflict',
        `run ${id} is ${r.status}: only ${RESUMABLE.join(', ')} runs resume`,
      )
    }
    if (this.closed) throw new WorkbenchError('conflict', 'this workbench is read-only or closed')
    if (options.fresh) await this.store.removeCheckpoint(id, 'last')
    const from = options.fresh ? 0 : (await resumePoint(this.store, r)).epoch
    const record = await this.setStatus(id, {
      status: 'queued',
      error: null,
      finishedAt: null,
      owner: this.owner,
      checkpointEpoch: from,
      ...(options.fresh ? { progress: { ...r.progress, iteration: 0, epoch: 0 } } : {}),
    })
    this.queued.push(id)
    this.schedule()
    return record
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0 && this.queued.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  /**
   * Stops scheduling; running runs are stopped and left `interrupted` (resumable), queued ones stay
   * queued for the next open().
   */
  async close(): Promise<void> {
    this.closed = true
    if (this.cancelPoll) clearInterval(this.cancelPoll)
    this.queued.length = 0
    for (const a of this.active.values()) a.task?.cancel()
    // Every run's final status (interrupted) is on disk before close() resolves.
    await Promise.allSettled([...this.lifecycles])
    await Promise.all([this.pool.destroy(), this.checkPool.destroy()])
  }

  private async checkDataset(config: RunConfig): Promise<DatasetInfo> {
    try {
      return await this.datasets.get(config.dataset.name)
    } catch {
      const names = (await this.datasets.list()).map((d) => d.name).join(', ')
      throw new WorkbenchError(
        'invalid-config',
        `dataset.name: no dataset '${config.dataset.name}' (have: ${names})`,
        [{ path: 'dataset.name', message: `no dataset '${config.dataset.name}'; have ${names}` }],
      )
    }
  }

  private async enqueueNew(config: RunConfig, sweepId: string | null): Promise<RunRecord> {
    if (this.closed) throw new WorkbenchError('conflict', 'this workbench is read-only or closed')
    const info = await this.checkDataset(config)
    const seeded = { ...config, seed: config.seed ?? randomInt(0, 2 ** 32 - 1) }
    const splits = resolveSplits(
      { format: info.format, train: { count: info.counts.train }, test: { count: info.counts.test } },
      config.dataset,
    )
    const perEpoch = Math.max(Math.floor(splits.numTraining / seeded.solver.batchSize), 1)
    const record: RunRecord = {
      id: newRunId(),
      config: seeded,
      status: 'queued',
      sweepId,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
      progress: {
        iteration: 0,
        numIterations: perEpoch * seeded.solver.numEpochs,
        epoch: 0,
        numEpochs: seeded.solver.numEpochs,
      },
      result: null,
      error: null,
      environment: null,
      checkpointEpoch: 0,
      owner: this.owner,
      checks: this.recentChecks.find(seeded),
    }
    await this.store.create(record)
    this.emit({ type: 'run', run: record })
    this.queued.push(record.id)
    this.schedule()
    return record
  }

  private schedule(): void {
    while (!this.closed && this.active.size < this.pool.maxThreads && this.queued.length > 0) {
      const id = this.queued.shift()!
      const life = this.start(id)
      this.lifecycles.add(life)
      void life.finally(() => this.lifecycles.delete(life))
    }
    this.emitQueue()
    if (this.active.size === 0 && this.queued.length === 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }

  private async start(id: string): Promise<void> {
    const log = this.store.metricsLog(id)
    // Registered before the first await, so the run counts as active (not idle) from the moment it leaves
    // the queue.
    const a: Active = {
      task: null,
      log,
      record: null as unknown as RunRecord,
      writes: Promise.resolve(),
      lastProgressWrite: 0,
      cancelRequested: false,
    }
    this.active.set(id, a)
    try {
      a.record = await this.store.get(id)
      const config = a.record.config as RunConfig & { seed: number }
      const raw = await this.datasets.load(config.dataset.name)
      const mean = await this.meanFor(config, raw)
      const last = await this.store.readCheckpoint(id, 'last', TRAINING_STATE)
      const resume = last ? toSolverCheckpoint(last) : null
      const policy = this.options.checksBeforeTraining ?? 'auto'
      const sanityChecks = shouldCheckInWorker(policy, a.record, resume !== null)
      if (a.record.startedAt !== null) {
        // A resumed run: its log says where the earlier attempt's events stop counting.
        const fromIteration = resume?.state.iteration ?? 0
        log.append({ type: 'resume', fromIteration, fromEpoch: resume?.state.epoch ?? 0 })
        a.record.progress = {
          ...a.record.progress,
          iteration: fromIteration,
          epoch: resume?.state.epoch ?? 0,
        }
      }
      a.record = await this.setStatus(id, {
        status: 'running',
        startedAt: a.record.startedAt ?? now(),
        // The epoch this attempt actually starts from (an older checkpoint when the newest was damaged).
        checkpointEpoch: resume?.state.epoch ?? 0,
      })
      if (a.cancelRequested) throw new CancelledBeforeStart()
      a.task = this.pool.run(
        {
          runId: id,
          config,
          raw,
          mean,
          resume,
          sanityChecks,
          ...(this.options.progressIntervalMs !== undefined
            ? { progressIntervalMs: this.options.progressIntervalMs }
            : {}),
          ...(this.options.checkpointIntervalMs !== undefined
            ? { checkpointIntervalMs: this.options.checkpointIntervalMs }
            : {}),
        },
        (m) => this.onWorkerMessage(a, m),
      )
      if (this.closed) a.task.cancel()
      const outcome = await a.task.done
      await a.writes
      await log.close()
      if (outcome.status === 'completed') {
        await this.finish(id, a, { status: 'completed', result: outcome.result })
      } else if (outcome.status === 'failed') {
        await this.finish(id, a, { status: 'failed', error: outcome.error })
      } else {
        await this.finish(id, a, { status: this.closed ? 'interrupted' : 'cancelled' })
      }
    } catch (e) {
      await a.writes.catch(() => undefined)
      await log.close().catch(() => undefined)
      if (e instanceof CancelledBeforeStart) await this.finish(id, a, { status: 'cancelled' })
      else {
        const message = e instanceof Error ? e.message : String(e)
        const reason = /dataset/i.test(message) && a.record?.status !== 'running' ? 'dataset' : 'crashed'
        await this.finish(id, a, {
          status: 'failed',
          error: { reason, message, iteration: a.record?.progress.iteration ?? 0 },
        })
      }
    }
  }

  private async finish(id: string, a: Active, patch: Partial<RunRecord>): Promise<void> {
    try {
      const progress = a.record ? { progress: a.record.progress } : {}
      await this.setStatus(id, { ...patch, ...progress, finishedAt: now(), owner: null })
    } finally {
      this.active.delete(id)
      this.schedule()
    }
  }

  private onWorkerMessage(a: Active, m: WorkerMessage): void {
    const id = a.record.id
    switch (m.type) {
      case 'started':
        a.record.environment = runEnvironment(m.engine)
        a.record.progress = m.progress
        this.queueWrite(a, true)
        return
      case 'metrics': {
        for (const e of m.events) a.log.append(e)
        a.record.progress = m.progress
        this.emit({ type: 'metrics', runId: id, events: m.events })
        const epochEnded = m.events.some((e) => e.type === 'epoch')
        this.queueWrite(a, epochEnded)
        return
      }
      case 'checkpoint': {
        const { tensors, state } = m.checkpoint
        a.writes = a.writes
          .then(() => this.store.writeCheckpoint(id, 'last', tensors, state))
          .then(() => {
            a.record.checkpointEpoch = m.epoch
          })
        this.queueWrite(a, true)
        return
      }
      case 'checks':
        a.record.checks = m.report
        a.writes = a.writes.then(() => this.store.update(id, (r) => ({ ...r, checks: m.report })))
        this.emit({ type: 'run', run: a.record })
        return
      case 'best':
        a.writes = a.writes.then(() => this.store.writeCheckpoint(id, 'best', m.params))
        return
      case 'snapshot':
        a.writes = a.writes.then(() => writeSnapshot(this.store.runDir(id), m.epoch, m.W1, m.shape))
        return
      default:
        return
    }
  }

  /** Persists the in-memory record (progress, environment) in order with checkpoint writes. */
  private queueWrite(a: Active, force: boolean): void {
    const t = Date.now()
    if (!force && t - a.lastProgressWrite < PROGRESS_WRITE_MS) {
      this.emit({ type: 'run', run: a.record })
      return
    }
    a.lastProgressWrite = t
    const snapshot = { ...a.record }
    a.writes = a.writes.then(() =>
      this.store.update(a.record.id, (r) => ({
        ...r,
        progress: snapshot.progress,
        environment: snapshot.environment,
        checkpointEpoch: a.record.checkpointEpoch,
      })),
    )
    this.emit({ type: 'run', run: a.record })
  }

  private async setStatus(id: string, patch: Partial<RunRecord>): Promise<RunRecord> {
    const updated = await this.store.update(id, (r) => ({ ...r, ...patch }))
    const a = this.active.get(id)
    if (a?.record) a.record = { ...a.record, ...patch, status: updated.status }
    const current = a?.record ?? updated
    this.emit({ type: 'run', run: current })
    return current
  }

  /** The training mean, computed once per dataset and split and shared by every run (and worker). */
  private meanFor(config: RunConfig, raw: RawDataset): Promise<Float32Array> {
    const splits = resolveSplits(raw, config.dataset)
    const key = `${config.dataset.name}:${splits.numTraining}`
    let mean = this.means.get(key)
    if (!mean) {
      const D = raw.shape[0] * raw.shape[1] * raw.shape[2]
      if (splits.numTraining > raw.train.count) {
        throw new Error(
          `dataset.numTraining (${splits.numTraining}) exceeds the ${raw.train.count} training images`,
        )
      }
      mean = meanImageAsync(raw.train.images, splits.numTraining, D)
      this.means.set(key, mean)
      // A failed computation must not stay cached.
      mean.catch(() => this.means.delete(key))
    }
    return mean
  }

  private emit(e: WorkbenchEvent): void {
    for (const l of this.listeners) {
      try {
        l(e)
      } catch {
        // A subscriber's failure must not stop training or the other subscribers.
      }
    }
  }

  private emitQueue(): void {
    this.emit({ type: 'queue', ...this.queueState() })
  }
}

class CancelledBeforeStart extends Error {}

function now(): string {
  return new Date().toISOString()
}

function byCreation(a: RunRecord, b: RunRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1
}

/** A stored checkpoint as the engine takes it; null when its state did not survive (start afresh). */
function toSolverCheckpoint(c: Checkpoint): SolverCheckpoint | null {
  if (c.state === null || typeof c.state !== 'object') return null
  const tensors: Record<string, Tensor> = {}
  for (const [k, t] of Object.entries(c.tensors)) {
    if (t.dtype === 'F32') tensors[k] = { shape: [...t.shape], data: t.data, dtype: 'float32' }
    else if (t.dtype === 'F64') tensors[k] = { shape: [...t.shape], data: t.data, dtype: 'float64' }
  }
  return { tensors, state: c.state as SolverCheckpoint['state'] }
}

/** Whether another live process on this machine owns the run (queued it or trains it). */
export function ownedElsewhere(r: RunRecord): boolean {
  const o = r.owner
  if (!o || o.host !== hostname() || o.pid === process.pid) return false
  try {
    process.kill(o.pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const CANCEL_REQUEST = 'cancel.request'
