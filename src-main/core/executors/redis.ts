/**
 * The cluster executor: runs sent to workers on other machines through BullMQ on Redis (`workbench
 * worker`, core/cluster/worker.ts). The records stay here: every message a worker sends (metrics in
 * batches, checkpoints, snapshots, results) arrives on this process's stream and goes through the
 * Workbench as a local worker's would, so the store, the events and the UI are the same.
 *
 * Delivery is at least once, so each message is applied at most once: messages carry their attempt and
 * a sequence number, and only the attempt that last took the run counts (a worker thought dead that
 * comes back is ignored, and told to stop through the run's hash). Nothing here trusts Redis to keep its
 * data: every few seconds the runs' keys are refreshed, and a run whose job vanished (Redis restarted
 * empty, a job given up) is sent again from the last checkpoint this process received.
 */
import { randomBytes } from 'node:crypto'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { WorkerMachine } from '../../../src-shared/runs'
import type { RawDataset } from '../../../src-worker/data/types'
import type { TrainOutcome, WorkerMessage } from '../../../src-worker/train'
import { decodeMessage, encodeMessage } from '../cluster/codec'
import { DEFAULT_QUEUE, describeRedisError, type ClusterAddress } from '../cluster/connection'
import { datasetDigest, packBytes, packChunks } from '../cluster/datasetPack'
import {
  clusterKeys,
  DATASET_CHUNK_BYTES,
  DATASET_TTL_MS,
  OUTBOX_TTL_MS,
  RUN_TTL_MS,
  type ClusterKeys,
} from '../cluster/keys'
import {
  JOB_NAME,
  JOB_VERSION,
  parseEnvelope,
  type JobData,
  type StoredCheckpoint,
} from '../cluster/protocol'
import type { RunningTask } from '../pool'
import type { Executor, ExecutorContext, ExecutorMessage, PreparedJob, TrainJob } from './types'

export interface ClusterExecutorOptions {
  address: ClusterAddress
  queue?: string
  /** Ms between looks at workers and at the runs' jobs and keys; default 2000. */
  reconcileMs?: number
  /** After a cancel, how long to wait for the worker to confirm before the run is taken as stopped. */
  cancelTimeoutMs?: number
}

export interface ClusterStatus {
  /** `connecting` until Redis first answers; `reconnecting` while it is away. */
  state: 'connecting' | 'ready' | 'reconnecting'
  /** What is happening, for a person (the last connection error while away). */
  message: string | null
  /** The Redis URL without its password. */
  address: string
  queue: string
  workers: WorkerMachine[]
  /** Runs sent and not yet taken by a worker, and runs a worker trains. */
  waiting: number
  training: number
}

interface RemoteJob extends PreparedJob {
  digest: string
  raw: RawDataset
}

interface RemoteRun {
  job: TrainJob
  digest: string
  raw: RawDataset
  jobId: string
  onMessage: (m: ExecutorMessage) => void
  /** The attempt whose messages count (the one that last took the run). */
  current: string | null
  lastSeq: number
  placements: number
  cancelRequested: boolean
  cancelTimer: NodeJS.Timeout | null
  /** The newest checkpoint received, to send the run again from if its job is lost. */
  latest: StoredCheckpoint | null
  /** Consecutive looks that found its job or keys gone. */
  missing: number
  settled: boolean
  resolve: (o: TrainOutcome) => void
}

/** Looks in a row that must find a run's job gone before it is sent again (its last messages may be in flight). */
const MISSING_LOOKS = 3

export function clusterExecutor(options: ClusterExecutorOptions): (ctx: ExecutorContext) => RedisExecutor {
  return (ctx) => new RedisExecutor(ctx, options)
}

export class RedisExecutor implements Executor {
  readonly name = 'cluster' as const
  readonly usesLocalMemory = false
  readonly queueName: string
  private readonly keys: ClusterKeys
  private readonly redis: Redis
  /** For the blocking stream read, which holds its connection. */
  private readonly reader: Redis
  private readonly queue: Queue
  private readonly runs = new Map<string, RemoteRun>()
  private readonly uploads = new Map<string, Promise<void>>()
  private readonly listeners = new Set<(s: ClusterStatus) => void>()
  private workers: WorkerMachine[] = []
  private state: ClusterStatus['state'] = 'connecting'
  private message: string | null = null
  private lastId = '0-0'
  private closed = false
  private readonly timer: NodeJS.Timeout
  private reconciling: Promise<void> | null = null
  private readonly consuming: Promise<void>

