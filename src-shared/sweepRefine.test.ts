import { describe, expect, it } from 'vitest'
import type { RunConfig } from './config'
import { cloneData, setPath } from './paths'
import type { RunRecord } from './runs'
import { expandSweep, SweepSpecSchema, type RangeParam, type SweepSpec } from './sweep'
import { edgeWarnings, refineSweep, refineTopK } from './sweepRefine'

const LR = 'solver.optimConfig.learningRate'

/** The shape of examples/seed-random-search.json. */
const spec: SweepSpec = SweepSpecSchema.parse({
  name: 'Seed: random search',
  method: 'random',
  samples: 8,
  seed: 231,
  base: {
    dataset: { name: 'fashion-mnist-small' },
    model: { kind: 'two-layer', weightScale: 0.001 },
    solver: { updateRule: 'sgd', lrDecay: 0.95, batchSize: 100 },
  },
  params: {
    'model.hiddenDim': { values: [50, 100, 150, 200] },
    [LR]: { min: 1e-4, max: 5e-3, scale: 'log' },
    'solver.numEpochs': { values: [5, 10] },
    'model.reg': { min: 1e-3, max: 1, scale: 'log' },
  },
})

function configOf(s: SweepSpec): RunConfig {
  const r = expandSweep({ ...s, samples: 1 })
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value.configs[0] as RunConfig
}

let id = 0
function run(values: Record<string, unknown>, bestValAcc: number | null, s = spec): RunRecord {
  const config = cloneData(configOf(s))
  for (const [path, v] of Object.entries(values)) setPath(config as never, path, v)
  const result =
    bestValAcc === null
      ? null
      : { bestValAcc, finalTrainAcc: 0, finalValAcc: 0, valAcc: 0, testAcc: 0, confusion: [], classNames: [] }
  return {
    id: `r${++id}`,
    config,
    status: bestValAcc === null ? 'failed' : 'completed',
    sweepId: null,
    createdAt: '',
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 0, numIterations: 0, epoch: 0, numEpochs: 0 },
    result,
    error: null,
    environment: null,
    checkpointEpoch: 0,
  }
}

const range = (s: SweepSpec, path: string): RangeParam => s.params[path] as RangeParam

/** Refined bounds are rounded to three significant digits. */
function expectNear(actual: number, expected: number): void {
  expect(Math.abs(actual / expected - 1)).toBeLessThan(5e-3)
}

function expectExpands(s: SweepSpec): void {
  const r = expandSweep(s)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  expect(r.value.configs).toHaveLength(s.samples ?? 0)
}

/** Learning rates around 1e-3 (the middle, in log space) do best. */
const middle = [
  run({ [LR]: 8e-4, 'model.reg': 0.03, 'model.hiddenDim': 100, 'solver.numEpochs': 10 }, 0.5),
  run({ [LR]: 1.2e-3, 'model.reg': 0.02, 'model.hiddenDim': 150, 'solver.numEpochs': 10 }, 0.48),
  run({ [LR]: 6e-4, 'model.reg': 0.05, 'model.hiddenDim': 100, 'solver.numEpochs': 10 }, 0.46),
  run({ [LR]: 1.1e-4, 'model.reg': 0.9, 'model.hiddenDim': 50, 'solver.numEpochs': 5 }, 0.2),
  run({ [LR]: 4.9e-3, 'model.reg': 0.002, 'model.hiddenDim': 200, 'solver.numEpochs': 5 }, 0.1),
]

describe('edgeWarnings', () => {
  it('says nothing when the best runs sit inside the ranges', () => {
    expect(edgeWarnings(spec, middle)).toEqual([])
  })

  it('warns when the best run sits in the outer tenth of a log range', () => {
    const runs = [
      run({ [LR]: 4.8e-3, 'model.reg': 0.03 }, 0.5),
      run({ [LR]: 4.5e-3, 'model.reg': 0.02 }, 0.45),
      run({ [LR]: 1e-3, 'model.reg': 0.05 }, 0.4),
    ]
    expect(edgeWarnings(spec, runs)).toEqual([
      {
        path: LR,
        edge: 'max',
        value: 4.8e-3,
        message:
          `${LR}: the best run used 4.8e-3, at the top of the searched range [1e-4, 5e-3] ` +
          '(as are 2 of the top 3); widen the range',
      },
    ])
  })

  it('measures log ranges in log space', () => {
    // 0.05 lies in the bottom 5% of [1e-3, 1] linearly, but mid-range in log space.
    expect(edgeWarnings(spec, [run({ 'model.reg': 1.5e-3 }, 0.5)]).map((w) => w.edge)).toEqual(['min'])
    expect(edgeWarnings(spec, [run({ 'model.reg': 0.05 }, 0.5)])).toEqual([])
  })

  it('ignores runs without a result', () => {
    const runs = [run({ 'model.reg': 1.5e-3 }, null), run({ 'model.reg': 0.03 }, 0.3)]
    expect(edgeWarnings(spec, runs)).toEqual([])
    expect(edgeWarnings(spec, [])).toEqual([])
  })
})

