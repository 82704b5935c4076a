import { describe, expect, it } from 'vitest'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { makeRun } from '../testing/fakeApi'
import { EMPTY_FILTER, filterRuns, sortRuns } from './runTable'

const result = (best: number, test = best - 0.01): RunRecord['result'] => ({
  bestValAcc: best,
  finalTrainAcc: best + 0.02,
  finalValAcc: best - 0.005,
  valAcc: best,
  testAcc: test,
  confusion: [],
  classNames: [],
})

function fixture(): RunRecord[] {
  return [
    makeRun({
      config: {
        name: 'alpha',
        tags: ['seed'],
        solver: { optimConfig: { learningRate: 1e-3 }, batchSize: 100 },
      },
      result: result(0.85),
    }),
    makeRun({
      config: {
        name: 'Beta',
        tags: ['sweep:lr'],
        solver: { optimConfig: { learningRate: 5e-4 }, batchSize: 200 },
      },
      result: result(0.87),
    }),
    makeRun({
      config: {
        name: 'gamma fc',
        model: { kind: 'fc', hiddenDims: [100, 100], normalization: 'batchnorm' },
        solver: { optimConfig: { learningRate: 1e-2 }, numEpochs: 5 },
      },
      status: 'running',
      result: null,
    }),
    makeRun({ config: { name: 'delta', tags: ['sweep:lr'] }, status: 'failed', result: null }),
  ]
}

const names = (runs: RunRecord[]): string[] => runs.map((r) => r.config.name)

describe('sortRuns', () => {
  it('sorts numbers numerically both ways and keeps empty cells last', () => {
    const runs = fixture()
    expect(names(sortRuns(runs, 'bestVal', 'asc', 0))).toEqual(['alpha', 'Beta', 'gamma fc', 'delta'])
    expect(names(sortRuns(runs, 'bestVal', 'desc', 0))).toEqual(['Beta', 'alpha', 'gamma fc', 'delta'])
    expect(names(sortRuns(runs, 'lr', 'asc', 0))).toEqual(['Beta', 'alpha', 'delta', 'gamma fc'])
  })

  it('sorts text case-insensitively and is stable on ties', () => {
    const runs = fixture()
    expect(names(sortRuns(runs, 'name', 'asc', 0))).toEqual(['alpha', 'Beta', 'delta', 'gamma fc'])
    // alpha, Beta and delta share epochs = 10: their incoming order stays.
    expect(names(sortRuns(runs, 'epochs', 'desc', 0))).toEqual(['alpha', 'Beta', 'delta', 'gamma fc'])
  })

  it('puts empty cells last both ways, for results and config fields a model lacks', () => {
    const runs = fixture()
    // Only gamma fc has a normalization (batchnorm); the others sort after it either way.
    expect(names(sortRuns(runs, 'config:model.normalization', 'asc', 0))[0]).toBe('gamma fc')
    expect(names(sortRuns(runs, 'config:model.normalization', 'desc', 0))[0]).toBe('gamma fc')
    expect(names(sortRuns(runs, 'test', 'asc', 0)).slice(2)).toEqual(['gamma fc', 'delta'])
    expect(names(sortRuns(runs, 'test', 'desc', 0)).slice(2)).toEqual(['gamma fc', 'delta'])
    const nan = makeRun({ config: { name: 'nan' }, result: result(Number.NaN) })
    expect(names(sortRuns([nan, ...runs], 'bestVal', 'desc', 0))).toEqual([
      'Beta',
      'alpha',
      'nan',
      'gamma fc',
      'delta',
    ])
  })

  it('sorts numbers as numbers, not as text: 1e-4 < 5e-4 < 1e-3 < 1e-2', () => {
    const lrs = [1e-2, 1e-4, 1e-3, 5e-4]
    const runs = lrs.map((lr) => makeRun({ config: { solver: { optimConfig: { learningRate: lr } } } }))
    const sorted = (dir: 'asc' | 'desc') =>
      sortRuns(runs, 'lr', dir, 0).map((r) => r.config.solver.optimConfig.learningRate)
    expect(sorted('asc')).toEqual([1e-4, 5e-4, 1e-3, 1e-2])
    expect(sorted('desc')).toEqual([1e-2, 1e-3, 5e-4, 1e-4])
    const dims = [[100, 100], [50], [200, 50]].map((d) =>
      makeRun({ config: { model: { kind: 'fc', hiddenDims: d } } }),
    )
    expect(sortRuns(dims, 'config:model.hiddenDims', 'asc', 0).map((r) => r.config.model)).toMatchObject([
      { hiddenDims: [50] },
      { hiddenDims: [100, 100] },
      { hiddenDims: [200, 50] },
    ])
  })

  it('keeps the order for a column it does not know', () => {
    expect(names(sortRuns(fixture(), 'config:nowhere', 'asc', 0))).toEqual(names(fixture()))
  })

  it('does not modify its input', () => {
    const runs = fixture()
    const before = names(runs)
    sortRuns(runs, 'name', 'desc', 0)
    expect(names(runs)).toEqual(before)
  })
})