  constructor(
    private readonly ctx: ExecutorContext,
    private readonly options: ClusterExecutorOptions,
  ) {
    this.queueName = options.queue ?? DEFAULT_QUEUE
    this.keys = clusterKeys(this.queueName)
    this.redis = new Redis({ ...options.address.options })
    this.reader = new Redis({ ...options.address.options })
    this.queue = new Queue(this.queueName, { connection: { ...options.address.options } })
    this.queue.on('error', (e) => this.onError(e))
    this.reader.on('error', () => undefined)
    this.redis.on('error', (e) => this.onError(e))
    this.redis.on('ready', () => {
      this.state = 'ready'
      this.message = null
      this.emitStatus()
      void this.reconcile()
    })
    this.redis.on('reconnecting', () => {
      if (this.state === 'ready') this.state = 'reconnecting'
      this.emitStatus()
    })
    this.timer = setInterval(() => void this.reconcile(), options.reconcileMs ?? 2000)
    this.timer.unref()
    this.consuming = this.consume()
  }

  /** Runs the workers can take at once, all together (0 while Redis is away or no worker is up). */
  get capacity(): number {
    if (this.state !== 'ready') return 0
    return this.workers.reduce((n, w) => n + w.concurrency, 0)
  }

  status(): ClusterStatus {
    const runs = [...this.runs.values()]
    return {
      state: this.state,
      message: this.message,
      address: this.options.address.display,
      queue: this.queueName,
      workers: this.workers,
      waiting: runs.filter((r) => r.current === null).length,
      training: runs.filter((r) => r.current !== null).length,
    }
  }

  subscribe(listener: (s: ClusterStatus) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async prepare(job: TrainJob): Promise<RemoteJob> {
    const raw = await this.ctx.datasets.load(job.config.dataset.name)
    return { job, raw, digest: datasetDigest(raw) }
  }

  start(prepared: PreparedJob, onMessage: (m: ExecutorMessage) => void): RunningTask {
    const { job, raw, digest } = prepared as RemoteJob
    let resolve: (o: TrainOutcome) => void = () => {}
    const done = new Promise<TrainOutcome>((r) => (resolve = r))
    const state = job.resume?.state
    const run: RemoteRun = {
      job,
      digest,
      raw,
      jobId: newJobId(job.runId),
      onMessage,
      current: null,
      lastSeq: -1,
      placements: 0,
      cancelRequested: false,
      cancelTimer: null,
      latest:
        job.resume && state
          ? { epoch: state.epoch, iteration: state.iteration, checkpoint: job.resume }
          : null,
      missing: 0,
      settled: false,
      resolve,
    }
    this.runs.set(job.runId, run)
    void this.submit(run).catch((e: unknown) => this.onError(e))
    this.emitStatus()
    return { done, cancel: () => this.cancel(run) }
  }

  async destroy(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    for (const run of this.runs.values()) this.settle(run, { status: 'cancelled' })
    await this.reconciling
    this.reader.disconnect()
    await this.consuming
    // Its stream has no reader any more.
    await this.redis.del(this.keys.outbox(this.ctx.origin)).catch(() => undefined)
    await this.queue.close().catch(() => undefined)
    await this.redis.quit().catch(() => this.redis.disconnect())
  }

  /** Puts the run's hash (and checkpoint) in place, then its job in the queue. */
  private async submit(run: RemoteRun): Promise<void> {
    const id = run.job.runId
    const runKey = this.keys.run(id)
    const ckptKey = this.keys.checkpoint(id)
    const m = this.redis
      .multi()
      .del(runKey)
      .hset(runKey, 'origin', this.ctx.origin, 'attempt', '')
      .pexpire(runKey, RUN_TTL_MS)
    if (run.latest) m.set(ckptKey, encodeMessage(run.latest), 'PX', RUN_TTL_MS)
    else m.del(ckptKey)
    await m.exec()
    const { job } = run
    const data: JobData = {
      v: JOB_VERSION,
      runId: id,
      origin: this.ctx.origin,
      config: job.config,
      dataset: { name: job.config.dataset.name, digest: run.digest },
      sanityChecks: job.sanityChecks,
      ...(job.progressIntervalMs !== undefined ? { progressIntervalMs: job.progressIntervalMs } : {}),
      ...(job.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: job.checkpointIntervalMs } : {}),
    }
    await this.queue.add(JOB_NAME, data, {
      jobId: run.jobId,
      // A worker that stops gives its job back by failing it; each retry continues from the checkpoint.
      attempts: 20,
      removeOnComplete: true,
      removeOnFail: true,
    })
  }

