// The diagnosis on runs of an engine independent of Workbench's: src-worker/bench/diagnose_numpy.py trains
// CS231n-design nets in numpy under settings whose failure is known by construction, three seeds each, and
// records each run's metrics.jsonl events and its layer captures (LayerCapture, bins computed by numpy).
// Every construction must get its findings on every seed, and nothing its construction does not imply;
// the healthy runs get "healthy" alone. Regenerate with `python3 src-worker/bench/diagnose_numpy.py`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { curvesFromEvents, diagnose, type DiagnoseInput, type Diagnosis } from './diagnose'
import { HEALTHY_RATIO, HIGH_RATIO, LOW_RATIO } from './layerDiagnose'
import { BIN_COUNT, binOf, expandHistogram, type LayerCapture } from './layerStats'
import type { MetricEvent, RunStatus } from './runs'

interface FixtureRun {
  name: string
  seed: number
  /** Findings the construction must produce, and the only others it may. */
  expect: string[]
  allow: string[]
  /** The curves alone show the failure (no captures needed). */
  curve: boolean
  numClasses: number
  status: RunStatus
  error?: { reason: 'diverged'; iteration: number }
  config: Record<string, unknown>
  events: MetricEvent[]
  captures: LayerCapture[]
}

interface Fixture {
  binProbe: { values: number[]; bins: number[] }
  runs: FixtureRun[]
}

const FIXTURE = join(__dirname, '../src-worker/bench/fixtures/diagnose-runs.json')
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture

function input(run: FixtureRun, withLayers: boolean): DiagnoseInput {
  return {
    ...curvesFromEvents(run.events),
    numClasses: run.numClasses,
    status: run.status,
    error: run.error ?? null,
    layers: withLayers ? run.captures : null,
  }
}

const kinds = (ds: Diagnosis[]): string[] => ds.map((d) => d.kind)
const byName = (name: string): FixtureRun[] => fixture.runs.filter((r) => r.name === name)

describe('the numpy fixture', () => {
  it('covers every construction with three seeds, healthy ones included', () => {
    const names = [...new Set(fixture.runs.map((r) => r.name))]
    expect(names.length).toBeGreaterThanOrEqual(18)
    for (const name of names) expect(byName(name).map((r) => r.seed)).toEqual([1, 2, 3])
    const expected = new Set(fixture.runs.flatMap((r) => r.expect))
    for (const kind of [
      'healthy',
      'diverged',
      'lr-too-high',
      'lr-too-low',
      'underfitting',
      'still-improving',
      'overfitting',
      'plateau',
      'dead-relus',
      'vanishing-gradients',
      'exploding-gradients',
      'saturated-batchnorm',
      'stopped-learning',
    ])
      expect(expected, kind).toContain(kind)
  })

  it("bins values as layerStats.binOf does (numpy's binning of the probe values)", () => {
    const { values, bins } = fixture.binProbe
    expect(values.map(binOf)).toEqual(bins)
  })

  it('histograms count every finite value of their tensor once, in range', () => {
    for (const run of fixture.runs.slice(0, 20)) {
      for (const c of run.captures) {
        for (const l of c.layers) {
          for (const t of [l.weight, l.grad, l.preact, l.postact]) {
            if (!t) continue
            const full = expandHistogram(t.hist)
            expect(full).toHaveLength(BIN_COUNT)
            expect(full.reduce((a, b) => a + b, 0)).toBe(t.summary.n)
          }
        }
      }
    }
  })
})

describe('diagnose: numpy runs with known failures, with their layer captures', () => {
  for (const run of fixture.runs) {
    it(`${run.name}, seed ${run.seed}: ${run.expect.join(', ')}`, () => {
      const found = kinds(diagnose(input(run, true)))
      for (const kind of run.expect) expect(found).toContain(kind)
      for (const kind of found) expect([...run.expect, ...run.allow]).toContain(kind)
    })
  }
})

