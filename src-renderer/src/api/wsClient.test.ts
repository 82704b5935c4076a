import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ClientFrame } from '../../../src-shared/contract'
import { WS_CLOSE_UNAUTHORIZED } from '../../../src-shared/browserAuth'
import { ApiCallError } from './errors'
import { createWsClient, wsUrlFor, type SocketLike, type WsClient } from './wsClient'

const TOKEN = 'tab-token-0123456789'

/** A WebSocket stand-in the test drives: open, deliver frames, drop the connection. */
class FakeSocket implements SocketLike {
  readyState = 0
  sent: ClientFrame[] = []
  onopen: ((ev: unknown) => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: unknown) => void) | null = null
  onerror: ((ev: unknown) => void) | null = null
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open')
    this.sent.push(JSON.parse(data) as ClientFrame)
  }
  close(): void {
    this.drop()
  }
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) })
  }
  drop(code = 1006): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code })
  }
}

describe('wsUrlFor', () => {
  it('uses the page’s host and scheme, and nothing secret', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:4000' })).toBe('ws://127.0.0.1:4000/ws')
    expect(wsUrlFor({ protocol: 'https:', host: 'h' })).toBe('wss://h/ws')
  })
})

describe('the WebSocket client', () => {
  let sockets: FakeSocket[]
  let client: WsClient
  const last = (): FakeSocket => sockets[sockets.length - 1]!

  beforeEach(() => {
    vi.useFakeTimers()
    sockets = []
    client = createWsClient({
      url: 'ws://host/ws',
      token: TOKEN,
      createSocket: (url, protocols) => {
        const s = new FakeSocket(url, protocols)
        sockets.push(s)
        return s
      },
      minDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 1,
    })
  })
  afterEach(() => {
    client.close()
    vi.useRealTimers()
  })

  it('offers the token as a subprotocol, after the workbench protocol', () => {
    expect(last().url).toBe('ws://host/ws')
    expect(last().protocols).toEqual(['workbench.v1', `workbench.token.${TOKEN}`])
  })

  it('stops for good when the server refuses the token (4401), and fails every call as unauthorized', async () => {
    const states: string[] = []
    client.onState((s) => states.push(s))
    last().open()
    const sent = client.api['runs.list']()
    last().drop(WS_CLOSE_UNAUTHORIZED)
    await expect(sent).rejects.toMatchObject({ code: 'unauthorized' })
    expect(client.state()).toBe('token-rejected')
    vi.advanceTimersByTime(60_000)
    expect(sockets).toHaveLength(1)
    await expect(client.api['runs.queue']()).rejects.toMatchObject({ code: 'unauthorized' })
    client.close()
    expect(states).toEqual(['open', 'token-rejected'])
  })

  it('queues calls made before the socket opens and sends them on open', async () => {
    expect(client.state()).toBe('connecting')
    const list = client.api['runs.list']()
    const get = client.api['runs.get']('abc')
    expect(last().sent).toEqual([])
    last().open()
    expect(client.state()).toBe('open')
    expect(last().sent).toEqual([
      { id: 1, method: 'runs.list', args: [] },
      { id: 2, method: 'runs.get', args: ['abc'] },
    ])
    // Answers may come in any order; ids match them up.
    last().receive({ id: 2, result: { id: 'abc' } })
    last().receive({ id: 1, result: [] })
    await expect(get).resolves.toEqual({ id: 'abc' })
    await expect(list).resolves.toEqual([])
  })

  it('drops a trailing omitted argument instead of sending null', () => {
    last().open()
    const ignore = (): void => undefined
    client.api['runs.mosaic']('r1').catch(ignore)
    client.api['runs.mosaic']('r1', 3).catch(ignore)
    expect(last().sent.map((f) => f.args)).toEqual([['r1'], ['r1', 3]])
  })

  it('rejects with an ApiCallError carrying code and fields', async () => {
    last().open()
    const p = client.api['runs.create']({})
    last().receive({
      id: 1,
      error: {
        code: 'invalid-config',
        message: 'invalid',
        fields: [{ path: 'name', message: 'a name is required' }],
      },
    })
    const e = await p.catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiCallError)
    expect(e).toMatchObject({
      code: 'invalid-config',
      fields: [{ path: 'name', message: 'a name is required' }],
    })
  })

  it('dispatches events to their listeners until unsubscribed, surviving a throwing listener', () => {
    last().open()
    const seen: unknown[] = []
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    client.api.on('queue', () => {
      throw new Error('bad listener')
    })
    const off = client.api.on('queue', (q) => seen.push(q))
    client.api.on('run', () => seen.push('run'))
    last().receive({ event: 'queue', payload: { running: ['a'], queued: [] } })
    off()
    last().receive({ event: 'queue', payload: { running: [], queued: [] } })
    last().receive('not json')
    expect(seen).toEqual([{ running: ['a'], queued: [] }])
    // The throwing listener ran (and was reported) for both events; the others kept receiving.
    expect(errors).toHaveBeenCalledTimes(2)
    errors.mockRestore()
  })

  it('rejects sent calls when the connection drops, keeps unsent ones, and reconnects with backoff', async () => {
    const states: string[] = []
    client.onState((s) => states.push(s))
    last().open()
    const sent = client.api['runs.list']()
    last().drop()
    await expect(sent).rejects.toMatchObject({ code: 'disconnected' })
    expect(client.state()).toBe('closed')

    const unsent = client.api['runs.queue']()
    expect(sockets).toHaveLength(1)
    vi.advanceTimersByTime(99)
    expect(sockets).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(sockets).toHaveLength(2)
    // The second attempt fails too: the delay doubles.
    last().drop()
    vi.advanceTimersByTime(199)
    expect(sockets).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(sockets).toHaveLength(3)
    last().open()
    expect(last().sent).toEqual([{ id: 2, method: 'runs.queue', args: [] }])
    last().receive({ id: 2, result: { running: [], queued: [] } })
    await expect(unsent).resolves.toEqual({ running: [], queued: [] })
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open'])
  })

  it('caps the backoff and resets it after a successful connection', () => {
    for (let i = 0; i < 6; i++) {
      last().drop()
      vi.advanceTimersByTime(1000)
    }
    expect(sockets).toHaveLength(7)
    last().open()
    last().drop()
    vi.advanceTimersByTime(100)
    expect(sockets).toHaveLength(8)
  })

  it('close() rejects pending calls and stops reconnecting', async () => {
    const p = client.api['runs.list']()
    client.close()
    await expect(p).rejects.toMatchObject({ code: 'closed' })
    vi.advanceTimersByTime(10_000)
    expect(sockets).toHaveLength(1)
    await expect(client.api['runs.list']()).rejects.toMatchObject({ code: 'closed' })
  })
})

describe('the WebSocket client without a token', () => {
  it('opens no socket, says so, and fails every call as unauthorized', async () => {
    const created: string[] = []
    const client = createWsClient({
      url: 'ws://host/ws',
      token: null,
      createSocket: (url, protocols) => {
        created.push(url)
        return new FakeSocket(url, protocols)
      },
    })
    expect(client.state()).toBe('no-token')
    expect(created).toEqual([])
    await expect(client.api['runs.list']()).rejects.toMatchObject({ code: 'unauthorized' })
    client.close()
    expect(client.state()).toBe('no-token')
  })
})
