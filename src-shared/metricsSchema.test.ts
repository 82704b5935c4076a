import { describe, expect, it } from 'vitest'
import type { MetricEvent } from './runs'
import { fastMetricEvent, MetricLineError, parseMetricLine, schemaMetricEvent } from './metricsSchema'

/** Values a field can take in a line: every type JSON has, edge numbers, and absent. */
const VALUES: unknown[] = [
  undefined,
  null,
  0,
  -0,
  1,
  7,
  2 ** 53 - 1,
  2 ** 53,
  -1,
  1.5,
  0.25,
  -3.5,
  1e308,
  Infinity,
  -Infinity,
  NaN,
  '1',
  '',
  true,
  false,
  [],
  [1],
  {},
  { n: 1 },
]
const FIELDS: Record<string, string[]> = {
  iteration: ['iteration', 'loss', 't'],
  epoch: ['epoch', 'iteration', 'trainAcc', 'valAcc', 'lr'],
  resume: ['fromIteration', 'fromEpoch'],
}

function schemaVerdict(o: Record<string, unknown>): MetricEvent | 'refused' {
  try {
    return schemaMetricEvent(o)
  } catch (e) {
    expect(e).toBeInstanceOf(MetricLineError)
    return 'refused'
  }
}

/** mulberry32, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('the fast path of parseMetricLine', () => {
  it('accepts exactly what the schema accepts, and returns what the schema returns', () => {
    const lines: Record<string, unknown>[] = []
    // Every value in every field, the others valid.
    const valid: Record<string, Record<string, unknown>> = {
      iteration: { type: 'iteration', iteration: 3, loss: 2.3, t: 1764625316000 },
      epoch: { type: 'epoch', epoch: 1, iteration: 49, trainAcc: 0.5, valAcc: 0.4, lr: 1e-3 },
      resume: { type: 'resume', fromIteration: 49, fromEpoch: 1 },
    }
    for (const [type, fields] of Object.entries(FIELDS)) {
      for (const field of [...fields, 'type', 'extra']) {
        for (const v of [...VALUES, 'iteration', 'epoch', 'resume', 'weights']) {
          lines.push({ ...valid[type], [field]: v })
        }
      }
    }
    // And 20,000 lines with every field drawn at random.
    const next = rng(20261201)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
    for (let i = 0; i < 20_000; i++) {
      const type = pick(['iteration', 'epoch', 'resume', 'weights', undefined])
      const o: Record<string, unknown> = { type }
      for (const f of FIELDS[type ?? 'resume'] ?? FIELDS.iteration!) {
        // Mostly valid, so that accepted lines are common too.
        o[f] = next() < 0.75 ? pick([0, 5, 123456, 0.5, null]) : pick(VALUES)
      }
      if (next() < 0.1) o.extra = pick(VALUES)
      lines.push(o)
    }

    let accepted = 0
    for (const o of lines) {
      // Through JSON and back, as a line is read: undefined fields vanish, NaN and Infinity become null.
      const parsed = JSON.parse(JSON.stringify(o)) as Record<string, unknown>
      for (const line of [o, parsed]) {
        const fast = fastMetricEvent(line)
        const schema = schemaVerdict(line)
        if (schema === 'refused') expect(fast, JSON.stringify(line)).toBeUndefined()
        else {
          accepted++
          expect(fast, JSON.stringify(line)).toEqual(schema)
          // The same keys too (an own `t: undefined`, which JSON never makes, counts as absent).
          const keys = (e: object) =>
            Object.keys(e).filter((k) => (e as Record<string, unknown>)[k] !== undefined)
          expect(keys(fast!).sort()).toEqual(keys(schema).sort())
        }
      }
    }
    expect(accepted).toBeGreaterThan(5000)
  })
})

describe('parseMetricLine', () => {
  it('reads each event type; null metrics read as NaN, a null lr stays null; unknown keys are dropped', () => {
    expect(parseMetricLine('{"type":"iteration","iteration":1,"loss":null,"extra":1}')).toEqual({
      type: 'iteration',
      iteration: 1,
      loss: NaN,
    })
    expect(parseMetricLine('{"type":"iteration","iteration":1,"loss":2.5,"t":17}')).toEqual({
      type: 'iteration',
      iteration: 1,
      loss: 2.5,
      t: 17,
    })
    expect(
      parseMetricLine('{"type":"epoch","epoch":0,"iteration":0,"trainAcc":null,"valAcc":0.1,"lr":null}'),
    ).toEqual({ type: 'epoch', epoch: 0, iteration: 0, trainAcc: NaN, valAcc: 0.1, lr: null })
    expect(parseMetricLine('{"type":"resume","fromIteration":0,"fromEpoch":0}')).toEqual({
      type: 'resume',
      fromIteration: 0,
      fromEpoch: 0,
    })
  })

  it('says what is wrong with a line, naming the field', () => {
    const cases: [string, string | RegExp][] = [
      ['garbage{', 'not valid JSON'],
      ['[1]', 'not a JSON object'],
      ['null', 'not a JSON object'],
      ['{"type":"weights"}', 'unknown event type "weights"'],
      ['{"iteration":1,"loss":1}', 'unknown event type undefined'],
      ['{"type":"iteration","iteration":-1,"loss":1}', /^iteration: Too small/],
      ['{"type":"iteration","iteration":1.5,"loss":1}', /^iteration: .*expected int/],
      ['{"type":"iteration","iteration":1,"loss":"1"}', /^loss: .*expected number, received string/],
      ['{"type":"iteration","iteration":1,"loss":1e999}', /^loss: /],
      ['{"type":"epoch","epoch":1,"iteration":1,"trainAcc":1,"valAcc":1}', /^lr: /],
      ['{"type":"resume","fromIteration":3}', /^fromEpoch: /],
    ]
    for (const [line, message] of cases) {
      expect(() => parseMetricLine(line), line).toThrow(message)
      expect(() => parseMetricLine(line)).toThrow(MetricLineError)
    }
  })
})
