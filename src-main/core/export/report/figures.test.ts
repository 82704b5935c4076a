/** What the report's figures claim and show: captions, smoothing, legends, formatted values and times. */
import { describe, expect, it } from 'vitest'
import { formatDuration } from '../../../../src-shared/durationFormat'
import { CHART_HEIGHT } from './charts'
import { fakeRun } from './fixtures'
import { renderReport } from './render'

const NOW = new Date('2026-11-26T12:00:00Z')
const section = (html: string, id: string) => {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)
  if (!m) throw new Error(`no section ${id}`)
  return m[1]!
}
const lossCaption = (html: string) => /<figcaption class="caption">([^<]*)<\/figcaption>/.exec(html)![1]!

describe('captions say only what happened', () => {
  // From ln 10 down to 1e-4: four decades, drawn on a log scale, and nothing blew up.
  const converging = (i: number) => 2.3 * Math.exp(-i / 20) + 1e-4

  it('a log scale without a blow-up says why it is logarithmic and claims nothing more', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const html = renderReport([fakeRun(0, 'calm', { loss: converging }), fakeRun(1, 'calm too')], {
        locale,
        now: NOW,
      })
      const caption = lossCaption(html)
      expect(caption).toContain(locale === 'en' ? 'Log scale' : '对数刻度')
      expect(caption).not.toMatch(/blew up|发散/)
      expect(html).not.toMatch(/blew up|发散/)
    }
  })

  it('names the run that blew up: a NaN loss, a diverged failure, or a loss that exploded', () => {
    const nan = fakeRun(1, 'exploded lr 1', {
      iterations: 100,
      loss: (i) => (i < 60 ? 2.3 * 1.3 ** i : NaN),
      status: 'failed',
      error: { reason: 'diverged', message: 'loss is NaN at iteration 60', iteration: 60 },
    })
    const html = renderReport([fakeRun(0, 'calm'), nan], { now: NOW })
    expect(lossCaption(html)).toBe(
      'Solid: exponential moving average (weight 0.6); faint: raw loss. ' +
        'Log scale: the losses span more than three orders of magnitude. One run blew up: exploded lr 1.',
    )
    const zh = renderReport([fakeRun(0, 'calm'), nan], { locale: 'zh-CN', now: NOW })
    expect(lossCaption(zh)).toContain('有一个运行训练发散：exploded lr 1。')

    // A loss that ended 10x above chance, still finite: blew up too. Beyond three runs, a count.
    const growing = (k: number) => fakeRun(k, `growing ${k}`, { loss: (i) => 2.3 * 1.02 ** i })
    const many = renderReport([growing(0), growing(1), growing(2), growing(3), growing(4)], { now: NOW })
    expect(lossCaption(many)).toContain('These runs blew up: growing 0, growing 1, growing 2 and 2 more.')
  })
})

describe('smoothing as the view set it', () => {
  const smoothPath = (html: string) => {
    const svg = section(html, 'charts').split('</svg>')[0]!
    // The solid curve is the width-2 path of the run's colour (the raw one is faint, width 1).
    return [...svg.matchAll(/<path d="([^"]+)"[^>]*stroke-width="2"/g)].map((m) => m[1]!)
  }

  it('draws the EMA with the weight asked for, says which, and draws the raw loss alone at 0', () => {
    const run = fakeRun(0, 'noisy', { loss: (i) => 1 + (i % 2 === 0 ? 0.5 : -0.5) })
    const light = renderReport([run], { smoothing: 0.1, now: NOW })
    const heavy = renderReport([run], { smoothing: 0.95, now: NOW })
    expect(lossCaption(light)).toContain('(weight 0.1)')
    expect(lossCaption(heavy)).toContain('(weight 0.95)')
    expect(smoothPath(light)).toHaveLength(1)
    expect(smoothPath(light)).not.toEqual(smoothPath(heavy))
    // The heavy EMA of a zigzag is nearly flat: its path spans fewer pixels vertically.
    const span = (d: string) => {
      const ys = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].slice(10).map((m) => Number(m[2]))
      return Math.max(...ys) - Math.min(...ys)
    }
    expect(span(smoothPath(heavy)[0]!)).toBeLessThan(span(smoothPath(light)[0]!) / 4)

    const raw = renderReport([run], { smoothing: 0, now: NOW })
    expect(lossCaption(raw)).toBe('Raw loss, not smoothed.')
    expect(smoothPath(raw)).toHaveLength(1)
    expect(section(raw, 'charts')).not.toContain('stroke-opacity="0.25"')
  })
})

