import { describe, expect, it } from 'vitest'
import { FcModelSchema, TwoLayerModelSchema } from '../../../src-shared/config'
import { makeRun } from '../testing/fakeApi'
import { createAppI18n } from '../i18n'
import {
  formatCompact,
  formatCount,
  formatDate,
  formatDuration,
  formatHyper,
  formatLoss,
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

  it('formats percentages and durations in English', () => {
    expect(formatPercent(0.8523, 'en')).toBe('85.2%')
    expect(formatPercent(0.8523, 'en', 2)).toBe('85.23%')
    expect(formatPercent(null, 'en')).toBe('—')
    expect(formatPercent(Number.NaN, 'en')).toBe('—')
    expect(formatDuration(850, 'en')).toBe('850ms')
    expect(formatDuration(42_300, 'en')).toBe('42s')
    expect(formatDuration(185_000, 'en')).toBe('3m 05s')
    expect(formatDuration(3_720_000, 'en')).toBe('1h 02m')
    expect(formatDuration(-1, 'en')).toBe('—')
  })

  it('formats durations with Chinese units, without spaces', () => {
    expect(formatDuration(42_300, 'zh-CN')).toBe('42秒')
    expect(formatDuration(185_000, 'zh-CN')).toBe('3分钟05秒')
    expect(formatDuration(3_720_000, 'zh-CN')).toBe('1小时02分钟')
  })

  it('formats losses and counts by locale', () => {
    expect(formatLoss(2.302585, 'en')).toBe('2.303')
    expect(formatLoss(2.3, 'zh-CN')).toBe('2.300')
    expect(formatLoss(123_456, 'en')).toBe('1.23E5')
    expect(formatLoss(Number.NaN, 'en')).toBe('NaN')
    expect(formatCount(12_000, 'en')).toBe('12,000')
    expect(formatCount(12_000, 'zh-CN')).toBe('12,000')
    expect(formatCompact(49_000, 'en')).toBe('49K')
    expect(formatCompact(49_000, 'zh-CN')).toBe('4.9万')
    expect(formatCount(undefined, 'en')).toBe('—')
  })

  it('formats timestamps by locale, and keeps an unparsable one as stored', () => {
    // Midday UTC is the same calendar day in every time zone from UTC-11 to UTC+11.
    const iso = '2026-11-26T12:00:00.000Z'
    expect(formatDate(iso, 'en')).toMatch(/^Nov 26, 2026, \d\d:\d\d [AP]M$/)
    expect(formatDate(iso, 'zh-CN')).toMatch(/^2026年11月26日 \d\d:\d\d$/)
    expect(formatDate(iso, 'en', 'long')).toMatch(/^Thursday, November 26, 2026/)
    expect(formatDate(iso, 'zh-CN', 'long')).toMatch(/^2026年11月26日星期四 \d\d:\d\d:\d\d$/)
    expect(formatDate('yesterday', 'en')).toBe('yesterday')
    expect(formatDate(null, 'en')).toBe('—')
  })

  it("agree with vue-i18n's named formats in both languages", () => {
    const i18n = createAppI18n('en')
    const { n, d, locale } = i18n.global
    const date = new Date('2026-11-26T12:00:00.000Z')
    for (const l of ['en', 'zh-CN'] as const) {
      locale.value = l
      expect(n(0.8523, 'percent')).toBe(formatPercent(0.8523, l))
      expect(n(49_000, 'compact')).toBe(formatCompact(49_000, l))
      expect(n(12_345.678, 'decimal')).toBe(formatCount(12_345.678, l))
      expect(d(date, 'short')).toBe(formatDate(date.toISOString(), l, 'short'))
      expect(d(date, 'long')).toBe(formatDate(date.toISOString(), l, 'long'))
    }
    expect(n(49_000, 'compact')).toBe('4.9万')
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
