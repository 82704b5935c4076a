import { describe, expect, it } from 'vitest'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import { makeRun } from '../testing/fakeApi'
import { EMPTY_FILTER, filterRuns } from './runTable'

describe('filterRuns: archived runs', () => {
  const shown = makeRun({ config: { name: 'shown' } })
  const old = makeRun({ config: { name: 'old record' }, archived: undefined })
  const archived = makeRun({ config: { name: 'archived', tags: ['baseline'] }, archived: true })
  const damaged: CorruptRun = {
    id: '20261126-120000-aaaaaa',
    status: 'corrupt',
    problem: { file: 'f', message: 'm' },
  }
  const all = [shown, old, archived, damaged]
  const names = (f: Partial<typeof EMPTY_FILTER>) =>
    filterRuns(all, { ...EMPTY_FILTER, ...f }, 0).map((r) => ('config' in r ? r.config.name : r.id))

  it('hides them by default (a filter without the field too), shows them with the others, or alone', () => {
    expect(names({})).toEqual(['shown', 'old record', damaged.id])
    expect(filterRuns(all, { query: '', status: '', dataset: '', model: '' }, 0)).toHaveLength(3)
    expect(names({ archived: 'show' })).toEqual(['shown', 'old record', 'archived', damaged.id])
    expect(names({ archived: 'only' })).toEqual(['archived'])
  })

  it('combines with the other filters', () => {
    expect(names({ archived: 'show', query: 'baseline' })).toEqual(['archived'])
    expect(names({ archived: 'only', status: 'running' })).toEqual([])
  })
})
