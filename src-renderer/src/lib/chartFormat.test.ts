import { describe, expect, it } from 'vitest'
import {
  chartLayout,
  compactNumber,
  formatX,
  lrLabel,
  plotWidth,
  TOOLBAR_HEIGHT,
  tooltipHtml,
  xAxisTicks,
} from './chartFormat'

describe('formatX', () => {
  it('writes iterations and samples as whole numbers, never 131.00', () => {
    expect(formatX(131, 'iteration', 'en')).toBe('131')
    expect(formatX(130.99999999, 'iteration', 'en')).toBe('131')
    expect(formatX(12_800, 'samples', 'en')).toBe('12,800')
    expect(formatX(12_800, 'iteration', 'zh-CN')).toBe('12,800')
  })

  it('writes a whole epoch whole, and a loss point between epochs to two decimals', () => {
    expect(formatX(3, 'epoch', 'en')).toBe('3')
    expect(formatX(3.0000000001, 'epoch', 'en')).toBe('3')
    expect(formatX(2.75, 'epoch', 'en')).toBe('2.75')
    expect(formatX(1 / 3, 'epoch', 'en')).toBe('0.33')
  })

  it('writes seconds to a tenth', () => {
    expect(formatX(12.345, 'time', 'en')).toBe('12.3')
  })
})

describe('axis ticks', () => {
  it('learning rates read as configs write them', () => {
    expect(lrLabel(0.001)).toBe('1e-3')
    expect(lrLabel(0.00025)).toBe('2.5e-4')
    expect(lrLabel(0.0009999999)).toBe('1e-3')
    expect(lrLabel(7.35e-4)).toBe('7.35e-4')
    expect(lrLabel(0.05)).toBe('0.05')
    expect(lrLabel(0)).toBe('0')
  })

  it('compacts losses that left the everyday range', () => {
    expect(compactNumber(2.4999999999999996e36)).toBe('2.5e+36')
    expect(compactNumber(0.123456)).toBe('0.1235')
  })

  it('gives iteration and epoch axes whole ticks, formatted in the UI language', () => {
    const epoch = xAxisTicks('epoch', 'en') as {
      minInterval?: number
      axisLabel: { formatter: (v: number) => string }
    }
    expect(epoch.minInterval).toBe(1)
    expect(epoch.axisLabel.formatter(4)).toBe('4')
    const iteration = xAxisTicks('iteration', 'en') as typeof epoch
    expect(iteration.minInterval).toBe(1)
    expect(iteration.axisLabel.formatter(10_000)).toBe('10,000')
    expect((xAxisTicks('time', 'en') as typeof epoch).minInterval).toBeUndefined()
  })
})

describe('layout', () => {
  it('keeps the plot below the buttons’ row, and below the legend’s row when there is a legend', () => {
    const plain = chartLayout(false)
    expect(plain.grid['top']).toBeGreaterThanOrEqual(TOOLBAR_HEIGHT)
    expect(plain.legend['show']).toBe(false)
    const withLegend = chartLayout(true)
    // One scrolling row under the buttons: many long run names page instead of wrapping into the plot.
    expect(withLegend.legend).toMatchObject({ type: 'scroll', top: TOOLBAR_HEIGHT })
    const legendBottom = (withLegend.legend['top'] as number) + (withLegend.legend['height'] as number)
    expect(withLegend.grid['top'] as number).toBeGreaterThan(legendBottom)
  })

  it('counts one bucket per pixel of the plot', () => {
    expect(plotWidth(876)).toBe(800)
    expect(plotWidth(0)).toBe(50)
  })
})

describe('tooltipHtml', () => {
  const o = { xName: 'Iteration', xKind: 'iteration' as const, locale: 'en', y: (v: number) => v.toFixed(3) }

  it('heads with the axis name and a whole iteration, then each curve', () => {
    const html = tooltipHtml(
      [
        {
          seriesIndex: 1,
          seriesName: 'loss',
          marker: '<i></i>',
          axisValue: 131.00000001,
          value: [131, 1.23456],
        },
        { seriesIndex: 2, seriesName: 'val', axisValue: 131, value: { x: 131, y: null } },
      ],
      o,
    )
    expect(html).toContain('Iteration 131<')
    expect(html).not.toContain('131.00')
    expect(html).toContain('<i></i>loss <b>1.235</b>')
    expect(html).toContain('val <b>—</b>')
  })

  it('leaves out quiet curves and escapes run names', () => {
    const html = tooltipHtml(
      [
        { seriesIndex: 0, seriesName: 'raw', axisValue: 2, value: [2, 9] },
        { seriesIndex: 1, seriesName: '<b>net</b> & co', axisValue: 2, value: [2, 1] },
      ],
      { ...o, quiet: (i) => i === 0 },
    )
    expect(html).not.toContain('raw')
    expect(html).toContain('&lt;b&gt;net&lt;/b&gt; &amp; co')
  })
})
