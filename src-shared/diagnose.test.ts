// Synthetic curves of each failure, drawn from a seeded generator with minibatch-like noise.
import { describe, expect, it } from 'vitest'
import { Rng } from '../src-worker/engine/rng'
import { curvesFromEvents, diagnose, type DiagnoseInput, type EpochPoint } from './diagnose'
import type { MetricEvent } from './runs'

const LN10 = Math.log(10)
const N = 600
const PER_EPOCH = 60

/** Losses f(t) for t = 1..n, each times exp(sigma * normal) like minibatch noise. */
function curve(seed: number, f: (t: number) => number, { n = N, sigma = 0.1 } = {}) {
  const rng = new Rng(seed)
  return Array.from({ length: n }, (_, i) => ({
    iteration: i + 1,
    loss: f(i + 1) * Math.exp(sigma * rng.normal()),
  }))
}

/** Epochs 0..count with accuracies from functions of the epoch, plus +-1 point of noise. */
function accs(seed: number, train: (e: number) => number, val: (e: number) => number, count = N / PER_EPOCH) {
  const rng = new Rng(seed)
  const noise = (): number => 0.01 * rng.normal()
  return Array.from({ length: count + 1 }, (_, e): EpochPoint => ({
    epoch: e,
    trainAcc: train(e) + noise(),
    valAcc: val(e) + noise(),
    lr: 1e-3,
  }))
}

function input(over: Partial<DiagnoseInput>): DiagnoseInput {
  return { losses: [], epochs: [], numClasses: 10, status: 'completed', ...over }
}

const kinds = (i: DiagnoseInput): string[] => diagnose(i).map((d) => d.kind)

/** A healthy run: fast then slowing decay, still improving a little, accuracies rising together. */
function healthy(seed: number): DiagnoseInput {
  return input({
    losses: curve(seed, (t) => 0.2 + (LN10 - 0.2) * Math.exp(-t / 150)),
    epochs: accs(
      seed + 1,
      (e) => 0.9 - 0.8 * Math.exp(-e / 2),
      (e) => 0.87 - 0.77 * Math.exp(-e / 2),
    ),
  })
}

