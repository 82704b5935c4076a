/** The report's "Layer dynamics" section (issue 15): what it draws, in both languages, from captures. */
import { describe, expect, it, vi } from 'vitest'
import {
  BIN_COUNT,
  binLayout,
  binOf,
  CENTRE_BIN,
  tensorStats,
  type LayerSeries,
} from '../../../../src-shared/layerStats'
import type { MetricsReader } from '../../store/metricsRead'
import { makeCapture } from '../../store/testingLayers'
import { buildReport, REPORT_LAYER_CAPTURES, type ReportSource } from './build'
import { fakeRun } from './fixtures'
import { formats } from './format'
import {
  binPosition,
  HEALTHY_BAND,
  HEALTHY_LINE,
  HEALTHY_RATIO,
  histChartOption,
  histPoints,
  positionLabel,
  ratioChartOption,
  ratioPoints,
} from './layers'
import { layerTranslator } from './layerMessages'
import { translator } from './messages'
import { renderReport } from './render'

const NOW = new Date('2026-11-26T12:00:00Z')
const section = (html: string, id: string): string | null =>
  new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? null
const svgs = (html: string) => html.split('</svg>').slice(0, -1)
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!)
const headings = (html: string) => [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]!)

/** Layer 1 falls from 3e-2 to below 1e-3 (an lr decaying into the band), layer 2 sits at 1e-3. */
const captures = Array.from({ length: 30 }, (_, i) =>
  makeCapture((i + 1) * 10, { ratios: [3e-2 * 0.85 ** i, 1e-3, 2e-5] }),
)
captures.at(-1)!.layers[0]!.deadFraction = 0.25

describe('layer dynamics of one run', () => {
  const run = { ...fakeRun(0, 'with layers'), layers: captures }

  it('draws the ratio chart with the healthy band and one histogram chart per layer, in English', () => {
    const html = renderReport([run], { now: NOW })
    const s = section(html, 'layers')!
    expect(s).toContain('<h2>Layer dynamics</h2>')
    expect(headings(s)).toEqual([
      'Update/weight ratio per layer',
      'layer1: histograms at iteration 300',
      'layer2: histograms at iteration 300',
      'layer3: histograms at iteration 300',
    ])
    const [ratio, ...hists] = svgs(s)
    expect(hists).toHaveLength(3)
    // A log axis in whole decades, the band's fill among the shapes, a line per layer in the legend.
    expect(texts(ratio!)).toEqual(
      expect.arrayContaining(['10⁻⁵', '10⁻³', '10⁻¹', 'layer1', 'layer2', 'layer3']),
    )
    expect(ratio).toContain('fill="rgb(22,163,74)" fill-opacity="0.12"')
    expect(ratio).toMatch(/<path [^>]*stroke="#16a34a"[^>]*stroke-dasharray/)
    expect(s).toContain('Dashed line: 10⁻³')
    // Weights, gradients and (but for the scores layer) activations.
    expect(texts(hists[0]!)).toEqual(expect.arrayContaining(['weights', 'gradients', 'activations']))
    expect(texts(hists[2]!)).not.toContain('activations')
    expect(texts(hists[0]!)).toEqual(expect.arrayContaining(['0', '10⁻²', '−10⁻²']))
    expect(s).toContain('layer1: 25.0% of its ReLU units dead on the last capture’s batch.')
    expect(s).not.toContain('captures drawn')
  })

  it('in Chinese', () => {
    const s = section(renderReport([run], { now: NOW, locale: 'zh-CN' }), 'layers')!
    expect(s).toContain('<h2>逐层动态</h2>')
    expect(headings(s)).toEqual([
      '各层的更新/权重比',
      'layer1：第 300 次迭代的直方图',
      'layer2：第 300 次迭代的直方图',
      'layer3：第 300 次迭代的直方图',
    ])
    expect(texts(svgs(s)[0]!)).toContain('更新/权重比')
    expect(texts(svgs(s)[1]!)).toEqual(expect.arrayContaining(['权重', '梯度', '激活值']))
    expect(s).toContain('虚线：10⁻³')
    expect(s).not.toMatch(/histograms|Update\/weight/)
  })

  it('says when the captures drawn are a thinned selection', () => {
    const en = section(renderReport([{ ...run, layersTotal: 900 }], { now: NOW }), 'layers')!
    expect(en).toContain('30 of 900 captures drawn, evenly spaced.')
    const zh = section(renderReport([{ ...run, layersTotal: 900 }], { now: NOW, locale: 'zh-CN' }), 'layers')!
    expect(zh).toContain('共 900 次采集，均匀选取其中 30 次绘制。')
  })

  it('has no section without captures', () => {
    expect(section(renderReport([fakeRun(0, 'plain')], { now: NOW }), 'layers')).toBeNull()
    expect(section(renderReport([{ ...fakeRun(0, 'plain'), layers: [] }], { now: NOW }), 'layers')).toBeNull()
  })
})

