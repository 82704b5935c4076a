import { describe, expect, it } from 'vitest'
import { parseRunConfig, type RunConfig } from '../../src-shared/config'
import type { MetricEvent } from '../../src-shared/runs'
import { duration, pct, table } from './format'
import { paramLabel, shortRunName, summarizeMetrics, varyingPaths } from './summary'
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

describe('summarizeMetrics', () => {
  it('counts each iteration once across a resume from a checkpoint', () => {
    const events: MetricEvent[] = [
      { type: 'iteration', iteration: 1, loss: 2.3 },
      { type: 'epoch', epoch: 0, iteration: 1, trainAcc: 0.1, valAcc: 0.1, lr: 1e-3 },
      { type: 'iteration', iteration: 2, loss: 2.2 },
      { type: 'epoch', epoch: 1, iteration: 2, trainAcc: 0.2, valAcc: 0.2, lr: 1e-3 },
      { type: 'iteration', iteration: 3, loss: 2.0 },
      { type: 'resume', fromIteration: 2, fromEpoch: 1 },
      { type: 'iteration', iteration: 3, loss: 2.1 },
    ]
    const s = summarizeMetrics(events)
    expect(s).toMatchObject({ iterations: 3, lastIteration: 3, lastLoss: 2.1, minLoss: 2.1, resumes: 1 })
    expect(s.epochs.map((e) => e.epoch)).toEqual([0, 1])
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