describe('legends', () => {
  it('reserve rows of their own above the plot: the chart grows, the plot keeps its height', () => {
    const svgHeights = (html: string) =>
      [...section(html, 'charts').matchAll(/<svg[^>]*height="(\d+)"/g)].map((m) => Number(m[1]))
    const one = renderReport([fakeRun(0, 'alone')], { now: NOW })
    expect(svgHeights(one)).toEqual([CHART_HEIGHT, CHART_HEIGHT])
    const few = renderReport([fakeRun(0, 'a'), fakeRun(1, 'b')], { now: NOW })
    const names = Array.from({ length: 9 }, (_, i) => `run with a longer name number ${i + 1}`)
    const more = renderReport(
      names.map((n, i) => fakeRun(i, n)),
      { now: NOW },
    )
    const [fewHeight] = svgHeights(few)
    const [moreHeight] = svgHeights(more)
    expect(fewHeight).toBeGreaterThan(CHART_HEIGHT)
    expect(moreHeight).toBeGreaterThan(fewHeight!)
    // Every name in full: none was cut, so no key table either.
    for (const n of names) expect(section(more, 'charts')).toContain(`>${n}<`)
    expect(more).not.toContain('class="legend-key"')
  })

  it('cut a name too long for them, and list it in full under the figures', () => {
    const long = 'a very long run name that says everything about the run: ' + 'lr 1e-3, reg 0.1, '.repeat(6)
    const html = renderReport([fakeRun(0, long), fakeRun(1, 'short')], { now: NOW })
    const charts = section(html, 'charts')
    const svgs = [...charts.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]).join('')
    expect(svgs).not.toContain(`>${long}<`)
    expect(svgs.match(/>a very long run name[^<]*…</g)).toHaveLength(2)
    const key = /<table class="legend-key">([\s\S]*?)<\/table>/.exec(charts)![1]!
    expect(key).toContain('Names shortened in the legend')
    expect(key).toContain(`<td>${long.replace(/&/g, '&amp;')}</td>`)
    expect(key).not.toContain('>short<')
  })
})

describe('tables', () => {
  it('format config values as the UI does, the exact value a tooltip away', () => {
    const html = renderReport(
      [fakeRun(0, 'a', { learningRate: 0.08713003913871945 }), fakeRun(1, 'b', { learningRate: 1e-3 })],
      { now: NOW },
    )
    const config = section(html, 'config')
    expect(config).toContain('<code title="0.08713003913871945">0.0871</code>')
    expect(config).toContain('<code title="0.001">1e-3</code>')
    expect(html).not.toContain('>0.08713003913871945<')
  })

  it('show durations as the UI does: the attempts’ time, in its narrow units', () => {
    const html = renderReport([fakeRun(0, 'timed', { activeMs: 185_000 }), fakeRun(1, 'legacy')], {
      now: NOW,
    })
    const results = section(html, 'results')
    expect(results).toContain(`>${formatDuration(185_000, 'en')}<`)
    expect(results).toContain('>3m 05s<')
    // No attempt times recorded: finish - start, 65 s.
    expect(results).toContain('>1m 05s<')
    const zh = renderReport([fakeRun(0, 'timed', { activeMs: 185_000 })], { locale: 'zh-CN', now: NOW })
    expect(section(zh, 'results')).toContain('>3分钟05秒<')
  })
})