describe('the ratio chart', () => {
  const t = translator('en')
  const lt = layerTranslator('en')
  const f = formats('en')

  it('plots each capture’s ratio; 0, negative and non-finite ones are gaps', () => {
    const cs = [1, 2, 3, 4].map((i) => makeCapture(i * 10, { ratios: [1e-3 * i] }))
    cs[1]!.layers[0]!.updateRatio = 0
    cs[2]!.layers[0]!.updateRatio = NaN
    expect(ratioPoints(cs, 'layer1')).toEqual([
      [10, 1e-3],
      [20, null],
      [30, null],
      [40, 4e-3],
    ])
    expect(ratioPoints(cs, 'layer9')).toEqual([10, 20, 30, 40].map((x) => [x, null]))
  })

  it('is on a log axis of whole decades that always shows the band, drawn at 1e-3 ± half a decade', () => {
    const line = { name: 'a', color: '#000', points: ratioPoints(captures, 'layer1') }
    const option = ratioChartOption([line], t, lt, f)
    const y = option.yAxis as { type: string; min: number; max: number }
    expect(y.type).toBe('log')
    expect([y.min, y.max]).toEqual([1e-4, 1e-1])
    expect(HEALTHY_BAND[0]).toBeCloseTo(3.162e-4, 6)
    expect(HEALTHY_BAND[1]).toBeCloseTo(3.162e-3, 5)
    const series = option.series as { name: string; markArea?: { data: unknown }; data: unknown }[]
    expect(series[0]!.markArea!.data).toEqual([[{ yAxis: HEALTHY_BAND[0] }, { yAxis: HEALTHY_BAND[1] }]])
    // The 1e-3 line across the captured iterations.
    expect(series.at(-1)).toMatchObject({
      name: HEALTHY_LINE,
      data: [
        [10, HEALTHY_RATIO],
        [300, HEALTHY_RATIO],
      ],
    })
    // Ratios far from the band widen the axis; the band stays in view when they sit at 1e-6.
    const low = ratioChartOption([{ ...line, points: [[1, 1e-6]] }], t, lt, f).yAxis as typeof y
    expect([low.min, low.max]).toEqual([1e-6, 1e-2])
  })
})

