import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from './config'
import type { RunRecord } from './runs'
import {
  averageRate,
  liveRate,
  observeRate,
  queueEta,
  rateKey,
  RATE_TAU_MS,
  timeLeftMs,
  type RateTracker,
} from './trainingRate'

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0)

/** Feeds progress updates every `stepMs` at `perSecond` from `(iteration, at)` for `ms`; returns the last. */
function train(
  t: RateTracker | null,
  from: { iteration: number; at: number },
  perSecond: number,
  ms: number,
  stepMs = 200,
  attempt: string | null = 'a1',
): { t: RateTracker; iteration: number; at: number } {
  let { iteration, at } = from
  let tracker = t
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    at += stepMs
    iteration += Math.round((perSecond * stepMs) / 1000)
    tracker = observeRate(tracker, { iteration, at, attempt })
  }
  return { t: tracker!, iteration, at }
}

describe('the live rate', () => {
  it('measures a steady run', () => {
    const start = observeRate(null, { iteration: 0, at: T0, attempt: 'a1' })
    const { t, at } = train(start, { iteration: 0, at: T0 }, 1000, 5000)
    expect(liveRate(t, at)).toBeCloseTo(1000, 6)
  })

  it('is smoothed: noisy updates average out, a change of speed comes through over seconds', () => {
    let t = observeRate(null, { iteration: 0, at: T0, attempt: 'a1' })
    let iteration = 0
    let at = T0
    // 200 ms updates alternating 800 and 1200 it/s, with uneven spacing (150 / 250 ms).
    for (let i = 0; i < 100; i++) {
      const dt = i % 2 ? 150 : 250
      iteration += Math.round(((i % 2 ? 1200 : 800) * dt) / 1000)
      at += dt
      t = observeRate(t, { iteration, at, attempt: 'a1' })
    }
    const rate = liveRate(t, at)!
    expect(rate).toBeGreaterThan(900)
    expect(rate).toBeLessThan(1100)
    // Another run starts beside it and this one halves its speed.
    const oneSecond = train(t, { iteration, at }, 500, 1000)
    expect(liveRate(oneSecond.t, oneSecond.at)).toBeGreaterThan(850)
    const later = train(oneSecond.t, oneSecond, 500, 4 * RATE_TAU_MS)
    expect(liveRate(later.t, later.at)).toBeGreaterThan(490)
    expect(liveRate(later.t, later.at)).toBeLessThan(525)
  })

  it('counts an accuracy check (a second without iterations) as training time', () => {
    const a = train(
      observeRate(null, { iteration: 0, at: T0, attempt: 'a1' }),
      { iteration: 0, at: T0 },
      1000,
      20_000,
    )
    // The check: updates keep coming with the same iteration, then training goes on.
    let t = a.t
    for (let ms = 200; ms <= 1000; ms += 200)
      t = observeRate(t, { iteration: a.iteration, at: a.at + ms, attempt: 'a1' })
    const b = train(t, { iteration: a.iteration, at: a.at + 1000 }, 1000, 200)
    // 1.2 s for 200 iterations weighs about a tenth of the ten-second window: a dent, not a drop.
    const rate = liveRate(b.t, b.at)!
    expect(rate).toBeLessThan(950)
    expect(rate).toBeGreaterThan(850)
    const c = train(b.t, b, 1000, 5 * RATE_TAU_MS)
    expect(liveRate(c.t, c.at)).toBeGreaterThan(995)
  })

  it('is robust to pauses: a suspended process or a sleeping laptop does not drag the rate down', () => {
    const a = train(
      observeRate(null, { iteration: 0, at: T0, attempt: 'a1' }),
      { iteration: 0, at: T0 },
      1000,
      10_000,
    )
    // The machine slept for ten minutes, right after 200 more iterations.
    const wake = a.at + 10 * 60_000
    const t = observeRate(a.t, { iteration: a.iteration + 200, at: wake, attempt: 'a1' })
    expect(liveRate(t, wake)).toBeCloseTo(1000, 0)
    const b = train(t, { iteration: a.iteration + 200, at: wake }, 1000, 2000)
    expect(liveRate(b.t, b.at)).toBeCloseTo(1000, 0)
  })

  it('says nothing while a run makes no progress for far longer than its rate predicts', () => {
    const a = train(
      observeRate(null, { iteration: 0, at: T0, attempt: 'a1' }),
      { iteration: 0, at: T0 },
      1000,
      5000,
    )
    expect(liveRate(a.t, a.at + 10_000)).not.toBeNull()
    expect(liveRate(a.t, a.at + 31_000)).toBeNull()
    // A slow run (an iteration every 20 s) is slow, not stalled, 40 s after its last iteration.
    let slow = observeRate(null, { iteration: 0, at: T0, attempt: 'a1' })
    for (let i = 1; i <= 10; i++)
      slow = observeRate(slow, { iteration: i, at: T0 + i * 20_000, attempt: 'a1' })
    expect(liveRate(slow, T0 + 240_000)).toBeCloseTo(0.05, 6)
  })

  it('leaves out what comes before the first iteration: loading the data, the sanity checks', () => {
    // `running` at iteration 0, then four seconds of checks (updates at iteration 0), then training.
    let t = observeRate(null, { iteration: 0, at: T0, attempt: 'a1' })
    t = observeRate(t, { iteration: 0, at: T0 + 4000, attempt: 'a1' })
    const a = train(t, { iteration: 0, at: T0 + 4000 }, 2000, 400)
    expect(liveRate(a.t, a.at)).toBeCloseTo(2000, 6)
  })

  it('starts from a prior (the run so far) when a view opens mid-run, then follows what it sees', () => {
    const t = observeRate(null, { iteration: 30_000, at: T0, attempt: 'a1', prior: 800 })
    expect(liveRate(t, T0)).toBeCloseTo(800, 6)
    const a = train(t, { iteration: 30_000, at: T0 }, 1000, 3 * RATE_TAU_MS)
    expect(liveRate(a.t, a.at)).toBeGreaterThan(990)
  })

  it('follows a run resumed from a checkpoint: no dead time, no negative step, the same speed', () => {
    const a = train(
      observeRate(null, { iteration: 0, at: T0, attempt: 'a1' }),
      { iteration: 0, at: T0 },
      1000,
      10_000,
    )
    expect(a.iteration).toBe(10_000)
    // Killed at 10,000; an hour later resumed from the checkpoint of iteration 8,100 (a new attempt).
    const resumedAt = a.at + 3_600_000
    let t = observeRate(a.t, { iteration: 8100, at: resumedAt, attempt: 'a2' })
    expect(t.iteration).toBe(8100)
    expect(liveRate(t, resumedAt)).toBeCloseTo(1000, 6)
    // Its first iterations come after reading the checkpoint back: that second is not counted either.
    t = observeRate(t, { iteration: 8100, at: resumedAt + 1000, attempt: 'a2' })
    const b = train(t, { iteration: 8100, at: resumedAt + 1000 }, 1000, 2000, 200, 'a2')
    expect(liveRate(b.t, b.at)).toBeCloseTo(1000, 6)
    // The replayed iterations are still to do: 20,000 planned, at 10,100 now.
    expect(timeLeftMs({ iteration: b.iteration, numIterations: 20_000, epoch: 0, numEpochs: 1 }, 1000)).toBe(
      (9900 * 1000) / 1000,
    )
  })
})

