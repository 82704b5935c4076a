import { describe, expect, it } from 'vitest'
import { parseRunConfig, type RunConfig } from '../../src-shared/config'
import type { MetricEvent } from '../../src-shared/runs'
import { duration, pct, table } from './format'
import { seriesFromEvents } from '../../src-shared/metricsSeries'
import { paramLabel, shortRunName, summarizeSeries, varyingPaths } from './summary'
import { tinyConfig } from './testing'

function config(overrides: Record<string, unknown>): RunConfig {
  const r = parseRunConfig(tinyConfig(overrides))
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

describe('varyingPaths', () => {
  it('finds the hyperparameters that differ, ignoring names, tags, notes and seeds', () => {
    const a = config({ name: 'a', seed: 1, model: { kind: 'fc', hiddenDims: [10, 10] } })
    const b = config({ name: 'b', seed: 2, model: { kind: 'fc', hiddenDims: [10, 20] } })
    expect(varyingPaths([a, b])).toEqual(['model.hiddenDims.1'])
    const c = config({ name: 'c', model: { kind: 'fc', hiddenDims: [10] } })
    expect(varyingPaths([a, c])).toEqual(['model.hiddenDims.1'])
    expect(varyingPaths([a])).toEqual([])
  })

  it('labels a path by its last segment', () => {
    expect(paramLabel('solver.optimConfig.learningRate')).toBe('learningRate')
    expect(paramLabel('model.hiddenDims.1')).toBe('hiddenDims[1]')
  })
})

describe('shortRunName', () => {
  it("drops the sweep's name from its runs' names only", () => {
    expect(shortRunName(config({ name: 'lr search #3 lr=1e-3', tags: ['sweep:lr search'] }))).toBe(
      '#3 lr=1e-3',
    )
    expect(shortRunName(config({ name: 'lr search #3', tags: ['other'] }))).toBe('lr search #3')
    expect(shortRunName(config({ name: 'mine', tags: ['sweep:lr search'] }))).toBe('mine')
  })
})

describe('summarizeSeries', () => {
  const steps = (n: number, loss: (i: number) => number): MetricEvent[] =>
    Array.from({ length: n }, (_, k) => ({ type: 'iteration', iteration: k + 1, loss: loss(k + 1) }))

  it('counts every iteration and keeps the last loss and the lowest one, whatever the bucket size', () => {
    const events: MetricEvent[] = [
      ...steps(1000, (i) => (i === 400 ? 0.01 : 2 - i / 1000)),
      { type: 'epoch', epoch: 0, iteration: 1, trainAcc: 0.1, valAcc: 0.1, lr: 1e-3 },
      { type: 'resume', fromIteration: 500, fromEpoch: 1 },
      { type: 'epoch', epoch: 1, iteration: 1000, trainAcc: 0.2, valAcc: 0.2, lr: 1e-3 },
    ]
    const exact = summarizeSeries(seriesFromEvents(events, 5000))
    const coarse = summarizeSeries(seriesFromEvents(events, 4))
    expect(coarse).toEqual(exact)
    expect(exact).toMatchObject({
      iterations: 1000,
      lastIteration: 1000,
      lastLoss: 1,
      minLoss: 0.01,
      resumes: 1,
    })
    expect(exact.epochs.map((e) => e.epoch)).toEqual([0, 1])
  })

  it('a diverged last step is NaN, and a run with no steps has nothing', () => {
    const diverged = summarizeSeries(
      seriesFromEvents(
        steps(3, (i) => (i === 3 ? NaN : i)),
        2,
      ),
    )
    expect(diverged).toMatchObject({ iterations: 3, lastIteration: 3, lastLoss: NaN, minLoss: 1 })
    expect(summarizeSeries(seriesFromEvents([], 2))).toEqual({
      iterations: 0,
      lastIteration: null,
      lastLoss: null,
      minLoss: null,
      epochs: [],
      resumes: 0,
    })
  })
})

describe('format', () => {
  it('formats accuracies and durations', () => {
    expect(pct(0.4123)).toBe('41.2%')
    expect(pct(null)).toBe('-')
    expect(duration(850)).toBe('850 ms')
    expect(duration(12_340)).toBe('12.3 s')
    expect(duration(245_000)).toBe('4m 05s')
    expect(duration(3_720_000)).toBe('1h 02m')
    expect(duration(null)).toBe('-')
  })

  it('aligns table columns, ignoring colour codes', () => {
    const t = table(
      ['a', 'num'],
      [
        ['\u001b[32mok\u001b[0m', '1'],
        ['long', '100'],
      ],
      ['left', 'right'],
    )
    expect(t).toBe('a     num\n\u001b[32mok\u001b[0m      1\nlong  100\n')
  })
})