  private cancel(run: RemoteRun): void {
    if (run.settled) return
    if (run.cancelRequested) {
      this.settle(run, { status: 'cancelled' })
      return
    }
    run.cancelRequested = true
    run.cancelTimer = setTimeout(
      () => this.settle(run, { status: 'cancelled' }),
      this.options.cancelTimeoutMs ?? 10_000,
    )
    void (async () => {
      await this.redis.hset(this.keys.run(run.job.runId), 'cancel', '1')
      // A job no worker took yet is simply taken out of the queue (one a worker holds cannot be).
      const removed = await this.queue.remove(run.jobId).catch(() => 0)
      if (removed === 1 && run.current === null) this.settle(run, { status: 'cancelled' })
    })().catch(() => undefined)
  }

  private settle(run: RemoteRun, outcome: TrainOutcome): void {
    if (run.settled) return
    run.settled = true
    if (run.cancelTimer) clearTimeout(run.cancelTimer)
    this.runs.delete(run.job.runId)
    const id = run.job.runId
    void this.redis.del(this.keys.run(id), this.keys.checkpoint(id)).catch(() => undefined)
    void this.queue.remove(run.jobId).catch(() => undefined)
    if (![...this.runs.values()].some((r) => r.digest === run.digest)) void this.dropUpload(run.digest)
    run.resolve(outcome)
    this.emitStatus()
  }

  /** Reads this process's stream: every worker message for its runs, in order. */
  private async consume(): Promise<void> {
    const stream = this.keys.outbox(this.ctx.origin)
    while (!this.closed) {
      let res: [Buffer, [Buffer, Buffer[]][]][] | null
      try {
        res = (await this.reader.xreadBuffer('COUNT', 200, 'BLOCK', 1000, 'STREAMS', stream, this.lastId)) as
          [Buffer, [Buffer, Buffer[]][]][] | null
      } catch {
        if (this.closed) return
        await new Promise((r) => setTimeout(r, 500))
        continue
      }
      if (!res) continue
      const seen: string[] = []
      for (const [, entries] of res) {
        for (const [rawId, fields] of entries) {
          const id = rawId.toString()
          this.lastId = id
          seen.push(id)
          const at = fields.findIndex((f, i) => i % 2 === 0 && f.toString() === 'm')
          if (at < 0) continue
          await this.handle(fields[at + 1]!).catch(() => undefined)
        }
      }
      if (seen.length > 0) await this.redis.xdel(stream, ...seen).catch(() => undefined)
    }
  }

  private async handle(payload: Buffer): Promise<void> {
    let env
    try {
      env = parseEnvelope(decodeMessage(payload))
    } catch {
      return
    }
    if (env === null) return
    const run = this.runs.get(env.run)
    if (!run || run.settled) return
    const body = env.body
    if (body.type === 'dataset') {
      if (body.digest === run.digest) void this.upload(run.digest, run.raw)
      return
    }
    if (body.type === 'placed') {
      if (env.attempt === run.current) return
      run.current = env.attempt
      run.lastSeq = env.seq
      // A later attempt (a worker died, or the job was sent again) replays from its checkpoint.
      const restartFrom = run.placements > 0 ? (body.resumedFrom ?? { iteration: 0, epoch: 0 }) : null
      run.placements++
      run.onMessage({ type: 'placed', placement: { executor: 'cluster', worker: body.worker }, restartFrom })
      this.emitStatus()
      return
    }
    // An attempt that ends before it placed the run (a config or budget the worker refused) still counts.
    if (run.current === null) run.current = env.attempt
    if (env.attempt !== run.current || env.seq <= run.lastSeq) return
    run.lastSeq = env.seq
    if (body.type === 'done') {
      if (body.outcome.status !== 'abandoned') this.settle(run, body.outcome)
      else if (run.cancelRequested) this.settle(run, { status: 'cancelled' })
      return
    }
    if (body.type === 'checkpoint') {
      const blob = await this.redis.getBuffer(this.keys.checkpoint(env.run))
      if (blob === null) return
      const stored = decodeMessage(blob) as StoredCheckpoint
      run.latest = stored
      run.onMessage({ type: 'checkpoint', epoch: stored.epoch, checkpoint: stored.checkpoint })
      return
    }
    run.onMessage(body as WorkerMessage)
  }

