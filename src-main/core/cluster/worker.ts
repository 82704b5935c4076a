/**
 * `workbench worker`: a process on any machine that takes runs from the cluster queue (BullMQ on Redis)
 * and trains them on its own pool with the same engine and worker code as local runs. Each attempt claims
 * the run in its Redis hash first, so an attempt that lost the run (its worker was thought dead, Redis
 * restarted) notices, stops and writes nothing more; a retried attempt continues from the last checkpoint
 * kept in Redis. Configs are validated and held to this machine's memory budget as local runs are.
 */
import { randomBytes } from 'node:crypto'
import { totalmem } from 'node:os'
import { join } from 'node:path'
import { Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { formatFieldErrors, type RunConfig } from '../../../src-shared/config'
import { checkRunConfig } from '../../../src-shared/fieldIssue'
import { estimateForDataset } from '../../../src-shared/datasetMemory'
import { fieldErrorFor } from '../../../src-shared/memoryEstimate'
import { fitsNextTo, resolveMemoryBudget, type BudgetedRun } from '../../../src-shared/memoryBudget'
import type { RunError, WorkerMachine } from '../../../src-shared/runs'
import { meanImageAsync, resolveSplits } from '../../../src-worker/data/prepare'
import type { RawDataset } from '../../../src-worker/data/types'
import type { TrainOutcome } from '../../../src-worker/train'
import { appPaths } from '../appPaths'
import { DatasetRegistry } from '../datasets'
import { TrainingPool, type RunningTask } from '../pool'
import { decodeMessage, encodeMessage } from './codec'
import { describeRedisError, type ClusterAddress } from './connection'
import { clusterKeys, RUN_TTL_MS, WORKER_TTL_MS, type ClusterKeys } from './keys'
import { machineInfo, workerId } from './machine'
import { Outbox } from './outbox'
import { JOB_VERSION, JobDataSchema, type JobData, type StoredCheckpoint } from './protocol'
import { WorkerDatasets } from './workerDatasets'

export interface ClusterWorkerOptions {
  address: ClusterAddress
  queue: string
  concurrency: number
  dataDir: string
  builtinDatasetsDir?: string
  /** Memory the runs training here at once may take together (as --memory-budget). */
  memoryBudget?: string
  /** How long a silent worker keeps its job before another may take it (BullMQ's lock); default 30 s. */
  lockDurationMs?: number
  /** The pool's worker module (tests). */
  workerFile?: string
  /** Lines for the person running the worker. */
  log?: (line: string) => void
  /** How long to wait for a dataset from the submitter. */
  transferTimeoutMs?: number
}

// Saves the checkpoint only for the attempt that owns the run: one that lost it never overwrites a newer one.
const SAVE_CHECKPOINT = `
if redis.call('hget', KEYS[1], 'attempt') ~= ARGV[1] then return 0 end
redis.call('set', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`

interface Training {
  task: RunningTask | null
  budget: BudgetedRun
  /** Why this attempt stops without an outcome of its own (it lost the run, or the worker stops). */
  abandoned: string | null
  /** The task was asked to stop (it is asked once). */
  stopAsked: boolean
  watching: boolean
}

export class ClusterWorker {
  readonly id = workerId()
  private readonly redis: Redis
  private readonly keys: ClusterKeys
  private readonly pool: TrainingPool
  private readonly datasets: WorkerDatasets
  private readonly budgetBytes: number
  private readonly training = new Map<string, Training>()
  private readonly means = new Map<string, Promise<Float32Array>>()
  private bull: Worker | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private blasCore: string | null = null
  private stopping = false
  private budgetWaiters: (() => void)[] = []
  private lastError = ''
  /** Outcomes this worker reported, by run (tests and the log). */
  readonly finished: { runId: string; status: string }[] = []
  /** Messages sent through Redis, all runs together (metrics go in batches). */
  messagesSent = 0

  constructor(private readonly options: ClusterWorkerOptions) {
    const budget = resolveMemoryBudget(options.memoryBudget, totalmem())
    if (!budget.ok) throw new RangeError(`memory budget: ${budget.message}`)
    this.budgetBytes = budget.bytes
    this.keys = clusterKeys(options.queue)
    this.redis = new Redis({ ...options.address.options })
    this.redis.on('error', (e) => this.onRedisError(e))
    this.pool = new TrainingPool({
      maxThreads: options.concurrency,
      ...(options.workerFile ? { filename: options.workerFile } : {}),
    })
    const registry = new DatasetRegistry(options.dataDir, {
      builtinDir: options.builtinDatasetsDir ?? appPaths().builtinDatasetsDir,
    })
    this.datasets = new WorkerDatasets(
      registry,
      join(options.dataDir, 'cluster', 'datasets'),
      this.redis,
      this.keys,
      options.transferTimeoutMs,
    )
  }

  get machine(): WorkerMachine {
    return machineInfo(this.id, this.options.concurrency, this.blasCore)
  }

  /** Registers the worker and starts taking jobs. */
  async start(): Promise<void> {
    await this.beat()
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), WORKER_TTL_MS / 3)
    this.bull = new Worker(this.options.queue, (job: Job) => this.process(job), {
      connection: { ...this.options.address.options },
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(500, Math.floor((this.options.lockDurationMs ?? 30_000) / 2)),
      // A job whose worker died is given to another, several times over (each continues from the last checkpoint).
      maxStalledCount: 10,
    })
    this.bull.on('error', (e) => this.onRedisError(e))
    this.log(
      `worker ${this.id}: ${this.options.concurrency} at a time, queue ${this.options.queue} on ${this.options.address.display}`,
    )
  }

  /**
   * Stops taking jobs; runs training here stop at their next step and go back to the queue, to continue
   * from their last checkpoint on another worker.
   */
  async close(): Promise<void> {
    this.stopping = true
    if (this.heartbeat) clearInterval(this.heartbeat)
    for (const t of this.training.values()) {
      t.abandoned ??= 'the worker stopped'
      if (!t.stopAsked) t.task?.cancel()
      t.stopAsked = true
    }
    await this.bull?.close()
    await this.redis
      .multi()
      .del(this.keys.worker(this.id))
      .srem(this.keys.workers, this.id)
      .exec()
      .catch(() => undefined)
    await this.pool.destroy()
    this.redis.disconnect()
  }

  private async beat(): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.worker(this.id), JSON.stringify(this.machine), 'PX', WORKER_TTL_MS)
      .sadd(this.keys.workers, this.id)
      .exec()
  }

  private onRedisError(e: unknown): void {
    const line = describeRedisError(e, this.options.address.display)
    // A Redis away for a while repeats its error at every retry: said once until it changes.
    if (line !== this.lastError) this.log(line)
    this.lastError = line
  }

  private log(line: string): void {
    this.options.log?.(line)
  }

  private async process(job: Job): Promise<void> {
    const parsed = JobDataSchema.safeParse(job.data)
    if (!parsed.success) {
      const v = (job.data as { v?: unknown } | null)?.v
      this.log(
        v !== JOB_VERSION
          ? `job ${job.id}: made by another Workbench version (job version ${String(v)}, this worker reads ${JOB_VERSION}); skipped`
          : `job ${job.id}: malformed job data; skipped`,
      )
      return
    }
    const data = parsed.data
    const attempt = `${this.id}.${job.attemptsStarted}.${randomBytes(3).toString('hex')}`
    const runKey = this.keys.run(data.runId)
    // Claimed only while the submitter still wants it (its hash exists): this attempt owns the run now.
    const claimed = await this.redis.eval(
      `if redis.call('exists', KEYS[1]) == 0 then return 0 end
       redis.call('hset', KEYS[1], 'attempt', ARGV[1]) return 1`,
      1,
      runKey,
      attempt,
    )
    if (claimed !== 1) {
      this.log(`run ${data.runId}: no longer submitted (finished, cancelled, or its app closed); skipped`)
      return
    }
    const out = new Outbox(this.redis, this.keys.outbox(data.origin), data.runId, attempt)
    const t: Training = {
      task: null,
      budget: { bytes: 0, dataset: '', datasetBytes: 0 },
      abandoned: null,
      stopAsked: false,
      watching: false,
    }
    this.training.set(data.runId, t)
    const watch = setInterval(() => void this.watch(runKey, attempt, t), 500)
    try {
      const outcome = await this.train(data, out, t)
      await out.send({
        type: 'done',
        outcome: t.abandoned ? { status: 'abandoned', reason: t.abandoned } : outcome,
      })
      await out.drained()
      this.messagesSent += out.sent
      this.finished.push({ runId: data.runId, status: t.abandoned ? 'abandoned' : outcome.status })
      this.log(`run ${data.runId}: ${t.abandoned ? `stopped (${t.abandoned})` : outcome.status}`)
      // A worker that stops gives the job back: BullMQ retries it, on another worker, from the checkpoint.
      if (t.abandoned && this.stopping) throw new Error(`run ${data.runId}: ${t.abandoned}`)
    } finally {
      clearInterval(watch)
      this.training.delete(data.runId)
      this.wakeBudgetWaiters()
    }
  }

  /** Every half second: a cancel from the submitter, or the run lost to another attempt or gone. */
  private async watch(runKey: string, attempt: string, t: Training): Promise<void> {
    if (t.watching || t.stopAsked) return
    t.watching = true
    try {
      const [origin, owner, cancel] = await this.redis.hmget(runKey, 'origin', 'attempt', 'cancel')
      if (cancel === '1') t.stopAsked = true
      else if (origin === null) t.abandoned ??= 'the run is no longer submitted'
      else if (owner !== attempt) t.abandoned ??= 'another worker took the run over'
      if (t.abandoned) t.stopAsked = true
      // Once: a second cancel would stop the thread outright instead of at the next step.
      if (t.stopAsked) t.task?.cancel()
    } finally {
      t.watching = false
    }
  }

  private async train(data: JobData, out: Outbox, t: Training): Promise<TrainOutcome> {
    const fail = (reason: RunError['reason'], message: string): TrainOutcome => ({
      status: 'failed',
      error: { reason, message, iteration: 0 },
    })
    const checked = checkRunConfig(data.config)
    if (!checked.ok) return fail('invalid', `invalid run config: ${formatFieldErrors(checked.errors)}`)
    const config = checked.value
    if (typeof config.seed !== 'number')
      return fail('invalid', 'invalid run config: seed: a cluster run needs one')
    const seeded = { ...config, seed: config.seed }
    let raw: RawDataset
    try {
      raw = await this.datasets.get(data.dataset.name, data.dataset.digest, () =>
        out.send({ type: 'dataset', name: data.dataset.name, digest: data.dataset.digest }),
      )
    } catch (e) {
      return fail('dataset', `dataset '${data.dataset.name}' on worker ${this.id}: ${(e as Error).message}`)
    }
    const stored = await this.redis.getBuffer(this.keys.checkpoint(data.runId))
    let resume: StoredCheckpoint | null = null
    if (stored) {
      try {
        resume = decodeMessage(stored) as StoredCheckpoint
      } catch {
        this.log(`run ${data.runId}: its checkpoint in Redis is damaged; starting it afresh`)
      }
    }
    const facts = {
      format: raw.format,
      counts: { train: raw.train.count, test: raw.test.count },
      shape: raw.shape,
      classNames: raw.classNames,
    }
    const estimate = estimateForDataset(seeded, facts, {
      sanityChecks: data.sanityChecks,
      resume: resume !== null,
    })
    const tooBig = fieldErrorFor(estimate, this.budgetBytes, seeded)
    if (tooBig) return fail('memory', `on worker ${this.id}: ${tooBig.message}`)
    t.budget = { bytes: estimate.bytes, dataset: data.dataset.digest, datasetBytes: estimate.datasetBytes }
    await this.untilFits(data.runId, t)
    if (t.stopAsked) return { status: 'cancelled' }
    const mean = await this.meanFor(seeded, raw, data.dataset.digest)
    await out.send({
      type: 'placed',
      worker: this.machine,
      resumedFrom: resume ? { iteration: resume.iteration, epoch: resume.epoch } : null,
    })
    this.log(
      `run ${data.runId} "${seeded.name}": training${resume ? ` from epoch ${resume.epoch}` : ''} (dataset from ${this.datasets.sources.get(data.dataset.digest) ?? '?'})`,
    )
    const runKey = this.keys.run(data.runId)
    const ckptKey = this.keys.checkpoint(data.runId)
    let saving: Promise<unknown> = Promise.resolve()
    t.task = this.pool.run(
      {
        runId: data.runId,
        config: seeded,
        raw,
        mean,
        resume: resume?.checkpoint ?? null,
        sanityChecks: data.sanityChecks,
        ...(data.progressIntervalMs !== undefined ? { progressIntervalMs: data.progressIntervalMs } : {}),
        ...(data.checkpointIntervalMs !== undefined
          ? { checkpointIntervalMs: data.checkpointIntervalMs }
          : {}),
      },
      (m) => {
        if (t.abandoned) return
        if (m.type === 'metrics') return out.metrics(m.events, m.progress)
        if (m.type === 'layers') return out.layers(m.captures)
        if (m.type === 'checkpoint') {
          const blob = encodeMessage({
            epoch: m.epoch,
            iteration: m.checkpoint.state.iteration,
            checkpoint: m.checkpoint,
          } satisfies StoredCheckpoint)
          // Saved first, announced after: the submitter reads what the message announces.
          saving = saving.then(() =>
            this.redis
              .eval(SAVE_CHECKPOINT, 2, runKey, ckptKey, out.attempt, blob, RUN_TTL_MS)
              .then((ok) => (ok === 1 ? out.send({ type: 'checkpoint', epoch: m.epoch }) : undefined))
              .catch(() => undefined),
          )
          return
        }
        if (m.type === 'end') return
        if (m.type === 'started')
          this.blasCore = m.engine.core ?? (m.engine.backend === 'ts' ? null : m.engine.library)
        void saving.then(() => out.send(m))
      },
    )
    if (t.stopAsked) t.task.cancel()
    const outcome = await t.task.done
    await saving
    return outcome
  }

  /** Waits until the run fits in this machine's budget next to those training here. */
  private async untilFits(runId: string, t: Training): Promise<void> {
    for (;;) {
      if (t.abandoned || this.stopping) return
      const others = [...this.training]
        .filter(([id, o]) => id !== runId && o.task !== null)
        .map(([, o]) => o.budget)
      if (others.length === 0 || fitsNextTo(t.budget, others, this.budgetBytes)) return
      await new Promise<void>((r) => {
        this.budgetWaiters.push(r)
        setTimeout(r, 1000)
      })
    }
  }

  private wakeBudgetWaiters(): void {
    const w = this.budgetWaiters
    this.budgetWaiters = []
    for (const r of w) r()
  }

  /** As the Workbench computes it: the same function over the same bytes, so the same mean bit for bit. */
  private meanFor(config: RunConfig, raw: RawDataset, digest: string): Promise<Float32Array> {
    const splits = resolveSplits(raw, config.dataset)
    const key = `${digest}:${splits.numTraining}`
    let mean = this.means.get(key)
    if (!mean) {
      const D = raw.shape[0] * raw.shape[1] * raw.shape[2]
      mean = meanImageAsync(raw.train.images, splits.numTraining, D)
      this.means.set(key, mean)
      mean.catch(() => this.means.delete(key))
    }
    return mean
  }
}
