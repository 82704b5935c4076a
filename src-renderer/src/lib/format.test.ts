import { describe, expect, it } from 'vitest'
import { FcModelSchema, TwoLayerModelSchema } from '../../../src-shared/config'
import { makeRun } from '../testing/fakeApi'
import {
  formatDuration,
  formatHyper,
  formatPercent,
  modelSummary,
  progressFraction,
  runDurationMs,
} from './format'

describe('modelSummary', () => {
  it('names the architecture briefly', () => {
    expect(modelSummary(TwoLayerModelSchema.parse({ kind: 'two-layer', hiddenDim: 50 }))).toBe('2-layer 50')
    expect(modelSummary(FcModelSchema.parse({ kind: 'fc', normalization: 'batchnorm' }))).toBe(
      'fc 100-100 bn',
    )
    expect(
      modelSummary(
        FcModelSchema.parse({
          kind: 'fc',
          hiddenDims: [200],
          normalization: 'layernorm',
          dropoutKeepRatio: 0.5,
        }),
      ),
    ).toBe('fc 200 ln keep 0.5')
  })
})

describe('formatters', () => {
  it('formats hyperparameters with two significant digits', () => {
    expect(formatHyper(1e-3)).toBe('1e-3')
    expect(formatHyper(0.00031622)).toBe('3.2e-4')
    expect(formatHyper(0.95)).toBe('0.95')
    expect(formatHyper(100)).toBe('100')
    expect(formatHyper(0)).toBe('0')
    expect(formatHyper(null)).toBe('—')
  })

  it('formats percentages and durations', () => {
    expect(formatPercent(0.8523)).toBe('85.2%')
    expect(formatPercent(null)).toBe('—')
    expect(formatDuration(850)).toBe('850ms')
    expect(formatDuration(42_300)).toBe('42s')
    expect(formatDuration(185_000)).toBe('3m 05s')
    expect(formatDuration(3_720_000)).toBe('1h 02m')
  })

  it('measures a run to now while it trains, to its end once finished', () => {
    const running = makeRun({ status: 'running', startedAt: '2026-11-26T12:00:00.000Z' })
    expect(runDurationMs(running, Date.parse('2026-11-26T12:00:30.000Z'))).toBe(30_000)
    const done = makeRun({ startedAt: '2026-11-26T12:00:00.000Z', finishedAt: '2026-11-26T12:01:00.000Z' })
    expect(runDurationMs(done, 0)).toBe(60_000)
    expect(runDurationMs(makeRun({ status: 'queued' }), 0)).toBeNull()
  })

  it('reports progress as a fraction', () => {
    const r = makeRun({
      status: 'running',
      progress: { iteration: 150, numIterations: 600, epoch: 2, numEpochs: 10 },
    })
    expect(progressFraction(r)).toBe(0.25)
    expect(progressFraction(makeRun({ status: 'completed' }))).toBe(1)
  })
})