describe('diagnose: the same runs from their curves alone', () => {
  for (const run of fixture.runs.filter((r) => r.curve)) {
    it(`${run.name}, seed ${run.seed}: ${run.expect.join(', ')}`, () => {
      const found = kinds(diagnose(input(run, false)))
      for (const kind of run.expect) expect(found).toContain(kind)
      for (const kind of found) expect([...run.expect, ...run.allow]).toContain(kind)
    })
  }

  it('without captures no layer finding appears', () => {
    const layerKinds = ['dead-relus', 'vanishing-gradients', 'exploding-gradients', 'saturated-batchnorm']
    for (const run of fixture.runs) {
      for (const kind of kinds(diagnose(input(run, false)))) expect(layerKinds).not.toContain(kind)
    }
  })
})

describe('diagnose: what the captures change', () => {
  it('a slow rate whose loss barely left ln(C) while accuracy crept up: too low, not "still improving"', () => {
    const creeping = byName('lr-slow').filter((run) => {
      const { epochs } = curvesFromEvents(run.events)
      return epochs[epochs.length - 1]!.trainAcc - epochs[epochs.length - 3]!.trainAcc >= 0.03
    })
    expect(creeping.length).toBeGreaterThanOrEqual(2)
    for (const run of creeping) {
      for (const withLayers of [false, true]) {
        const d = diagnose(input(run, withLayers))
        expect(kinds(d)).toEqual(['lr-too-low'])
        expect(d[0]!.evidence['trainGain']).toBeGreaterThanOrEqual(0.03)
        expect(d[0]!.evidence['chanceLoss']).toBeCloseTo(Math.log(10), 6)
        if (withLayers) expect(d[0]!.evidence['updateRatio']).toBeLessThan(HEALTHY_RATIO)
      }
    }
  })

  it('names the layer and its update/weight ratio when the rate is far off', () => {
    for (const run of byName('lr-too-high')) {
      const d = diagnose(input(run, true)).find((x) => x.kind === 'lr-too-high')!
      expect(d.evidence['updateRatio']).toBeGreaterThan(HIGH_RATIO)
      expect(d.evidence['ratioLayer']).toBeGreaterThanOrEqual(1)
    }
    for (const run of byName('lr-too-low')) {
      const d = diagnose(input(run, true)).find((x) => x.kind === 'lr-too-low')!
      expect(d.evidence['updateRatio']).toBeLessThan(LOW_RATIO)
    }
  })

  it('a ratio in the band overrules a loss that merely falls slowly (underfitting, not too low)', () => {
    const overruled = [...byName('underfitting'), ...byName('still-improving')].filter((run) =>
      kinds(diagnose(input(run, false))).includes('lr-too-low'),
    )
    expect(overruled.length).toBeGreaterThan(0)
    for (const run of overruled) expect(kinds(diagnose(input(run, true)))).not.toContain('lr-too-low')
  })

  it('tiny updates from a dead or vanishing net are blamed on the init, not the learning rate', () => {
    for (const run of [...byName('dead-relu-init'), ...byName('vanishing')]) {
      expect(kinds(diagnose(input(run, false)))).toContain('lr-too-low')
      const d = diagnose(input(run, true))
      expect(kinds(d)).not.toContain('lr-too-low')
      expect(d[0]!.suggestion).toBe('fix-init')
    }
  })

  it('dead units since the init say "init", units knocked out later say "learning rate"', () => {
    for (const run of byName('dead-relu-init'))
      expect(diagnose(input(run, true)).find((d) => d.kind === 'dead-relus')!.suggestion).toBe('fix-init')
    for (const run of byName('dead-relu-lr'))
      expect(diagnose(input(run, true)).find((d) => d.kind === 'dead-relus')!.suggestion).toBe('lower-lr')
  })

  it('a frozen layer is named, with when it stopped', () => {
    for (const run of byName('stopped-learning')) {
      const d = diagnose(input(run, true)).find((x) => x.kind === 'stopped-learning')!
      const freeze = run.config['freeze'] as { param: string; from: number }
      expect(`W${d.evidence['layer']}`).toBe(freeze.param)
      const total = curvesFromEvents(run.events).losses.length
      expect(d.evidence['since']).toBeGreaterThan(freeze.from * total)
      expect(d.evidence['since']).toBeLessThanOrEqual(freeze.from * total + 20)
    }
  })
})
