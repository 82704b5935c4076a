import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MetricsSeries, ServerFrame } from '../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../src-shared/runs'
import { MAX_FRAME_BYTES, NO_ID } from './frames'
import { WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../src-shared/browserAuth'
import { closeOf, connect, RejectedUpgrade, startHarness, TOKEN, type Client, type Harness } from './testing'

let h: Harness
let port: number
beforeAll(async () => {
  h = await startHarness()
  port = h.server.port
})
afterAll(() => h.close())

async function refused(p: Promise<Client>): Promise<number> {
  try {
    const c = await p
    c.close()
    return 0
  } catch (e) {
    if (e instanceof RejectedUpgrade) return e.status
    throw e
  }
}

const errorOf = (f: ServerFrame) => ('error' in f ? f.error : null)
const resultOf = (f: ServerFrame) => ('result' in f ? f.result : undefined)

describe('browser-mode WebSocket: who may connect', () => {
  it('refuses a socket that does not offer the workbench protocol (401), a token in cookie or query included', async () => {
    expect(await refused(connect(port, { protocols: [] }))).toBe(401)
    expect(await refused(connect(port, { protocols: [WS_TOKEN_PROTOCOL_PREFIX + TOKEN] }))).toBe(401)
    expect(
      await refused(
        connect(port, { protocols: [], headers: { Cookie: `wb_token=${TOKEN}` }, query: `?token=${TOKEN}` }),
      ),
    ).toBe(401)
  })

  it('closes a socket without this server’s token (4401) before reading or sending anything', async () => {
    for (const protocols of [
      [WS_PROTOCOL],
      [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}wrong-token-0123456789`],
      [WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX],
      [WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX + TOKEN, `${WS_TOKEN_PROTOCOL_PREFIX}another-token-0123`],
    ]) {
      const c = await connect(port, { protocols, headers: { Cookie: `wb_token=${TOKEN}` } })
      c.sendRaw(JSON.stringify({ id: 1, method: 'runs.list', args: [] }))
      expect(await closeOf(c), protocols.join(',')).toEqual({ code: 4401, frames: 0 })
    }
  })

  it('accepts the token as a subprotocol and echoes only the workbench protocol, never the token', async () => {
    const a = await connect(port)
    expect(a.ws.protocol).toBe(WS_PROTOCOL)
    expect(resultOf(await a.call('runs.queue'))).toEqual({ running: [], queued: [] })
    a.close()
    const b = await connect(port, { protocols: [WS_TOKEN_PROTOCOL_PREFIX + TOKEN, WS_PROTOCOL] })
    expect(b.ws.protocol).toBe(WS_PROTOCOL)
    expect(resultOf(await b.call('runs.list'))).toEqual([])
    b.close()
    const c = await connect(port, { origin: `http://localhost:${port}`, host: `localhost:${port}` })
    c.close()
  })

  it('refuses other pages: a foreign, missing or mismatched Origin (403), even with the token', async () => {
    expect(await refused(connect(port, { origin: 'http://evil.example' }))).toBe(403)
    expect(await refused(connect(port, { origin: `http://evil.example:${port}` }))).toBe(403)
    expect(await refused(connect(port, { origin: `https://127.0.0.1:${port}` }))).toBe(403)
    expect(await refused(connect(port, { origin: `http://127.0.0.1:${port + 1}` }))).toBe(403)
    expect(await refused(connect(port, { origin: 'null' }))).toBe(403)
    expect(await refused(connect(port, { origin: null }))).toBe(403)
    // The page at localhost may not open a socket through 127.0.0.1: the origin must be the Host.
    expect(await refused(connect(port, { origin: `http://localhost:${port}` }))).toBe(403)
  })

  it('refuses a Host header that is not this server (DNS rebinding), even with a matching Origin', async () => {
    const host = `rebind.example:${port}`
    expect(await refused(connect(port, { host, origin: `http://${host}` }))).toBe(403)
  })

  it('refuses other paths', async () => {
    const { default: WebSocket } = await import('ws')
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}/other`,
      [WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX + TOKEN],
      {
        origin: `http://127.0.0.1:${port}`,
      },
    )
    ws.on('error', () => undefined)
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.once('open', () => resolve(101))
    })
    ws.terminate()
    expect(status).toBe(404)
  })
})

