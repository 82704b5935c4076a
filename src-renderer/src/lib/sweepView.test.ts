import { describe, expect, it } from 'vitest'
import { SweepSpecSchema } from '../../../src-shared/sweep'
import { makeRun } from '../testing/fakeApi'
import { LR, seedSweep, seedSweepSpec } from '../testing/sweepFixtures'
import { axisValue, compareQuery, rankRuns, statusCounts, sweptParams } from './sweepView'

describe('sweptParams', () => {
  it('puts log ranges on log axes, linear ranges on value axes and choices on categories', () => {
    const params = sweptParams(seedSweepSpec())
    expect(params.map((p) => [p.path, p.label, p.kind])).toEqual([
      ['model.hiddenDim', 'hiddenDim', 'category'],
      [LR, 'learningRate', 'log'],
      ['solver.numEpochs', 'numEpochs', 'category'],
      ['model.reg', 'reg', 'log'],
    ])
    expect(params[0]!.categories).toEqual(['50', '100', '150', '200'])
    expect(params[1]).toMatchObject({ min: 1e-4, max: 5e-3 })
  })

  it('keeps labels apart when two paths end alike, and values apart when they print alike', () => {
    const spec = SweepSpecSchema.parse({
      name: 's',
      method: 'grid',
      base: {},
      params: {
        'model.reg': { min: 0, max: 1, scale: 'linear', steps: 3 },
        'other.reg': { values: [1e-3, 1.04e-3, [100, 100]] },
      },
    })
    const params = sweptParams(spec)
    expect(params.map((p) => [p.label, p.kind])).toEqual([
      ['model.reg', 'linear'],
      ['other.reg', 'category'],
    ])
    expect(params[1]!.categories).toEqual(['0.001', '0.00104', '[100,100]'])
    expect(axisValue(spec, params[1]!, [100, 100])).toBe('[100,100]')
    expect(axisValue(spec, params[0]!, 'x')).toBeNull()
  })
})

describe('rankRuns', () => {
  it('ranks finished runs by best validation accuracy with the values they used', () => {
    const { sweep, runs } = seedSweep()
    const rows = rankRuns(sweep.spec, runs)
    expect(rows).toHaveLength(5)
    expect(rows.map((r) => r.bestValAcc)).toEqual([0.86, 0.8, 0.74, 0.62, 0.41])
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5])
    expect(rows[0]!.values).toEqual([200, 4.8e-3, 10, 0.02])
    expect(rows[0]!.testAcc).toBeCloseTo(0.85)
  })

  it('counts statuses and builds the compare link of the top K', () => {
    const { sweep, runs } = seedSweep()
    expect(statusCounts(runs)).toEqual({ completed: 5, queued: 1 })
    const rows = rankRuns(sweep.spec, runs)
    expect(compareQuery(rows, 2)).toEqual({ ids: `${runs[1]!.id},${runs[0]!.id}` })
    expect(compareQuery(rows, 50).ids.split(',')).toHaveLength(5)
    expect(rankRuns(sweep.spec, [makeRun({ status: 'failed' })])).toEqual([])
  })
})
