/**
 * Iterations per second and the time left, for a run while it trains, for a queued run, and for the
 * whole queue. One definition for the run page, the queue panel and the summary export.
 *
 * Live rate: the progress updates a view receives (a `run` event every 200 ms or so while a run trains)
 * are folded into an exponentially weighted ratio of iterations to elapsed time, so the last ten seconds
 * or so count most and an accuracy check at an epoch end (a second with no new iterations) only dents
 * it. A ratio of sums rather than a mean of per-update rates: a short fast update does not outweigh a
 * long slow one. What is not training time is left out: the time before a run's first iteration of an
 * attempt (dataset loading, sanity checks), the dead time between a kill and a resume (a new attempt
 * starts a new baseline and keeps the rate, since the config is the same), and a pause (the process was
 * suspended, the laptop slept) spotted as a gap far longer than the rate predicts.
 *
 * Average rate (finished runs, the summary export): the iterations of the run's curve over its training
 * time as src-shared/runTiming.ts counts it (the sum of its attempts, never the time it lay dead).
 */
import type { RunConfig } from './config'
import type { RunRecord } from './runs'
import { runDurationMs } from './runTiming'

/** Time constant of the live rate's exponential weighting, in ms. */
export const RATE_TAU_MS = 10_000
/**
 * An update this many times later than the rate predicts for its iterations, and at least
 * PAUSE_MIN_MS after the one before, is a pause: its time is not training time and is left out. Shorter
 * gaps count (an accuracy check of a big conv net takes seconds, and it is training time). Also how long
 * without progress a run is "stalled" (no rate shown) rather than slow.
 */
export const PAUSE_FACTOR = 10
export const PAUSE_MIN_MS = 30_000
/** What a prior (the run's average so far, for a view opened mid-run) weighs, in ms of observation. */
export const PRIOR_WEIGHT_MS = 2_000

export interface RateTracker {
  /** The attempt the baseline belongs to (the record's attemptStartedAt). */
  attempt: string | null
  /** The last progress seen, and when (ms since 1970). */
  iteration: number
  at: number
  /** Exponentially weighted sums of iterations and of ms; their ratio is the rate. */
  iterations: number
  ms: number
  /**
   * Nothing measured since the baseline was set: until the first iteration of an attempt, the baseline
   * follows the updates (what comes before it, loading the data and the sanity checks, is not a rate).
   */
  fresh: boolean
}

export interface RateSample {
  iteration: number
  /** When the progress was seen, ms since 1970. */
  at: number
  attempt: string | null
  /** Iterations per second to start from when nothing was observed yet (the run's average so far). */
  prior?: number | null
}

/** Folds one progress update into the tracker; returns a new tracker (the old one is not changed). */
export function observeRate(t: RateTracker | null, s: RateSample): RateTracker {
  if (t === null || t.attempt !== s.attempt || s.iteration < t.iteration) {
    // A first sight, a new attempt (resumed: the iteration went back to its checkpoint) or a restart:
    // a new baseline. What was learnt about the speed stays; else the prior, if any, seeds it.
    const seeded = t === null || t.ms === 0
    const prior = s.prior !== undefined && s.prior !== null && s.prior > 0 ? s.prior : null
    return {
      attempt: s.attempt,
      iteration: s.iteration,
      at: s.at,
      iterations: seeded && prior !== null ? (prior * PRIOR_WEIGHT_MS) / 1000 : (t?.iterations ?? 0),
      ms: seeded && prior !== null ? PRIOR_WEIGHT_MS : (t?.ms ?? 0),
      // With a prior the baseline is a moment of training (a view opened mid-run), not its start.
      fresh: !(seeded && prior !== null),
    }
  }
  const dt = s.at - t.at
  const di = s.iteration - t.iteration
  if (dt <= 0) return t
  if (di === 0) {
    // Before the attempt's first iteration the baseline moves along; after it, it stays, so a stall is
    // counted once progress resumes (an accuracy check is training time), unless it was a pause.
    return t.fresh ? { ...t, at: s.at } : t
  }
  const rate = t.ms > 0 ? t.iterations / t.ms : null
  if (rate !== null && rate > 0 && dt > PAUSE_MIN_MS && dt > (PAUSE_FACTOR * di) / rate) {
    return { ...t, iteration: s.iteration, at: s.at, fresh: false }
  }
  const keep = Math.exp(-dt / RATE_TAU_MS)
  return {
    attempt: t.attempt,
    iteration: s.iteration,
    at: s.at,
    iterations: t.iterations * keep + di,
    ms: t.ms * keep + dt,
    fresh: false,
  }
}