describe('refineSweep', () => {
  it('drafts a random sweep with a new name and seed on the same base', () => {
    const next = refineSweep(spec, middle)
    expect(next.name).toBe('Seed: random search (refined)')
    expect(next.method).toBe('random')
    expect(next.seed).toBe(232)
    expect(next.samples).toBe(8)
    expect(next.base).toEqual(spec.base)
    expect(next.base).not.toBe(spec.base)
    expect(refineSweep(spec, middle, { samples: 20 }).samples).toBe(20)
    expect(refineSweep(next, middle).name).toBe('Seed: random search (refined 2)')
  })

  it('keeps names within the tag limit', () => {
    const long = { ...spec, name: 'x'.repeat(58) }
    const next = refineSweep(long, middle)
    expect(next.name).toHaveLength(58)
    expect(next.name.endsWith(' (refined)')).toBe(true)
    expectExpands(next)
  })

  it('narrows a log range around a clear optimum, padded in log space', () => {
    const next = range(refineSweep(spec, middle), LR)
    // Top 3 span [6e-4, 1.2e-3]; the old log-width is log10(50), so each side gains 0.25 of it.
    const pad = 10 ** (0.25 * Math.log10(50))
    expectNear(next.min, 6e-4 / pad)
    expectNear(next.max, 1.2e-3 * pad)
    expect(next.min).toBeGreaterThan(1e-4)
    expect(next.max).toBeLessThan(5e-3)
    expect(next.scale).toBe('log')
  })

  it('centres on at most half of the finished runs, so a small sweep still narrows', () => {
    expect(refineTopK(5, 3)).toBe(2)
    expect(refineTopK(3, 8)).toBe(3)
    expect(refineTopK(3, 1)).toBe(1)
    expect(refineTopK(0, 4)).toBe(1)
    // 3 runs over [1e-4, 1e-2] whose middle one won: top 5 of 3 would span the whole range again.
    const grid = SweepSpecSchema.parse({
      name: 'lr',
      method: 'random',
      samples: 3,
      base: spec.base,
      params: { [LR]: { min: 1e-4, max: 1e-2, scale: 'log' } },
    })
    const runs = [
      run({ [LR]: 1e-3 }, 0.58, grid),
      run({ [LR]: 1e-4 }, 0.35, grid),
      run({ [LR]: 1e-2 }, 0.34, grid),
    ]
    const next = range(refineSweep(grid, runs, { topK: refineTopK(5, runs.length) }), LR)
    expect(next.min).toBe(1e-4)
    expectNear(next.max, 1e-3 * 10 ** 0.5)
  })

  it('clamps the padded range to the old one', () => {
    const runs = [run({ [LR]: 2e-4 }, 0.5), run({ [LR]: 3e-4 }, 0.4)]
    const next = range(refineSweep(spec, runs), LR)
    expect(next.min).toBe(1e-4)
    expect(next.max).toBeLessThan(5e-3)
  })

  it('extends past the edge holding the best run by half the old log-width', () => {
    const runs = [run({ [LR]: 4.8e-3 }, 0.5), run({ [LR]: 2e-3 }, 0.45), run({ [LR]: 1e-3 }, 0.4)]
    const next = range(refineSweep(spec, runs), LR)
    expectNear(next.max, 5e-3 * Math.sqrt(50))
    expectNear(next.min, 1e-3 / 10 ** (0.25 * Math.log10(50)))
    expectExpands(refineSweep(spec, runs))
  })

  it('keeps only the choices the top runs used', () => {
    const next = refineSweep(spec, middle)
    expect(next.params['model.hiddenDim']).toEqual({ values: [100, 150] })
    expect(next.params['solver.numEpochs']).toEqual({ values: [10] })
  })

  it('keeps every choice when no completed run says anything', () => {
    const next = refineSweep(spec, [run({ 'model.hiddenDim': 200 }, null)])
    expect(next.params['model.hiddenDim']).toEqual({ values: [50, 100, 150, 200] })
    expect(next.params[LR]).toEqual({ min: 1e-4, max: 5e-3, scale: 'log', integer: false })
    expectExpands(next)
  })

  it('keeps integer ranges integer, extending a linear edge without crossing zero', () => {
    const s = SweepSpecSchema.parse({
      ...spec,
      params: { 'model.hiddenDim': { min: 10, max: 200, scale: 'linear', integer: true } },
    })
    const mid = refineSweep(s, [
      run({ 'model.hiddenDim': 97 }, 0.5, s),
      run({ 'model.hiddenDim': 120 }, 0.4, s),
    ])
    const r = range(mid, 'model.hiddenDim')
    expect(r).toEqual({ min: 49, max: 168, scale: 'linear', integer: true })
    const low = range(refineSweep(s, [run({ 'model.hiddenDim': 12 }, 0.5, s)]), 'model.hiddenDim')
    expect(low.min).toBe(5)
    expect(Number.isInteger(low.max)).toBe(true)
    expectExpands(mid)
  })

  it('ignores incomplete runs when choosing the top K', () => {
    const runs = [run({ [LR]: 4.9e-3, 'model.hiddenDim': 200 }, null), ...middle]
    expect(refineSweep(spec, runs)).toEqual(refineSweep(spec, middle))
  })

  it('works from fewer completed runs than K', () => {
    const next = refineSweep(spec, [run({ [LR]: 1e-3, 'model.hiddenDim': 50 }, 0.4)], { topK: 5 })
    expect(next.params['model.hiddenDim']).toEqual({ values: [50] })
    const r = range(next, LR)
    expect(r.min).toBeLessThan(1e-3)
    expect(r.max).toBeGreaterThan(1e-3)
    expectExpands(next)
  })

  it('drafts a spec that expands without errors', () => {
    const next = refineSweep(spec, middle)
    expectExpands(next)
    const r = expandSweep(next)
    if (!r.ok) throw new Error('expected runs')
    for (const c of r.value.configs) {
      expect(c.solver.optimConfig.learningRate).toBeGreaterThanOrEqual(range(next, LR).min)
      expect(c.tags).toContain('sweep:Seed: random search (refined)')
    }
  })
})