describe('browser-mode WebSocket: frames', () => {
  let c: Client
  beforeAll(async () => {
    c = await connect(port)
  })
  afterAll(() => c.close())

  it('answers malformed frames with error frames and stays usable', async () => {
    const cases: [string | Buffer, string, number][] = [
      ['not json', 'invalid-frame', NO_ID],
      ['[1, 2]', 'invalid-frame', NO_ID],
      ['null', 'invalid-frame', NO_ID],
      ['{"method": "runs.list", "args": []}', 'invalid-frame', NO_ID],
      ['{"id": -1, "method": "runs.list", "args": []}', 'invalid-frame', NO_ID],
      ['{"id": 1.5, "method": "runs.list", "args": []}', 'invalid-frame', NO_ID],
      ['{"id": "7", "method": "runs.list", "args": []}', 'invalid-frame', NO_ID],
      ['{"id": 7, "method": "runs.nope", "args": []}', 'unknown-method', 7],
      ['{"id": 8, "method": "__proto__", "args": []}', 'unknown-method', 8],
      ['{"id": 9, "method": "runs.list"}', 'invalid-frame', 9],
      ['{"id": 10, "method": "runs.list", "args": {}}', 'invalid-frame', 10],
      ['{"id": 11, "method": "runs.list", "args": [], "extra": 1}', 'invalid-frame', 11],
    ]
    for (const [text, code, id] of cases) {
      const before = c.frames.length
      c.sendRaw(text)
      const reply = await c.waitFor((f) => 'error' in f, before)
      expect(reply, String(text)).toMatchObject({ id, error: { code } })
    }
    const binary = c.frames.length
    c.sendRaw(Buffer.from('{"id": 12, "method": "runs.list", "args": []}'), true)
    expect(await c.waitFor((f) => 'error' in f, binary)).toMatchObject({
      id: NO_ID,
      error: { code: 'invalid-frame' },
    })
    expect(resultOf(await c.call('runs.queue'))).toEqual({ running: [], queued: [] })
  })

  it('refuses frames over the size limit with an error frame, and stays usable', async () => {
    const before = c.frames.length
    c.sendRaw(JSON.stringify({ id: 20, method: 'runs.create', args: ['x'.repeat(MAX_FRAME_BYTES)] }))
    expect(await c.waitFor((f) => 'error' in f, before)).toMatchObject({
      id: NO_ID,
      error: { code: 'frame-too-large' },
    })
    expect(resultOf(await c.call('runs.list'))).toEqual([])
  })

  it('answers invalid arguments with invalid-argument errors naming the argument', async () => {
    expect(errorOf(await c.call('runs.get', '../x'))).toMatchObject({
      code: 'invalid-argument',
      fields: [{ path: 'id' }],
    })
    expect(errorOf(await c.call('runs.list', 1))).toMatchObject({ code: 'invalid-argument' })
    expect(errorOf(await c.call('runs.get', '20261126-194501-ab12cd'))).toMatchObject({ code: 'not-found' })
  })

  it('answers an invalid config with field errors', async () => {
    const reply = await c.call('runs.create', {
      name: '',
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: -3 },
    })
    const error = errorOf(reply)!
    expect(error.code).toBe('invalid-config')
    expect(error.fields!.map((f) => f.path).sort()).toEqual(['model.hiddenDim', 'name'])
  })

  it('answers app.info, datasets.list and examples.list', async () => {
    expect(resultOf(await c.call('app.info'))).toMatchObject({
      mode: 'browser',
      maxThreads: 1,
      contractVersion: 1,
    })
    const datasets = resultOf(await c.call('datasets.list')) as { name: string }[]
    expect(datasets.map((d) => d.name)).toContain('fashion-mnist-small')
    const examples = resultOf(await c.call('examples.list')) as { file: string }[]
    expect(examples.map((e) => e.file)).toContain('seed-two-layer.json')
  })
})

describe('browser-mode WebSocket: a run end to end', () => {
  it('creates a run, pushes run and metrics events, and reports it completed', async () => {
    const c = await connect(port)
    const watcher = await connect(port)
    try {
      const reply = await c.call('runs.create', {
        name: 'ws round trip',
        dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
        model: { kind: 'two-layer', hiddenDim: 20 },
        solver: { numEpochs: 1, batchSize: 100, optimConfig: { learningRate: 1e-3 } },
        seed: 3,
      })
      const run = resultOf(reply) as RunRecord
      expect(run.status).toBe('queued')
      const isDone = (f: ServerFrame) =>
        'event' in f &&
        f.event === 'run' &&
        (f.payload as RunRecord).id === run.id &&
        (f.payload as RunRecord).status === 'completed'
      // Every connection gets the events, not only the one that asked.
      await Promise.all([c.waitFor(isDone), watcher.waitFor(isDone)])
      const events = c.frames.filter((f) => 'event' in f)
      const statuses = events.flatMap((f) =>
        'event' in f && f.event === 'run' && (f.payload as RunRecord).id === run.id
          ? [(f.payload as RunRecord).status]
          : [],
      )
      expect(statuses[0]).toBe('queued')
      expect(statuses).toContain('running')
      expect(statuses.at(-1)).toBe('completed')
      const metrics = events.flatMap((f) =>
        'event' in f && f.event === 'metrics'
          ? (f.payload as { runId: string; events: MetricEvent[] }).events
          : [],
      )
      // 500 images in batches of 100: 5 iterations; epochs 0 and 1 are checked.
      expect(metrics.filter((m) => m.type === 'iteration')).toHaveLength(5)
      expect(metrics.filter((m) => m.type === 'epoch')).toHaveLength(2)
      // The metrics arrive before the run is reported completed.
      const lastMetrics = events.findLastIndex((f) => 'event' in f && f.event === 'metrics')
      expect(lastMetrics).toBeLessThan(events.findIndex(isDone))
      expect(events.some((f) => 'event' in f && f.event === 'queue')).toBe(true)

      const got = resultOf(await c.call('runs.get', run.id)) as RunRecord
      expect(got.status).toBe('completed')
      expect(got.result!.testAcc).toBeGreaterThan(0)
      const stored = resultOf(await c.call('runs.metrics', run.id, { maxPoints: 100 })) as MetricsSeries
      expect([stored.bucket, stored.iterations]).toEqual([1, [1, 2, 3, 4, 5]])
      const mosaic = resultOf(await c.call('runs.mosaic', run.id)) as { epochs: number[]; units: number }
      expect(mosaic.units).toBe(20)
      expect(resultOf(await c.call('runs.mosaic', run.id, 0))).toMatchObject({ epoch: 0 })
      expect(errorOf(await c.call('runs.cancel', run.id))).toMatchObject({ code: 'conflict' })
    } finally {
      c.close()
      watcher.close()
    }
  })
})

describe('closing the server', () => {
  it('closes open sockets and stops listening', async () => {
    const own = await startHarness()
    const c = await connect(own.server.port)
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)))
    await own.close()
    expect(await closed).toBe(1001)
    await expect(connect(own.server.port)).rejects.toThrow()
  })
})
