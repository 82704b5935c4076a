import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Api } from '../../../src-shared/contract'
import { fakeTransport } from '../testing/fakeApi'
import { ApiCallError, electronTransport, onReconnect, setTransport } from './index'

describe('electronTransport', () => {
  it('passes calls and events through and turns the preload’s rejections into ApiCallErrors', async () => {
    const on = vi.fn(() => () => undefined)
    const raw = {
      on,
      'runs.list': vi.fn(async () => []),
      'runs.get': vi.fn(async () => {
        throw { name: 'ApiError', code: 'not-found', message: 'no run x' }
      }),
    } as unknown as Api
    const { api, state } = electronTransport(raw)
    await expect(api['runs.list']()).resolves.toEqual([])
    const e = await api['runs.get']('x').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiCallError)
    expect(e).toMatchObject({ code: 'not-found', message: 'no run x' })
    // A method the preload lacks fails as a call, not as a TypeError at startup.
    await expect(api['runs.queue']()).rejects.toMatchObject({ code: 'unsupported' })
    const listener = (): void => undefined
    api.on('run', listener)
    expect(on).toHaveBeenCalledWith('run', listener)
    expect(state()).toBe('open')
  })
})

describe('onReconnect', () => {
  afterEach(() => setTransport(null))

  it('fires when the connection comes back, not on the first connection', () => {
    const t = fakeTransport()
    t.setState('connecting')
    setTransport(t)
    const back = vi.fn()
    onReconnect(back)
    t.setState('open')
    expect(back).not.toHaveBeenCalled()
    t.setState('closed')
    t.setState('connecting')
    t.setState('open')
    expect(back).toHaveBeenCalledTimes(1)
  })
})