  /** Workers, the runs' keys and jobs: refreshed, and runs whose job is gone sent again. */
  private reconcile(): Promise<void> {
    this.reconciling ??= (async () => {
      try {
        await this.lookAtWorkers()
        await this.redis.pexpire(this.keys.outbox(this.ctx.origin), OUTBOX_TTL_MS)
        for (const run of [...this.runs.values()]) await this.lookAtRun(run)
      } catch (e) {
        this.onError(e)
      } finally {
        this.reconciling = null
      }
    })()
    return this.reconciling
  }

  private async lookAtWorkers(): Promise<void> {
    const before = this.capacity
    const ids = await this.redis.smembers(this.keys.workers)
    const infos = ids.length > 0 ? await this.redis.mget(...ids.map((id) => this.keys.worker(id))) : []
    const live: WorkerMachine[] = []
    const gone: string[] = []
    infos.forEach((text, i) => {
      if (text === null) gone.push(ids[i]!)
      else {
        try {
          live.push(JSON.parse(text) as WorkerMachine)
        } catch {
          gone.push(ids[i]!)
        }
      }
    })
    if (gone.length > 0) await this.redis.srem(this.keys.workers, ...gone)
    const changed =
      JSON.stringify(live.map((w) => w.id).sort()) !== JSON.stringify(this.workers.map((w) => w.id).sort())
    this.workers = live.sort((a, b) => (a.id < b.id ? -1 : 1))
    if (changed) this.emitStatus()
    if (this.capacity !== before) this.ctx.onCapacityChange()
  }

  private async lookAtRun(run: RemoteRun): Promise<void> {
    if (run.settled) return
    const id = run.job.runId
    const [[, kept]] = ((await this.redis
      .multi()
      .pexpire(this.keys.run(id), RUN_TTL_MS)
      .pexpire(this.keys.checkpoint(id), RUN_TTL_MS)
      .exec()) ?? [[null, 0]]) as [unknown, number][] as [[unknown, number]]
    const state = await this.queue.getJobState(run.jobId)
    const lost = kept !== 1 || state === 'unknown' || state === 'failed' || state === 'completed'
    run.missing = lost ? run.missing + 1 : 0
    if (run.missing < MISSING_LOOKS || run.settled) return
    run.missing = 0
    if (run.cancelRequested) {
      this.settle(run, { status: 'cancelled' })
      return
    }
    // Sent again under a new job id; the worker that may still hold the old one sees the run's hash
    // name no attempt of its own and stops.
    run.jobId = newJobId(id)
    this.message = `run ${id}: its job was lost (Redis restarted or a worker gave it up); sent again from ${
      run.latest ? `epoch ${run.latest.epoch}` : 'the start'
    }`
    this.emitStatus()
    await this.submit(run)
  }

  /** Puts a dataset in Redis for a worker that has no copy (it checks the digest on arrival). */
  private upload(digest: string, raw: RawDataset): Promise<void> {
    let p = this.uploads.get(digest)
    if (!p) {
      p = (async () => {
        let n = 0
        for (const chunk of packChunks(raw, DATASET_CHUNK_BYTES)) {
          await this.redis.set(this.keys.datasetChunk(digest, n++), chunk, 'PX', DATASET_TTL_MS)
        }
        // Described last: a worker that sees the description finds every chunk.
        await this.redis.set(
          this.keys.dataset(digest),
          JSON.stringify({ chunks: n, bytes: packBytes(raw) }),
          'PX',
          DATASET_TTL_MS,
        )
      })()
      this.uploads.set(digest, p)
      p.catch(() => this.uploads.delete(digest))
    }
    return p
  }

  private async dropUpload(digest: string): Promise<void> {
    const p = this.uploads.get(digest)
    if (!p) return
    this.uploads.delete(digest)
    await p.catch(() => undefined)
    const text = await this.redis.get(this.keys.dataset(digest))
    const chunks = text ? (JSON.parse(text) as { chunks: number }).chunks : 0
    const keys = [
      this.keys.dataset(digest),
      ...Array.from({ length: chunks }, (_, i) => this.keys.datasetChunk(digest, i)),
    ]
    await this.redis.del(...keys)
  }

  private onError(e: unknown): void {
    const message = describeRedisError(e, this.options.address.display)
    if (message === this.message) return
    this.message = message
    this.emitStatus()
  }

  private emitStatus(): void {
    const s = this.status()
    for (const l of this.listeners) {
      try {
        l(s)
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

/** A job id per submission (BullMQ ids must not hold ':'): a run sent again is a new job. */
function newJobId(runId: string): string {
  return `${runId}.${randomBytes(4).toString('hex')}`
}
