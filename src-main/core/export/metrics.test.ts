import { describe, expect, it } from 'vitest'
import type { RunConfig } from '../../../src-shared/config'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { columnsFromEvents } from '../store/metricsRead'
import {
  CSV_COLUMNS,
  metricsToCsv,
  metricsToJson,
  writeMetricsCsv,
  writeMetricsJson,
  parseCsv,
  textCell,
  type MetricsJson,
  type RunMetrics,
} from './metrics'

function record(id: string, name: string): RunRecord {
  return {
    id,
    config: { name } as RunConfig,
    status: 'completed',
    sweepId: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    progress: { iteration: 3, numIterations: 3, epoch: 1, numEpochs: 1 },
    result: null,
    error: null,
    environment: null,
    checkpointEpoch: 0,
  }
}

// Numbers whose shortest decimal form needs all 17 digits, and an lr of null.
const metrics: MetricEvent[] = [
  { type: 'epoch', epoch: 0, iteration: 0, trainAcc: 0.1, valAcc: 0.09999999999999999, lr: 0.001 },
  { type: 'iteration', iteration: 1, loss: 2.302585092994046 },
  { type: 'iteration', iteration: 2, loss: 1.0000000000000002 },
  { type: 'iteration', iteration: 3, loss: 1e-7 },
  { type: 'epoch', epoch: 1, iteration: 3, trainAcc: 0.123456789012345, valAcc: 1 / 3, lr: null },
]
const tricky = 'lr=1e-3, "wide"\nsecond line'
const runs: RunMetrics[] = [
  { record: record('20240101-000000-aaaaaa', tricky), metrics: columnsFromEvents(metrics) },
  {
    record: record('20240101-000000-bbbbbb', 'plain'),
    metrics: columnsFromEvents([{ type: 'iteration', iteration: 1, loss: 3 }]),
  },
]

describe('metricsToCsv', () => {
  it('keeps a run name from running as a spreadsheet formula, and leaves other names alone', () => {
    expect(textCell('=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`)
    for (const lead of ['+', '-', '@', '\t', '\r']) expect(textCell(`${lead}1`)).toBe(`'${lead}1`)
    expect(textCell('lr 1e-3 (best)')).toBe('lr 1e-3 (best)')
    expect(textCell('')).toBe('')
  })

  it('round-trips through parseCsv: names with commas, quotes and newlines; numbers exactly', async () => {
    const text = await metricsToCsv(runs)
    expect(text.endsWith('\n')).toBe(true)
    expect(text).not.toContain('\r')
    const [header, ...rows] = parseCsv(text)
    expect(header).toEqual(CSV_COLUMNS)
    expect(rows).toHaveLength(5)
    expect(rows.map((r) => r.length)).toEqual([8, 8, 8, 8, 8])
    expect(rows.every((r, i) => r[1] === (i < 4 ? tricky : 'plain'))).toBe(true)
    // The epoch 0 check at iteration 0 has no iteration row: a row of its own, loss empty.
    expect(rows[0]).toEqual([
      '20240101-000000-aaaaaa',
      tricky,
      '0',
      '0',
      '',
      '0.1',
      '0.09999999999999999',
      '0.001',
    ])
    expect(rows.slice(1, 4).map((r) => Number(r[4]))).toEqual([2.302585092994046, 1.0000000000000002, 1e-7])
    expect(rows[1]?.slice(3)).toEqual(['', '2.302585092994046', '', '', ''])
    const last = rows[3] ?? []
    expect(last[3]).toBe('1')
    expect(Number(last[5])).toBe(0.123456789012345)
    expect(Number(last[6])).toBe(1 / 3)
    expect(last[7]).toBe('')
    expect(rows[4]).toEqual(['20240101-000000-bbbbbb', 'plain', '1', '', '3', '', '', ''])
  })

  it('gives an epoch check sharing its iteration with another check a row of its own', async () => {
    const same: MetricEvent[] = [
      { type: 'iteration', iteration: 1, loss: 2 },
      { type: 'epoch', epoch: 0, iteration: 1, trainAcc: 0.1, valAcc: 0.2, lr: 0.01 },
      { type: 'epoch', epoch: 1, iteration: 1, trainAcc: 0.3, valAcc: 0.4, lr: 0.01 },
    ]
    const rows = parseCsv(
      await metricsToCsv([{ record: record('x', 'n'), metrics: columnsFromEvents(same) }]),
    ).slice(1)
    expect(rows.map((r) => [r[2], r[3], r[4]])).toEqual([
      ['1', '0', '2'],
      ['1', '1', ''],
    ])
  })

  it('is only the header for no runs', async () => {
    expect(await metricsToCsv([])).toBe(CSV_COLUMNS.join(',') + '\n')
  })
})

describe('parseCsv', () => {
  it('reads CRLF, doubled quotes, empty fields and a last line without a line end', () => {
    expect(parseCsv('a,"b ""c""",\r\n"x\r\ny",,z')).toEqual([
      ['a', 'b "c"', ''],
      ['x\r\ny', '', 'z'],
    ])
  })

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('"abc')).toThrow('unterminated')
  })
})

