/**
 * The core every front end shares (desktop IPC, browser-mode server, CLI): create and queue runs and
 * sweeps, train them on the worker pool, persist everything through the run store, and tell subscribers
 * what changed. Plain Node: no Electron import.
 *
 * Lifecycle of a run: queued -> running -> completed | failed | cancelled; a process that dies leaves
 * `running` behind, which every view shows as `interrupted` at once and the next trainer records so.
 * resume() queues a cancelled, interrupted or failed run again; it continues from its last epoch
 * checkpoint when there is one.
 *
 * Ownership: a run is queued or trained by at most one process, whatever shares the data folder (the app,
 * `workbench serve`, CLI runs). The run's lock (ownership/runLocks.ts) decides; it is taken before a run
 * is created, adopted, resumed or changed on behalf of a dead owner, and given up when the run ends.
 */
import { randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rm, stat, writeFile } from 'node:fs/promises'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import { formatFieldErrors, type FieldError, type RunConfig } from '../../src-shared/config'
import { checkRunConfig } from '../../src-shared/fieldIssue'
import { isCorrupt, type CorruptRun, type RunListEntry } from '../../src-shared/corruptRun'
import {
  RESUMABLE_STATUSES,
  type MetricEvent,
  type RunError,
  type RunOwner,
  type RunRecord,
} from '../../src-shared/runs'
import { closeAttempt } from '../../src-shared/runTiming'
import { fieldErrorFor, type MemoryEstimate } from '../../src-shared/memoryEstimate'
import { fitsNextTo, resolveMemoryBudget, type BudgetedRun } from '../../src-shared/memoryBudget'
import { classifyRunFailure } from '../../src-shared/runFailure'
import { checksFirst, estimateForDataset } from '../../src-shared/datasetMemory'
import { expandSweep, MAX_SWEEP_RUNS } from '../../src-shared/sweep'
import { applyEdit, overlayMeta, parseRunEdit, type RunEdit } from '../../src-shared/runMeta'
import { meanImageAsync, resolveSplits } from '../../src-worker/data/prepare'
import type { RawDataset } from '../../src-worker/data/types'
import type { SolverCheckpoint } from '../../src-worker/engine/solver'
import type { Tensor } from '../../src-worker/engine/tensor'
import { appPaths } from './appPaths'
import { DatasetRegistry, type DatasetInfo, type DatasetRegistryOptions } from './datasets'
import { DatasetJobs } from './datasets/jobs'
import { runEnvironment } from './environment'
import { WorkbenchError } from './errors'
import { readSnapshot, writeSnapshot } from './snapshots'
import type { BulkFailure, BulkResult, MosaicData, Notice, TrashedRun } from '../../src-shared/contract'
import type { SanityReport } from '../../src-shared/sanity'
import { CheckPool } from './checkPool'
import { RecentChecks, shouldCheckInWorker, type ChecksPolicy } from './checks'
import type { PoolOptions, RunningTask } from './pool'
import { LocalExecutor } from './executors/local'
import type { Executor, ExecutorContext, ExecutorMessage, ExecutorName, TrainJob } from './executors/types'
import { resumePoint, TRAINING_STATE } from './resumePoint'
import type { MetricsLog } from './store/metricsLog'
import type { LayersLog } from './store/layersLog'
import type { LayerCapture, LayerSeries } from '../../src-shared/layerStats'
import type { ReadLayersOptions } from './store/layersRead'
import { readMetrics, type MetricsReader } from './store/metricsRead'
import { RUN_FILE, RunStore, newRunId, type Checkpoint } from './store/runStore'
import { RUN_INDEX_FILE } from './store/runIndexDb'
import { KeyedLock } from './store/lock'
import { assertRunId } from './store/ids'
import { StoreError, type ProblemReporter } from './store/errors'
import { SweepStore, SWEEP_RECORD_VERSION, type SweepRecord } from './store/sweepStore'
import { currentIdentity, type ProcessIdentity } from './ownership/identity'
import { HEARTBEAT_MS, RunLocks, type LockHolder } from './ownership/runLocks'
import { ShortLocks } from './ownership/shortLocks'
import { ChangeFeed, type ChangeKind } from './store/changeFeed'
import { RunTrash } from './store/trash'
import { describeStorageProblem, type StorageProblem } from './storageProblem'

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
  /**
   * Take over queued runs no live process owns (a crash or a closed session left them): the app and
   * `serve` do (default true); CLI training commands train only the runs they were asked for.
   */
  adoptOrphans?: boolean
  /** Ms between looks at runs other processes own (their cancel requests, their death); default 1000. */
  pollIntervalMs?: number
  /**
   * How much memory the runs training at once may take together: `12GB`, `800MB`, `50%` or `0.5` of the
   * machine; default (empty) half the machine, leaving at least 4 GB (src-shared/memoryBudget.ts).
   */
  memoryBudget?: string
  /** When the worker runs the sanity checks before training (see checks.ts); default 'auto'. */
  checksBeforeTraining?: ChecksPolicy
  /** Damaged files the store passes over (metrics lines, checkpoints it falls back from); default console.warn. */
  onProblem?: ProblemReporter
  /** Dataset downloads: extra sources, a mirror, retries (serve reads them from the environment). */
  datasetOptions?: Pick<DatasetRegistryOptions, 'downloadOptions' | 'sources'>
  /** Workers on other machines (executors/redis.ts): runs created with `trainOn: 'cluster'` train there. */
  cluster?: (context: ExecutorContext) => Executor
  /** A local training worker failed (pool.ts): the app and `serve` log it and leave a crash report. */
  onWorkerFailure?: PoolOptions['onWorkerFailure']
}

/** Where a new or resumed run should train; default 'local'. */
export interface Placement {
  trainOn?: ExecutorName
}

export type WorkbenchEvent =
  | { type: 'run'; run: RunRecord }
  | { type: 'metrics'; runId: string; events: MetricEvent[] }
  /** Layer dynamics (issue 15): captures the run's trainer took, in iteration order, as they arrive. */
  | { type: 'layers'; runId: string; captures: LayerCapture[] }
  | { type: 'queue'; running: string[]; queued: string[] }
  /** Something a person must act on that is not one run's outcome alone (a full disk). */
  | { type: 'notice'; notice: Notice }
  /** The run left the runs folder (moved to the trash): views drop it. */
  | { type: 'runRemoved'; id: string }
  /** These runs went into the trash, came back out of it, or were deleted for good. */
  | { type: 'trash'; ids: string[] }

const RESUMABLE = RESUMABLE_STATUSES
/** How often run.json is rewritten with progress while a run trains (epoch ends always write). */
const PROGRESS_WRITE_MS = 2000

export const DEFAULT_BUILTIN_DATASETS = appPaths().builtinDatasetsDir

interface Active {
  /** The executor the run trains on. */
  on: Executor | null
  task: RunningTask | null
  log: MetricsLog | null
  /** layers.jsonl, opened with `log`. */
  layers: LayersLog | null
  record: RunRecord
  /** The run's writes in order; never rejects (a failed write ends the run through `storageFailure`). */
  writes: Promise<unknown>
  lastProgressWrite: number
  cancelRequested: boolean
  /** The first failed write (disk full, ...): the run stops and fails with it. */
  failure: RunError | null
  /** What caused `failure` when it was a storage problem: worded again at the end, when it is clear. */
  failureCause: unknown
  /** Another process broke this run's lock: stop and write nothing more. */
  lost: boolean
}

