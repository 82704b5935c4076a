import { describe, expect, it } from 'vitest'
import { cloneData, getPath, MAX_ARRAY_INDEX, parsePath, PathError, setPath } from './paths'

describe('parsePath', () => {
  it('splits field names and array indices', () => {
    expect(parsePath('solver.optimConfig.learningRate')).toEqual(['solver', 'optimConfig', 'learningRate'])
    expect(parsePath('model.hiddenDims.0')).toEqual(['model', 'hiddenDims', '0'])
  })

  it.each(['', 'a..b', '.a', 'a.', 'a b', 'a.-1', 'a.01', 'a.b[0]', `a.${MAX_ARRAY_INDEX + 1}`])(
    'rejects %j',
    (p) => {
      expect(() => parsePath(p)).toThrow(PathError)
    },
  )

  it.each(['__proto__', 'a.__proto__', 'constructor.prototype', 'model.constructor', 'x.prototype.y'])(
    'rejects prototype segments in %j',
    (p) => {
      expect(() => parsePath(p)).toThrow(/not allowed/)
    },
  )
})

describe('getPath', () => {
  const obj = { solver: { optimConfig: { learningRate: 1e-3 } }, model: { hiddenDims: [100, 50] }, n: null }

  it('reads nested fields and array items', () => {
    expect(getPath(obj, 'solver.optimConfig.learningRate')).toBe(1e-3)
    expect(getPath(obj, 'model.hiddenDims.1')).toBe(50)
    expect(getPath(obj, ['model', 'hiddenDims'])).toEqual([100, 50])
  })

  it('is undefined for missing steps, primitives and inherited properties', () => {
    expect(getPath(obj, 'solver.lrDecay')).toBeUndefined()
    expect(getPath(obj, 'n.x')).toBeUndefined()
    expect(getPath(obj, 'solver.optimConfig.learningRate.x')).toBeUndefined()
    expect(getPath(obj, 'model.hiddenDims.5')).toBeUndefined()
    expect(getPath(obj, 'model.hiddenDims.length')).toBeUndefined()
    expect(getPath(obj, 'toString')).toBeUndefined()
    expect(getPath(obj, 'solver.hasOwnProperty')).toBeUndefined()
  })

  it('refuses prototype segments', () => {
    expect(() => getPath(obj, '__proto__')).toThrow(PathError)
    expect(() => getPath(obj, 'solver.constructor')).toThrow(PathError)
  })
})

describe('setPath', () => {
  it('sets existing fields and creates missing objects', () => {
    const o: Record<string, unknown> = { solver: { lrDecay: 0.95 } }
    setPath(o, 'solver.optimConfig.learningRate', 3e-4)
    setPath(o, 'model.reg', 0.1)
    expect(o).toEqual({ solver: { lrDecay: 0.95, optimConfig: { learningRate: 3e-4 } }, model: { reg: 0.1 } })
  })

  it('sets array items and creates a list when the next segment is an index', () => {
    const o: Record<string, unknown> = { model: { hiddenDims: [100, 100] } }
    setPath(o, 'model.hiddenDims.1', 50)
    setPath(o, 'other.dims.0', 7)
    expect(o).toEqual({ model: { hiddenDims: [100, 50] }, other: { dims: [7] } })
  })

  it('creates own properties where the prototype has one of that name', () => {
    const o: Record<string, unknown> = {}
    setPath(o, 'toString.x', 1)
    expect(Object.hasOwn(o, 'toString')).toBe(true)
    expect(Object.prototype.toString).toBeTypeOf('function')
  })

  it('throws when a step is a primitive or null, or a non-index lands on a list', () => {
    expect(() => setPath({ solver: 5 }, 'solver.lrDecay', 1)).toThrow(/solver is a number, not an object/)
    expect(() => setPath({ model: { normalization: null } }, 'model.normalization.x', 1)).toThrow(/null/)
    expect(() => setPath({ dims: [1] }, 'dims.length', 0)).toThrow(/not an index/)
  })

  it('rejects prototype pollution', () => {
    const o: Record<string, unknown> = {}
    expect(() => setPath(o, '__proto__.polluted', true)).toThrow(PathError)
    expect(() => setPath(o, 'constructor.prototype.polluted', true)).toThrow(PathError)
    expect(() => setPath(o, ['a', '__proto__', 'polluted'], true)).toThrow(PathError)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(o).toEqual({})
  })
})

describe('cloneData', () => {
  it('deep-copies plain data', () => {
    const a = { x: [1, { y: 2 }], z: null, s: 'str' }
    const b = cloneData(a)
    expect(b).toEqual(a)
    expect(b.x).not.toBe(a.x)
    expect(b.x[1]).not.toBe(a.x[1])
  })

  it('keeps a parsed "__proto__" key as a key, not a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>
    const copy = cloneData(parsed)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['__proto__', 'a'])
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined()
  })
})
