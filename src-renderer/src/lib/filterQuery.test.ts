import { describe, expect, it } from 'vitest'
import { parseFilter, usesNow, type FilterError, type FilterNode } from './filterQuery'

/** The tree as text, for readable expectations: fields by name, values as parsed. */
function show(node: FilterNode | null): string {
  if (!node) return '∅'
  switch (node.type) {
    case 'and':
      return `(${node.items.map(show).join(' AND ')})`
    case 'or':
      return `(${node.items.map(show).join(' OR ')})`
    case 'not':
      return `NOT ${show(node.item)}`
    case 'compare':
      return `${node.field.name}${node.op}${node.value}`
    case 'match':
      return `${node.field.name}:${node.value}`
    case 'word':
      return `"${node.value}"`
  }
}

function tree(text: string): string {
  const r = parseFilter(text)
  if (!r.ok) throw new Error(`${text}: ${r.error.code} at ${r.error.start}`)
  return show(r.tree)
}

function error(text: string): FilterError {
  const r = parseFilter(text)
  if (r.ok) throw new Error(`${text} parsed as ${show(r.tree)}`)
  return r.error
}

describe('parseFilter: what it accepted before', () => {
  it('reads words and comparisons side by side as and, commas as spaces', () => {
    expect(tree('')).toBe('∅')
    expect(tree('   ')).toBe('∅')
    expect(tree('seed lr < 1e-3 best>=85% epochs=10')).toBe(
      '("seed" AND lr<0.001 AND best>=0.85 AND epochs=10)',
    )
    expect(tree('lr<1e-3,best > 85%')).toBe('(lr<0.001 AND best>0.85)')
    expect(tree('BETA')).toBe('"beta"')
  })

  it('reads accuracies as fractions or percents, durations with units, and aliases', () => {
    expect(tree('test > 80')).toBe('test>0.8')
    expect(tree('val > 0.8')).toBe('val>0.8')
    expect(tree('duration > 5m')).toBe('duration>300')
    expect(tree('duration < 1.5h')).toBe('duration<5400')
    expect(tree('duration >= 250ms')).toBe('duration>=0.25')
    expect(tree('learningRate <= 0.01')).toBe('lr<=0.01')
    expect(tree('batch_size == 100')).toBe('batch=100')
    expect(tree('lr != -1')).toBe('lr!=-1')
  })

  it('keeps a word with a colon that names no field (a sweep tag typed as a word)', () => {
    expect(tree('sweep:lr')).toBe('"sweep:lr"')
    expect(tree('wow!')).toBe('"wow!"')
  })
})

describe('parseFilter: or, not and parentheses', () => {
  it('binds not tighter than and, and tighter than or', () => {
    expect(tree('a or b c')).toBe('("a" OR ("b" AND "c"))')
    expect(tree('a b or c')).toBe('(("a" AND "b") OR "c")')
    expect(tree('not a b')).toBe('(NOT "a" AND "b")')
    expect(tree('not not a')).toBe('NOT NOT "a"')
    expect(tree('a AND b Or c')).toBe('(("a" AND "b") OR "c")')
  })

  it('reads the issue’s example', () => {
    expect(tree('(lr < 1e-3 or reg > 0.1) and not tag:baseline')).toBe(
      '((lr<0.001 OR reg>0.1) AND NOT tag:baseline)',
    )
  })

  it('nests parentheses', () => {
    expect(tree('((a or b) (c or not (d)))')).toBe('(("a" OR "b") AND ("c" OR NOT "d"))')
  })

  it('reads prefix matches, quoted text and aliases of their values', () => {
    expect(tree('tag:"two words"')).toBe('tag:two words')
    expect(tree('name:Alpha*')).toBe('name:alpha*')
    expect(tree('status:running or status:FAILED')).toBe('(status:running OR status:failed)')
    expect(tree('model:conv')).toBe('model:three-layer-conv')
    expect(tree('model:fc')).toBe('model:fc')
    expect(tree('updateRule:adam normalization:none')).toBe('(updateRule:adam AND normalization:none)')
    expect(tree('"and"')).toBe('"and"')
    expect(tree('status:corrupt')).toBe('status:corrupt')
  })

  it('compares any number of the config by path or by its own last segment', () => {
    expect(tree('momentum > 0.5')).toBe('momentum>0.5')
    expect(tree('solver.optimConfig.beta1 >= 0.9')).toBe('solver.optimConfig.beta1>=0.9')
    expect(tree('numFilters = 32')).toBe('numFilters=32')
    expect(tree('speed > 100 iterations >= 1000')).toBe('(speed>100 AND iterations>=1000)')
  })

  it('says which trees read the clock', () => {
    const p = (t: string) => {
      const r = parseFilter(t)
      return r.ok ? usesNow(r.tree) : null
    }
    expect(p('lr < 1')).toBe(false)
    expect(p('a or not duration > 5m')).toBe(true)
    expect(p('')).toBe(false)
  })
})

