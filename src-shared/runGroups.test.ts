import { describe, expect, it } from 'vitest'
import { RunConfigSchema, type RunConfigInput } from './config'
import {
  formatGroupValue,
  GroupOptionsError,
  groupLabel,
  groupPaths,
  groupRuns,
  parseGroupOptions,
  valueAt,
} from './runGroups'

const cfg = (lr: number, seed: number, over: Partial<RunConfigInput> = {}) =>
  RunConfigSchema.parse({
    name: `lr ${lr} seed ${seed}`,
    dataset: { name: 'cifar10' },
    model: { kind: 'two-layer', hiddenDim: 50 },
    solver: { optimConfig: { learningRate: lr } },
    seed,
    ...over,
  })

const LR = 'solver.optimConfig.learningRate'

describe('groupRuns', () => {
  it('groups by a field, in ascending order of its values, members in input order', () => {
    const configs = [cfg(1e-2, 1), cfg(1e-3, 1), cfg(1e-2, 2), cfg(1e-3, 2), cfg(1e-4, 1)]
    const groups = groupRuns(configs, { kind: 'fields', fields: [LR] })
    expect(groups.map((g) => g.members)).toEqual([[4], [1, 3], [0, 2]])
    expect(groups.map(groupLabel)).toEqual(['learningRate=1e-4', 'learningRate=1e-3', 'learningRate=0.01'])
  })

  it('groups by everything except the seed: the seeds of one config together, names and notes ignored', () => {
    const configs = [
      cfg(1e-3, 1),
      cfg(1e-3, 2, { notes: 'x' }),
      cfg(1e-3, 3, { model: { kind: 'two-layer', hiddenDim: 100 } }),
      cfg(1e-2, 4),
      cfg(1e-3, 5, { model: { kind: 'two-layer', hiddenDim: 100 } }),
    ]
    expect(groupPaths(configs, { kind: 'except-seed' })).toEqual(['model.hiddenDim', LR])
    const groups = groupRuns(configs, { kind: 'except-seed' })
    expect(groups.map((g) => g.members)).toEqual([[0, 1], [3], [2, 4]])
    expect(groupLabel(groups[0]!)).toBe('hiddenDim=50, learningRate=1e-3')
  })

  it('puts runs that differ only by seed in one group with an empty label', () => {
    const groups = groupRuns([cfg(1e-3, 1), cfg(1e-3, 2)], { kind: 'except-seed' })
    expect(groups).toHaveLength(1)
    expect(groups[0]!.members).toEqual([0, 1])
    expect(groupLabel(groups[0]!)).toBe('')
  })

  it('keeps a field some runs lack apart, last, and tells arrays and objects by value', () => {
    const configs = [
      cfg(1e-3, 1, { model: { kind: 'fc', hiddenDims: [100, 100] } }),
      cfg(1e-3, 2, { model: { kind: 'two-layer', hiddenDim: 10 } }),
      cfg(1e-3, 3, { model: { kind: 'fc', hiddenDims: [100, 100] } }),
      cfg(1e-3, 4, { model: { kind: 'fc', hiddenDims: [200] } }),
    ]
    const groups = groupRuns(configs, { kind: 'fields', fields: ['model.hiddenDims'] })
    expect(groups.map((g) => g.members)).toEqual([[0, 2], [3], [1]])
    expect(groups.map(groupLabel)).toEqual(['hiddenDims=[100,100]', 'hiddenDims=[200]', 'hiddenDims=—'])
  })

  it('names a field by its whole path where two end alike', () => {
    const [g] = groupRuns([cfg(1e-3, 1)], { kind: 'fields', fields: ['seed', 'a.seed'] })
    expect(groupLabel(g!)).toBe('seed=1, a.seed=—')
  })

  it('reads nested values and nothing beyond them', () => {
    const c = cfg(1e-3, 7)
    expect(valueAt(c, LR)).toBe(1e-3)
    expect(valueAt(c, 'seed')).toBe(7)
    expect(valueAt(c, 'solver.nope.deeper')).toBeUndefined()
    expect(valueAt(c, 'seed.toFixed')).toBeUndefined()
    expect(valueAt(c, 'constructor')).toBeUndefined()
  })
})

describe('formatGroupValue', () => {
  it('writes small and large numbers short, others to four digits', () => {
    expect(formatGroupValue(1e-3)).toBe('1e-3')
    expect(formatGroupValue(5e-4)).toBe('5e-4')
    expect(formatGroupValue(0.00123456)).toBe('1.235e-3')
    expect(formatGroupValue(0.08713003913871945)).toBe('0.08713')
    expect(formatGroupValue(100)).toBe('100')
    expect(formatGroupValue(0)).toBe('0')
    expect(formatGroupValue(2e6)).toBe('2e6')
    expect(formatGroupValue('adam')).toBe('adam')
    expect(formatGroupValue(true)).toBe('true')
    expect(formatGroupValue(null)).toBe('null')
  })
})

describe('parseGroupOptions', () => {
  const fail = (v: unknown): GroupOptionsError => {
    try {
      parseGroupOptions(v)
    } catch (e) {
      if (e instanceof GroupOptionsError) return e
      throw e
    }
    throw new Error('accepted')
  }

  it('accepts both kinds and fills the defaults', () => {
    expect(parseGroupOptions({ by: { kind: 'except-seed' } })).toEqual({
      by: { kind: 'except-seed' },
      center: 'mean',
      spread: 'std',
      members: false,
    })
    expect(
      parseGroupOptions({
        by: { kind: 'fields', fields: [LR] },
        center: 'median',
        spread: 'ci95',
        members: true,
      }),
    ).toEqual({ by: { kind: 'fields', fields: [LR] }, center: 'median', spread: 'ci95', members: true })
  })

  it('names the field and what was expected', () => {
    expect(fail(null)).toMatchObject({ field: '', message: expect.stringMatching(/must be an object/) })
    expect(fail({ by: { kind: 'except-seed' }, spread: 'iqr' })).toMatchObject({
      field: 'spread',
      message: 'must be one of minmax, std, ci95, got "iqr"',
    })
    expect(fail({ by: { kind: 'except-seed' }, center: 3 })).toMatchObject({ field: 'center' })
    expect(fail({ by: { kind: 'except-seed' }, members: 'yes' })).toMatchObject({ field: 'members' })
    expect(fail({ by: { kind: 'except-seed' }, colour: 1 })).toMatchObject({ field: 'colour' })
    expect(fail({})).toMatchObject({ field: 'by' })
    expect(fail({ by: { kind: 'seed' } })).toMatchObject({ field: 'by.kind' })
    expect(fail({ by: { kind: 'fields', fields: [] } })).toMatchObject({
      field: 'by.fields',
      message: 'must list 1 to 8 config paths, got 0',
    })
    expect(fail({ by: { kind: 'fields', fields: [LR, 'a..b'] } })).toMatchObject({ field: 'by.fields[1]' })
    expect(fail({ by: { kind: 'fields', fields: ['x'.repeat(121)] } })).toMatchObject({
      field: 'by.fields[0]',
    })
    expect(fail({ by: { kind: 'except-seed', fields: [LR] } })).toMatchObject({ field: 'by.fields' })
  })
})