export class Workbench {
  readonly store: RunStore
  readonly sweeps: SweepStore
  readonly trash: RunTrash
  readonly datasets: DatasetRegistry
  /** Imports and downloads started from the app, as jobs every window sees. */
  readonly datasetJobs: DatasetJobs
  private readonly local: LocalExecutor
  /** Set when a cluster is configured. */
  readonly cluster: Executor | null
  /** Runs queued here that go to the cluster (the others train on the local pool). */
  private readonly toCluster = new Set<string>()
  private readonly queued: string[] = []
  private readonly active = new Map<string, Active>()
  /** Each started run's whole lifecycle, final status write included: close() waits for them. */
  private readonly lifecycles = new Set<Promise<void>>()
  /** The same, by run: deleting a run it trains waits for its end. */
  private readonly lifeOf = new Map<string, Promise<void>>()
  private readonly listeners = new Set<(e: WorkbenchEvent) => void>()
  private readonly means = new Map<string, Promise<Float32Array>>()
  private readonly checkPool: CheckPool
  private readonly recentChecks = new RecentChecks()
  private idleWaiters: (() => void)[] = []
  private closed = false
  private readonly identity: ProcessIdentity = currentIdentity()
  readonly locks: RunLocks
  /** Final records the disk refused (full, read-only): retried each poll; the lock is kept until written. */
  private readonly unsaved = new Map<string, RunRecord>()
  /** What was last seen of runs other live processes own, so their changes reach subscribers. */
  private readonly foreign = new Map<string, string>()
  /** Each queued or training run's memory as the budget counts it (estimated when it is admitted). */
  private readonly budgeted = new Map<string, BudgetedRun>()
  /**
   * Runs other processes train on this data folder (a CLI run next to the app): they share the machine,
   * so the budget counts them too, each process's copy of a dataset apart.
   */
  private readonly foreignBudget = new Map<string, BudgetedRun>()
  /** Bytes the runs training at once may take together. */
  readonly memoryBudgetBytes: number
  private poll: NodeJS.Timeout | null = null
  private polling: Promise<void> | null = null
  private lastHeartbeat = Date.now()
  private polls = 0
  /** Operations on one run (resume, cancel, adoption) one at a time, so two never both go ahead. */
  private readonly ops = new KeyedLock()
  /** Around edits of a run's meta.json, and of sweep records, across processes. */
  private readonly editLocks: ShortLocks
  private readonly sweepLocks: ShortLocks
  /** Edits, deletions and restores other processes made (and this one's, for them). */
  private readonly changes: ChangeFeed

  private constructor(private readonly options: WorkbenchOptions) {
    this.store = new RunStore(options.dataDir, {
      ...(options.onProblem ? { onProblem: options.onProblem } : {}),
      index: { file: join(options.dataDir, RUN_INDEX_FILE) },
    })
    this.locks = new RunLocks(options.dataDir, this.identity)
    const budget = resolveMemoryBudget(options.memoryBudget, totalmem())
    if (!budget.ok) throw new WorkbenchError('invalid-argument', `memory budget: ${budget.message}`)
    this.memoryBudgetBytes = budget.bytes
    this.sweeps = new SweepStore(options.dataDir)
    this.trash = new RunTrash(
      options.dataDir,
      this.store,
      options.onProblem ? { onProblem: options.onProblem } : {},
    )
    this.editLocks = new ShortLocks(options.dataDir, this.identity, 'edits')
    this.sweepLocks = new ShortLocks(options.dataDir, this.identity, 'sweeps')
    this.changes = new ChangeFeed(options.dataDir, this.identity.nonce)
    this.datasets = new DatasetRegistry(options.dataDir, {
      builtinDir: options.builtinDatasetsDir ?? DEFAULT_BUILTIN_DATASETS,
      ...options.datasetOptions,
    })
    this.datasetJobs = new DatasetJobs(this.datasets)
    // A name removed (or added again) may now hold other images: their training means are not these.
    this.datasets.onChange(({ name }) => {
      for (const key of [...this.means.keys()]) if (key.startsWith(`${name}:`)) this.means.delete(key)
    })
    this.local = new LocalExecutor(
      async (job) => {
        const raw = await this.datasets.load(job.config.dataset.name)
        return { raw, mean: await this.meanFor(job.config, raw) }
      },
      {
        ...(options.maxThreads !== undefined ? { maxThreads: options.maxThreads } : {}),
        ...(options.workerFile !== undefined ? { filename: options.workerFile } : {}),
        ...(options.onWorkerFailure !== undefined ? { onWorkerFailure: options.onWorkerFailure } : {}),
      },
    )
    this.cluster =
      options.cluster && !options.readOnly
        ? options.cluster({
            datasets: this.datasets,
            origin: this.identity.nonce,
            onCapacityChange: () => this.schedule(),
          })
        : null
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
    await wb.store.removeTrash().catch((e: unknown) => wb.reportStorage(null, e))
    await wb.trash.removeLeftovers().catch((e: unknown) => wb.reportStorage(null, e))
    await wb.changes.start().catch(() => undefined)
    await wb.scanOrphans()
    // Runs other processes train now count against the budget before this one starts any.
    await wb.watchForeignRuns().catch((e: unknown) => wb.reportStorage(null, e))
    wb.poll = setInterval(() => void wb.pollOnce(), options.pollIntervalMs ?? 1000)
    wb.poll.unref()
    wb.schedule()
    return wb
  }

  /**
   * Every run a dead owner (or none) left `running` is recorded `interrupted`; every `queued` one nobody
   * owns is adopted, when this workbench adopts. A folder that cannot be written (full, read-only) still
   * opens: the failure is a notice, and every view shows such runs as interrupted anyway.
   */
  private async scanOrphans(): Promise<void> {
    const adopt = this.options.adoptOrphans ?? true
    for (const r of (await this.store.list()).sort(byCreation)) {
      if (r.status !== 'running' && !(adopt && r.status === 'queued')) continue
      await this.takeOverIfOrphaned(r.id).catch((e: unknown) => this.reportStorage(r.id, e))
    }
  }

  private get owner(): RunOwner {
    const { pid, host, startTime, bootId } = this.identity
    return { pid, host, startTime, bootId }
  }

  /**
   * A run whose owner is gone: a `running` one was cut short and becomes `interrupted`; a `queued` one is
   * adopted (queued here) when this workbench adopts orphans. Done under the run's lock, after reading
   * the record again, so two processes opening at once never both take it. Returns whether it changed.
   */
  private takeOverIfOrphaned(id: string): Promise<boolean> {
    return this.ops.run(id, async () => {
      if (this.closed || this.active.has(id) || this.queued.includes(id)) return false
      const adopt = this.options.adoptOrphans ?? true
      // A process that adopts nothing leaves queued runs (and their locks) alone for one that does.
      const seen = await this.store.get(id).catch(() => null)
      if (seen === null || (seen.status !== 'running' && !(adopt && seen.status === 'queued'))) return false
      if (await this.ownerAlive(seen)) return false
      if (!(await this.locks.claim(id)).ok) return false
      let keep = false
      try {
        const r = await this.store.get(id).catch(() => null)
        if (r?.status === 'running') {
          const end = await this.lastSignOfLife(r)
          await this.setStatus(id, { status: 'interrupted', owner: null, ...closeAttempt(r, end) })
          return true
        }
        if (r?.status === 'queued' && adopt) {
          // A request left for the dead owner is not meant for this session.
          await rm(join(this.store.runDir(id), CANCEL_REQUEST), { force: true })
          let admitted: Admitted
          const trainOn = this.targetOf(r)
          try {
            admitted = await this.admit(r.config, { resume: r.checkpointEpoch > 0, trainOn })
          } catch (e) {
            if (!(e instanceof WorkbenchError)) throw e
            // Queued under another budget (or version): it cannot train here; say why rather than wait.
            const memory = e.fields.some((f) => /needs about/.test(f.message))
            await this.setStatus(id, {
              status: 'failed',
              error: { reason: memory ? 'memory' : 'invalid', message: e.message },
              finishedAt: now(),
              owner: null,
            })
            return true
          }
          await this.store.update(id, (x) => ({ ...x, owner: this.owner, ...placementPatch(trainOn, x) }))
          this.budgeted.set(id, admitted.budget)
          this.place(id, trainOn)
          this.queued.push(id)
          keep = true
          this.schedule()
          return true
        }
        return false
      } finally {
        if (!keep) await this.locks.release(id)
      }
    })
  }

  /**
   * Whether the run's owner lives: its lock's holder; for a record without a lock (written by an older
   * version, which took none), a live process with the recorded PID that wrote the record in the last
   * half minute (an older trainer rewrites it every few seconds).
   */
  private async ownerAlive(r: RunRecord): Promise<boolean> {
    const holder = await this.locks.holder(r.id)
    if (holder !== null) return holder.alive
    const o = r.owner
    if (!o || o.host !== this.identity.host || o.pid === process.pid || !pidAlive(o.pid)) return false
    const mtime = await stat(join(this.store.runDir(r.id), RUN_FILE)).then(
      (st) => st.mtimeMs,
      () => 0,
    )
    return Date.now() - mtime < LEGACY_OWNER_FRESH_MS
  }

