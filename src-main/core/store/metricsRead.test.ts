import { appendFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MetricEvent } from '../../../src-shared/runs'
import type { StoreProblem } from './errors'
import { readMetricColumns, readMetrics, readMetricsSeries } from './metricsRead'
import { scanMetrics } from './metricsScan'
import { makeTempDir } from './testing'

let tmp: { dir: string; cleanup: () => Promise<void> }
let path: string

beforeEach(async () => {
  tmp = await makeTempDir()
  path = join(tmp.dir, 'metrics.jsonl')
})
afterEach(async () => {
  await tmp.cleanup()
})

const it1 = (iteration: number, loss = 2.3, t?: number): MetricEvent =>
  t === undefined ? { type: 'iteration', iteration, loss } : { type: 'iteration', iteration, loss, t }
const ep = (epoch: number, iteration: number): MetricEvent => ({
  type: 'epoch',
  epoch,
  iteration,
  trainAcc: 0.1 * epoch,
  valAcc: 0.09 * epoch,
  lr: 1e-3,
})
const resume = (fromIteration: number, fromEpoch: number): MetricEvent => ({
  type: 'resume',
  fromIteration,
  fromEpoch,
})
const lines = (events: MetricEvent[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('')

/** One trainer's log: `epochs` epochs of `per` steps, a check after the first step and after each epoch. */
function training(epochs: number, per: number, from = 0): MetricEvent[] {
  const out: MetricEvent[] = []
  for (let i = from * per + 1; i <= epochs * per; i++) {
    out.push(it1(i, 3 / Math.sqrt(i), 1_764_000_000_000 + i))
    if (i === 1) out.push(ep(0, 1))
    if (i % per === 0) out.push(ep(i / per, i))
  }
  return out
}

/**
 * Two processes appending the same events to one file, as the double-adoption bug did: each flushes
 * its own batches (a second's worth or an epoch end), and the batches interleave.
 */
function interleave(a: MetricEvent[], b: MetricEvent[], seed = 3): MetricEvent[] {
  const out: MetricEvent[] = []
  let s = seed
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s
  }
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const fromA = j >= b.length || (i < a.length && next() % 2 === 0)
    const size = 1 + (next() % 40)
    if (fromA) out.push(...a.slice(i, (i += size)))
    else out.push(...b.slice(j, (j += size)))
  }
  return out
}

async function read(options: { chunkBytes?: number; maxLineBytes?: number } = {}): Promise<{
  events: MetricEvent[]
  problems: StoreProblem[]
}> {
  const problems: StoreProblem[] = []
  const events = await readMetrics(path, { ...options, onProblem: (p) => problems.push(p) })
  return { events, problems }
}

describe('the streaming metrics reader', () => {
  it('reads the same events whatever the read size: lines and UTF-8 characters split across reads', async () => {
    // A hand-edited line with a note in Chinese (extra fields are ignored), a CRLF line, a blank one.
    const text =
      lines([it1(1), ep(0, 1)]) +
      '{"type":"iteration","iteration":2,"loss":2.1,"note":"损失下降 ✓"}\n' +
      '{"type":"iteration","iteration":3,"loss":2}\r\n' +
      '\n' +
      lines([it1(4), resume(4, 0), it1(5)]) +
      '{"type":"iter'
    await writeFile(path, text)
    const whole = await read()
    expect(whole.problems).toEqual([])
    expect(whole.events).toEqual([it1(1), ep(0, 1), it1(2, 2.1), it1(3, 2), it1(4), resume(4, 0), it1(5)])
    for (let chunkBytes = 1; chunkBytes <= 40; chunkBytes++) {
      expect(await read({ chunkBytes })).toEqual(whole)
    }
  })

  it('skips a line too long to be an event, reporting its line number, and reads on', async () => {
    const long = `{"type":"iteration","iteration":2,"loss":1,"junk":"${'x'.repeat(500)}"}`
    await writeFile(path, `${lines([it1(1)])}${long}\n${lines([it1(3)])}`)
    for (const chunkBytes of [7, 64, 4096]) {
      expect(await read({ chunkBytes, maxLineBytes: 100 })).toEqual({
        events: [it1(1), it1(3)],
        problems: [{ file: path, line: 2, message: 'longer than 100 bytes' }],
      })
    }
  })

  it('finds a resume however its type is spelled (a JSON escape)', async () => {
    await writeFile(
      path,
      lines([it1(1), it1(2), it1(3)]) +
        '{"type":"r\\u0065sume","fromIteration":1,"fromEpoch":0}\n' +
        lines([it1(2, 9)]),
    )
    expect((await read()).events).toEqual([it1(1), resume(1, 0), it1(2, 9)])
  })

  it('reads a log as it was when the read began, even while it grows', async () => {
    await writeFile(path, lines([it1(1), it1(2), it1(3)]))
    const seen: MetricEvent[] = []
    await scanMetrics(path, (e) => {
      // A trainer appends while the second pass runs: a resume the first pass never saw must not
      // half-apply (drop nothing, and not be returned).
      if (seen.length === 0) appendFileSync(path, lines([resume(1, 0), it1(2, 9)]))
      seen.push(e)
    })
    expect(seen).toEqual([it1(1), it1(2), it1(3)])
    expect((await read()).events).toEqual([it1(1), resume(1, 0), it1(2, 9)])
  })
})