describe('diagnose: synthetic curves', () => {
  it('a healthy curve gets one healthy note, whatever the noise draws (20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = diagnose(healthy(seed))
      expect(d, `seed ${seed}`).toHaveLength(1)
      expect(d[0]).toMatchObject({ kind: 'healthy', severity: 'info', suggestion: 'none' })
    }
    const e = diagnose(healthy(1))[0]!.evidence
    expect(e['initialLoss']).toBeCloseTo(LN10, 0)
    expect(e['finalLoss']).toBeLessThan(0.3)
  })

  it('judges a healthy run as healthy (or not yet) at every point while it trains', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const run = healthy(seed)
      for (let cut = 10; cut <= N; cut += 10) {
        const partial = input({
          losses: run.losses.slice(0, cut),
          epochs: run.epochs.slice(0, Math.floor(cut / PER_EPOCH) + 1),
          status: 'running',
          progress: { iteration: cut, numIterations: N },
        })
        const found = kinds(partial)
        expect(found, `seed ${seed}, iteration ${cut}`).toEqual(cut < 50 ? [] : ['healthy'])
      }
    }
  })

  it('a loss that stays at ln(C) is a learning rate too low', () => {
    const d = diagnose(
      input({
        losses: curve(2, () => LN10, { sigma: 0.01 }),
        epochs: accs(
          3,
          () => 0.1,
          () => 0.1,
        ),
      }),
    )
    expect(d.map((x) => x.kind)).toEqual(['lr-too-low'])
    expect(d[0]!.suggestion).toBe('raise-lr')
    expect(d[0]!.evidence['chanceLoss']).toBeCloseTo(LN10)
    expect(Math.abs(d[0]!.evidence['drop']!)).toBeLessThan(0.02)
    expect(d[0]!.evidence['learningRate']).toBe(1e-3)
  })

  it('"near chance" depends on the number of classes', () => {
    const flat = curve(2, () => Math.log(100), { sigma: 0.01 })
    expect(kinds(input({ losses: flat, numClasses: 100 }))).toEqual(['lr-too-low'])
    expect(kinds(input({ losses: flat, numClasses: 10 }))).toEqual(['healthy'])
  })

  it('a slow linear decay still falling at the end is a learning rate too low', () => {
    const d = diagnose(
      input({
        losses: curve(4, (t) => LN10 - (1.2 * t) / N, { sigma: 0.05 }),
        epochs: accs(
          5,
          (e) => 0.2 + 0.03 * e,
          (e) => 0.2 + 0.03 * e,
        ),
      }),
    )
    // Underfitting is not added on top: the slow optimiser explains the low accuracy.
    expect(d.map((x) => x.kind)).toEqual(['lr-too-low'])
    expect(d[0]!.evidence['rateRatio']).toBeGreaterThan(0.8)
  })

  it('does not call an early, still straight part of a live curve too slow', () => {
    // 26% down after 200 of 500 iterations: moving, but too early to judge the shape.
    const losses = curve(4, (t) => LN10 - (1.8 * t) / N, { sigma: 0.05 }).slice(0, 200)
    const live = { status: 'running' as const, progress: { iteration: 200, numIterations: 500 } }
    expect(kinds(input({ losses, ...live }))).not.toContain('lr-too-low')
    expect(kinds(input({ losses, status: 'completed' }))).toContain('lr-too-low')
  })

  it('a loss rising from its lowest point is a learning rate too high', () => {
    const d = diagnose(
      input({ losses: curve(6, (t) => 0.6 + 1.7 * Math.exp(-t / 40) + (1.5 * Math.max(0, t - 300)) / 300) }),
    )
    expect(d.map((x) => x.kind)).toEqual(['lr-too-high'])
    expect(d[0]).toMatchObject({ severity: 'warning', suggestion: 'lower-lr' })
    expect(d[0]!.evidence['ratio']).toBeGreaterThan(2)
  })

  it('an exploding loss is an error, even after a few iterations of a live run', () => {
    const d = diagnose(input({ losses: curve(7, (t) => LN10 * 1.5 ** t, { n: 30 }), status: 'running' }))
    expect(d).toHaveLength(1)
    expect(d[0]).toMatchObject({ kind: 'lr-too-high', severity: 'error', suggestion: 'lower-lr' })
    expect(d[0]!.evidence['ratio']).toBeGreaterThan(100)
  })

  it('a loss jumping between levels (oscillating heavily) is a learning rate too high', () => {
    // Every 40 iterations the loss jumps to a new level between 0.5 and 2.5: no trend, big swings.
    const rng = new Rng(8)
    const levels = Array.from({ length: N / 40 }, () => 0.5 + 2 * rng.random())
    const d = diagnose(input({ losses: curve(9, (t) => levels[Math.floor((t - 1) / 40)]!) }))
    expect(d.map((x) => x.kind)).toEqual(['lr-too-high'])
    expect(d[0]!.evidence['reversals']).toBeGreaterThanOrEqual(2)
    expect(d[0]!.evidence['swing']).toBeGreaterThan(0.2)
  })

  it('a NaN loss is a divergence at that iteration', () => {
    const losses = healthy(10).losses.slice(0, 300)
    losses[250] = { iteration: 251, loss: NaN }
    const d = diagnose(input({ losses, status: 'running' }))
    expect(d).toEqual([
      {
        kind: 'diverged',
        severity: 'error',
        evidence: { iteration: 251, lastLoss: losses[249]!.loss },
        suggestion: 'lower-lr',
      },
    ])
  })

  it("a 'diverged' failure is a divergence, with no data at all", () => {
    const d = diagnose(input({ status: 'failed', error: { reason: 'diverged', iteration: 12 } }))
    expect(d).toEqual([
      { kind: 'diverged', severity: 'error', evidence: { iteration: 12 }, suggestion: 'lower-lr' },
    ])
    // Other failures say nothing about the curve.
    expect(diagnose(input({ status: 'failed', error: { reason: 'crashed' } }))).toEqual([])
  })

  it('train and val close and low, stalled, is underfitting', () => {
    const d = diagnose(
      input({
        losses: curve(11, (t) => 1.6 + 0.7 * Math.exp(-t / 30)),
        epochs: accs(
          12,
          (e) => (e === 0 ? 0.1 : 0.36),
          (e) => (e === 0 ? 0.1 : 0.34),
        ),
      }),
    )
    // The flat loss is not also called a plateau: a bigger model, not a decay, is the fix.
    expect(d.map((x) => x.kind)).toEqual(['underfitting'])
    expect(d[0]).toMatchObject({ severity: 'warning', suggestion: 'bigger-model' })
    expect(d[0]!.evidence['trainAcc']).toBeCloseTo(0.36, 1)
    expect(d[0]!.evidence['chanceAcc']).toBeCloseTo(0.1)
  })

  it('does not call a run underfitting after 1 or 2 epochs, nor while its accuracy still climbs', () => {
    const low = accs(
      13,
      (e) => 0.1 + 0.1 * e,
      (e) => 0.1 + 0.1 * e,
    )
    const losses = curve(14, (t) => 0.5 + 1.8 * Math.exp(-t / 150))
    expect(kinds(input({ losses, epochs: low.slice(0, 2), status: 'running' }))).not.toContain('underfitting')
    expect(kinds(input({ losses, epochs: low.slice(0, 3), status: 'running' }))).not.toContain('underfitting')
    // Epochs 1..4 climbing 10 points each: a live run is still learning ...
    expect(kinds(input({ losses, epochs: low.slice(0, 5), status: 'running' }))).not.toContain('underfitting')
    // ... and a finished one stopped while still improving: train longer before growing the model.
    const done = diagnose(input({ losses, epochs: low.slice(0, 5), status: 'completed' }))
    expect(done.map((d) => d.kind)).toEqual(['still-improving'])
    expect(done[0]).toMatchObject({ severity: 'info', suggestion: 'train-longer' })
    expect(done[0]!.evidence['trainGain']).toBeCloseTo(0.2, 1)
    // Flat at the same low level instead: that is a capacity limit.
    const flat = accs(
      13,
      () => 0.4,
      () => 0.39,
    )
    expect(kinds(input({ losses, epochs: flat.slice(0, 5), status: 'completed' }))).toContain('underfitting')
  })

  it('a large and growing train-val gap is overfitting', () => {
    const d = diagnose(
      input({
        losses: curve(15, (t) => 0.02 + (LN10 - 0.02) * Math.exp(-t / 100)),
        epochs: accs(
          16,
          (e) => 0.99 - 0.6 * Math.exp(-e / 2),
          (e) => (e <= 4 ? 0.7 - 0.35 * Math.exp(-e / 2) : 0.72 - 0.01 * e),
        ),
      }),
    )
    expect(d.map((x) => x.kind)).toEqual(['overfitting'])
    expect(d[0]).toMatchObject({ severity: 'warning', suggestion: 'more-reg' })
    expect(d[0]!.evidence['gap']).toBeGreaterThan(0.2)
    expect(d[0]!.evidence['gapGrowth']).toBeGreaterThan(0.1)
  })

  it('a steady gap is not overfitting', () => {
    const epochs = accs(
      17,
      (e) => 0.9 - 0.8 * Math.exp(-e),
      (e) => 0.78 - 0.68 * Math.exp(-e),
    )
    expect(kinds(input({ losses: healthy(17).losses, epochs }))).not.toContain('overfitting')
  })

  it('loss and val accuracy flat for the last part of training is a plateau', () => {
    const d = diagnose(
      input({
        losses: curve(18, (t) => 0.6 + 1.7 * Math.exp(-t / 40), { sigma: 0.08 }),
        epochs: accs(
          19,
          (e) => 0.82 - 0.72 * Math.exp(-e),
          (e) => 0.8 - 0.7 * Math.exp(-e),
        ),
      }),
    )
    expect(d.map((x) => x.kind)).toEqual(['plateau'])
    expect(d[0]).toMatchObject({ severity: 'info', suggestion: 'lr-decay' })
    expect(Math.abs(d[0]!.evidence['lossChange']!)).toBeLessThan(0.05)
    expect(d[0]!.evidence['valChange']).toBeLessThan(0.01)
    expect(d[0]!.evidence['tailIterations']).toBeGreaterThan(150)
  })

  it('returns [] while there is too little data to judge', () => {
    expect(diagnose(input({ status: 'queued' }))).toEqual([])
    expect(diagnose(input({ losses: healthy(20).losses.slice(0, 30), status: 'running' }))).toEqual([])
  })

  it('lists errors before warnings before notes', () => {
    const d = diagnose(
      input({
        // Rising loss (warning) with a growing gap of 12 points (an overfitting note).
        losses: curve(21, (t) => 0.6 + 1.7 * Math.exp(-t / 40) + (1.5 * Math.max(0, t - 300)) / 300),
        epochs: accs(
          22,
          (e) => 0.6 + 0.03 * e,
          (e) => 0.6 + 0.01 * e,
        ),
      }),
    )
    expect(d.map((x) => [x.kind, x.severity])).toEqual([
      ['lr-too-high', 'warning'],
      ['overfitting', 'info'],
    ])
  })
})

describe('curvesFromEvents', () => {
  it('keeps losses and epochs in order, dropping duplicates and what a resume replays', () => {
    const events: MetricEvent[] = [
      { type: 'iteration', iteration: 1, loss: 2.3 },
      { type: 'epoch', epoch: 0, iteration: 1, trainAcc: 0.1, valAcc: 0.1, lr: 1e-3 },
      { type: 'iteration', iteration: 2, loss: 2.2 },
      { type: 'iteration', iteration: 3, loss: 2.1 },
      { type: 'epoch', epoch: 1, iteration: 3, trainAcc: 0.3, valAcc: 0.3, lr: 1e-3 },
      { type: 'iteration', iteration: 4, loss: 2.0 },
      { type: 'resume', fromIteration: 3, fromEpoch: 1 },
      { type: 'iteration', iteration: 3, loss: 9 },
      { type: 'iteration', iteration: 4, loss: 1.9 },
    ]
    const { losses, epochs } = curvesFromEvents(events)
    expect(losses).toEqual([
      { iteration: 1, loss: 2.3 },
      { iteration: 2, loss: 2.2 },
      { iteration: 3, loss: 2.1 },
      { iteration: 4, loss: 1.9 },
    ])
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1])
  })
})
