/**
 * Follows the runs a command queued until each has finished. It waits on the runs' own statuses rather
 * than on Workbench.whenIdle(), which also waits for queued runs of earlier sessions that open() adopted.
 */
import type { RunRecord } from '../../src-shared/runs'
import type { Workbench } from '../core/workbench'
import { isFinished, type TrainingView } from './progress'

/** Between event-driven checks, run.json is read this often, in case an event was missed. */
const POLL_MS = 1000

export class Watcher {
  private readonly latest = new Map<string, RunRecord>()
  private watched = new Set<string>()
  private readonly checks = new Set<() => void>()
  private readonly unsubscribe: () => void

  /** Subscribe before creating runs: a short run may finish before createSweep returns. */
  constructor(
    private readonly wb: Workbench,
    readonly view: TrainingView,
  ) {
    this.unsubscribe = wb.subscribe((e) => {
      if (e.type === 'run') this.record(e.run)
      else if (e.type === 'metrics' && this.watched.has(e.runId)) this.view.metrics(e.runId, e.events)
    })
  }

  /** Starts showing these runs (with what happened to them so far). */
  watch(ids: string[]): void {
    this.watched = new Set(ids)
    for (const id of ids) {
      const r = this.latest.get(id)
      if (r) this.view.update(r)
    }
  }

  get(id: string): RunRecord | undefined {
    return this.latest.get(id)
  }

  unfinished(): string[] {
    return [...this.watched].filter((id) => !isFinished(this.latest.get(id)?.status ?? 'queued'))
  }

  /** True once every watched run has finished; false if `signal` fired or `timeoutMs` passed first. */
  untilFinished(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<boolean> {
    const { signal, timeoutMs } = options
    return new Promise((resolve) => {
      const end = (ok: boolean): void => {
        clearInterval(poll)
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        this.checks.delete(check)
        resolve(ok)
      }
      const check = (): void => {
        if (this.unfinished().length === 0) end(true)
      }
      const onAbort = (): void => end(false)
      const poll = setInterval(() => void this.refresh().then(check, () => undefined), POLL_MS)
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => end(false), timeoutMs)
      if (signal?.aborted) return end(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.checks.add(check)
      check()
    })
  }

  dispose(): void {
    this.unsubscribe()
  }

  private record(run: RunRecord): void {
    const prev = this.latest.get(run.id)
    // Never step back from a finished record (a slow poll may return an older one).
    if (prev && isFinished(prev.status) && !isFinished(run.status) && run.status !== 'queued') return
    this.latest.set(run.id, run)
    if (this.watched.has(run.id)) this.view.update(run)
    for (const check of [...this.checks]) check()
  }

  private async refresh(): Promise<void> {
    for (const id of this.unfinished()) {
      const r = await this.wb.getRun(id)
      // Only a finished status is taken from disk: a read racing a live event may be older than it.
      if (isFinished(r.status)) this.record(r)
    }
  }
}