/**
 * Iterations per second at `now`; null before anything was measured, or while the run has made no
 * progress for far longer than its rate predicts (stalled: a rate would promise what is not happening).
 */
export function liveRate(t: RateTracker | null, now: number): number | null {
  if (t === null || t.ms <= 0 || t.iterations <= 0) return null
  const perMs = t.iterations / t.ms
  const silent = now - t.at
  if (silent > PAUSE_MIN_MS && silent > PAUSE_FACTOR / perMs) return null
  return perMs * 1000
}

type Timed = Pick<
  RunRecord,
  'status' | 'startedAt' | 'finishedAt' | 'activeMs' | 'attemptStartedAt' | 'updatedAt' | 'progress'
>

/**
 * Iterations of the run's curve per second of training time (all attempts, without the dead time
 * between a kill and a resume; the start-up, sanity and accuracy checks included): what a run like it
 * takes, and the summary export's it/s. Null before a first iteration.
 */
export function averageRate(run: Timed, now: number): number | null {
  const ms = runDurationMs(run, now)
  const iterations = run.progress.iteration
  if (ms === null || ms <= 0 || iterations <= 0) return null
  return iterations / (ms / 1000)
}

/** ms until the run's last iteration at `rate` iterations per second; null without a rate. */
export function timeLeftMs(progress: RunRecord['progress'], rate: number | null): number | null {
  if (rate === null || !(rate > 0)) return null
  return (Math.max(0, progress.numIterations - progress.iteration) / rate) * 1000
}

/**
 * What decides how fast a run trains, as a key: runs with the same key take about as long per
 * iteration (the dataset and its splits, the architecture, the batch and the accuracy-check samples).
 * The learning rate, regularisation, init scale, update rule, seed and number of epochs do not change
 * the cost of an iteration (the update rules differ by a few element-wise passes next to the GEMMs).
 */
export function rateKey(config: RunConfig): string {
  const { weightScale: _w, reg: _r, ...architecture } = config.model
  return JSON.stringify([
    config.dataset,
    architecture,
    config.solver.batchSize,
    config.solver.numTrainSamples,
    config.solver.numValSamples,
  ])
}

export interface QueueEtaInput {
  /** ms left of each running run (null: unknown). */
  running: readonly (number | null)[]
  /** ms each queued run will take, in queue order (null: unknown). */
  queued: readonly (number | null)[]
  /** How many runs train at once. */
  threads: number
}

export interface QueueEta {
  /** ms until the last run finishes, the unknown ones counted as 0 (then a lower bound). */
  ms: number
  /** How many runs had no estimate. */
  unknown: number
}

/**
 * When the whole queue is done: the scheduler's order replayed, each queued run starting on the first
 * thread to come free. (The memory budget can hold a run back where a thread is free; the estimate then
 * comes out early.) Null when nothing is running or queued.
 */
export function queueEta({ running, queued, threads }: QueueEtaInput): QueueEta | null {
  if (running.length === 0 && queued.length === 0) return null
  const slots = Array.from({ length: Math.max(1, Math.floor(threads), running.length) }, () => 0)
  let unknown = 0
  running.forEach((ms, i) => {
    if (ms === null) unknown++
    slots[i] = ms ?? 0
  })
  for (const ms of queued) {
    if (ms === null) unknown++
    let first = 0
    for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[first]!) first = i
    slots[first] = slots[first]! + (ms ?? 0)
  }
  return { ms: Math.max(...slots), unknown }
}