describe('metricsToJson', () => {
  it('gives each run its curves as arrays, with config, status and result', async () => {
    const text = await metricsToJson(runs)
    expect(text).toContain('\n  "version": 1')
    const doc = JSON.parse(text) as MetricsJson
    expect(doc.version).toBe(1)
    expect(doc.runs.map((r) => [r.id, r.name, r.status, r.result])).toEqual([
      ['20240101-000000-aaaaaa', tricky, 'completed', null],
      ['20240101-000000-bbbbbb', 'plain', 'completed', null],
    ])
    expect(doc.runs[0]?.config).toEqual({ name: tricky })
    expect(doc.runs[0]?.metrics).toEqual({
      iterations: [1, 2, 3],
      losses: [2.302585092994046, 1.0000000000000002, 1e-7],
      epochs: [
        { epoch: 0, iteration: 0, trainAcc: 0.1, valAcc: 0.09999999999999999, lr: 0.001 },
        { epoch: 1, iteration: 3, trainAcc: 0.123456789012345, valAcc: 1 / 3, lr: null },
      ],
    })
  })
})

describe('streaming writers', () => {
  const long = (n: number): RunMetrics => ({
    record: record('20240101-000000-cccccc', 'long'),
    metrics: columnsFromEvents([
      ...Array.from({ length: n }, (_, i): MetricEvent => ({
        type: 'iteration',
        iteration: i + 1,
        loss: 1 / (i + 1),
      })),
      { type: 'iteration', iteration: n + 1, loss: NaN },
      { type: 'epoch', epoch: 1, iteration: n, trainAcc: 0.5, valAcc: 0.4, lr: 1e-3 },
    ]),
  })

  it('write JSON exactly as JSON.stringify(doc, null, 2) does', async () => {
    const empty: RunMetrics = {
      record: record('20240101-000000-dddddd', 'empty'),
      metrics: columnsFromEvents([]),
    }
    for (const set of [[], [empty], [...runs, empty, long(30)]]) {
      const value = {
        version: 1,
        runs: set.map(({ record: r, metrics: m }) => ({
          id: r.id,
          name: r.config.name,
          config: r.config,
          status: r.status,
          result: r.result,
          metrics: {
            iterations: Array.from(m.iterations),
            losses: Array.from(m.losses, (v) => (Number.isFinite(v) ? v : null)),
            epochs: m.epochs.map(({ epoch, iteration, trainAcc, valAcc, lr }) => ({
              epoch,
              iteration,
              trainAcc,
              valAcc,
              lr,
            })),
          },
        })),
      }
      expect(await metricsToJson(set)).toBe(`${JSON.stringify(value, null, 2)}\n`)
    }
  })

  it('hand the sink chunks of about 64 KiB, never the whole file', async () => {
    for (const write of [writeMetricsCsv, writeMetricsJson]) {
      const chunks: string[] = []
      const rows = await write([long(200_000)], (c) => void chunks.push(c))
      expect(rows).toBe(200_001)
      expect(chunks.length).toBeGreaterThan(50)
      expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70 * 1024)
      const whole = chunks.join('')
      expect(whole).toBe(
        write === writeMetricsCsv
          ? await metricsToCsv([long(200_000)])
          : await metricsToJson([long(200_000)]),
      )
    }
  })
})
