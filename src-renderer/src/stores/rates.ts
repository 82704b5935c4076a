/**
 * How fast runs train and when they will be done (src-shared/trainingRate.ts), kept from the `run`
 * events main sends while they train: one tracker per running run, fed with each progress update at the
 * moment it arrives. Its own subscription, so the runs store stays as it is.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { RunRecord } from '../../../src-shared/runs'
import {
  averageRate,
  liveRate,
  observeRate,
  queueEta,
  rateKey,
  timeLeftMs,
  type QueueEta,
  type RateTracker,
} from '../../../src-shared/trainingRate'
import { getApi } from '../api'
import { useRunsStore } from './runs'

export const useRatesStore = defineStore('rates', () => {
  const api = getApi()
  const runs = useRunsStore()
  const trackers = ref<Record<string, RateTracker>>({})

  function observe(run: RunRecord, at = Date.now()): void {
    if (run.status !== 'running') return
    const previous = trackers.value[run.id] ?? null
    trackers.value[run.id] = observeRate(previous, {
      iteration: run.progress.iteration,
      at,
      attempt: run.attemptStartedAt ?? null,
      // A run that was training before this page saw it: its average so far, until updates say more.
      prior: previous ? null : averageRate(run, at),
    })
  }
  api.on('run', (run) => observe(run))

  /** Iterations per second of a running run at `now`; null while unknown (starting, stalled). */
  function rateOf(run: RunRecord, now: number): number | null {
    if (run.status !== 'running') return null
    const t = trackers.value[run.id]
    return t ? liveRate(t, now) : averageRate(run, now)
  }

  // Finished runs keep their config objects while the list is rebuilt on every progress update: their
  // keys are worked out once.
  const keys = new WeakMap<object, string>()
  function keyOf(run: RunRecord): string {
    let key = keys.get(run.config)
    if (key === undefined) keys.set(run.config, (key = rateKey(run.config)))
    return key
  }

  /** Speeds measured per rateKey: finished runs' averages (runs training now come first, in rateLike). */
  const finishedRates = computed(() => {
    const byKey = new Map<string, { rate: number; at: string }>()
    for (const r of runs.list) {
      if (r.status !== 'completed' || !r.finishedAt) continue
      const rate = averageRate(r, Date.parse(r.finishedAt))
      if (rate === null) continue
      const key = keyOf(r)
      const seen = byKey.get(key)
      // The most recent run says most about this machine as it is now.
      if (!seen || seen.at < r.finishedAt) byKey.set(key, { rate, at: r.finishedAt })
    }
    return byKey
  })

  /** The speed a run like this one trains at now: one training beside it, else the latest finished. */
  function rateLike(run: RunRecord, now: number): number | null {
    const key = keyOf(run)
    for (const id of Object.keys(trackers.value)) {
      const other = runs.byId[id]
      if (!other || other.status !== 'running' || keyOf(other) !== key) continue
      const rate = rateOf(other, now)
      if (rate !== null) return rate
    }
    return finishedRates.value.get(key)?.rate ?? null
  }

  /**
   * ms until the run's last iteration: a running run at its own rate (or, while that is unknown, at the
   * rate of a run like it); a queued run, how long it will take once started. Null without an estimate.
   */
  function timeLeft(run: RunRecord, now: number): number | null {
    if (run.status === 'running') {
      return timeLeftMs(run.progress, rateOf(run, now) ?? rateLike(run, now))
    }
    if (run.status === 'queued') {
      // A resumed run waiting in the queue starts again from its checkpoint, not from where it stopped.
      const { numIterations, numEpochs } = run.progress
      const iteration = numEpochs > 0 ? Math.round((run.checkpointEpoch * numIterations) / numEpochs) : 0
      return timeLeftMs({ ...run.progress, iteration }, rateLike(run, now))
    }
    return null
  }

  /** A running run that was measured but has made no progress for far longer than its rate predicts. */
  function stalled(run: RunRecord, now: number): boolean {
    const t = trackers.value[run.id]
    return run.status === 'running' && !!t && t.ms > 0 && liveRate(t, now) === null
  }

  /** When the queue is done, running and queued runs together, on `threads` threads. */
  function queueTime(
    running: RunRecord[],
    queued: RunRecord[],
    threads: number,
    now: number,
  ): QueueEta | null {
    return queueEta({
      running: running.map((r) => timeLeft(r, now)),
      queued: queued.map((r) => timeLeft(r, now)),
      threads,
    })
  }

  return { trackers, observe, rateOf, rateLike, timeLeft, stalled, queueTime }
})
