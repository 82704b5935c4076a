import { describe, expect, it } from 'vitest'
import type { GroupOptions } from '../../../src-shared/runGroups'
import { groupFromQuery, groupToQuery } from './groupQuery'

const LR = 'solver.optimConfig.learningRate'

describe('the grouping in the URL', () => {
  it('round-trips, leaving the defaults out', () => {
    const options: GroupOptions[] = [
      { by: { kind: 'except-seed' }, center: 'mean', spread: 'std', members: false },
      {
        by: { kind: 'fields', fields: [LR, 'model.hiddenDim'] },
        center: 'median',
        spread: 'ci95',
        members: true,
      },
      { by: { kind: 'fields', fields: [LR] }, center: 'mean', spread: 'minmax', members: false },
    ]
    for (const g of options) expect(groupFromQuery(groupToQuery(g))).toEqual(g)
    expect(groupToQuery(options[0]!)).toEqual({
      group: 'except-seed',
      center: undefined,
      band: undefined,
      members: undefined,
    })
    expect(groupToQuery(options[1]!)).toEqual({
      group: `${LR},model.hiddenDim`,
      center: 'median',
      band: 'ci95',
      members: '1',
    })
    expect(groupToQuery(null)).toEqual({
      group: undefined,
      center: undefined,
      band: undefined,
      members: undefined,
    })
  })

  it('is no grouping without one, or with one it cannot read; a bad style falls back to the default', () => {
    expect(groupFromQuery({})).toBeNull()
    expect(groupFromQuery({ group: '' })).toBeNull()
    expect(groupFromQuery({ group: 'a..b' })).toBeNull()
    expect(groupFromQuery({ group: ',' })).toBeNull()
    expect(groupFromQuery({ group: LR, band: 'iqr', members: 'yes' })).toEqual({
      by: { kind: 'fields', fields: [LR] },
      center: 'mean',
      spread: 'std',
      members: false,
    })
    // A repeated key (?group=a&group=b): the first.
    expect(groupFromQuery({ group: ['seed', LR] })?.by).toEqual({ kind: 'fields', fields: ['seed'] })
  })
})