describe('the average rate', () => {
  const base: Pick<
    RunRecord,
    'status' | 'startedAt' | 'finishedAt' | 'activeMs' | 'attemptStartedAt' | 'updatedAt' | 'progress'
  > = {
    status: 'completed',
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 3_600_000 + 20_000).toISOString(),
    // Two attempts of 10 s each, an hour apart: 20 s of training.
    activeMs: 20_000,
    attemptStartedAt: null,
    updatedAt: new Date(T0 + 3_600_000 + 20_000).toISOString(),
    progress: { iteration: 5400, numIterations: 5400, epoch: 10, numEpochs: 10 },
  }

  it("is the curve's iterations over the training time, without the time a run lay dead", () => {
    expect(averageRate(base, T0 + 7_200_000)).toBeCloseTo(270, 9)
  })

  it('counts a live attempt up to now, and is null before the first iteration', () => {
    const live = {
      ...base,
      status: 'running' as const,
      finishedAt: null,
      activeMs: 10_000,
      attemptStartedAt: new Date(T0 + 3_600_000).toISOString(),
      progress: { ...base.progress, iteration: 4000 },
    }
    expect(averageRate(live, T0 + 3_600_000 + 10_000)).toBeCloseTo(200, 9)
    expect(averageRate({ ...live, progress: { ...live.progress, iteration: 0 } }, T0 + 3_610_000)).toBeNull()
    expect(averageRate({ ...base, startedAt: null }, T0)).toBeNull()
  })
})

