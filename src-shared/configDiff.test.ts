import { describe, expect, it } from 'vitest'
import { RunConfigSchema, type RunConfigInput } from './config'
import { configDiff, deepEqual } from './configDiff'

const base: RunConfigInput = { name: 'a', dataset: { name: 'cifar10' }, model: { kind: 'fc' }, seed: 1 }
const cfg = (over: Partial<RunConfigInput> = {}) => RunConfigSchema.parse({ ...base, ...over })

describe('configDiff', () => {
  it('is empty for configs that differ only in bookkeeping fields', () => {
    expect(configDiff([cfg(), cfg({ name: 'b', notes: 'n', tags: ['x'] })])).toEqual([])
  })

  it('finds nested optimConfig and array differences, sorted by path', () => {
    const a = cfg({
      model: { kind: 'fc', hiddenDims: [100, 100] },
      solver: { optimConfig: { learningRate: 1e-3 } },
    })
    const b = cfg({
      model: { kind: 'fc', hiddenDims: [100, 50] },
      solver: { optimConfig: { learningRate: 1e-2 } },
    })
    expect(configDiff([a, b])).toEqual([
      {
        path: 'model.hiddenDims',
        values: [
          [100, 100],
          [100, 50],
        ],
      },
      { path: 'solver.optimConfig.learningRate', values: [1e-3, 1e-2] },
    ])
  })

  it('treats equal arrays as equal and missing fields as undefined', () => {
    const a = cfg({
      solver: { updateRule: 'sgdMomentum', optimConfig: { learningRate: 1e-3, momentum: 0.9 } },
    })
    const b = cfg({ solver: { updateRule: 'sgdMomentum', optimConfig: { learningRate: 1e-3 } } })
    expect(configDiff([a, b])).toEqual([{ path: 'solver.optimConfig.momentum', values: [0.9, undefined] }])
  })

  it('reports model kind changes with the fields each kind has', () => {
    const a = cfg({ model: { kind: 'two-layer' } })
    const paths = configDiff([a, cfg()]).map((d) => d.path)
    expect(paths).toEqual([
      'model.dropoutKeepRatio',
      'model.hiddenDim',
      'model.hiddenDims',
      'model.kind',
      'model.normalization',
      'model.weightScale',
    ])
  })

  it('lists a difference when any one of three runs differs', () => {
    expect(configDiff([cfg(), cfg(), cfg({ seed: 3 })])).toEqual([{ path: 'seed', values: [1, 1, 3] }])
  })
})

describe('deepEqual', () => {
  it('compares arrays and objects by value', () => {
    expect(deepEqual([1, [2, 3]], [1, [2, 3]])).toBe(true)
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false)
    expect(deepEqual({ a: 1 }, { a: 1 })).toBe(true)
    expect(deepEqual({ a: 1 }, { b: 1 })).toBe(false)
    expect(deepEqual(null, undefined)).toBe(false)
  })
})
