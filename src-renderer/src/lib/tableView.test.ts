// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_COLUMNS } from './runColumns'
import { defaultView, loadView, normalizeView, saveView, VIEW_STORAGE_KEY } from './tableView'

afterEach(() => localStorage.clear())

describe('the saved table view', () => {
  it('is the default when nothing is stored or the text is not a view', () => {
    expect(loadView()).toEqual(defaultView())
    localStorage.setItem(VIEW_STORAGE_KEY, '{not json')
    expect(loadView()).toEqual(defaultView())
    localStorage.setItem(VIEW_STORAGE_KEY, '42')
    expect(loadView()).toEqual(defaultView())
    expect(defaultView().columns).toEqual([...DEFAULT_COLUMNS])
  })

  it('round-trips columns and the sort', () => {
    const view = {
      columns: ['bestVal', 'config:solver.optimConfig.momentum', 'notes'],
      sortKey: 'bestVal',
      sortDir: 'desc' as const,
    }
    saveView(view)
    expect(loadView()).toEqual(view)
  })

  it('drops unknown, repeated and non-text columns, the name column, and a sort on an unknown one', () => {
    expect(
      normalizeView({
        columns: ['lr', 'lr', 'config:gone', 7, 'name', 'speed'],
        sortKey: 'config:gone',
        sortDir: 'up',
      }),
    ).toEqual({ columns: ['lr', 'speed'], sortKey: null, sortDir: 'asc' })
    expect(normalizeView({ sortKey: 'lr', sortDir: 'desc' })).toEqual({
      columns: [...DEFAULT_COLUMNS],
      sortKey: 'lr',
      sortDir: 'desc',
    })
  })
})
