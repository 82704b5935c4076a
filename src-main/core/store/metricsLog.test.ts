import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MetricEvent } from '../../../src-shared/runs'
import type { StoreProblem } from './errors'
import { MetricsLog } from './metricsLog'
import { readMetrics } from './metricsRead'
import { makeTempDir } from './testing'

let tmp: { dir: string; cleanup: () => Promise<void> }
let path: string
const logs: MetricsLog[] = []

beforeEach(async () => {
  tmp = await makeTempDir()
  path = join(tmp.dir, 'metrics.jsonl')
})

afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(logs.splice(0).map((l) => l.close().catch(() => {})))
  await tmp.cleanup()
})

function openLog(options: ConstructorParameters<typeof MetricsLog>[1] = {}, at = path): MetricsLog {
  const log = new MetricsLog(at, options)
  logs.push(log)
  return log
}

async function fileText(): Promise<string> {
  return readFile(path, 'utf8').catch(() => '')
}

const it1 = (iteration: number, loss = 2.3): MetricEvent => ({ type: 'iteration', iteration, loss })
const ep = (epoch: number, iteration: number): MetricEvent => ({
  type: 'epoch',
  epoch,
  iteration,
  trainAcc: 0.5,
  valAcc: 0.4,
  lr: 1e-3,
})

async function read(): Promise<{ events: MetricEvent[]; problems: StoreProblem[] }> {
  const problems: StoreProblem[] = []
  const events = await readMetrics(path, { onProblem: (p) => problems.push(p) })
  return { events, problems }
}

describe('MetricsLog', () => {
  it('buffers appends until flushed, then writes one JSON line per event', async () => {
    const log = openLog()
    log.append(it1(1))
    log.append(it1(2))
    expect(await fileText()).toBe('')
    await log.flush()
    expect(await fileText()).toBe(`${JSON.stringify(it1(1))}\n${JSON.stringify(it1(2))}\n`)
    expect((await read()).events).toEqual([it1(1), it1(2)])
  })

  it('writes at once on an epoch event', async () => {
    const log = openLog({ flushIntervalMs: 60_000 })
    log.append(it1(1))
    log.append(ep(1, 1))
    await vi.waitFor(async () => expect((await read()).events).toEqual([it1(1), ep(1, 1)]), { timeout: 2000 })
  })

  it('flushes buffered iterations after one second by default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const log = openLog()
    log.append(it1(1))
    vi.advanceTimersByTime(999)
    log.append(it1(2))
    expect(await fileText()).toBe('')
    vi.advanceTimersByTime(1)
    vi.useRealTimers()
    await vi.waitFor(async () => expect((await read()).events).toEqual([it1(1), it1(2)]), { timeout: 2000 })
  })

  it('flushes on a short interval when asked to', async () => {
    const log = openLog({ flushIntervalMs: 10 })
    log.append(it1(1))
    await vi.waitFor(async () => expect((await read()).events).toEqual([it1(1)]), { timeout: 2000 })
  })

  it('keeps order and loses nothing when appends race with flushes', async () => {
    const log = openLog({ flushIntervalMs: 1 })
    const expected: MetricEvent[] = []
    const flushes: Promise<void>[] = []
    for (let i = 1; i <= 2000; i++) {
      const e = i % 100 === 0 ? ep(i / 100, i) : it1(i)
      log.append(e)
      expected.push(e)
      if (i % 37 === 0) flushes.push(log.flush())
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 2))
    }
    await Promise.all(flushes)
    await log.close()
    expect((await read()).events).toEqual(expected)
  })

  it('close flushes, is idempotent, and refuses later appends', async () => {
    let closed = 0
    const log = openLog({ onClose: () => closed++ })
    log.append(it1(1))
    await Promise.all([log.close(), log.close()])
    expect(closed).toBe(1)
    expect(log.closed).toBe(true)
    expect((await read()).events).toEqual([it1(1)])
    expect(() => log.append(it1(2))).toThrow(/closed/)
  })

  it('keeps events whose write failed and writes them on the next flush', async () => {
    const at = join(tmp.dir, 'later', 'metrics.jsonl')
    const log = openLog({ flushIntervalMs: 60_000 }, at)
    log.append(it1(1))
    await expect(log.flush()).rejects.toMatchObject({ code: 'ENOENT' })
    await mkdir(join(tmp.dir, 'later'))
    log.append(it1(2))
    await log.flush()
    expect(await readMetrics(at)).toEqual([it1(1), it1(2)])
  })

  it('cuts a torn last line off before appending, so the next event starts a clean line', async () => {
    await writeFile(path, `${JSON.stringify(it1(1))}\n${JSON.stringify(it1(2))}\n{"type":"itera`)
    const log = openLog()
    log.append({ type: 'resume', fromIteration: 2, fromEpoch: 0 })
    log.append(it1(3))
    await log.close()
    expect(await fileText()).not.toContain('"itera{')
    expect(await read()).toEqual({
      events: [it1(1), it1(2), { type: 'resume', fromIteration: 2, fromEpoch: 0 }, it1(3)],
      problems: [],
    })
  })

  it('writes non-finite losses as null and reads them back as NaN', async () => {
    const log = openLog()
    log.append(it1(1, NaN))
    log.append(it1(2, Infinity))
    await log.close()
    const { events } = await read()
    expect(events.map((e) => (e as { loss: number }).loss)).toEqual([NaN, NaN])
  })
})