describe('parseFilter: what is wrong, and where', () => {
  it('a comparison without its value', () => {
    expect(error('lr <')).toEqual({
      code: 'expectedValue',
      start: 4,
      end: 4,
      params: { field: 'lr', op: '<' },
    })
    expect(error('(lr < ) x').code).toBe('expectedValue')
    expect(error('(lr < ) x').start).toBe(6)
  })

  it('a value that is not a number', () => {
    expect(error('reg > abc')).toEqual({
      code: 'notNumber',
      start: 6,
      end: 9,
      params: { field: 'reg', op: '>', value: 'abc' },
    })
    expect(error('reg > "0.1"').code).toBe('notNumber')
    expect(error('lr < 1e').code).toBe('notNumber')
  })

  it('a unit the field does not take', () => {
    expect(error('lr < 5%')).toEqual({
      code: 'badUnit',
      start: 6,
      end: 7,
      params: { field: 'lr', unit: '%', allowed: '' },
    })
    expect(error('duration > 5%').params).toEqual({ field: 'duration', unit: '%', allowed: 'ms s m h' })
    expect(error('best > 5m').params).toEqual({ field: 'best', unit: 'm', allowed: '%' })
    expect(error('duration > 5d').code).toBe('notNumber')
  })

  it('an unknown field, with the nearest name', () => {
    expect(error('x or lrr < 3')).toEqual({
      code: 'unknownField',
      start: 5,
      end: 8,
      params: { name: 'lrr', suggestion: 'lr' },
    })
    expect(error('zzzzzz < 3').params['suggestion']).toBe('')
  })

  it('unbalanced or empty parentheses', () => {
    expect(error('(lr < 1')).toMatchObject({ code: 'unclosedParen', start: 0, end: 1 })
    expect(error('a (b or (c)')).toMatchObject({ code: 'unclosedParen', start: 2, end: 3 })
    expect(error('(')).toMatchObject({ code: 'unclosedParen', start: 0 })
    expect(error('lr < 1)')).toMatchObject({ code: 'unexpectedParen', start: 6, end: 7 })
    expect(error(') a')).toMatchObject({ code: 'unexpectedParen', start: 0 })
    expect(error('a ( ) b')).toMatchObject({ code: 'emptyParens', start: 2, end: 5 })
  })

  it('and, or, not without what they apply to', () => {
    expect(error('a and')).toMatchObject({
      code: 'missingOperand',
      start: 2,
      end: 5,
      params: { keyword: 'and' },
    })
    expect(error('or a')).toMatchObject({ code: 'missingOperand', start: 0, params: { keyword: 'or' } })
    expect(error('a or or b')).toMatchObject({ code: 'missingOperand', start: 2 })
    expect(error('not')).toMatchObject({ code: 'missingOperand', start: 0, params: { keyword: 'not' } })
    expect(error('(a not)')).toMatchObject({ code: 'missingOperand', start: 3 })
  })

  it('a comparison without a field, an open quote, an empty or unknown match', () => {
    expect(error('< 3')).toMatchObject({ code: 'missingField', start: 0, end: 1, params: { op: '<' } })
    expect(error('lr < 1 < 2')).toMatchObject({ code: 'missingField', start: 7 })
    expect(error('a "b c')).toMatchObject({ code: 'unclosedQuote', start: 2, end: 6 })
    expect(error('tag:')).toMatchObject({ code: 'emptyMatch', start: 0, end: 4, params: { field: 'tag' } })
    expect(error('status:sleeping')).toMatchObject({ code: 'badChoice', start: 7, end: 15 })
    expect(error('model:"big"')).toMatchObject({ code: 'badChoice', start: 6, end: 11 })
  })
})
