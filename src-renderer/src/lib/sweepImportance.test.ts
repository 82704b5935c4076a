import { describe, expect, it } from 'vitest'
import { syntheticSweep } from '../../../src-shared/importanceFixtures'
import { formatCoefficient, importanceMemo, trendOf } from './sweepImportance'

describe('sweepImportance (renderer)', () => {
  it('names a trend from rho: a direction past 0.2, its strength past 0.4 and 0.7', () => {
    expect(trendOf(null)).toEqual({ trend: 'none', strength: null })
    expect(trendOf(0.19)).toEqual({ trend: 'none', strength: null })
    expect(trendOf(-0.2)).toEqual({ trend: 'down', strength: 'weak' })
    expect(trendOf(0.5)).toEqual({ trend: 'up', strength: 'moderate' })
    expect(trendOf(-0.95)).toEqual({ trend: 'down', strength: 'strong' })
    // No trend: an optimum in between when the param matters, else it barely matters.
    expect(trendOf(0.05, 0.6)).toEqual({ trend: 'none', strength: null })
    expect(trendOf(0.05, 0.01)).toEqual({ trend: 'flat', strength: null })
    expect(trendOf(-0.9, 0.01)).toEqual({ trend: 'down', strength: 'strong' })
  })

  it('formats coefficients with their sign and two decimals', () => {
    expect(formatCoefficient(-0.8234, 'en')).toBe('-0.82')
    expect(formatCoefficient(0.5, 'zh-CN')).toBe('+0.50')
    expect(formatCoefficient(0, 'en')).toBe('0.00')
  })

  it('recomputes only when what it reads changes, not at a progress event', () => {
    const { spec, runs } = syntheticSweep(
      {
        name: 'memo',
        method: 'random',
        samples: 12,
        params: { 'model.reg': { min: 1e-4, max: 1, scale: 'log' } },
      },
      {
        accuracy: (v) => 0.5 + 0.01 * Math.log10(v['model.reg'] as number),
        status: (i) => (i === 0 ? 'running' : 'completed'),
      },
    )
    const analyse = importanceMemo()
    const a = analyse(spec, runs)
    const progressed = runs.map((r, i) =>
      i === 0 ? { ...r, progress: { ...r.progress, iteration: 99 } } : r,
    )
    expect(analyse(spec, progressed)).toBe(a)
    const finished = runs.map((r, i) =>
      i === 0 ? { ...r, status: 'completed' as const, result: { ...runs[1]!.result!, bestValAcc: 0.42 } } : r,
    )
    const b = analyse(spec, finished)
    expect(b).not.toBe(a)
    expect(b.completed).toBe(a.completed + 1)
    expect(analyse({ ...spec }, finished)).not.toBe(b)
  })
})