  /** When a run whose owner died last showed life: its last write (older records: run.json's mtime). */
  private async lastSignOfLife(r: RunRecord): Promise<string> {
    if (r.updatedAt) return r.updatedAt
    const mtime = await stat(join(this.store.runDir(r.id), RUN_FILE)).then(
      (st) => st.mtime.toISOString(),
      () => null,
    )
    return mtime ?? r.attemptStartedAt ?? now()
  }

  /**
   * The periodic look around: cancel requests for runs this process owns, the heartbeat of its locks,
   * runs other processes own (their progress reaches subscribers; their death is noticed and recorded),
   * and final records a full disk refused earlier.
   */
  private pollOnce(): Promise<void> {
    this.polling ??= (async () => {
      try {
        await this.pollCancelRequests()
        if (Date.now() - this.lastHeartbeat >= HEARTBEAT_MS) {
          this.lastHeartbeat = Date.now()
          for (const id of await this.locks.heartbeat()) this.onLockLost(id)
        }
        await this.watchForeignRuns()
        await this.pollChanges()
        // Queued runs a session left behind when it closed carry no lock to watch: look for them now
        // and then.
        if (++this.polls % ORPHAN_SCAN_POLLS === 0) {
          await this.scanOrphans()
          await this.announceFolderChanges()
        }
        await this.retryUnsaved()
      } catch {
        // A failed look (a folder briefly unreadable) is retried at the next poll.
      } finally {
        this.polling = null
      }
    })()
    return this.polling
  }

  /**
   * Runs whose folders changed without a note in the change feed (edited by hand, copied in, removed,
   * or written by an older version), as the run index's listings found them: subscribers hear of each.
   */
  private async announceFolderChanges(): Promise<void> {
    const found = this.store.index?.takeChanges()
    if (!found) return
    for (const id of found.removed) {
      this.foreign.delete(id)
      this.emit({ type: 'runRemoved', id })
    }
    for (const id of found.changed) {
      const entry = await this.store.getEntry(id).catch(() => null)
      if (entry === null || isCorrupt(entry)) continue
      this.emit({ type: 'run', run: await this.present(entry) })
    }
  }

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

  private async watchForeignRuns(): Promise<void> {
    const locked = new Set(await this.locks.lockedIds())
    for (const id of locked) {
      if (this.locks.holds(id) || this.closed) continue
      const holder = await this.locks.holder(id)
      if (holder === null) continue
      if (!holder.alive) {
        this.foreign.delete(id)
        this.foreignBudget.delete(id)
        await this.takeOverIfOrphaned(id)
        continue
      }
      const r = await this.emitIfChanged(id)
      if (r?.status === 'running' && !this.foreignBudget.has(id)) {
        await this.countForeign(r, holder.holder.nonce)
      }
    }
    // Runs whose owner let go since the last look: their final record, once; a run it left queued (it
    // closed) is adopted here.
    for (const id of [...this.foreign.keys()]) {
      if (locked.has(id)) continue
      const r = await this.emitIfChanged(id)
      this.foreign.delete(id)
      if (r?.status === 'queued' || r?.status === 'running') await this.takeOverIfOrphaned(id)
    }
    let freed = false
    for (const id of [...this.foreignBudget.keys()]) {
      if (!locked.has(id)) freed = this.foreignBudget.delete(id) || freed
    }
    if (freed) this.schedule()
  }

  private async emitIfChanged(id: string): Promise<RunRecord | null> {
    const r = await this.store.get(id).catch(() => null)
    if (r === null) return null
    const key = `${r.status}:${r.updatedAt ?? ''}:${r.progress.iteration}:${r.checkpointEpoch}`
    if (this.foreign.get(id) !== key) {
      this.foreign.set(id, key)
      this.emit({ type: 'run', run: r })
    }
    return r
  }

  private async countForeign(r: RunRecord, owner: string): Promise<void> {
    try {
      const info = await this.datasets.get(r.config.dataset.name)
      const e = this.estimate(r.config, info, r.checkpointEpoch > 0)
      this.foreignBudget.set(r.id, {
        bytes: e.bytes,
        dataset: `${owner}:${info.name}`,
        datasetBytes: e.datasetBytes,
      })
    } catch {
      // A dataset this process does not know: nothing to count it by.
    }
  }

  private async retryUnsaved(): Promise<void> {
    for (const [id, record] of [...this.unsaved]) {
      // Another process took the run over meanwhile: what was kept here is no longer the truth.
      if (!this.locks.holds(id)) {
        this.unsaved.delete(id)
        continue
      }
      try {
        await this.store.update(id, () => record)
      } catch {
        continue
      }
      this.unsaved.delete(id)
      await this.locks.release(id).catch(() => undefined)
    }
  }

  /** Another process took this run's lock (it judged this one dead): stop it here and write nothing. */
  private onLockLost(id: string): void {
    const at = this.queued.indexOf(id)
    if (at >= 0) {
      this.queued.splice(at, 1)
      this.emitQueue()
    }
    const a = this.active.get(id)
    if (a) {
      a.lost = true
      a.task?.cancel()
    }
  }

  /** Runs the local pool trains at once. */
  get maxThreads(): number {
    return this.local.capacity
  }