describe('filterRuns', () => {
  const f = (query: string, extra: Partial<typeof EMPTY_FILTER> = {}): string[] =>
    names(filterRuns(fixture(), { ...EMPTY_FILTER, query, ...extra }, 0))

  it('matches words against names and tags, all words required', () => {
    expect(f('sweep')).toEqual(['Beta', 'delta'])
    expect(f('BETA')).toEqual(['Beta'])
    expect(f('sweep del')).toEqual(['delta'])
  })

  it('applies numeric conditions; a run without the value does not match', () => {
    expect(f('lr < 1e-3')).toEqual(['Beta'])
    expect(f('lr <= 1e-3')).toEqual(['alpha', 'Beta', 'delta'])
    expect(f('lr = 0.001')).toEqual(['alpha', 'delta'])
    expect(f('best > 85%')).toEqual(['Beta'])
    expect(f('batch != 100')).toEqual(['Beta'])
  })

  it('combines with or, not and parentheses', () => {
    // alpha: lr 1e-3 tag seed; Beta: lr 5e-4 tag sweep:lr; gamma fc: lr 1e-2; delta: lr 1e-3 tag sweep:lr.
    expect(f('lr < 1e-3 or lr > 5e-3')).toEqual(['Beta', 'gamma fc'])
    expect(f('not tag:sweep:lr')).toEqual(['alpha', 'gamma fc'])
    expect(f('(lr < 1e-3 or batch = 100) and not tag:seed')).toEqual(['Beta', 'gamma fc', 'delta'])
    expect(f('not (alpha or beta)')).toEqual(['gamma fc', 'delta'])
    expect(f('tag:sweep:*')).toEqual(['Beta', 'delta'])
    expect(f('tag:swe')).toEqual([])
    expect(f('name:alpha or name:"gamma fc"')).toEqual(['alpha', 'gamma fc'])
  })

  it('leaves a run without the value out of a comparison and out of its negation', () => {
    // gamma fc and delta have no result.
    expect(f('best > 86%')).toEqual(['Beta'])
    expect(f('not best > 86%')).toEqual(['alpha'])
    expect(f('not best > 86% or status:running')).toEqual(['alpha', 'gamma fc'])
    expect(f('best > 86% or not best > 86%')).toEqual(['alpha', 'Beta'])
  })

  it('matches status, model and choice fields by prefix', () => {
    expect(f('status:failed or status:running')).toEqual(['gamma fc', 'delta'])
    expect(f('model:fc')).toEqual(['gamma fc'])
    expect(f('not model:two-layer')).toEqual(['gamma fc'])
    // Only fc models have a normalization: the others can tell neither way.
    expect(f('normalization:batchnorm')).toEqual(['gamma fc'])
    expect(f('not normalization:batchnorm')).toEqual([])
    expect(f('updateRule:sgd')).toHaveLength(4)
  })

  it('filters nothing out with a malformed text (the view says what is wrong)', () => {
    expect(f('lr <')).toHaveLength(4)
    expect(f('reg > abc', { status: 'failed' })).toEqual(['delta'])
  })

  it('filters by status, dataset and model kind', () => {
    expect(f('', { status: 'running' })).toEqual(['gamma fc'])
    expect(f('', { model: 'fc' })).toEqual(['gamma fc'])
    expect(f('', { dataset: 'cifar10' })).toEqual([])
    expect(f('sweep', { status: 'failed' })).toEqual(['delta'])
  })
})

describe('damaged runs in the table', () => {
  const damaged: CorruptRun = {
    id: '20261126-120500-dmgdmg',
    status: 'corrupt',
    problem: { file: '/d/run.json', message: 'config.model: Invalid input' },
    name: 'epsilon',
  }
  const now = Date.UTC(2026, 10, 26, 13)

  it('sort by name with the others, after every status, and with empty cells elsewhere', () => {
    const runs = [...fixture(), damaged]
    // alpha, Beta, delta, epsilon, gamma fc.
    expect(
      sortRuns(runs, 'name', 'asc', now)
        .map((r) => r.id)
        .indexOf(damaged.id),
    ).toBe(3)
    expect(sortRuns(runs, 'status', 'asc', now).at(-1)).toBe(damaged)
    expect(sortRuns(runs, 'bestVal', 'desc', now).at(-1)).toBe(damaged)
  })

  it('match words of their salvaged name or id and the corrupt status; no condition or other filter', () => {
    const runs = [...fixture(), damaged]
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'eps' }, now)).toEqual([damaged])
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'dmgdmg' }, now)).toEqual([damaged])
    expect(filterRuns(runs, { ...EMPTY_FILTER, status: 'corrupt' }, now)).toEqual([damaged])
    expect(filterRuns(runs, { ...EMPTY_FILTER, status: 'failed' }, now)).not.toContain(damaged)
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'best < 2' }, now)).not.toContain(damaged)
    expect(filterRuns(runs, { ...EMPTY_FILTER, model: 'fc' }, now)).not.toContain(damaged)
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'status:corrupt' }, now)).toEqual([damaged])
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'name:eps*' }, now)).toEqual([damaged])
    // Neither the tag nor its absence can be told for a run whose config is unreadable.
    expect(filterRuns(runs, { ...EMPTY_FILTER, query: 'not tag:seed' }, now)).not.toContain(damaged)
  })
})
