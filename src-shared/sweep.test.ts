import { describe, expect, it } from 'vitest'
import type { FieldError, RunConfig } from './config'
import { expandSweep, formatParamValue, gridValues, MAX_SWEEP_RUNS, mulberry32 } from './sweep'

const base = {
  dataset: { name: 'fashion-mnist-small' },
  model: { kind: 'two-layer' },
  solver: { updateRule: 'sgd' },
}

function expand(spec: Record<string, unknown>): RunConfig[] {
  const r = expandSweep({ name: 'tune', base, ...spec })
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value.configs
}

function errorsOf(spec: Record<string, unknown>): FieldError[] {
  const r = expandSweep({ name: 'tune', base, ...spec })
  if (r.ok) throw new Error('expected errors')
  return r.errors
}

const lr = (c: RunConfig): number => c.solver.optimConfig.learningRate
const hidden = (c: RunConfig): number => (c.model.kind === 'two-layer' ? c.model.hiddenDim : NaN)

describe('grid search', () => {
  it('takes the cartesian product, last param fastest', () => {
    const configs = expand({
      method: 'grid',
      params: {
        'model.hiddenDim': { values: [50, 100] },
        'solver.optimConfig.learningRate': { values: [1e-3, 1e-4, 1e-5] },
      },
    })
    expect(configs.map((c) => [hidden(c), lr(c)])).toEqual([
      [50, 1e-3],
      [50, 1e-4],
      [50, 1e-5],
      [100, 1e-3],
      [100, 1e-4],
      [100, 1e-5],
    ])
  })

  it('names and tags each run and fills defaults', () => {
    const [first, second] = expand({
      method: 'grid',
      params: {
        'solver.optimConfig.learningRate': { values: [3.2e-4, 1e-3] },
        'model.hiddenDim': { values: [150] },
      },
    })
    expect(first?.name).toBe('tune #1 lr=3.2e-4 hidden=150')
    expect(second?.name).toBe('tune #2 lr=1e-3 hidden=150')
    expect(first?.tags).toEqual(['sweep:tune'])
    expect(first?.solver.lrDecay).toBe(1)
    expect(first?.version).toBe(1)
  })

  it('keeps the base tags and does not share objects between runs', () => {
    const configs = expand({
      method: 'grid',
      base: { ...base, tags: ['mine'], model: { kind: 'fc', hiddenDims: [100, 100] } },
      params: { 'model.hiddenDims.1': { values: [10, 20] } },
    })
    expect(configs.map((c) => c.tags)).toEqual([
      ['mine', 'sweep:tune'],
      ['mine', 'sweep:tune'],
    ])
    expect(configs.map((c) => (c.model.kind === 'fc' ? c.model.hiddenDims : []))).toEqual([
      [100, 10],
      [100, 20],
    ])
    expect(configs[0]?.name).toBe('tune #1 hidden[1]=10')
  })

  it('discretises ranges in linear and log space', () => {
    const log = { min: 1e-5, max: 1e-1, scale: 'log', integer: false, steps: 5 } as const
    expect(gridValues(log)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
    expect(gridValues({ min: 0, max: 1, scale: 'linear', integer: false, steps: 5 })).toEqual([
      0, 0.25, 0.5, 0.75, 1,
    ])
    expect(gridValues({ min: 1, max: 3, scale: 'linear', integer: true, steps: 9 })).toEqual([1, 2, 3])
    expect(gridValues({ min: 10, max: 1000, scale: 'log', integer: true, steps: 3 })).toEqual([10, 100, 1000])
    const configs = expand({
      method: 'grid',
      params: { 'model.reg': { min: 0.01, max: 1, scale: 'log', steps: 3 } },
    })
    expect(configs.map((c) => c.model.reg)).toEqual([0.01, 0.1, 1])
  })

  it('runs the base once when there are no params', () => {
    expect(expand({ method: 'grid', params: {} })).toHaveLength(1)
  })

  it('caps the number of combinations', () => {
    const errors = errorsOf({
      method: 'grid',
      params: {
        'model.hiddenDim': { min: 1, max: 1000, scale: 'linear', integer: true, steps: 1000 },
        'model.reg': { min: 0, max: 1, scale: 'linear', steps: 11 },
      },
    })
    expect(errors).toEqual([
      {
        path: 'params',
        message: `the grid has 11000 combinations (1000 × 11); a sweep runs at most ${MAX_SWEEP_RUNS}`,
      },
    ])
  })
})

describe('random search', () => {
  const spec = {
    method: 'random',
    samples: 50,
    params: {
      'model.hiddenDim': { values: [50, 100, 150, 200] },
      'solver.optimConfig.learningRate': { min: 1e-5, max: 1e-1, scale: 'log' },
      'model.reg': { min: 0, max: 2, scale: 'linear' },
      'solver.numEpochs': { min: 1, max: 20, scale: 'log', integer: true },
    },
  }

  it('is reproducible with a seed and differs with another', () => {
    const a = expand({ ...spec, seed: 1 })
    expect(expand({ ...spec, seed: 1 })).toEqual(a)
    const b = expand({ ...spec, seed: 2 })
    expect(b.map(lr)).not.toEqual(a.map(lr))
    expect(a).toHaveLength(50)
    expect(a[0]?.tags).toEqual(['sweep:tune'])
  })

  it('derives and records a seed from the spec when none is given', () => {
    const r1 = expandSweep({ name: 'tune', base, ...spec })
    const r2 = expandSweep({ name: 'tune', base, ...spec })
    if (!r1.ok || !r2.ok) throw new Error('expected ok')
    expect(r1.value.spec.seed).toBeTypeOf('number')
    expect(r2.value).toEqual(r1.value)
    const reseeded = expandSweep({ name: 'tune', base, ...spec, seed: r1.value.spec.seed })
    expect(reseeded.ok && reseeded.value.configs).toEqual(r1.value.configs)
    const renamed = expandSweep({ name: 'tune 2', base, ...spec })
    expect(renamed.ok && renamed.value.spec.seed).not.toBe(r1.value.spec.seed)
  })

  it('samples log-uniformly within [min, max], across decades', () => {
    const configs = expand({ ...spec, samples: 2000, seed: 7 })
    const lrs = configs.map(lr)
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-5)
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1)
    // Log-uniform over four decades: about a quarter of the draws in each, half below the geometric mean.
    const below = lrs.filter((x) => x < 1e-3).length / lrs.length
    expect(below).toBeGreaterThan(0.45)
    expect(below).toBeLessThan(0.55)
    for (const [lo, hi] of [
      [1e-5, 1e-4],
      [1e-4, 1e-3],
      [1e-3, 1e-2],
      [1e-2, 1e-1],
    ] as const) {
      const share = lrs.filter((x) => x >= lo && x < hi).length / lrs.length
      expect(share).toBeGreaterThan(0.2)
      expect(share).toBeLessThan(0.3)
    }
  })

  it('samples linear ranges uniformly and choices uniformly', () => {
    const configs = expand({ ...spec, samples: 2000, seed: 8 })
    const regs = configs.map((c) => c.model.reg)
    expect(Math.min(...regs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...regs)).toBeLessThanOrEqual(2)
    expect(regs.filter((r) => r < 1).length / regs.length).toBeCloseTo(0.5, 1)
    for (const h of [50, 100, 150, 200]) {
      expect(configs.filter((c) => hidden(c) === h).length / configs.length).toBeCloseTo(0.25, 1)
    }
  })

  it('rounds integer params and reaches both ends', () => {
    const epochs = expand({ ...spec, samples: 2000, seed: 9 }).map((c) => c.solver.numEpochs)
    expect(epochs.every((e) => Number.isInteger(e) && e >= 1 && e <= 20)).toBe(true)
    expect(new Set(epochs)).toContain(1)
    expect(new Set(epochs)).toContain(20)
    // Log scale favours small values.
    expect(epochs.filter((e) => e <= 4).length).toBeGreaterThan(epochs.filter((e) => e > 10).length)
    const linear = expand({
      method: 'random',
      samples: 500,
      seed: 3,
      params: { 'model.hiddenDim': { min: 0.5, max: 3.5, scale: 'linear', integer: true } },
    }).map(hidden)
    expect(new Set(linear)).toEqual(new Set([1, 2, 3]))
  })

  it('mulberry32 gives floats in [0, 1) that depend on the seed', () => {
    const a = mulberry32(42)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(mulberry32(42)()).toBe(xs[0])
    expect(mulberry32(43)()).not.toBe(xs[0])
  })
})