describe('readMetrics', () => {
  it('returns no events for a missing file', async () => {
    expect(await read()).toEqual({ events: [], problems: [] })
  })

  it('ignores a torn last line without reporting it', async () => {
    await writeFile(
      path,
      `${JSON.stringify(it1(1))}\n${JSON.stringify(ep(1, 1))}\n{"type":"iteration","itera`,
    )
    expect(await read()).toEqual({ events: [it1(1), ep(1, 1)], problems: [] })
  })

  it('ignores a complete-looking last line whose newline never made it', async () => {
    await writeFile(path, `${JSON.stringify(it1(1))}\n${JSON.stringify(it1(2))}`)
    expect((await read()).events).toEqual([it1(1)])
  })

  it('skips corrupt lines elsewhere and reports them with their line numbers', async () => {
    const lines = [
      JSON.stringify(it1(1)),
      'garbage{',
      JSON.stringify(it1(2)),
      JSON.stringify({ type: 'iteration', iteration: -1, loss: 1 }),
      JSON.stringify({ type: 'weights', x: 1 }),
      '',
      '[1]',
      JSON.stringify(ep(1, 2)),
    ]
    await writeFile(path, `${lines.join('\n')}\n`)
    const { events, problems } = await read()
    expect(events).toEqual([it1(1), it1(2), ep(1, 2)])
    expect(problems).toEqual([
      { file: path, line: 2, message: 'not valid JSON' },
      { file: path, line: 4, message: expect.stringMatching(/^iteration: Too small/) },
      { file: path, line: 5, message: 'unknown event type "weights"' },
      { file: path, line: 7, message: 'not a JSON object' },
    ])
  })

  it('drops events a resume superseded, keeping the file as written', async () => {
    const resume = (fromIteration: number, fromEpoch: number): MetricEvent => ({
      type: 'resume',
      fromIteration,
      fromEpoch,
    })
    const written = [
      it1(1),
      it1(2),
      ep(1, 2),
      it1(3),
      it1(4),
      ep(2, 4),
      it1(5),
      // crashed at 5; the last checkpoint was epoch 1 (iteration 2)
      resume(2, 1),
      it1(3, 1.5),
      it1(4, 1.4),
      ep(2, 4),
      it1(5, 1.3),
      it1(6, 1.2),
      // crashed again; resumed from epoch 2 (iteration 4)
      resume(4, 2),
      it1(5, 1.1),
    ]
    await writeFile(path, written.map((e) => `${JSON.stringify(e)}\n`).join(''))
    expect((await read()).events).toEqual([
      it1(1),
      it1(2),
      ep(1, 2),
      resume(2, 1),
      it1(3, 1.5),
      it1(4, 1.4),
      ep(2, 4),
      resume(4, 2),
      it1(5, 1.1),
    ])
    expect((await fileText()).trim().split('\n')).toHaveLength(written.length)
  })

  it('drops an earlier resume marker that a later resume rolled back past', async () => {
    const events: MetricEvent[] = [
      it1(1),
      it1(2),
      it1(3),
      { type: 'resume', fromIteration: 3, fromEpoch: 1 },
      it1(4),
      { type: 'resume', fromIteration: 1, fromEpoch: 0 },
      it1(2, 9),
    ]
    await writeFile(path, events.map((e) => `${JSON.stringify(e)}\n`).join(''))
    expect((await read()).events).toEqual([
      it1(1),
      { type: 'resume', fromIteration: 1, fromEpoch: 0 },
      it1(2, 9),
    ])
  })
})