describe('the histogram chart', () => {
  it('places the fixed bins by signed decades of magnitude, 0 in the middle', () => {
    expect(binPosition(CENTRE_BIN)).toBe(0)
    expect(binPosition(binOf(1e-8))).toBeCloseTo(0.05, 12)
    expect(binPosition(binOf(-1e-8))).toBeCloseTo(-0.05, 12)
    // 1e-3 is 5 decades above 1e-8: the first bin of that decade, centred 5.05 decades up.
    expect(binPosition(binOf(1e-3))).toBeCloseTo(5.05, 12)
    expect(binPosition(BIN_COUNT - 1)).toBeCloseTo(11.95, 12)
    expect(positionLabel(0)).toBe('0')
    expect(positionLabel(5)).toBe('10⁻³')
    expect(positionLabel(-8)).toBe('−10⁰')
    expect(positionLabel(10)).toBe('10²')
  })

  it('draws each bin’s share of the values: shares add up to 1, zeros (dead ReLUs) in the centre bin', () => {
    const values = [0, 0, 0, 0.5, -0.02, 0.003, 1e-12, NaN]
    const points = histPoints(tensorStats(values))
    const total = points.reduce((a, [, y]) => a + y!, 0)
    expect(total).toBeCloseTo(1, 12)
    const centre = points.find(([x]) => x === 0)!
    // 0, 0, 0 and 1e-12 (under 1e-8) out of 7 finite values.
    expect(centre[1]).toBeCloseTo(4 / 7, 12)
    expect(points[0]![0]).toBe(binPosition(binOf(-0.02)))
    expect(points.at(-1)![0]).toBe(binPosition(binOf(0.5)))
    expect(histPoints(tensorStats([]))).toEqual([])
  })

  it('has ticks at multiples of its step, so 0 is labelled', () => {
    const option = histChartOption(
      [{ name: 'w', stats: tensorStats([-0.3, 1e-7, 0.02, 4]), dash: 'solid' }],
      layerTranslator('en'),
      formats('en'),
    )
    const x = option.xAxis as { min: number; max: number; interval: number }
    expect(x.min % x.interval).toBe(-0)
    expect(x.max % x.interval).toBe(0)
    expect(x.min).toBeLessThanOrEqual(binPosition(binOf(-0.3)))
    expect(x.max).toBeGreaterThanOrEqual(binPosition(binOf(4)))
  })
})

describe('layer dynamics in a compare report', () => {
  const a = {
    ...fakeRun(0, 'lr high'),
    layers: captures.map((c) => makeCapture(c.iteration, { ratios: [2e-2, 5e-3] })),
  }
  const b = {
    ...fakeRun(1, 'lr low'),
    layers: captures.map((c) => makeCapture(c.iteration, { ratios: [1e-5, 2e-5] })),
  }
  const c = fakeRun(2, 'no capture')

  it('one ratio chart per layer, a line per run; names the runs without captures', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const s = section(renderReport([a, b, c], { now: NOW, locale }), 'layers')!
      expect(headings(s)).toEqual(
        locale === 'en'
          ? ['Update/weight ratio: layer1', 'Update/weight ratio: layer2']
          : ['更新/权重比：layer1', '更新/权重比：layer2'],
      )
      for (const svg of svgs(s)) {
        expect(texts(svg)).toEqual(expect.arrayContaining(['lr high', 'lr low']))
        expect(texts(svg)).not.toContain('no capture')
        expect(svg).toContain('fill="rgb(22,163,74)" fill-opacity="0.12"')
      }
      expect(s).toContain(locale === 'en' ? 'No layer captures: no capture.' : '没有逐层采集：no capture。')
      // No histograms in a comparison.
      expect(s).not.toMatch(/histograms|直方图/)
    }
  })

  it('none when no run captured', () => {
    expect(section(renderReport([c, fakeRun(3, 'neither')], { now: NOW }), 'layers')).toBeNull()
  })
})

describe('buildReport reads the captures', () => {
  it(`at most ${REPORT_LAYER_CAPTURES} a run, and says how many there were`, async () => {
    const run = fakeRun(0, 'long')
    const readLayers = vi.fn(async (): Promise<LayerSeries> => ({
      captures,
      bins: binLayout(),
      skippedLines: 0,
      totalCaptures: 5000,
    }))
    const source: ReportSource = {
      getRun: async () => run.record,
      readMetricsWith: <T>(_id: string, reader: MetricsReader<T>) => reader('/nonexistent/metrics.jsonl'),
      mosaic: async () => null,
      readLayers,
    }
    const html = await buildReport(source, [run.record.id], { now: NOW })
    expect(readLayers).toHaveBeenCalledWith(run.record.id, { maxCaptures: REPORT_LAYER_CAPTURES })
    expect(section(html, 'layers')).toContain('30 of 5,000 captures drawn')
  })
})