describe('time left', () => {
  it('is the remaining iterations at the rate, and unknown without a rate', () => {
    const progress = { iteration: 1000, numIterations: 5400, epoch: 1, numEpochs: 10 }
    expect(timeLeftMs(progress, 440)).toBeCloseTo(10_000, 9)
    expect(timeLeftMs({ ...progress, iteration: 5400 }, 440)).toBe(0)
    expect(timeLeftMs(progress, null)).toBeNull()
    expect(timeLeftMs(progress, 0)).toBeNull()
  })
})

describe('the queue', () => {
  it('replays the scheduler: each queued run starts on the first thread to come free', () => {
    // Two threads: running runs end in 60 s and 30 s; then 40 s, 40 s and one without an estimate.
    expect(queueEta({ running: [60_000, 30_000], queued: [40_000, 40_000, null], threads: 2 })).toEqual({
      ms: 100_000,
      unknown: 1,
    })
    // One thread: one after another.
    expect(queueEta({ running: [60_000], queued: [40_000, 40_000], threads: 1 })).toEqual({
      ms: 140_000,
      unknown: 0,
    })
    // Four threads, two queued runs: they run beside the one already training.
    expect(queueEta({ running: [60_000], queued: [40_000, 50_000], threads: 4 })).toEqual({
      ms: 60_000,
      unknown: 0,
    })
  })

  it('starts queued runs at once when threads are free, counts unknown running runs, and is null when idle', () => {
    expect(queueEta({ running: [], queued: [10_000, 20_000, 30_000], threads: 2 })).toEqual({
      ms: 40_000,
      unknown: 0,
    })
    expect(queueEta({ running: [null, 5000], queued: [], threads: 2 })).toEqual({ ms: 5000, unknown: 1 })
    // More runs training than this process's threads (another process's runs): each keeps its own.
    expect(queueEta({ running: [5000, 7000, 9000], queued: [1000], threads: 2 })).toEqual({
      ms: 9000,
      unknown: 0,
    })
    expect(queueEta({ running: [], queued: [], threads: 2 })).toBeNull()
  })
})

describe('rateKey', () => {
  const config = (over: Record<string, unknown> = {}, solver: Record<string, unknown> = {}) =>
    RunConfigSchema.parse({
      name: 'r',
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: 50, ...over },
      solver: { optimConfig: { learningRate: 1e-3 }, ...solver },
      seed: 1,
    })

  it('is the same for runs that differ in what does not change the cost of an iteration', () => {
    const key = rateKey(config())
    expect(rateKey(config({ reg: 0.1, weightScale: 1e-2 }))).toBe(key)
    expect(rateKey(config({}, { optimConfig: { learningRate: 1 }, updateRule: 'adam', numEpochs: 3 }))).toBe(
      key,
    )
    expect(rateKey({ ...config(), seed: 2, name: 'other' })).toBe(key)
  })

  it('differs with the architecture, the batch and the dataset', () => {
    const key = rateKey(config())
    expect(rateKey(config({ hiddenDim: 100 }))).not.toBe(key)
    expect(rateKey(config({}, { batchSize: 200 }))).not.toBe(key)
    expect(rateKey({ ...config(), dataset: { name: 'mnist' } })).not.toBe(key)
  })
})
