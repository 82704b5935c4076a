import { describe, expect, it, vi } from 'vitest'
import { METHODS, type MethodName } from '../src-shared/contract'
import { buildApi, createEventHub, type Invoke } from './preloadApi'

function setup(answer: (method: MethodName, args: unknown[]) => unknown = () => 'ok') {
  const calls: [MethodName, unknown[]][] = []
  const invoke: Invoke = async (method, args) => {
    calls.push([method, args])
    return answer(method, args)
  }
  const hub = createEventHub()
  return { api: buildApi(invoke, hub), hub, calls }
}

describe('buildApi', () => {
  it('exposes exactly one function per contract method, plus on', () => {
    const { api } = setup()
    expect(Object.keys(api).sort()).toEqual([...METHODS, 'on'].sort())
    for (const key of Object.keys(api)) expect(typeof (api as Record<string, unknown>)[key]).toBe('function')
  })

  it('offers no generic invoke or send and cannot be extended', () => {
    const { api } = setup()
    const a = api as Record<string, unknown>
    for (const name of ['invoke', 'send', 'ipcRenderer', 'call']) expect(a[name]).toBeUndefined()
    expect(Object.isFrozen(api)).toBe(true)
    expect(() => {
      a.invoke = () => undefined
    }).toThrow(TypeError)
  })

  it('sends each method under its own name with its arguments, and returns the result', async () => {
    const { api, calls } = setup((m, args) => ({ m, args }))
    await expect(api['runs.reorder']('20261126-194501-ab12cd', 2)).resolves.toEqual({
      m: 'runs.reorder',
      args: ['20261126-194501-ab12cd', 2],
    })
    await api['runs.list']()
    expect(calls).toEqual([
      ['runs.reorder', ['20261126-194501-ab12cd', 2]],
      ['runs.list', []],
    ])
  })

  it("turns main's error envelope into a rejection that keeps code and field errors", async () => {
    const error = {
      code: 'invalid-config',
      message: 'invalid run config: solver.lr: must be positive',
      fields: [{ path: 'solver.lr', message: 'must be positive' }],
    }
    const { api } = setup(() => ({ __apiError: error }))
    const rejected = await api['runs.create']({}).then(
      () => null,
      (e: unknown) => e,
    )
    // A plain object on purpose: contextBridge would strip an Error down to its message.
    expect(rejected).toEqual({ name: 'ApiError', ...error })
    expect(Object.getPrototypeOf(rejected)).toBe(Object.prototype)
  })

  it('sanitises a malformed envelope and reports transport failures as internal', async () => {
    const bad = setup(() => ({ __apiError: { code: 3, fields: [{ path: 'a', message: 'b' }, 7] } }))
    await expect(bad.api['runs.list']()).rejects.toEqual({
      name: 'ApiError',
      code: 'internal',
      message: 'unexpected error',
      fields: [{ path: 'a', message: 'b' }],
    })
    const broken = setup(() => {
      throw new Error('An object could not be cloned.')
    })
    await expect(broken.api['runs.create'](() => 1)).rejects.toEqual({
      name: 'ApiError',
      code: 'internal',
      message: 'An object could not be cloned.',
    })
  })

  it('passes results that merely look like data through untouched', async () => {
    const { api } = setup(() => ({ apiError: 'not an envelope', runs: [] }))
    await expect(api['runs.queue']()).resolves.toEqual({ apiError: 'not an envelope', runs: [] })
  })
})

describe('api.on', () => {
  it('accepts the contract events and the menu events only', () => {
    const { api } = setup()
    const on = api.on as (event: unknown, listener: unknown) => () => void
    for (const name of ['run', 'metrics', 'queue', 'menu:new-run'])
      expect(typeof on(name, () => {})).toBe('function')
    for (const name of ['event', 'runs.list', 'menu:quit', '', 42, undefined]) {
      expect(() => on(name, () => {})).toThrow(/unknown event/)
    }
    expect(() => on('run', 'not a function')).toThrow(/listener must be a function/)
  })

  it('delivers pushed events to their listeners until unsubscribed', () => {
    const { api, hub } = setup()
    const runs: unknown[] = []
    const queues: unknown[] = []
    const off = api.on('run', (p) => runs.push(p))
    api.on('queue', (p) => queues.push(p))
    hub.dispatch('run', { id: 'a' })
    hub.dispatch('queue', { running: [], queued: [] })
    off()
    off()
    hub.dispatch('run', { id: 'b' })
    expect(runs).toEqual([{ id: 'a' }])
    expect(queues).toEqual([{ running: [], queued: [] }])
  })

  it('drops unknown event names and keeps going when a listener throws', () => {
    const report = vi.fn()
    const hub = createEventHub(report)
    const api = buildApi(async () => null, hub)
    const seen: unknown[] = []
    api.on('metrics', () => {
      throw new Error('view broke')
    })
    api.on('metrics', (p) => seen.push(p))
    hub.dispatch('metrics', 1)
    hub.dispatch('__proto__', 2)
    hub.dispatch(undefined, 3)
    expect(seen).toEqual([1])
    expect(report).toHaveBeenCalledTimes(1)
  })

  it('needs one unsubscribe per subscription of the same function', () => {
    const { api, hub } = setup()
    const seen: unknown[] = []
    const listener = (p: unknown) => seen.push(p)
    const off1 = api.on('menu:new-run', listener)
    api.on('menu:new-run', listener)
    off1()
    hub.dispatch('menu:new-run', undefined)
    expect(seen).toHaveLength(1)
  })
})
