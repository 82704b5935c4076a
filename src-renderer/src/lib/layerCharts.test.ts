import { describe, expect, it } from 'vitest'
import { binEdges, binOf, CENTRE_BIN, tensorStats } from '../../../src-shared/layerStats'
import { gaussian, seeded, twoLayerCaptures } from '../testing/layerFixtures'
import {
  filterOption,
  HEALTHY_BAND,
  HEALTHY_RATIO,
  histogramLabels,
  histogramOption,
  linesOption,
  logTick,
  ratioOption,
} from './layerCharts'

const text = { iteration: 'Iteration', count: 'Count', locale: 'en' }
type Heat = {
  series: { data: [number, number, number][] }[]
  yAxis: { data: string[] }
  xAxis: { data: string[] }
}

describe('histogramOption', () => {
  const w = tensorStats(gaussian(5000, 1e-3, seeded(3)))

  it('puts iterations on x and the fixed bins on y, named as values from -1e-2 through 0 to 1e-2', () => {
    const option = histogramOption(
      [
        { iteration: 10, hist: w.hist },
        { iteration: 20, hist: tensorStats(gaussian(5000, 2e-3, seeded(4))).hist },
      ],
      text,
    )!
    const o = option as unknown as Heat
    expect(o.xAxis.data).toEqual(['10', '20'])
    const labels = histogramLabels(option)
    expect(labels[0]).toBe('-1e-2')
    expect(labels.at(-1)).toBe('1e-2')
    expect(labels).toContain('0')
    // Fifteen decades would crowd the axis: every other one is named, symmetric about zero, and not
    // ±1e-8, a bin away from zero.
    expect(labels).toEqual(['-1e-2', '-1e-4', '-1e-6', '0', '1e-6', '1e-4', '1e-2'])
    // Each category is a bin index, lowest value first.
    const bins = o.yAxis.data.map(Number)
    expect(bins).toEqual(bins.slice().sort((a, b) => a - b))
    expect(binEdges(bins.at(-1)!)[0]).toBeCloseTo(1e-2, 12)
  })

  it('colours each cell with its count, so the counts of a column sum to the values counted', () => {
    const option = histogramOption([{ iteration: 10, hist: w.hist }], text)! as unknown as Heat
    const cells = option.series[0]!.data
    expect(cells.reduce((s, c) => s + c[2], 0)).toBe(5000)
    // A value's cell is its bin's row.
    const x = 1.5e-3
    const row = option.yAxis.data.indexOf(String(binOf(x)))
    const expected = w.hist.counts[binOf(x) - w.hist.lo]!
    expect(cells.find((c) => c[1] === row)![2]).toBe(expected)
  })

  it('names every decade of a narrow range', () => {
    // ReLU outputs: zeros and small positives (zero is always on the axis).
    const option = histogramOption([{ iteration: 1, hist: tensorStats([0, 2e-4, 5e-4, 3e-3]).hist }], text)!
    expect(histogramLabels(option)).toEqual(['0', '1e-7', '1e-6', '1e-5', '1e-4', '1e-3', '1e-2'])
    expect((option as unknown as Heat).yAxis.data[0]).toBe(String(CENTRE_BIN))
  })

  it('is null without counts', () => {
    expect(histogramOption([{ iteration: 1, hist: undefined }], text)).toBeNull()
  })
})

type Mark = { coord: [number, number] }

describe('ratioOption', () => {
  const lines = [
    {
      name: 'layer1',
      color: '#2563eb',
      points: [
        [10, 1e-3],
        [20, 0],
        [30, 5e-4],
      ] as [number, number][],
    },
    { name: 'layer2', color: '#ea580c', points: [[10, 3e-1]] as [number, number][] },
  ]
  const option = ratioOption(lines, { iteration: 'Iteration', locale: 'en', band: 'Healthy band' }) as {
    series: { name: string; data: unknown[]; markArea?: { data: Mark[][] }; markLine?: { data: Mark[][] } }[]
    yAxis: { type: string; min: number; max: number }
    legend: { data: string[] }
  }

  it('draws the healthy band 1e-4…1e-2 and the 1e-3 line on a log axis', () => {
    expect(option.yAxis.type).toBe('log')
    const band = option.series[0]!
    // Across the whole x extent: the iterations 10 to 30.
    expect(band.markArea!.data[0]!.map((e) => e.coord)).toEqual([
      [10, HEALTHY_BAND[0]],
      [30, HEALTHY_BAND[1]],
    ])
    expect(band.markLine!.data[0]!.map((e) => e.coord)).toEqual([
      [10, HEALTHY_RATIO],
      [30, HEALTHY_RATIO],
    ])
    expect(HEALTHY_BAND).toEqual([1e-4, 1e-2])
    expect(option.legend.data).toEqual(['layer1', 'layer2'])
  })

  it('leaves out ratios a log axis cannot draw, and spans the band and every ratio in whole decades', () => {
    expect(option.series[1]!.data).toEqual([
      [10, 1e-3],
      [30, 5e-4],
    ])
    expect(option.yAxis.min).toBe(1e-5)
    expect(option.yAxis.max).toBe(1)
  })
})

describe('linesOption and filterOption', () => {
  it('names log ticks by their decade', () => {
    expect([1e-3, 1, 100, 1e-12, 2.5e-4].map(logTick)).toEqual(['1e-3', '1', '1e2', '1e-12', '2.50e-4'])
  })

  it('plots fractions on 0…100%', () => {
    const o = linesOption([{ name: 'layer1', color: '#000', points: [[1, 0.2]] }], 'percent', {
      iteration: 'it',
      locale: 'en',
    }) as {
      yAxis: { min: number; max: number; axisLabel: { formatter: (v: number) => string } }
    }
    expect([o.yAxis.min, o.yAxis.max]).toEqual([0, 1])
    expect(o.yAxis.axisLabel.formatter(0.25)).toBe('25.0%')
  })

  it('draws a filter per row, coloured on a log scale for ratios', () => {
    const caps = twoLayerCaptures([1])
    expect(caps).toHaveLength(1)
    const o = filterOption(
      [
        { iteration: 10, values: [1e-3, 1e-2, 0] },
        { iteration: 20, values: [1e-4, 1e-3, 1e-3] },
      ],
      true,
      { iteration: 'it', filter: 'Filter', locale: 'en' },
    ) as unknown as Heat & { visualMap: { min: number; max: number } }
    expect(o.yAxis.data).toEqual(['1', '2', '3'])
    // The zero ratio has no log: not drawn.
    expect(o.series[0]!.data).toHaveLength(5)
    expect([o.visualMap.min, o.visualMap.max]).toEqual([-4, -2])
    expect(filterOption([], true, { iteration: 'it', filter: 'f', locale: 'en' })).toBeNull()
  })
})
