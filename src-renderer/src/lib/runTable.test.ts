import { describe, expect, it } from 'vitest'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { makeRun } from '../testing/fakeApi'
import { EMPTY_FILTER, filterRuns, parseQuery, sortRuns } from './runTable'

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

  it('does not modify its input', () => {
    const runs = fixture()
    const before = names(runs)
    sortRuns(runs, 'name', 'desc', 0)
    expect(names(runs)).toEqual(before)
  })
})

describe('parseQuery', () => {
  it('splits free text from numeric conditions', () => {
    const q = parseQuery('seed lr < 1e-3 best>=85% epochs=10')
    expect(q.terms).toEqual(['seed'])
    expect(q.conditions).toEqual([
      { field: 'lr', op: '<', value: 1e-3 },
      { field: 'best', op: '>=', value: 0.85 },
      { field: 'epochs', op: '=', value: 10 },
    ])
    expect(q.unknownFields).toEqual([])
  })

  it('reads accuracies as fractions or percents, durations with units, and aliases', () => {
    expect(parseQuery('test > 80').conditions[0]).toEqual({ field: 'test', op: '>', value: 0.8 })
    expect(parseQuery('val > 0.8').conditions[0]).toEqual({ field: 'val', op: '>', value: 0.8 })
    expect(parseQuery('duration > 5m').conditions[0]).toEqual({ field: 'duration', op: '>', value: 300 })
    expect(parseQuery('learningRate <= 0.01').conditions[0]).toEqual({ field: 'lr', op: '<=', value: 0.01 })
  })

  it('reports unknown fields', () => {
    expect(parseQuery('foo < 3').unknownFields).toEqual(['foo'])
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
  })
})