describe('run names', () => {
  it('formats values briefly', () => {
    expect(formatParamValue(3.2e-4)).toBe('3.2e-4')
    expect(formatParamValue(0.001)).toBe('1e-3')
    expect(formatParamValue(0.95)).toBe('0.95')
    expect(formatParamValue(150)).toBe('150')
    expect(formatParamValue(0.22568)).toBe('0.23')
    expect(formatParamValue('adam')).toBe('adam')
    expect(formatParamValue([100, 100])).toBe('[100,100]')
    expect(formatParamValue(null)).toBe('null')
  })

  it('keeps names within the run name limit', () => {
    const long = 'x'.repeat(58)
    const configs = expand({
      name: long,
      method: 'grid',
      params: {
        notes: { values: ['n'.repeat(200)] },
        'model.weightScale': { values: [1e-3] },
        'model.reg': { values: [0.5] },
        'solver.batchSize': { values: [100] },
        'solver.lrDecay': { values: [0.9] },
        'solver.numTrainSamples': { values: [1000] },
        'solver.numValSamples': { values: [500] },
        'dataset.numTraining': { values: [4000] },
        'dataset.numValidation': { values: [500] },
        'dataset.numTest': { values: [500] },
        seed: { values: [12345] },
      },
    })
    expect(configs[0]?.name.length).toBeLessThanOrEqual(200)
    expect(configs[0]?.name.startsWith(`${long} #1 notes=nnn`)).toBe(true)
  })
})