  subscribe(listener: (e: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Validates a config (field-level errors), records the run as queued and schedules it. */
  async createRun(input: unknown, options: { sweepId?: string } & Placement = {}): Promise<RunRecord> {
    const parsed = checkRunConfig(input)
    if (!parsed.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid run config: ${formatFieldErrors(parsed.errors)}`,
        parsed.errors,
      )
    }
    return this.enqueueNew(parsed.value, options.sweepId ?? null, this.checkTarget(options.trainOn))
  }

  /**
   * Runs the sanity checks of a config (validated first, like createRun) in a worker thread and
   * remembers the report: queuing the identical config (seed included) stores it with the run. A config
   * without a seed gets one, returned in the report.
   */
  async check(input: unknown): Promise<SanityReport> {
    const parsed = checkRunConfig(input)
    if (!parsed.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid run config: ${formatFieldErrors(parsed.errors)}`,
        parsed.errors,
      )
    }
    const config = { ...parsed.value, seed: parsed.value.seed ?? randomInt(0, 2 ** 32 - 1) }
    await this.admit(config, { newRun: true })
    const raw = await this.datasets.load(config.dataset.name)
    const mean = await this.meanFor(config, raw)
    const report = await this.checkPool.run({ config, raw, mean })
    this.recentChecks.remember(config, report)
    return report
  }

  /** Expands a sweep (all configs validated before any is queued) and queues its runs under one sweep id. */
  async createSweep(
    spec: unknown,
    placement: Placement = {},
  ): Promise<{ sweepId: string; runs: RunRecord[] }> {
    const trainOn = this.checkTarget(placement.trainOn)
    const expanded = expandSweep(spec)
    if (!expanded.ok) {
      throw new WorkbenchError(
        'invalid-config',
        `invalid sweep: ${formatFieldErrors(expanded.errors)}`,
        expanded.errors,
      )
    }
    // Every run is admitted before any is queued: a sweep is queued whole or not at all.
    const swept = new Set(Object.keys(expanded.value.spec.params))
    const configs = expanded.value.configs
    for (const [i, c] of configs.entries()) {
      await this.admit(c, { newRun: true, trainOn }).catch((e: unknown) => {
        // Name the field where the user wrote it: a swept param, or the base config.
        if (!(e instanceof WorkbenchError)) throw e
        const fields = e.fields.map((f) => ({
          ...f,
          path: swept.has(f.path) ? `params.${f.path}` : `base.${f.path}`,
          message: configs.length > 1 ? `run ${i + 1} of ${configs.length}: ${f.message}` : f.message,
        }))
        throw new WorkbenchError(e.code, `invalid sweep: ${formatFieldErrors(fields)}`, fields)
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
    for (const c of expanded.value.configs) runs.push(await this.enqueueNew(c, sweepId, trainOn))
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
    const entries = await this.store.listEntries()
    // Only a `running` run another process owned needs a look at its owner: the others are shown as
    // stored (the index's own objects, which the API's JSON cache recognises).
    return Promise.all(entries.map((r) => (isCorrupt(r) || !this.mayShowOtherwise(r) ? r : this.present(r))))
  }

  async getRun(id: string): Promise<RunRecord> {
    const a = this.active.get(id)
    if (a?.record) return a.record
    // A final record the disk refused (even a removed folder) is what this process knows of the run.
    const kept = this.unsaved.get(id)
    if (kept) return kept
    return this.present(await this.store.get(id))
  }

  /** Whether present() may show the run otherwise than stored: live here, unsaved, or running elsewhere. */
  private mayShowOtherwise(stored: RunRecord): boolean {
    return stored.status === 'running' || this.active.has(stored.id) || this.unsaved.has(stored.id)
  }

  /**
   * The record as every view should show it: this process's live copy of its own runs, and `interrupted`
   * for a `running` run whose owner is gone (computed, not written: a read-only view changes nothing).
   */
  private async present(stored: RunRecord): Promise<RunRecord> {
    const r = this.active.get(stored.id)?.record ?? this.unsaved.get(stored.id) ?? stored
    if (r.status !== 'running' || this.active.has(r.id)) return r
    return (await this.ownerAlive(r)) ? r : { ...r, status: 'interrupted', owner: null }
  }

  async readMetrics(id: string): Promise<MetricEvent[]> {
    return this.readMetricsWith(id, readMetrics)
  }

  /** The run's log read by `reader` (store/metricsRead.ts), after its trainer's buffered events are written. */
  async readMetricsWith<T>(id: string, reader: MetricsReader<T>): Promise<T> {
    const a = this.active.get(id)
    if (a?.log && !a.log.closed) await a.log.flush().catch(() => undefined)
    return this.store.readMetricsWith(id, reader)
  }

  /**
   * The run's layer captures (store/layersRead.ts), after its trainer's buffered captures are written. A
   * run that never captured has an empty series.
   */
  async readLayers(
    id: string,
    options: Pick<ReadLayersOptions, 'afterIteration' | 'maxCaptures'> = {},
  ): Promise<LayerSeries> {
    const a = this.active.get(id)
    if (a?.layers && !a.layers.closed) await a.layers.flush().catch(() => undefined)
    return this.store.readLayers(id, options)
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
  cancel(id: string): Promise<RunRecord> {
    return this.ops.run(id, () => this.cancelNow(id))
  }

  private async cancelNow(id: string): Promise<RunRecord> {
    const at = this.queued.indexOf(id)
    if (at >= 0) {
      this.queued.splice(at, 1)
      this.emitQueue()
      let record: RunRecord
      try {
        record = await this.setStatus(id, { status: 'cancelled', finishedAt: now(), owner: null })
      } catch (e) {
        // Not recorded: it stays queued (and here) rather than in no queue at all.
        this.queued.splice(Math.min(at, this.queued.length), 0, id)
        this.emitQueue()
        throw this.storageError(e) ?? e
      }
      this.budgeted.delete(id)
      await this.locks.release(id).catch(() => undefined)
      return record
    }
    const a = this.active.get(id)
    if (a) {
      a.cancelRequested = true
      a.task?.cancel()
      return a.record
    }
    const r = await this.store.get(id)
    if (r.status !== 'queued' && r.status !== 'running') {
      throw new WorkbenchError(
        'conflict',
        `run ${id} is ${r.status}: only queued or running runs can be cancelled`,
      )
    }
    const claim = await this.locks.claim(id)
    if (!claim.ok) {
      // Another live process owns it: ask, it polls for the request.
      await writeFile(join(this.store.runDir(id), CANCEL_REQUEST), `${process.pid}\n`)
      return r
    }
    try {
      // Nobody owned it: a queued run is simply cancelled, a running one was interrupted.
      const current = await this.store.get(id)
      if (current.status === 'queued') {
        return await this.setStatus(id, { status: 'cancelled', finishedAt: now(), owner: null })
      }
      if (current.status === 'running') {
        const end = await this.lastSignOfLife(current)
        return await this.setStatus(id, { status: 'interrupted', owner: null, ...closeAttempt(current, end) })
      }
      return current
    } finally {
      await this.locks.release(id)
    }
  }

  /**
   * Queues an interrupted, cancelled or failed run again; it continues from its newest usable
   * checkpoint. With none usable (damaged or gone) it is refused (`no-checkpoint`) unless `fresh`, which
   * restarts the run from iteration 0 (its log's resume marker then supersedes the whole old curve).
   */
  resume(id: string, options: { fresh?: boolean } & Placement = {}): Promise<RunRecord> {
    return this.ops.run(id, () => this.resumeNow(id, options))
  }

  private async resumeNow(id: string, options: { fresh?: boolean } & Placement): Promise<RunRecord> {
    const seen = await this.getRun(id)
    // A queued run whose owner died (a closed terminal) is resumed like an interrupted one.
    const orphanQueued =
      seen.status === 'queued' && !this.queued.includes(id) && !(await this.ownerAlive(seen))
    if (
      (!RESUMABLE.includes(seen.status) && !orphanQueued) ||
      this.active.has(id) ||
      this.queued.includes(id)
    ) {
      const holder = this.active.has(id) || this.queued.includes(id) ? null : await this.locks.holder(id)
      if (holder?.alive && (seen.status === 'running' || seen.status === 'queued')) {
        throw ownedBy(id, holder.holder)
      }
      throw notResumable(id, seen.status)
    }
    if (this.closed) throw new WorkbenchError('conflict', 'this workbench is read-only or closed')
    const claim = await this.locks.claim(id).catch((e: unknown) => {
      throw this.storageError(e) ?? e
    })
    if (!claim.ok) throw ownedBy(id, claim.holder)
    try {
      // Read again under the lock: another process may have resumed (and even finished) it meanwhile.
      const r = await this.store.get(id)
      // Its owner died (the lock says so: we hold it now).
      const dead = r.status === 'running' || r.status === 'queued'
      if (!RESUMABLE.includes(r.status) && !dead) throw notResumable(id, r.status)
      // The attempt that ended: a dead one up to its last sign of life; one an older version recorded
      // without attempt times, from its start to its finish.
      const closing =
        r.status === 'running'
          ? closeAttempt(r, await this.lastSignOfLife(r))
          : r.activeMs === undefined && r.startedAt && r.finishedAt
            ? closeAttempt(r, r.finishedAt)
            : {}
      // A request left for an owner that never read it is not meant for this attempt.
      await rm(join(this.store.runDir(id), CANCEL_REQUEST), { force: true })
      if (options.fresh) await this.store.removeCheckpoint(id, 'last')
      const from = options.fresh ? 0 : (await resumePoint(this.store, r)).epoch
      // The budget may have changed since the run was queued; a resume checks it again.
      const trainOn = options.trainOn !== undefined ? this.checkTarget(options.trainOn) : this.targetOf(r)
      const { budget } = await this.admit(r.config, { resume: from > 0, trainOn })
      const record = await this.setStatus(id, {
        status: 'queued',
        error: null,
        finishedAt: null,
        owner: this.owner,
        checkpointEpoch: from,
        ...(options.fresh ? { progress: { ...r.progress, iteration: 0, epoch: 0 } } : {}),
        ...closing,
        ...placementPatch(trainOn, r),
      })
      this.budgeted.set(id, budget)
      this.place(id, trainOn)
      this.queued.push(id)
      this.schedule()
      return record
    } catch (e) {
      await this.locks.release(id).catch(() => undefined)
      throw this.storageError(e) ?? e
    }
  }

  // ---- run management: edits, the trash, sweeps again (issue 12) ----

  /**
   * Renames, notes, tags or archives runs: the edit goes to each run's meta.json (see runMeta.ts for why
   * not run.json), under a short lock of its own, so it works whoever trains the run and the trainer's
   * next write never undoes it. A rename names one run. Each run succeeds or fails on its own.
   */
  async editRuns(ids: string[], input: unknown): Promise<BulkResult<RunRecord>> {
    const parsed = parseRunEdit(input)
    if (!parsed.ok) {
      throw new WorkbenchError(
        'invalid-argument',
        `invalid edit: ${formatFieldErrors(parsed.errors)}`,
        parsed.errors,
      )
    }
    const edit = parsed.value
    if (edit.name !== undefined && ids.length !== 1) {
      const message = `a rename names one run; got ${ids.length} ids`
      throw new WorkbenchError('invalid-argument', `edit.name: ${message}`, [{ path: 'edit.name', message }])
    }
    return this.bulk(ids, 'edit', (id) => this.editOne(id, edit))
  }

  private editOne(id: string, edit: RunEdit): Promise<RunRecord> {
    return this.ops.run(id, () =>
      this.editLocks.with(id, `run ${id}`, async () => {
        const record = await this.store.get(id)
        let meta
        try {
          meta = applyEdit(record, edit)
        } catch (e) {
          if (!(e instanceof RangeError)) throw e
          const message = e.message.replace(/^edit\.addTags: /, '')
          throw new WorkbenchError('invalid-argument', e.message, [{ path: 'edit.addTags', message }])
        }
        await this.store.writeMeta(id, meta)
        // This process's own copies (a run it trains, a final record a full disk refused) show it too.
        const a = this.active.get(id)
        if (a?.record) a.record = overlayMeta(a.record, meta)
        const kept = this.unsaved.get(id)
        if (kept) this.unsaved.set(id, overlayMeta(kept, meta))
        const shown = await this.present(overlayMeta(record, meta))
        this.emit({ type: 'run', run: shown })
        return shown
      }),
    )
  }

  /**
   * Moves runs to the trash (nothing is deleted: restoreRuns brings them back). A run queued or training
   * here is refused with code `active` unless `cancel`, which cancels it and waits for its end first; a
   * run another live process trains is refused, naming that process. Under the run's lock, so no other
   * process adopts, resumes or trains it meanwhile, and once it is in the trash none can. A sweep keeps
   * its record: its view shows the runs left, and a restore brings the others back.
   */
  trashRuns(ids: string[], options: { cancel?: boolean } = {}): Promise<BulkResult<string>> {
    return this.bulk(ids, 'trash', (id) => this.trashOne(id, options.cancel === true))
  }

  private trashOne(id: string, cancel: boolean): Promise<string> {
    return this.ops.run(id, async () => {
      if (this.queued.includes(id) || this.active.has(id)) {
        if (!cancel) {
          const status = this.active.has(id) ? 'training' : 'queued'
          throw new WorkbenchError(
            'active',
            `run ${id} is ${status} here: cancel it first, or delete it with cancel`,
          )
        }
        await this.cancelNow(id)
        // Its final record is written and its lock let go before it moves.
        await this.lifeOf.get(id)
      }
      const claim = await this.locks.claim(id).catch((e: unknown) => {
        throw this.storageError(e) ?? e
      })
      if (!claim.ok) {
        const h = claim.holder
        throw new WorkbenchError(
          'conflict',
          `run ${id} is being trained by another process (pid ${h.pid} on ${h.host}, since ${h.since}); ` +
            `stop it there first (workbench cancel ${id}), then delete it`,
        )
      }
      try {
        const entry = await this.store.getEntry(id)
        let status: string = entry.status
        if (!isCorrupt(entry) && (entry.status === 'queued' || entry.status === 'running')) {
          // Its owner died (we hold its lock): it goes in as what it is, so a restore never brings back a
          // run that looks queued or running and gets adopted.
          const patch: Partial<RunRecord> =
            entry.status === 'running'
              ? {
                  status: 'interrupted',
                  owner: null,
                  ...closeAttempt(entry, await this.lastSignOfLife(entry)),
                }
              : { status: 'cancelled', finishedAt: now(), owner: null }
          await this.store.update(id, (r) => ({ ...r, ...patch }))
          status = patch.status as string
        }
        await rm(join(this.store.runDir(id), CANCEL_REQUEST), { force: true })
        await this.trash.put(id, { trashedAt: now(), sweepId: entry.sweepId ?? null, status })
      } catch (e) {
        throw this.storageError(e) ?? e
      } finally {
        await this.locks.release(id).catch(() => undefined)
      }
      this.unsaved.delete(id)
      this.foreign.delete(id)
      this.foreignBudget.delete(id)
      this.emit({ type: 'runRemoved', id })
      return id
    })
  }

  /** Moves trashed runs back; refused for an id a run in the runs folder has already. */
  restoreRuns(ids: string[]): Promise<BulkResult<RunListEntry>> {
    return this.bulk(ids, 'restore', (id) =>
      this.ops.run(id, async () => {
        const claim = await this.locks.claim(id).catch((e: unknown) => {
          throw this.storageError(e) ?? e
        })
        if (!claim.ok) throw ownedBy(id, claim.holder)
        try {
          await this.trash.restore(id)
        } catch (e) {
          throw this.storageError(e) ?? e
        } finally {
          await this.locks.release(id).catch(() => undefined)
        }
        const entry = await this.store.getEntry(id)
        if (isCorrupt(entry)) return entry
        const shown = await this.present(entry)
        this.emit({ type: 'run', run: shown })
        return shown
      }),
    )
  }

  /** Deletes trashed runs for good, and takes them off their sweep's record. */
  purgeRuns(ids: string[]): Promise<BulkResult<string>> {
    return this.bulk(ids, 'purge', (id) =>
      this.ops.run(id, async () => {
        let info
        try {
          info = await this.trash.purge(id)
        } catch (e) {
          throw this.storageError(e) ?? e
        }
        if (info?.sweepId) await this.dropFromSweep(info.sweepId, id).catch(() => undefined)
        return id
      }),
    )
  }

  /** Every trashed run, most recently deleted first. */
  listTrash(): Promise<TrashedRun[]> {
    return this.trash.list()
  }

  /** A sweep whose last listed run is deleted for good goes with it: its ranges describe nothing left. */
  private dropFromSweep(sweepId: string, runId: string): Promise<void> {
    return this.sweepLocks.with(sweepKey(sweepId), `sweep ${sweepId}`, async () => {
      const sweep = await this.sweeps.get(sweepId)
      const runIds = sweep.runIds.filter((r) => r !== runId)
      if (runIds.length === sweep.runIds.length) return
      if (runIds.length === 0) await this.sweeps.remove(sweepId)
      else await this.sweeps.write({ ...sweep, runIds })
    })
  }

  /** Queues a sweep's spec again, as a new sweep (the same ranges and draws; each run a new seed unless the base fixes one). */
  async rerunSweep(
    sweepId: string,
    placement: Placement = {},
  ): Promise<{ sweepId: string; runs: RunRecord[] }> {
    const sweep = await this.sweeps.get(sweepId)
    return this.createSweep(sweep.spec, placement)
  }

  /**
   * Adds `samples` runs to a random sweep, under its id: the draws continue from where the sweep's seed
   * left off, so the new points are new ones (the first N of N + M draws are the sweep's own). A grid
   * sweep runs every combination already, so it is refused: run it again, or widen it in a new sweep.
   */
  async extendSweep(
    sweepId: string,
    samples: number,
    placement: Placement = {},
  ): Promise<{ sweepId: string; runs: RunRecord[] }> {
    if (!Number.isSafeInteger(samples) || samples < 1 || samples > MAX_SWEEP_RUNS) {
      const message = `must be an integer from 1 to ${MAX_SWEEP_RUNS}, got ${samples}`
      throw new WorkbenchError('invalid-argument', `samples: ${message}`, [{ path: 'samples', message }])
    }
    // The new draws may train elsewhere than the sweep's first runs: a sweep can mix local and cluster runs.
    const trainOn = this.checkTarget(placement.trainOn)
    return this.sweepLocks.with(sweepKey(sweepId), `sweep ${sweepId}`, async () => {
      let sweep = await this.sweeps.get(sweepId)
      const { spec } = sweep
      if (spec.method !== 'random') {
        throw new WorkbenchError(
          'conflict',
          `sweep ${sweepId} is a grid search: it runs every combination already; run it again, or widen its grid in a new sweep`,
        )
      }
      const had = spec.samples ?? 0
      if (had + samples > MAX_SWEEP_RUNS) {
        const message = `the sweep has ${had} runs; with ${samples} more it would pass the ${MAX_SWEEP_RUNS} a sweep may have`
        throw new WorkbenchError('invalid-argument', `samples: ${message}`, [{ path: 'samples', message }])
      }
      const expanded = expandSweep({ ...spec, samples: had + samples })
      if (!expanded.ok) {
        throw new WorkbenchError(
          'invalid-config',
          `invalid sweep: ${formatFieldErrors(expanded.errors)}`,
          expanded.errors,
        )
      }
      const configs = expanded.value.configs.slice(had)
      for (const c of configs) await this.admit(c, { newRun: true, trainOn })
      if (sweep.runIds.length === 0) {
        // Recorded without its ids (a crash while it was queued): found by sweepId, kept with the new ones.
        const found = (await this.listRuns()).filter((r) => r.sweepId === sweepId).map((r) => r.id)
        sweep = { ...sweep, runIds: found }
      }
      // The grown spec first, then each run as it is queued: the record never lists a run that is not there.
      sweep = { ...sweep, spec: { ...spec, samples: had + samples } }
      await this.sweeps.write(sweep)
      const runs: RunRecord[] = []
      for (const c of configs) {
        const run = await this.enqueueNew(c, sweepId, trainOn)
        runs.push(run)
        sweep = { ...sweep, runIds: [...sweep.runIds, run.id] }
        await this.sweeps.write(sweep)
      }
      return { sweepId, runs }
    })
  }

  /** Runs `one` for each id in turn; what failed is reported per run. Other processes hear of what changed. */
  private async bulk<T>(
    ids: string[],
    kind: ChangeKind,
    one: (id: string) => Promise<T>,
  ): Promise<BulkResult<T>> {
    // A malformed id is a mistake in the request as a whole (the API refuses it before this too).
    ids.forEach((id, i) => assertRunId(id, `ids[${i}]`))
    const done: T[] = []
    const doneIds: string[] = []
    const failed: BulkFailure[] = []
    for (const id of new Set(ids)) {
      try {
        done.push(await one(id))
        doneIds.push(id)
      } catch (e) {
        failed.push(failureOf(id, e))
      }
    }
    if (kind !== 'edit' && doneIds.length > 0) this.emit({ type: 'trash', ids: doneIds })
    await this.changes.announce({ kind, ids: doneIds }).catch(() => undefined)
    return { done, failed }
  }

  /**
   * What other processes changed since the last look: edits and restores reach subscribers as `run`
   * events (a run this process trains takes the edit into its own copy), deletions as `runRemoved`.
   */
  private async pollChanges(): Promise<void> {
    for (const change of await this.changes.poll()) {
      for (const id of change.ids) {
        if (change.kind === 'trash') {
          this.foreign.delete(id)
          this.emit({ type: 'runRemoved', id })
          continue
        }
        if (change.kind !== 'edit' && change.kind !== 'restore') continue
        const entry = await this.store.getEntry(id).catch(() => null)
        if (entry === null || isCorrupt(entry)) continue
        const a = this.active.get(id)
        if (a?.record) a.record = overlayMeta(a.record, await this.store.readMeta(id))
        this.emit({ type: 'run', run: await this.present(entry) })
      }
      if (change.kind !== 'edit') this.emit({ type: 'trash', ids: change.ids })
    }
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
    if (this.poll) clearInterval(this.poll)
    // Downloads stop and stay resumable; imports stop before anything is registered.
    await this.datasetJobs.close()
    await this.polling
    this.queued.length = 0
    for (const a of this.active.values()) a.task?.cancel()
    // Every run's final status (interrupted) is on disk before close() resolves.
    await Promise.allSettled([...this.lifecycles])
    await this.retryUnsaved()
    // Queued runs stay queued for whoever opens the folder next; what a full disk refused stays as it is
    // on disk, which every view then shows as interrupted.
    for (const id of [...this.locks.held]) await this.locks.release(id).catch(() => undefined)
    await Promise.all([this.local.destroy(), this.cluster?.destroy(), this.checkPool.destroy()])
    this.store.close()
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

  /**
   * What a config needs beyond its schema, checked before it is queued rather than at iteration 0: its
   * dataset exists and holds the splits it asks for, and its estimated peak memory fits in the budget.
   * Returns what the scheduler counts for it. A new run's batch must also fit in its training split; runs
   * queued before that rule (resumed, adopted) keep training as they were created.
   */
  private async admit(
    config: RunConfig,
    { resume = false, newRun = false, trainOn = 'local' as ExecutorName } = {},
  ): Promise<Admitted> {
    const info = await this.checkDataset(config)
    const fields = splitErrors(config, info)
    if (fields.length === 0) {
      const estimate = this.estimate(config, info, resume)
      // A cluster run is held to the budget of the worker that takes it, not this machine's.
      const tooBig = trainOn === 'local' ? fieldErrorFor(estimate, this.memoryBudgetBytes, config) : null
      if (tooBig) fields.push(tooBig)
      if (newRun) fields.push(...batchErrors(config, info))
      if (fields.length === 0)
        return {
          info,
          budget: { bytes: estimate.bytes, dataset: info.name, datasetBytes: estimate.datasetBytes },
        }
    }
    throw new WorkbenchError('invalid-config', `invalid run config: ${formatFieldErrors(fields)}`, fields)
  }

  private estimate(config: RunConfig, info: DatasetInfo, resume: boolean): MemoryEstimate {
    const policy = this.options.checksBeforeTraining ?? 'auto'
    // As checks.ts decides it for a fresh run without stored checks (which can only over-count).
    const sanityChecks = !resume && checksFirst(config, info, policy)
    return estimateForDataset(config, info, { sanityChecks, resume })
  }

  private async enqueueNew(
    config: RunConfig,
    sweepId: string | null,
    trainOn: ExecutorName = 'local',
  ): Promise<RunRecord> {
    if (this.closed) throw new WorkbenchError('conflict', 'this workbench is read-only or closed')
    const { info, budget } = await this.admit(config, { newRun: true, trainOn })
    const seeded = { ...config, seed: config.seed ?? randomInt(0, 2 ** 32 - 1) }
    const splits = resolveSplits(
      { format: info.format, train: { count: info.counts.train }, test: { count: info.counts.test } },
      config.dataset,
    )
    const perEpoch = Math.max(Math.floor(splits.numTraining / seeded.solver.batchSize), 1)
    const id = newRunId()
    // Held before the record exists, so a process opening the folder meanwhile never adopts it.
    const claim = await this.locks.claim(id).catch((e: unknown) => {
      throw this.storageError(e) ?? e
    })
    if (!claim.ok) throw new WorkbenchError('conflict', `run id ${id} is taken`)
    if (this.closed) {
      await this.locks.release(id)
      throw new WorkbenchError('conflict', 'this workbench is read-only or closed')
    }
    const record: RunRecord = {
      id,
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
      activeMs: 0,
      attemptStartedAt: null,
      owner: this.owner,
      checks: this.recentChecks.find(seeded),
      ...placementPatch(trainOn),
    }
    try {
      await this.store.create(record)
    } catch (e) {
      await this.locks.release(id).catch(() => undefined)
      throw this.storageError(e) ?? e
    }
    this.emit({ type: 'run', run: record })
    this.budgeted.set(record.id, budget)
    this.place(record.id, trainOn)
    this.queued.push(record.id)
    this.schedule()
    return record
  }

  /**
   * Starts queued runs, in queue order, while a thread is free and the run fits in the memory budget next
   * to those training; a run that does not fit yet waits and a later, smaller one may start meanwhile.
   */
  private schedule(): void {
    // The first run held back keeps its place: later runs may start only in what is left beside it, so
    // a big run is never overtaken without end by small ones.
    let reserved: BudgetedRun | null = null
    for (let i = 0; !this.closed && i < this.queued.length;) {
      const id = this.queued[i]!
      const executor = this.executorOf(id)
      if (this.activeOn(executor) >= executor.capacity) {
        i++
        continue
      }
      const candidate = executor.usesLocalMemory ? this.budgeted.get(id) : undefined
      const running = [
        ...[...this.active].flatMap(([r, a]) => (a.on?.usesLocalMemory ? (this.budgeted.get(r) ?? []) : [])),
        ...this.foreignBudget.values(),
        ...(reserved ? [reserved] : []),
      ]
      if (candidate && running.length > 0 && !fitsNextTo(candidate, running, this.memoryBudgetBytes)) {
        reserved ??= candidate
        i++
        continue
      }
      this.queued.splice(i, 1)
      const life = this.start(id, executor)
      this.lifecycles.add(life)
      this.lifeOf.set(id, life)
      void life.finally(() => {
        this.lifecycles.delete(life)
        if (this.lifeOf.get(id) === life) this.lifeOf.delete(id)
      })
    }
    this.emitQueue()
    if (this.active.size === 0 && this.queued.length === 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }

  private async start(id: string, executor: Executor): Promise<void> {
    if (this.active.has(id)) return
    // Registered before the first await, so the run counts as active (not idle) from the moment it leaves
    // the queue.
    const a: Active = {
      on: executor,
      task: null,
      log: null,
      layers: null,
      record: null as unknown as RunRecord,
      writes: Promise.resolve(),
      lastProgressWrite: 0,
      cancelRequested: false,
      failure: null,
      failureCause: null,
      lost: false,
    }
    this.active.set(id, a)
    try {
      a.log = this.store.metricsLog(id, { onError: (e) => this.onWriteFailure(a, e) })
      a.layers = this.store.layersLog(id, { onError: (e) => this.onWriteFailure(a, e) })
      a.record = await this.store.get(id)
      const config = a.record.config as RunConfig & { seed: number }
      const last = await this.store.readCheckpoint(id, 'last', TRAINING_STATE)
      const resume = last ? toSolverCheckpoint(last) : null
      const policy = this.options.checksBeforeTraining ?? 'auto'
      const sanityChecks = shouldCheckInWorker(policy, a.record, resume !== null)
      const job: TrainJob = {
        runId: id,
        config,
        resume,
        sanityChecks,
        ...(this.options.progressIntervalMs !== undefined
          ? { progressIntervalMs: this.options.progressIntervalMs }
          : {}),
        ...(this.options.checkpointIntervalMs !== undefined
          ? { checkpointIntervalMs: this.options.checkpointIntervalMs }
          : {}),
      }
      const prepared = await executor.prepare(job)
      if (a.record.startedAt !== null) {
        // A resumed run: its log says where the earlier attempt's events stop counting.
        const fromIteration = resume?.state.iteration ?? 0
        a.log.append({ type: 'resume', fromIteration, fromEpoch: resume?.state.epoch ?? 0 })
        // The layer captures have no resume marker: what the earlier attempt captured past the
        // checkpoint is cut off before this one appends.
        await a.layers.truncateAfter(fromIteration)
        a.record.progress = {
          ...a.record.progress,
          iteration: fromIteration,
          epoch: resume?.state.epoch ?? 0,
        }
      }
      const t = now()
      // Records of older versions carry no attempt times: what they trained so far is start to finish.
      const activeMs =
        a.record.activeMs ?? closeAttempt(a.record, a.record.finishedAt ?? a.record.startedAt ?? t).activeMs
      a.record = await this.setStatus(id, {
        status: 'running',
        startedAt: a.record.startedAt ?? t,
        attemptStartedAt: t,
        activeMs,
        updatedAt: t,
        owner: this.owner,
        // The epoch this attempt actually starts from (an older checkpoint when the newest was damaged).
        checkpointEpoch: resume?.state.epoch ?? 0,
      })
      if (a.cancelRequested) throw new CancelledBeforeStart()
      a.task = executor.start(prepared, (m) => this.onWorkerMessage(a, m))
      if (this.closed || a.failure) a.task.cancel()
      const outcome = await a.task.done
      await a.writes
      await a.log.close()
      await a.layers.close()
      if (a.failure) await this.finish(id, a, { status: 'failed', error: a.failure })
      else if (outcome.status === 'completed') {
        await this.finish(id, a, { status: 'completed', result: outcome.result })
      } else if (outcome.status === 'failed') {
        await this.finish(id, a, { status: 'failed', error: outcome.error })
      } else {
        await this.finish(id, a, { status: this.closed ? 'interrupted' : 'cancelled' })
      }
    } catch (e) {
      await a.writes
      await a.log?.close().catch((err: unknown) => this.onWriteFailure(a, err))
      await a.layers?.close().catch((err: unknown) => this.onWriteFailure(a, err))
      if (e instanceof CancelledBeforeStart && !a.failure) {
        await this.finish(id, a, { status: 'cancelled' })
        return
      }
      this.onWriteFailure(a, e, { storageOnly: true })
      const iteration = a.record?.progress.iteration ?? 0
      if (a.failure) {
        await this.finish(id, a, { status: 'failed', error: { ...a.failure, iteration } })
        return
      }
      const estimateBytes = this.budgeted.get(id)?.bytes
      const memory = classifyRunFailure(e, {
        iteration,
        ...(estimateBytes !== undefined ? { estimateBytes } : {}),
      })
      if (memory) {
        await this.finish(id, a, { status: 'failed', error: memory })
        return
      }
      const message = e instanceof Error ? e.message : String(e)
      const reason = /dataset/i.test(message) && a.record?.status !== 'running' ? 'dataset' : 'crashed'
      await this.finish(id, a, { status: 'failed', error: { reason, message, iteration } })
    }
  }

  /**
   * Records the run's final state and lets the run go. A final record the disk refuses is kept in memory
   * (every view here shows it) and retried each poll, with the lock held until it is written; a run whose
   * lock another process took writes nothing.
   */
  private async finish(id: string, a: Active, patch: Partial<RunRecord>): Promise<void> {
    try {
      if (a.lost) return
      if (!a.record) {
        await this.locks.release(id).catch(() => undefined)
        return
      }
      if (patch.error?.reason === 'storage' && a.failureCause !== null) {
        // A folder being removed is only clearly gone once the removal is over (a recursive delete takes
        // a moment, and retries while the run still writes): give it that moment, then say what is gone.
        const folder = this.store.runDir(id)
        if ((a.failureCause as NodeJS.ErrnoException).code === 'ENOENT') {
          for (let i = 0; i < 40 && existsSync(folder); i++) await new Promise((r) => setTimeout(r, 50))
        }
        const worded = describeStorageProblem(a.failureCause, this.options.dataDir, folder)
        if (worded) patch = { ...patch, error: { ...patch.error, message: worded.message } }
      }
      const t = now()
      const final = {
        ...patch,
        progress: a.record.progress,
        finishedAt: patch.status === 'interrupted' ? null : t,
        updatedAt: t,
        owner: null,
        ...closeAttempt(a.record, t),
      }
      try {
        await this.setStatus(id, final)
        await this.locks.release(id)
      } catch (e) {
        const record = { ...a.record, ...final } as RunRecord
        this.unsaved.set(id, record)
        this.emit({ type: 'run', run: record })
        this.reportStorage(id, e)
      }
    } finally {
      this.active.delete(id)
      this.budgeted.delete(id)
      this.schedule()
    }
  }

  /**
   * A write for the run failed (disk full, folder removed, ...): the run stops at once and fails with a
   * reason a person can act on; what was flushed stays, so it resumes once the cause is fixed. With
   * `storageOnly`, errors that are not about storage are left to the caller.
   */
  private onWriteFailure(a: Active, err: unknown, { storageOnly = false } = {}): void {
    if (a.failure) return
    const id = a.record?.id
    const folder = id ? this.store.runDir(id) : undefined
    // The store reports a vanished run folder as "no run with id ...": a removed folder, to a person.
    // (It exists when it trains; the folder may still be going while this is decided.)
    const cause =
      err instanceof StoreError && err.code === 'not-found' && folder !== undefined
        ? Object.assign(new Error(err.message), { code: 'ENOENT', path: folder })
        : err
    const storage = describeStorageProblem(cause, this.options.dataDir, folder)
    if (storage === null && storageOnly) return
    const message =
      storage?.message ?? `could not save the run: ${err instanceof Error ? err.message : String(err)}`
    a.failure = { reason: storage === null ? 'crashed' : 'storage', message }
    a.failureCause = storage === null ? null : cause
    if (storage !== null && id) this.emitNotice(id, storage)
    a.task?.cancel()
  }

  /** Chains a write of the run after its earlier ones; a failure ends the run instead of escaping. */
  private persist(a: Active, write: () => Promise<unknown>): void {
    a.writes = a.writes.then(async () => {
      if (a.failure || a.lost) return
      try {
        await write()
      } catch (e) {
        this.onWriteFailure(a, e)
      }
    })
  }

  private reportStorage(id: string | null, err: unknown): void {
    const folder = id ? this.store.runDir(id) : undefined
    const problem = describeStorageProblem(err, this.options.dataDir, folder)
    if (problem !== null) this.emitNotice(id, problem)
  }

  private emitNotice(runId: string | null, problem: StorageProblem): void {
    this.emit({ type: 'notice', notice: { kind: 'storage', ...problem, runId, at: now() } })
  }

  /** The error to give a caller for a failed write: a WorkbenchError('storage') when it is one. */
  private storageError(e: unknown): WorkbenchError | null {
    const problem = describeStorageProblem(e, this.options.dataDir)
    if (problem === null) return null
    this.emitNotice(null, problem)
    return new WorkbenchError('storage', problem.message)
  }

  private onWorkerMessage(a: Active, m: ExecutorMessage): void {
    const id = a.record.id
    if (a.lost) return
    switch (m.type) {
      case 'placed': {
        a.record.placement = m.placement
        if (m.restartFrom) {
          // A cluster worker died and another continues from the last checkpoint: what the dead one
          // trained past it is superseded, in the log and in every live curve.
          const restart: MetricEvent = {
            type: 'resume',
            fromIteration: m.restartFrom.iteration,
            fromEpoch: m.restartFrom.epoch,
          }
          if (!a.log?.closed) a.log?.append(restart)
          if (a.layers && !a.layers.closed) {
            a.layers.truncateAfter(restart.fromIteration).catch((e: unknown) => this.onWriteFailure(a, e))
          }
          a.record.progress = {
            ...a.record.progress,
            iteration: restart.fromIteration,
            epoch: restart.fromEpoch,
          }
          this.emit({ type: 'metrics', runId: id, events: [restart] })
        }
        this.queueWrite(a, true)
        return
      }
      case 'started':
        a.record.environment = runEnvironment(m.engine)
        a.record.progress = m.progress
        this.queueWrite(a, true)
        return
      case 'metrics': {
        if (!a.log?.closed) for (const e of m.events) a.log?.append(e)
        a.record.progress = m.progress
        this.emit({ type: 'metrics', runId: id, events: m.events })
        const epochEnded = m.events.some((e) => e.type === 'epoch')
        this.queueWrite(a, epochEnded)
        return
      }
      case 'layers':
        if (a.layers && !a.layers.closed) for (const c of m.captures) a.layers.append(c)
        this.emit({ type: 'layers', runId: id, captures: m.captures })
        return
      case 'checkpoint': {
        const { tensors, state } = m.checkpoint
        this.persist(a, async () => {
          await this.store.writeCheckpoint(id, 'last', tensors, state)
          a.record.checkpointEpoch = m.epoch
        })
        this.queueWrite(a, true)
        return
      }
      case 'checks':
        a.record.checks = m.report
        this.persist(a, () => this.store.update(id, (r) => ({ ...r, checks: m.report })))
        this.emit({ type: 'run', run: a.record })
        return
      case 'best':
        this.persist(a, () => this.store.writeCheckpoint(id, 'best', m.params))
        return
      case 'snapshot':
        this.persist(a, () => writeSnapshot(this.store.runDir(id), m.epoch, m.W1, m.shape))
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
    const updatedAt = new Date(t).toISOString()
    a.record.updatedAt = updatedAt
    this.persist(a, () =>
      this.store.update(a.record.id, (r) => ({
        ...r,
        progress: snapshot.progress,
        environment: snapshot.environment,
        checkpointEpoch: a.record.checkpointEpoch,
        ...(snapshot.placement !== undefined ? { placement: snapshot.placement } : {}),
        updatedAt,
      })),
    )
    this.emit({ type: 'run', run: a.record })
  }

  private async setStatus(id: string, patch: Partial<RunRecord>): Promise<RunRecord> {
    const updated = await this.store.update(id, (r) => ({ ...r, ...patch }))
    // Whatever a full disk kept from being written earlier is superseded by what was just written.
    this.unsaved.delete(id)
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

  /** The executor a queued run goes to (a cluster run whose cluster is not configured here trains locally). */
  private executorOf(id: string): Executor {
    return this.toCluster.has(id) && this.cluster ? this.cluster : this.local
  }

  private activeOn(executor: Executor): number {
    let n = 0
    for (const a of this.active.values()) if (a.on === executor) n++
    return n
  }

  private place(id: string, trainOn: ExecutorName): void {
    if (trainOn === 'cluster') this.toCluster.add(id)
    else this.toCluster.delete(id)
  }

  /** Where a stored run asks to train, as this workbench can honour it. */
  private targetOf(r: RunRecord): ExecutorName {
    return r.placement?.executor === 'cluster' && this.cluster ? 'cluster' : 'local'
  }

  private checkTarget(trainOn: ExecutorName | undefined): ExecutorName {
    if (trainOn === 'cluster' && !this.cluster) {
      const message =
        'no cluster is configured here (start the app with $WORKBENCH_REDIS_URL set, or serve or run with --redis <url>)'
      throw new WorkbenchError('invalid-argument', `trainOn: ${message}`, [{ path: 'trainOn', message }])
    }
    return trainOn ?? 'local'
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

interface Admitted {
  info: DatasetInfo
  budget: BudgetedRun
}

/** The record's placement for a run about to queue: cluster runs wait for a worker, local ones have none. */
function placementPatch(trainOn: ExecutorName, previous?: RunRecord): Partial<RunRecord> {
  if (trainOn === 'cluster') return { placement: { executor: 'cluster', worker: null } }
  return previous?.placement ? { placement: null } : {}
}

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

/** The split sizes a dataset cannot satisfy, as field errors (validation comes from the train split). */
function splitErrors(config: RunConfig, info: DatasetInfo): FieldError[] {
  const { train, test } = info.counts
  const s = resolveSplits(
    { format: info.format, train: { count: train }, test: { count: test } },
    config.dataset,
  )
  const errors: FieldError[] = []
  const given = config.dataset
  if (s.numTraining + s.numValidation > train) {
    const path =
      given.numTraining !== undefined || given.numValidation === undefined
        ? 'dataset.numTraining'
        : 'dataset.numValidation'
    errors.push({
      path,
      message:
        `numTraining (${s.numTraining}) + numValidation (${s.numValidation}) exceed the ${train} training images ` +
        `of '${info.name}' (validation images come from the training split)`,
      issue: {
        code: 'trainSplitTooLarge',
        dataset: info.name,
        numTraining: s.numTraining,
        numValidation: s.numValidation,
        available: train,
      },
    })
  }
  if (s.numTest > test) {
    errors.push({
      path: 'dataset.numTest',
      message: `numTest (${s.numTest}) exceeds the ${test} test images of '${info.name}'`,
      issue: { code: 'testSplitTooLarge', dataset: info.name, numTest: s.numTest, available: test },
    })
  }
  return errors
}

/** A batch larger than the training split would repeat images within every step: refused up front. */
function batchErrors(config: RunConfig, info: DatasetInfo): FieldError[] {
  const { numTraining } = resolveSplits(
    { format: info.format, train: { count: info.counts.train }, test: { count: info.counts.test } },
    config.dataset,
  )
  const { batchSize } = config.solver
  if (batchSize <= numTraining) return []
  return [
    {
      path: 'solver.batchSize',
      message: `batchSize (${batchSize}) exceeds the ${numTraining} training images this run uses`,
      issue: { code: 'batchTooLarge', batchSize, numTraining },
    },
  ]
}

function notResumable(id: string, status: string): WorkbenchError {
  return new WorkbenchError('conflict', `run ${id} is ${status}: only ${RESUMABLE.join(', ')} runs resume`)
}

function ownedBy(id: string, holder: LockHolder): WorkbenchError {
  return new WorkbenchError(
    'conflict',
    `run ${id} is being trained by another process (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
      'cancel it there first',
  )
}

/** A bulk operation's failure for one run: its error's code and message. */
function failureOf(id: string, e: unknown): BulkFailure {
  if (e instanceof WorkbenchError || e instanceof StoreError) return { id, code: e.code, message: e.message }
  return { id, code: 'internal', message: e instanceof Error ? e.message : String(e) }
}

/** A sweep's short lock is named by the run id in its own id (`sweep-<run id>`). */
function sweepKey(sweepId: string): string {
  return sweepId.slice('sweep-'.length)
}

const CANCEL_REQUEST = 'cancel.request'
/** An older version's trainer rewrote run.json every 2 s: one silent this long is gone. */
const LEGACY_OWNER_FRESH_MS = 30_000
/** Polls between scans of every record for orphaned queued runs (about 10 s). */
const ORPHAN_SCAN_POLLS = 10

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
