/**
 * A worker's messages for one run attempt, on their way to the submitter's stream: metrics and layer
 * captures are held and sent together (at most every `flushMs`, and before any other message so order
 * is kept), each message
 * numbered so the submitter can drop one delivered twice. The stream expires by itself if nobody reads it.
 */
import type { Redis } from 'ioredis'
import type { MetricEvent, RunProgress } from '../../../src-shared/runs'
import type { LayerCapture } from '../../../src-shared/layerStats'
import { encodeMessage } from './codec'
import { OUTBOX_TTL_MS } from './keys'
import type { ClusterMessage, Envelope } from './protocol'

// Appends, and gives the stream a lifetime only if it has none (its reader sets its own).
const XADD_SCRIPT = `
redis.call('xadd', KEYS[1], '*', 'm', ARGV[1])
if redis.call('pttl', KEYS[1]) < 0 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return 1`

export class Outbox {
  private seq = 0
  private events: MetricEvent[] = []
  private progress: RunProgress | null = null
  private captures: LayerCapture[] = []
  private timer: NodeJS.Timeout | null = null
  private chain: Promise<void> = Promise.resolve()
  /** Messages sent, metric batches counted once (tests check the batching). */
  sent = 0

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly run: string,
    readonly attempt: string,
    private readonly flushMs = 500,
  ) {}

  metrics(events: MetricEvent[], progress: RunProgress): void {
    this.events.push(...events)
    this.progress = progress
    // An epoch's accuracies are worth showing at once; iterations wait for the batch.
    if (events.some((e) => e.type === 'epoch')) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  /** Layer captures (issue 15) wait for the next batch like iterations do. */
  layers(captures: LayerCapture[]): void {
    this.captures.push(...captures)
    this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }

  send(body: ClusterMessage): Promise<void> {
    this.flush()
    return this.enqueue(body)
  }

  /** Sends the held metrics and captures now, metrics first (as the worker thread posted them). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.events.length > 0 && this.progress !== null) {
      const body: ClusterMessage = { type: 'metrics', events: this.events, progress: this.progress }
      this.events = []
      void this.enqueue(body)
    }
    if (this.captures.length > 0) {
      const body: ClusterMessage = { type: 'layers', captures: this.captures }
      this.captures = []
      void this.enqueue(body)
    }
  }

  /** Resolves when everything sent so far is in Redis. */
  drained(): Promise<void> {
    this.flush()
    return this.chain
  }

  private enqueue(body: ClusterMessage): Promise<void> {
    const envelope: Envelope = { run: this.run, attempt: this.attempt, seq: this.seq++, body }
    const payload = encodeMessage(envelope)
    this.sent++
    // In order: a later message never overtakes an earlier one. Commands wait while Redis is away.
    this.chain = this.chain
      .catch(() => undefined)
      .then(() => this.redis.eval(XADD_SCRIPT, 1, this.stream, payload, OUTBOX_TTL_MS).then(() => undefined))
    return this.chain
  }
}