describe('errors', () => {
  const messages = (errors: FieldError[]): string[] => errors.map((e) => `${e.path}: ${e.message}`)

  it('rejects an unknown method', () => {
    expect(messages(errorsOf({ method: 'bayes', params: {} }))).toEqual([
      'method: Invalid option: expected one of "grid"|"random"',
    ])
  })

  it('requires samples for random search and forbids it, and the seed, for grid search', () => {
    expect(messages(errorsOf({ method: 'random', params: {} }))).toEqual([
      'samples: required for random search: how many runs to draw',
    ])
    expect(messages(errorsOf({ method: 'grid', samples: 3, seed: 1, params: {} }))).toEqual([
      'samples: random search only; grid search runs every combination',
      'seed: random search only; grid search draws nothing',
    ])
  })

  it('requires steps for a range in grid search and forbids them in random search', () => {
    const range = { min: 1e-4, max: 1e-2, scale: 'log' }
    expect(messages(errorsOf({ method: 'grid', params: { 'model.reg': range } }))).toEqual([
      'params.model.reg.steps: required for grid search over a range',
    ])
    expect(
      messages(errorsOf({ method: 'random', samples: 2, params: { 'model.reg': { ...range, steps: 3 } } })),
    ).toEqual(['params.model.reg.steps: grid search only; random search samples a range'])
  })

  it('names an unknown param path', () => {
    const errors = errorsOf({
      method: 'grid',
      params: {
        'solver.optimConfig.learningRat': { values: [1e-3] },
        'model.hiddenDims.0': { values: [10] },
      },
    })
    expect(messages(errors).sort()).toEqual([
      'params.model.hiddenDims.0: unknown field',
      'params.solver.optimConfig.learningRat: unknown field',
    ])
  })

  it('names a param whose values are out of range, with the run and value', () => {
    const errors = errorsOf({
      method: 'grid',
      params: { 'model.hiddenDim': { values: [0, 50, -1] }, 'model.reg': { values: [0.1, 0.2] } },
    })
    expect(messages(errors)).toEqual([
      'params.model.hiddenDim: Too small: expected number to be >0 (4 runs, e.g. #1 with 0)',
    ])
    const one = errorsOf({ method: 'grid', params: { 'solver.updateRule': { values: ['sgd', 'nesterov'] } } })
    expect(one).toHaveLength(1)
    expect(one[0]?.path).toBe('params.solver.updateRule')
    expect(one[0]?.message).toMatch(/^Invalid option: .*\(run #2 with nesterov\)$/)
  })

  it('reports errors in nested values with their field', () => {
    const errors = errorsOf({
      method: 'grid',
      base: { ...base, model: { kind: 'fc' } },
      params: { 'model.hiddenDims': { values: [[100, 0]] } },
    })
    expect(messages(errors)).toEqual([
      'params.model.hiddenDims: Too small: expected number to be >0 (at model.hiddenDims.1) (run #1 with [100,0])',
    ])
  })

  it('reports base errors under base, once', () => {
    const errors = errorsOf({
      method: 'grid',
      base: { dataset: { name: 'Bad/Name' }, model: { kind: 'two-layer' }, solverr: {} },
      params: { 'model.hiddenDim': { values: [1, 2, 3] } },
    })
    expect(messages(errors).sort()).toEqual([
      'base.dataset.name: a dataset name: lowercase letters, digits, - and _',
      'base.solverr: unknown field',
    ])
    expect(
      messages(errorsOf({ method: 'grid', base: { model: { kind: 'two-layer' } }, params: {} })),
    ).toEqual(['base.dataset: Invalid input: expected object, received undefined'])
  })

  it('reports a param that crosses a primitive in the base', () => {
    const errors = errorsOf({
      method: 'grid',
      base: { ...base, solver: 5 },
      params: { 'solver.lrDecay': { values: [0.9] } },
    })
    expect(messages(errors)).toEqual(['params.solver.lrDecay: solver is a number, not an object'])
  })

  it('rejects bad param specs field by field', () => {
    const errors = errorsOf({
      method: 'random',
      samples: 4,
      params: {
        a: { values: [] },
        b: { min: 2, max: 1, scale: 'linear' },
        c: { min: 0, max: 1, scale: 'log' },
        d: { min: 1, scale: 'cubic' },
        e: { values: [1], min: 0 },
        f: { min: 0.2, max: 0.8, scale: 'linear', integer: true },
        g: {},
        h: { values: [1], extra: true },
      },
    })
    expect(messages(errors)).toEqual([
      'params.a.values: at least one value',
      'params.b.max: must be at least min (2)',
      'params.c.min: must be above 0 on a log scale',
      'params.d.scale: Invalid option: expected one of "log"|"linear"',
      'params.e.min: not with values: a param is a list or a range',
      'params.f.integer: no integer lies in [min, max]',
      'params.g: give values (choices) or min, max and scale (a range)',
      'params.h.extra: unknown field',
    ])
    expect(messages(errorsOf({ method: 'random', samples: 1, params: { x: { min: 1 } } }))).toEqual([
      'params.x.max: required for a range',
      "params.x.scale: required for a range: 'log' or 'linear'",
    ])
  })

  it('rejects bad and reserved param paths, prototype segments and overlaps', () => {
    const params = JSON.parse(
      '{"__proto__": {"values": [1]}, "model.constructor": {"values": [1]}, "a..b": {"values": [1]},' +
        '"name": {"values": ["x"]}, "tags": {"values": [[]]}, "model": {"values": [{}]}, "model.reg": {"values": [1]}}',
    ) as unknown
    expect(messages(errorsOf({ method: 'grid', params }))).toEqual([
      'params.__proto__: "__proto__" is not allowed in a path',
      'params.model.constructor: "constructor" is not allowed in a path',
      'params.a..b: "" is not a field name or an array index',
      'params.name: name is set by the sweep',
      'params.tags: tags is set by the sweep',
      'params.model.reg: overlaps params.model',
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('reports a "__proto__" key in the base as an unknown field without polluting', () => {
    const spec = JSON.parse(
      '{"name": "t", "method": "grid", "params": {}, "base": {"__proto__": {"polluted": true}, ' +
        '"dataset": {"name": "d"}, "model": {"kind": "two-layer"}}}',
    ) as unknown
    const r = expandSweep(spec)
    expect(r.ok ? [] : messages(r.errors)).toEqual(['base.__proto__: unknown field'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('rejects a bad spec shape', () => {
    expect(
      messages(errorsOf({ method: 'grid', base: [], params: [], extra: 1, version: 2, name: ' ' })),
    ).toEqual([
      'version: Invalid input: expected 1',
      'name: a name is required',
      'base: an object: a run config, params fill what it omits',
      'params: an object of dotted paths to params',
      'extra: unknown field',
    ])
    expect(messages(errorsOf({ method: 'grid', params: {}, name: 'n'.repeat(59) }))).toEqual([
      'name: at most 58 characters (every run is tagged sweep:<name>)',
    ])
    expect(expandSweep(null).ok).toBe(false)
  })
})
