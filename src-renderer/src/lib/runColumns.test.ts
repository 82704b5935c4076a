import { describe, expect, it } from 'vitest'
import { makeRun } from '../testing/fakeApi'
import { column, COLUMNS, DEFAULT_COLUMNS } from './runColumns'
import { SWEEP_FIELDS } from './sweepFields'

describe('the table columns', () => {
  it('has a column for every config field of the schema, the four fixed ones under their short keys', () => {
    const configKeys = COLUMNS.filter((c) => c.key.startsWith('config:')).map((c) => c.path)
    const fixed = ['solver.optimConfig.learningRate', 'model.reg', 'solver.batchSize', 'solver.numEpochs']
    expect(new Set([...configKeys, ...fixed])).toEqual(new Set(SWEEP_FIELDS.map((f) => f.path)))
    expect(column('lr')?.path).toBe('solver.optimConfig.learningRate')
    expect(configKeys).toContain('model.numFilters')
    expect(configKeys).toContain('dataset.numTraining')
    expect(new Set(COLUMNS.map((c) => c.key)).size).toBe(COLUMNS.length)
  })

  it('sorts accuracies and speed best first on the first click, the rest small or A first', () => {
    for (const key of ['bestVal', 'finalVal', 'finalTrain', 'test', 'speed']) {
      expect(column(key)?.firstDir, key).toBe('desc')
    }
    for (const key of ['name', 'lr', 'duration', 'config:solver.optimConfig.momentum']) {
      expect(column(key)?.firstDir, key).toBe('asc')
    }
  })

  it('reads config values, empty where the model has no such field', () => {
    const conv = makeRun({ config: { model: { kind: 'three-layer-conv', numFilters: 8 } } })
    const fc = makeRun({ config: { model: { kind: 'fc', hiddenDims: [50, 20] } } })
    expect(column('config:model.numFilters')!.value(conv, 0)).toBe(8)
    expect(column('config:model.numFilters')!.value(fc, 0)).toBeNull()
    expect(column('config:model.hiddenDims')!.value(fc, 0)).toBe('50-20')
    expect(column('config:solver.optimConfig.momentum')!.value(fc, 0)).toBeNull()
    expect(column('notes')!.value(fc, 0)).toBeNull()
  })

  it('defaults to what the table showed before it had a chooser', () => {
    expect(DEFAULT_COLUMNS.every((k) => column(k) !== null)).toBe(true)
    expect(DEFAULT_COLUMNS).not.toContain('name')
  })
})
