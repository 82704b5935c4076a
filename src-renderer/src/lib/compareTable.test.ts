import { describe, expect, it } from 'vitest'
import type { RunResult } from '../../../src-shared/runs'
import { makeRun } from '../testing/fakeApi'
import { bestRunId, diffTable, shortPath } from './compareTable'

const result = (bestValAcc: number, testAcc: number): RunResult => ({
  bestValAcc,
  finalTrainAcc: 0,
  finalValAcc: 0,
  valAcc: bestValAcc,
  testAcc,
  confusion: [],
  classNames: [],
})

describe('diffTable', () => {
  it('lists only the fields that differ, and picks the run with the best validation accuracy', () => {
    const a = makeRun({ config: { name: 'a' }, result: result(0.8, 0.7) })
    const b = makeRun({
      config: { name: 'b', solver: { optimConfig: { learningRate: 1e-2 }, lrDecay: 0.95 } },
      result: result(0.85, 0.6),
    })
    const table = diffTable([a, b])
    // Names differ too, but they are bookkeeping, not an experimental difference.
    expect(table.columns.map((c) => c.path)).toEqual(['solver.optimConfig.learningRate'])
    expect(table.columns[0]!.values).toEqual([1e-3, 1e-2])
    expect(table.bestId).toBe(b.id)
  })

  it('breaks ties by test accuracy and ignores runs without results', () => {
    const a = makeRun({ result: result(0.8, 0.7) })
    const b = makeRun({ result: result(0.8, 0.75) })
    const c = makeRun({ status: 'running' })
    expect(bestRunId([a, b, c])).toBe(b.id)
    expect(bestRunId([c])).toBeNull()
  })

  it('shortens paths to their last part for headers', () => {
    expect(shortPath('solver.optimConfig.learningRate')).toBe('learningRate')
    expect(shortPath('seed')).toBe('seed')
  })
})
