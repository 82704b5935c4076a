import { describe, expect, it } from 'vitest'
import { syntheticSweep } from './importanceFixtures'
import {
  IMPORTANCE_MIN_RUNS,
  IMPORTANCE_WEAK_FIT,
  sweepImportance,
  type SweepImportance,
} from './paramImportance'

const LR = 'solver.optimConfig.learningRate'
const REG = 'model.reg'
const RULE = 'solver.updateRule'

const byPath = (r: SweepImportance, path: string) => r.params.find((p) => p.path === path)!

/** lr drives the accuracy (an optimum at 1e-3, as CS231n's searches find); reg does nothing. */
function lrDriven(samples: number, seed: number, noise = 0.02) {
  return syntheticSweep(
    {
      name: 'driver',
      method: 'random',
      samples,
      seed,
      params: {
        [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
        [REG]: { min: 1e-4, max: 1, scale: 'log' },
      },
    },
    { accuracy: (v) => 0.8 - 0.15 * Math.abs(Math.log10(v[LR] as number) + 3), noise, seed },
  )
}

describe('sweepImportance', () => {
  it.each([1, 2, 3])(
    'ranks the param that drives the accuracy first and the noise near zero (seed %i)',
    (seed) => {
      const { spec, runs } = lrDriven(40, seed)
      const r = sweepImportance(spec, runs)
      expect(r.status).toBe('ok')
      expect(r.used).toBe(40)
      expect(r.params.map((p) => p.path)).toEqual([LR, REG])
      const lr = byPath(r, LR).importance!
      const reg = byPath(r, REG).importance!
      expect(lr).toBeGreaterThan(0.6)
      expect(reg).toBeLessThan(0.05)
      expect(lr).toBeGreaterThan(10 * reg)
      expect(r.fit).toBeGreaterThan(0.5)
      expect(r.rest).toBeCloseTo(1 - lr - reg, 12)
      // The optimum is inside the range, so the relation is not monotone: importance sees what rho cannot.
      expect(Math.abs(byPath(r, LR).spearman!)).toBeLessThan(0.5)
    },
  )

  it('a monotone decreasing relation has a negative sign; log params correlate in log space', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'too-high',
        method: 'random',
        samples: 30,
        seed: 4,
        params: {
          [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
          'model.hiddenDim': { min: 20, max: 200, scale: 'linear', integer: true },
        },
      },
      // Exactly linear in log10(lr): higher lr, lower accuracy.
      { accuracy: (v) => 0.3 - 0.1 * Math.log10(v[LR] as number) },
    )
    const r = sweepImportance(spec, runs)
    const lr = byPath(r, LR)
    expect(lr.scale).toBe('log')
    expect(lr.spearman).toBeCloseTo(-1, 12)
    // Pearson's r of log10(lr) is exactly -1; of lr itself it would be far from it.
    expect(lr.pearson).toBeCloseTo(-1, 12)
    expect(r.params[0]!.path).toBe(LR)
    expect(byPath(r, 'model.hiddenDim').scale).toBe('linear')
  })

  it('says there are too few runs below 8, or below 3 per varied param', () => {
    const few = lrDriven(IMPORTANCE_MIN_RUNS - 1, 1)
    const r = sweepImportance(few.spec, few.runs)
    expect(r).toMatchObject({ status: 'tooFewRuns', used: 7, needed: 8, fit: null, rest: null })
    expect(r.params.every((p) => p.importance === null && p.spearman === null)).toBe(true)
    expect(r.params.map((p) => p.distinct)).toEqual([7, 7])

    const three = syntheticSweep(
      {
        name: 'three',
        method: 'random',
        samples: 8,
        seed: 3,
        params: {
          [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
          [REG]: { min: 1e-4, max: 1, scale: 'log' },
          'model.hiddenDim': { values: [50, 100, 200] },
        },
      },
      { accuracy: () => 0.5, noise: 0.05 },
    )
    expect(sweepImportance(three.spec, three.runs)).toMatchObject({
      status: 'tooFewRuns',
      used: 8,
      needed: 9,
    })
    expect(sweepImportance(lrDriven(8, 1).spec, lrDriven(8, 1).runs).status).toBe('ok')
  })

  it('a categorical param (the update rule) is ranked by its values, best first', () => {
    const mean = { adam: 0.8, sgdMomentum: 0.6, sgd: 0.4 } as Record<string, number>
    const { spec, runs } = syntheticSweep(
      {
        name: 'rules',
        method: 'random',
        samples: 36,
        seed: 9,
        params: {
          [RULE]: { values: ['sgd', 'sgdMomentum', 'adam'] },
          [REG]: { min: 1e-4, max: 1, scale: 'log' },
        },
      },
      { accuracy: (v) => mean[v[RULE] as string]!, noise: 0.02 },
    )
    const r = sweepImportance(spec, runs)
    expect(r.params.map((p) => p.path)).toEqual([RULE, REG])
    const rule = byPath(r, RULE)
    expect(rule.scale).toBe('category')
    expect(rule.importance).toBeGreaterThan(0.8)
    expect(byPath(r, REG).importance).toBeLessThan(0.05)
    expect(rule.spearman).toBeNull()
    expect(rule.categories.map((c) => c.label)).toEqual(['adam', 'sgdMomentum', 'sgd'])
    expect(rule.categories.reduce((n, c) => n + c.runs, 0)).toBe(36)
    expect(rule.categories[0]!.mean).toBeCloseTo(0.8, 1)
  })

  it('reads numeric choices as numbers, in log space when they span two decades', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'choices',
        method: 'grid',
        params: { [LR]: { values: [1e-4, 1e-3, 1e-2] }, 'model.hiddenDim': { values: [50, 100, 200] } },
      },
      { accuracy: (v) => 0.5 + 0.1 * Math.log10(v[LR] as number), noise: 0.01 },
    )
    const doubled = [
      ...runs,
      ...syntheticSweep(
        { ...spec, name: 'choices' },
        {
          accuracy: (v) => 0.5 + 0.1 * Math.log10(v[LR] as number),
          seed: 2,
          start: new Date(Date.UTC(2026, 10, 27)),
        },
      ).runs,
    ]
    const r = sweepImportance(spec, doubled)
    expect(byPath(r, LR).scale).toBe('log')
    expect(byPath(r, 'model.hiddenDim').scale).toBe('linear')
    expect(byPath(r, LR).spearman).toBeGreaterThan(0.9)
    expect(r.params[0]!.path).toBe(LR)
  })

  it('diverged runs count as the worst accuracy; other failures and unfinished runs are left out, counted', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'blowups',
        method: 'random',
        samples: 40,
        seed: 5,
        params: { [LR]: { min: 1e-5, max: 1, scale: 'log' }, [REG]: { min: 1e-4, max: 1, scale: 'log' } },
      },
      {
        accuracy: (v) => ((v[LR] as number) > 1e-1 ? 0 : 0.5 + 0.05 * Math.log10(v[LR] as number) + 0.3),
        divergeBelow: 0.01,
        status: (i) => (i === 0 ? 'queued' : i === 1 ? 'running' : i === 2 ? 'failed' : 'completed'),
        noise: 0.01,
      },
    )
    const diverged = runs.filter((r) => r.error?.reason === 'diverged')
    expect(diverged.length).toBeGreaterThan(3)
    const r = sweepImportance(spec, runs)
    const completed = runs.filter((x) => x.status === 'completed')
    expect(r).toMatchObject({
      completed: completed.length,
      diverged: diverged.length,
      failed: 1,
      unfinished: 2,
      noValue: 0,
    })
    expect(r.used).toBe(completed.length + diverged.length)
    expect(r.worst).toBe(Math.min(...completed.map((x) => x.result!.bestValAcc)))
    expect(r.params[0]!.path).toBe(LR)
    expect(byPath(r, LR).importance).toBeGreaterThan(0.5)
    // Counted as the worst, the runs that blew up are what makes lr matter.
    const left = sweepImportance(spec, completed)
    expect(left.used).toBe(completed.length)
    expect(byPath(r, LR).importance).toBeGreaterThan(byPath(left, LR).importance!)
  })

  it('diverged runs with no completed run to compare them with are left out', () => {
    const { spec, runs } = lrDriven(10, 1)
    const blown = runs.map((r) => ({
      ...r,
      status: 'failed' as const,
      result: null,
      error: { reason: 'diverged' as const, message: 'NaN' },
    }))
    expect(sweepImportance(spec, blown)).toMatchObject({
      status: 'tooFewRuns',
      used: 0,
      diverged: 10,
      worst: null,
    })
  })

  it('a run without a usable value for a numeric param is left out and counted', () => {
    const { spec, runs } = lrDriven(12, 1)
    const broken = structuredClone(runs)
    delete (broken[0]!.config.model as { reg?: number }).reg
    ;(broken[1]!.config.solver.optimConfig as { learningRate: number }).learningRate = -1
    expect(sweepImportance(spec, broken)).toMatchObject({ used: 10, noValue: 2, completed: 12, status: 'ok' })
  })

  it('is the same whatever order the runs come in', () => {
    const { spec, runs } = lrDriven(30, 2)
    const a = sweepImportance(spec, runs)
    const b = sweepImportance(spec, [...runs].reverse())
    expect(b).toEqual(a)
  })

  it('a param that took one value is listed last, without an importance', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'one',
        method: 'grid',
        params: { [LR]: { min: 1e-4, max: 1e-2, scale: 'log', steps: 9 }, [RULE]: { values: ['adam'] } },
      },
      { accuracy: (v) => 0.6 + 0.05 * Math.log10(v[LR] as number), noise: 0.005 },
    )
    const r = sweepImportance(spec, runs)
    expect(r.status).toBe('ok')
    expect(r.needed).toBe(8)
    expect(r.params.map((p) => [p.path, p.distinct, p.importance === null])).toEqual([
      [LR, 9, false],
      [RULE, 1, true],
    ])
  })

  it('says when nothing varied or every run reached the same accuracy', () => {
    const same = syntheticSweep(
      { name: 'flat', method: 'grid', params: { [LR]: { min: 1e-4, max: 1e-2, scale: 'log', steps: 8 } } },
      { accuracy: () => 0.5 },
    )
    expect(sweepImportance(same.spec, same.runs).status).toBe('noSpread')
    const rounded = same.runs.map((r, i) => ({
      ...r,
      result: { ...r.result!, bestValAcc: i % 2 ? 0.1 + 0.2 : 0.3 },
    }))
    expect(sweepImportance(same.spec, rounded).status).toBe('noSpread')
    const fixed = syntheticSweep(
      { name: 'fixed', method: 'random', samples: 9, params: { [RULE]: { values: ['adam'] } } },
      { accuracy: () => 0.5, noise: 0.1 },
    )
    expect(sweepImportance(fixed.spec, fixed.runs)).toMatchObject({ status: 'noVaried', used: 9, needed: 8 })
  })

  it('when no param explains the accuracy, the fit says so', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'noise',
        method: 'random',
        samples: 40,
        seed: 11,
        params: { [LR]: { min: 1e-5, max: 1e-1, scale: 'log' }, [REG]: { min: 1e-4, max: 1, scale: 'log' } },
      },
      { accuracy: () => 0.5, noise: 0.05 },
    )
    const r = sweepImportance(spec, runs)
    expect(r.status).toBe('ok')
    expect(r.fit).toBeLessThan(IMPORTANCE_WEAK_FIT)
  })

  it('a large sweep (more runs than the partial dependence averages over) still finds the driver', () => {
    const { spec, runs } = lrDriven(600, 6)
    const r = sweepImportance(spec, runs)
    expect(r.params.map((p) => p.path)).toEqual([LR, REG])
    expect(byPath(r, LR).importance).toBeGreaterThan(0.8)
    expect(byPath(r, REG).importance).toBeLessThan(0.01)
  })
})
