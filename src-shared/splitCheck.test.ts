import { describe, expect, it } from 'vitest'
import { splitProblems } from './splitCheck'

const embedded = { format: 'idx', train: { count: 6000 }, test: { count: 1000 } }

describe('splitProblems', () => {
  it('accepts the defaults and sizes that fit', () => {
    expect(splitProblems(embedded, {})).toEqual([])
    expect(splitProblems(embedded, { numTraining: 5000, numValidation: 1000, numTest: 1000 })).toEqual([])
  })

  it('names the field the user set when training and validation exceed the training split', () => {
    expect(splitProblems(embedded, { numTraining: 5500 })).toEqual([
      { path: 'dataset.numTraining', kind: 'train', need: 6100, have: 6000 },
    ])
    expect(splitProblems(embedded, { numValidation: 700 })).toEqual([
      { path: 'dataset.numValidation', kind: 'train', need: 6100, have: 6000 },
    ])
    expect(splitProblems(embedded, { numTest: 1001 })).toEqual([
      { path: 'dataset.numTest', kind: 'test', need: 1001, have: 1000 },
    ])
  })
})
