import { describe, expect, it } from 'vitest'
import { deepFreeze, isDeepFrozen } from '../core/store/frozen'
import { resultFrameJson, toJson } from './frameJson'

describe('result frames', () => {
  const values: unknown[] = [
    undefined,
    null,
    3,
    'text',
    { a: 1, b: [1, 2, { c: 'x' }] },
    [],
    [1, 'two', null, undefined, { three: 3 }, [4]],
    [deepFreeze({ id: 'a', nested: { list: [1, 2], name: 'é "quoted"' } }), { id: 'b' }, deepFreeze([1, 2])],
  ]

  it('are the JSON that JSON.stringify makes, whatever the result', () => {
    for (const result of values) {
      expect(resultFrameJson(7, result)).toBe(JSON.stringify({ id: 7, result }))
      if (result !== undefined) expect(toJson(result)).toBe(JSON.stringify(result))
    }
  })

  it('keep the JSON of a deep-frozen item, which cannot change', () => {
    const item = deepFreeze({ id: 'r', config: { name: 'n', tags: ['a'] } })
    expect(isDeepFrozen(item)).toBe(true)
    expect(toJson([item])).toBe('[{"id":"r","config":{"name":"n","tags":["a"]}}]')
    expect(() => (item.config.tags as string[]).push('b')).toThrow(TypeError)
    expect(toJson([item, item])).toBe(JSON.stringify([item, item]))
  })

  it('serialize a mutable item afresh each time', () => {
    const item = { id: 'r', n: 1 }
    expect(toJson([item])).toBe('[{"id":"r","n":1}]')
    item.n = 2
    expect(toJson([item])).toBe('[{"id":"r","n":2}]')
  })
})