describe('a log two processes trained at once', () => {
  const single = training(6, 50)
  const expected = single

  it('is read as one clean, strictly increasing series: both adopted the run from its checkpoint', async () => {
    // Both resumed from the epoch-2 checkpoint within milliseconds: two markers, then interleaved steps.
    const before = training(3, 50).slice(0, -10) // the first attempt crashed during epoch 3
    const after = training(6, 50, 2)
    const doubled = [...before, resume(100, 2), resume(100, 2), ...interleave(after, after)]
    await writeFile(path, lines(doubled))
    const { events, problems } = await read()
    expect(problems).toEqual([])
    const clean = [...training(2, 50), resume(100, 2), ...after]
    expect(events).toEqual(clean)
    // Every duplicate and the crashed attempt's tail are gone, and the file is untouched.
    const iterations = events.flatMap((e) => (e.type === 'iteration' ? [e.iteration] : []))
    expect(iterations).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
  })

  it('is read clean when the second process started over while the first was training', async () => {
    // A fresh run adopted twice: A had logged 70 steps when B marked a resume from 0 and started over.
    const a = single
    const doubled = [...a.slice(0, 72), resume(0, 0), ...interleave(a.slice(72), a)]
    await writeFile(path, lines(doubled))
    const { events } = await read()
    expect(events).toEqual([resume(0, 0), ...expected])
    const columns = await readMetricColumns(path)
    expect(Array.from(columns.iterations)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    expect(columns.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('gives the series of the single log, point for point', async () => {
    const doubled = interleave(single, single, 11)
    await writeFile(path, lines(doubled))
    const fromDoubled = await readMetricsSeries(path, 64)
    await writeFile(path, lines(single))
    expect(fromDoubled).toEqual(await readMetricsSeries(path, 64))
    expect(fromDoubled.iterationCount).toBe(300)
  })
})

describe('readMetricsSeries', () => {
  it('below the cap: every logged iteration exactly, epochs and resumes whole', async () => {
    const events = [...training(2, 10), resume(20, 2), it1(21, 0.5, 5), ep(3, 21)]
    await writeFile(path, lines(events))
    const s = await readMetricsSeries(path, 100)
    const steps = events.filter(
      (e): e is Extract<MetricEvent, { type: 'iteration' }> => e.type === 'iteration',
    )
    expect(s.bucket).toBe(1)
    expect(s.iterationCount).toBe(21)
    expect(s.iterations).toEqual(steps.map((e) => e.iteration))
    expect(s.losses).toEqual(steps.map((e) => e.loss))
    expect(s.lossMin).toEqual(s.losses)
    expect(s.lossMax).toEqual(s.losses)
    expect(s.counts).toEqual(steps.map(() => 1))
    expect(s.times).toEqual(steps.map((e) => e.t))
    expect(s.last).toEqual({ iteration: 21, loss: 0.5, t: 5 })
    expect(s.epochs).toEqual(events.filter((e) => e.type === 'epoch'))
    expect(s.resumes).toEqual([resume(20, 2)])
  })

  it('above the cap: buckets with their mean, min and max, so a spike stays visible', async () => {
    const events = training(10, 100)
    const spike = events.find((e) => e.type === 'iteration' && e.iteration === 777) as { loss: number }
    spike.loss = 40
    await writeFile(path, lines(events))
    const s = await readMetricsSeries(path, 50)
    expect(s.iterations.length).toBeLessThanOrEqual(50)
    expect(s.bucket).toBe(32)
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(1000)
    expect(Math.max(...(s.lossMax as number[]))).toBe(40)
    expect(s.last).toEqual({ iteration: 1000, loss: 3 / Math.sqrt(1000), t: 1_764_000_001_000 })
    expect(s.epochs).toHaveLength(11)
    const j = s.iterations.findIndex((i) => i >= 777)
    expect(s.lossMax[j]).toBe(40)
    expect(s.losses[j]).toBeLessThan(40)
  })

  it('sends a diverged loss as null, and a missing log as an empty series', async () => {
    await writeFile(path, lines([it1(1, 2), it1(2, NaN)]))
    const s = await readMetricsSeries(path, 10)
    expect(s.losses).toEqual([2, null])
    expect(s.last).toEqual({ iteration: 2, loss: null, t: null })
    expect(await readMetricsSeries(join(tmp.dir, 'none.jsonl'), 10)).toEqual({
      bucket: 1,
      iterationCount: 0,
      iterations: [],
      losses: [],
      lossMin: [],
      lossMax: [],
      counts: [],
      times: [],
      lossLast: [],
      smoothed: [],
      ema: { weight: 0.6, acc: 0, debias: 1 },
      range: null,
      last: null,
      epochs: [],
      resumes: [],
    })
  })
})
