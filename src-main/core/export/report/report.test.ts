import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import { tinyRun, trainRuns, type TrainedRuns } from '../testing'
import { buildReport, loadReportRuns } from './build'
import { formats } from './format'
import { mosaicPng } from './mosaicPng'
import { renderReport } from './render'
import { trainingDuration } from './series'
// The UI's lib/format.ts re-exports this one (its test checks it is the same function).
import { formatDuration as uiDuration } from '../../../../src-shared/durationFormat'

let t: TrainedRuns
let a: RunRecord
let b: RunRecord
// Markup in a name must come out as text, never as markup.
const NAME_A = 'small <b>"net"</b> & co'

beforeAll(async () => {
  t = await trainRuns([tinyRun(NAME_A, { hiddenDim: 16 }), tinyRun('wide', { hiddenDim: 36 })])
  ;[a, b] = t.runs as [RunRecord, RunRecord]
})
afterAll(async () => {
  await t.close()
})

const count = (html: string, re: RegExp) => (html.match(re) ?? []).length
const section = (html: string, id: string) => {
  const m = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)
  if (!m) throw new Error(`no section ${id}`)
  return m[1]!
}

describe('report of one run', () => {
  let html: string
  beforeAll(async () => {
    html = await buildReport(t.wb, [a.id], { now: new Date('2026-11-26T12:00:00Z') })
  })

  it('is one self-contained page with a strict CSP and no external reference', () => {
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;unsafe-inline&#39;">`,
    )
    // Nothing to fetch: no scripts or stylesheets, and every src is a data: URI.
    expect(html).not.toMatch(/<script|<link|<iframe|@import/i)
    const sources = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!)
    expect(sources.length).toBeGreaterThan(0)
    expect(sources.filter((s) => !s.startsWith('data:image/png;base64,'))).toEqual([])
    expect(html).not.toMatch(/url\((?!#)/)
  })

  it('escapes the run name everywhere, charts included', () => {
    expect(html).not.toContain('<b>"net"</b>')
    expect(html).toContain('small &lt;b&gt;&quot;net&quot;&lt;/b&gt; &amp; co')
  })

  it('draws the loss and accuracy charts as inline SVG', () => {
    const charts = section(html, 'charts')
    expect(count(charts, /<svg[\s>]/g)).toBe(2)
    expect(charts).toContain('Loss per iteration')
    expect(charts).toContain('Accuracy per epoch')
    // Raw and smoothed loss, then val and train accuracy: four polylines at least.
    expect(count(charts, /<path [^>]*d="M/g)).toBeGreaterThanOrEqual(4)
    // One run: no legend.
    expect(count(charts, /stroke-dasharray/g)).toBeGreaterThan(0)
  })

  it('shows the first-layer weights as a PNG that decodes to the mosaic of the run', async () => {
    const images = [...section(html, 'mosaics').matchAll(/src="data:image\/png;base64,([^"]+)"/g)]
    expect(images).toHaveLength(1)
    const png = PNG.sync.read(Buffer.from(images[0]![1]!, 'base64'))
    // 16 hidden units of 28x28: a 4x4 grid with 1-pixel padding.
    expect([png.width, png.height]).toEqual([4 * 28 + 3, 4 * 28 + 3])
    const mosaic = await t.wb.mosaic(a.id)
    expect(mosaicPng(mosaic!)!.width).toBe(115)
  })

  it('has the results, every config field and the confusion matrix', () => {
    const results = section(html, 'results')
    expect(results).toContain(a.id)
    expect(results).toContain('completed')
    expect(results).toContain(formats('en').percent(a.result!.testAcc))
    expect(results).toContain(`${a.progress.numIterations} / ${a.progress.numIterations}`)
    expect(results).toContain(a.environment!.backend)
    const config = section(html, 'config')
    expect(config).toContain('<code>model.hiddenDim</code></td><td><code>16</code>')
    // As the UI writes hyperparameters, the exact value in the tooltip; whole numbers (the seed) exact.
    expect(config).toContain(
      '<code>solver.optimConfig.learningRate</code></td><td><code title="0.001">1e-3</code>',
    )
    expect(config).toContain(`<code>seed</code></td><td><code>${a.config.seed}</code>`)
    const confusion = section(html, 'confusion')
    const classes = a.result!.classNames
    expect(classes).toHaveLength(10)
    for (const c of classes) expect(confusion).toContain(`>${c}</th>`)
    // 10 class rows, each with 10 counts.
    const body = /<tbody>([\s\S]*)<\/tbody>/.exec(confusion)![1]!
    expect(count(body, /<tr><th>/g)).toBe(10)
    const counts = [...confusion.matchAll(/<td class="(?:diag)?"[^>]*>(\d+)<\/td>/g)].map((m) => Number(m[1]))
    expect(counts).toHaveLength(100)
    expect(counts.reduce((x, y) => x + y, 0)).toBe(100)
  })

  it('diagnoses the curves itself: a loss stuck at ln C reads as a learning rate too low', async () => {
    const metrics: MetricEvent[] = []
    for (let i = 1; i <= 200; i++) metrics.push({ type: 'iteration', iteration: i, loss: 2.3 - i * 1e-4 })
    for (let e = 1; e <= 5; e++) {
      metrics.push({ type: 'epoch', epoch: e, iteration: e * 40, trainAcc: 0.11, valAcc: 0.1, lr: 1e-7 })
    }
    for (const [locale, title] of [
      ['en', 'Learning rate too low'],
      ['zh-CN', '学习率过低'],
    ] as const) {
      const out = renderReport([{ record: a, metrics, mosaic: null }], { locale })
      expect(section(out, 'diagnosis')).toContain(`<strong>${title}</strong>`)
    }
  })

  it('draws an exploded loss on a log scale with readable labels, and says so', () => {
    const metrics: MetricEvent[] = []
    for (let i = 1; i <= 40; i++)
      metrics.push({ type: 'iteration', iteration: i, loss: 2.3 * 10 ** (i * 0.6) })
    const out = section(renderReport([{ record: a, metrics, mosaic: null }]), 'charts')
    expect(out).toContain('Log scale: the losses span more than three orders of magnitude')
    expect(out).toMatch(/>1e\+\d+</)
    expect(out).not.toMatch(/\d{1,3}(,\d{3}){4,}/)
    // An everyday curve stays linear.
    expect(html).not.toContain('Log scale')
  })

  it('has no Diagnosis section when the curves are too short to judge, and one listing given notes', async () => {
    // 10 iterations: below what the diagnosis needs to say anything.
    expect(html).not.toContain('id="diagnosis"')
    const noted = await buildReport(t.wb, [a.id], {
      notes: { [a.id]: [{ title: 'Learning rate too low', detail: 'Loss fell by <5% per epoch.' }] },
    })
    const diagnosis = section(noted, 'diagnosis')
    expect(diagnosis).toContain('<h2>Diagnosis</h2>')
    expect(diagnosis).toContain('<strong>Learning rate too low</strong> — Loss fell by &lt;5% per epoch.')
  })
})

describe('report of a selection', () => {
  let html: string
  beforeAll(async () => {
    html = await buildReport(t.wb, [a.id, b.id, a.id])
  })

  it('overlays the runs in each chart, with a legend, and shows no confusion matrix', () => {
    const charts = section(html, 'charts')
    expect(count(charts, /<svg[\s>]/g)).toBe(2)
    // Each chart's legend names both runs (duplicated ids count once).
    expect(count(charts, />wide</g)).toBe(2)
    expect(html).toContain('<h1>Report on 2 runs</h1>')
    expect(html).not.toContain('id="confusion"')
    expect(count(section(html, 'mosaics'), /data:image\/png/g)).toBe(2)
  })

  it('tabulates only the differing config fields, the shared ones folded away', () => {
    const config = section(html, 'config')
    const [differing, shared] = config.split('<details')
    expect(differing).toContain('<th><code>model.hiddenDim</code></th>')
    expect(differing).toMatch(/wide<\/td><td><code>36<\/code>/)
    expect(differing).not.toContain('solver.batchSize')
    expect(shared).toMatch(/^ class="screen-only"><summary>Shared settings \(\d+\)<\/summary>/)
    expect(shared).toContain('<code>solver.batchSize</code></td><td><code>100</code>')
  })
})

describe('report in Simplified Chinese', () => {
  it('translates the text and formats numbers and dates for zh-CN', async () => {
    const now = new Date('2026-11-26T12:00:00Z')
    const zh = await buildReport(t.wb, [a.id], { locale: 'zh-CN', now })
    const en = await buildReport(t.wb, [a.id], { locale: 'en', now })
    expect(zh).toContain('<html lang="zh-CN">')
    for (const text of [
      '训练曲线',
      '每次迭代的损失',
      '结果',
      '配置',
      '第一层权重',
      '混淆矩阵（测试集）',
      '已完成',
    ]) {
      expect(zh).toContain(text)
    }
    expect(zh).not.toContain('Training curves')
    expect(zh).toContain(
      new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'short' }).format(now),
    )
    expect(zh).toMatch(/2026年11月26日/)
    expect(en).toMatch(/Nov 26, 2026/)
    // The axis names are translated inside the SVG too.
    expect(section(zh, 'charts')).toContain('>迭代<')
  })
})

describe('runs without results', () => {
  it('says what is missing for a queued run, and leaves gaps where a diverged run’s loss is not finite', () => {
    const queued: RunRecord = {
      ...a,
      id: '20261126-000000-queued',
      status: 'queued',
      startedAt: null,
      finishedAt: null,
      result: null,
      environment: null,
    }
    const lonely = renderReport([{ record: queued, metrics: [], mosaic: null }])
    expect(section(lonely, 'charts')).toContain('No metrics recorded yet.')
    expect(section(lonely, 'mosaics')).toContain('No weight snapshot yet.')
    expect(section(lonely, 'confusion')).toContain('No test results yet')
    expect(section(lonely, 'results')).toContain('queued')

    const diverged: RunRecord = {
      ...a,
      id: '20261126-000000-diverg',
      status: 'failed',
      result: null,
      error: { reason: 'diverged', message: 'loss is NaN at iteration 3', iteration: 3 },
    }
    const metrics: MetricEvent[] = [
      { type: 'iteration', iteration: 1, loss: 2.3 },
      { type: 'iteration', iteration: 2, loss: 40 },
      { type: 'iteration', iteration: 3, loss: NaN },
      { type: 'epoch', epoch: 0, iteration: 0, trainAcc: 0.1, valAcc: 0.12, lr: 1 },
    ]
    const html = renderReport([{ record: diverged, metrics, mosaic: null }])
    expect(count(section(html, 'charts'), /<svg[\s>]/g)).toBe(2)
    expect(section(html, 'charts')).not.toMatch(/NaN|Infinity/)
    expect(section(html, 'results')).toContain('Error: loss is NaN at iteration 3')
  })

  it('drops the legend for many runs and says the colours match the results table', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      record: {
        ...a,
        id: `20261126-000000-run${String(i).padStart(3, '0')}`,
        config: { ...a.config, name: `r${i}` },
      },
      metrics: [{ type: 'iteration' as const, iteration: 1, loss: 1 + i }],
      mosaic: null,
    }))
    const html = renderReport(many)
    expect(html).toContain('Legend omitted for 12 runs')
    expect(section(html, 'charts')).not.toContain('>r11<')
    expect(count(section(html, 'results'), /class="swatch"/g)).toBe(12)
  })
})

