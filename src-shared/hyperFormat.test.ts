import { describe, expect, it } from 'vitest'
import { formatDuration } from './durationFormat'
import { formatConfigValue, formatHyper } from './hyperFormat'

describe('formatHyper', () => {
  it('writes hyperparameters as configs do: 1e-3, 0.95, 100', () => {
    expect(formatHyper(1e-3)).toBe('1e-3')
    expect(formatHyper(0.00031622)).toBe('3.2e-4')
    expect(formatHyper(0.95)).toBe('0.95')
    expect(formatHyper(100)).toBe('100')
    expect(formatHyper(0)).toBe('0')
    expect(formatHyper(2.5e6)).toBe('2.5e6')
    expect(formatHyper(null)).toBe('—')
    expect(formatHyper(NaN)).toBe('NaN')
  })

  it('keeps more digits when asked, trimming trailing zeros', () => {
    expect(formatHyper(0.08713003913871945, 3)).toBe('0.0871')
    expect(formatHyper(1e-3, 3)).toBe('1e-3')
    expect(formatHyper(0.000155, 3)).toBe('1.55e-4')
    expect(formatHyper(-0.000155, 3)).toBe('-1.55e-4')
  })
})

describe('formatConfigValue', () => {
  it('formats numbers at three digits, inside arrays too, and keeps whole numbers exact', () => {
    expect(formatConfigValue(0.08713003913871945)).toBe('0.0871')
    expect(formatConfigValue(0.0010000000000000002)).toBe('1e-3')
    expect(formatConfigValue(3921700069)).toBe('3921700069')
    expect(formatConfigValue([100, 0.5000001])).toBe('[100, 0.5]')
    expect(formatConfigValue({ a: 1.23456e-5 })).toBe('{a: 1.23e-5}')
    expect(formatConfigValue('sgd_momentum')).toBe('sgd_momentum')
    expect(formatConfigValue(true)).toBe('true')
    expect(formatConfigValue(null)).toBe('—')
  })
})

describe('formatDuration', () => {
  it('writes narrow units, padded minutes and seconds, in both languages', () => {
    expect(formatDuration(850, 'en')).toBe('850ms')
    expect(formatDuration(42_300, 'en')).toBe('42s')
    expect(formatDuration(185_000, 'en')).toBe('3m 05s')
    expect(formatDuration(3_720_000, 'en')).toBe('1h 02m')
    expect(formatDuration(185_000, 'zh-CN')).toBe('3分钟05秒')
    expect(formatDuration(-1, 'en')).toBe('—')
    expect(formatDuration(null, 'en', 'n/a')).toBe('n/a')
  })
})