describe('pieces', () => {
  it('refuses an empty report', () => {
    expect(() => renderReport([])).toThrow(/at least one run/)
  })

  it('reads unknown ids as the core does: not-found, before rendering anything', async () => {
    await expect(loadReportRuns(t.wb, ['20200101-000000-zzzzzz'])).rejects.toMatchObject({
      code: 'not-found',
    })
  })

  it('formats durations per locale as the UI does (one formatter)', () => {
    expect(formats('en').duration(850)).toBe('850ms')
    expect(formats('en').duration(1234)).toBe('1s')
    expect(formats('en').duration(65_000)).toBe('1m 05s')
    expect(formats('en').duration(2 * 3600_000 + 60_000)).toBe('2h 01m')
    expect(formats('zh-CN').duration(65_000)).toBe('1分钟05秒')
    expect(formats('en').duration(-1)).toBe('—')
    for (const ms of [0, 999, 59_499, 61_000, 3_599_000, 90_000_000]) {
      for (const locale of ['en', 'zh-CN'] as const) {
        expect(formats(locale).duration(ms)).toBe(uiDuration(ms, locale))
      }
    }
  })

  it('measures a resumed run by its attempts, not the idle time between them', () => {
    const record = {
      startedAt: '2026-11-26T10:00:00.000Z',
      finishedAt: '2026-11-26T12:00:00.000Z',
    } as RunRecord
    const it = (iteration: number, t?: number): MetricEvent => ({
      type: 'iteration',
      iteration,
      loss: 1,
      ...(t === undefined ? {} : { t }),
    })
    const plain = [it(1, 1000), it(2, 2000)]
    expect(trainingDuration(record, plain, 0)).toBe(2 * 3600_000)
    const resumed: MetricEvent[] = [
      it(1, 1000),
      it(2, 3000),
      { type: 'resume', fromIteration: 1, fromEpoch: 0 },
      it(2, 100_000),
      it(3, 104_000),
    ]
    expect(trainingDuration(record, resumed, 0)).toBe(2000 + 4000)
    // An old log without stamps: finish - start is all there is.
    expect(
      trainingDuration(record, [it(1), { type: 'resume', fromIteration: 1, fromEpoch: 0 }, it(2)], 0),
    ).toBe(2 * 3600_000)
    expect(trainingDuration({ ...record, startedAt: null }, [], 0)).toBeNull()
    // Still running: up to now.
    const now = Date.parse('2026-11-26T10:30:00.000Z')
    expect(trainingDuration({ ...record, finishedAt: null }, [], now)).toBe(1800_000)
  })
})
