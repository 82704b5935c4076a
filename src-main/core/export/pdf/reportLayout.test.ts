/**
 * How a report lays out in Chromium, the browser that prints it: headings never end a PDF page, Chinese
 * headers never wrap inside a word, and legends sit above the plot without overlapping it, each other or
 * the edge. Checked on the printed PDF (pdftotext) and on the page's own geometry.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeRun } from '../report/fixtures'
import { renderReport } from '../report/render'
import { CHROMIUM, NO_CHROMIUM } from '../testing'
import { ChromiumPdfPrinter } from './chromium'
import { CHROMIUM_ARGS } from './chromiumArgs'

const NO_PDFTOTEXT =
  spawnSync('pdftotext', ['-v']).error === undefined
    ? null
    : 'skipped: pdftotext not found (apt-get install poppler-utils)'
if (NO_CHROMIUM) console.warn(NO_CHROMIUM)
if (NO_PDFTOTEXT) console.warn(NO_PDFTOTEXT)
const NOW = new Date('2026-11-26T12:00:00Z')

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-layout-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Each page's text, as pdftotext reads it. */
async function pdfPages(pdf: Uint8Array, name: string): Promise<string[]> {
  const file = join(dir, `${name}.pdf`)
  await writeFile(file, pdf)
  const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return r.stdout.split('\f').filter((p) => p.trim() !== '')
}

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim()

function headings(html: string): string[] {
  return [...html.matchAll(/<h[1-3][^>]*>([\s\S]*?)<\/h[1-3]>/g)].map((m) => decode(m[1]!))
}

/** Pages whose last line is (the end of) a heading: the heading went to one page, its content to the next. */
function orphanedHeadings(pages: string[], titles: string[]): string[] {
  const found: string[] = []
  for (const [i, page] of pages.entries()) {
    if (i === pages.length - 1) continue
    const last = page
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1)
    if (last && titles.some((h) => h === last || (h.endsWith(last) && last.length > 3))) {
      found.push(`page ${i + 1} ends with "${last}"`)
    }
  }
  return found
}

/** Many figures and headings: ten runs, each with notes, a diagnosis and a mosaic; `lines` moves them. */
function manyFigures(lines: number): string {
  const runs = Array.from({ length: 10 }, (_, i) =>
    fakeRun(i, `run ${i + 1}`, {
      mosaic: true,
      learningRate: 1e-3 * (1 + i),
      notes: Array.from(
        { length: lines + (i % 3) },
        (_, k) => `Note ${k + 1} on run ${i + 1}: tried a wider layer.`,
      ).join('\n'),
    }),
  )
  return renderReport(runs, { now: NOW })
}

/** The report's print rules as they were before headings were kept with their figures. */
function withoutKeepRules(html: string): string {
  return html
    .replace(/break-after: avoid;/g, '')
    .replace('.mosaics { margin-right: -16px; }', '.mosaics { display: flex; flex-wrap: wrap; gap: 16px; }')
    .replace(/\.mosaic \{ display: inline-block;[^}]*\}/, '')
}

describe.skipIf(NO_CHROMIUM || NO_PDFTOTEXT)(
  `the printed report ${NO_CHROMIUM ?? NO_PDFTOTEXT ?? ''}`,
  () => {
    it('never ends a page with a heading: each stays with its figure, table or text', async () => {
      const printer = new ChromiumPdfPrinter({ executablePath: CHROMIUM })
      const variants = [1, 3, 5, 7]
      const orphans: string[] = []
      let pages = 0
      for (const lines of variants) {
        const html = manyFigures(lines)
        const printed = await pdfPages(await printer.print(html), `keep-${lines}`)
        pages += printed.length
        orphans.push(...orphanedHeadings(printed, headings(html)).map((o) => `${lines} lines: ${o}`))
      }
      expect(pages).toBeGreaterThan(4 * variants.length)
      expect(orphans).toEqual([])

      // The check has teeth: the same reports without the keep rules leave a heading at a page's end.
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      try {
        const control: string[] = []
        for (const lines of variants) {
          const html = withoutKeepRules(manyFigures(lines))
          expect(html).not.toContain('break-after: avoid')
          const page = await browser.newPage()
          await page.setContent(html, { waitUntil: 'load' })
          const printed = await pdfPages(
            await page.pdf({ format: 'A4', printBackground: true }),
            `ctl-${lines}`,
          )
          await page.close()
          control.push(...orphanedHeadings(printed, headings(html)))
        }
        expect(control.length).toBeGreaterThan(0)
      } finally {
        await browser.close()
      }
    }, 120_000)
  },
)

/** In the page: each header with CJK text, as the lines its characters were laid out on. */
const LINES_OF_HEADERS = `(() => {
  const out = []
  for (const el of document.querySelectorAll('h1, h2, h3, th')) {
    const text = el.textContent.trim()
    if (!/[\\u4e00-\\u9fff]/.test(text)) continue
    const range = document.createRange()
    const lines = []
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        range.setStart(node, i)
        range.setEnd(node, i + 1)
        const rect = range.getClientRects()[0]
        if (!rect) continue
        const top = Math.round(rect.top)
        let line = lines.find((l) => Math.abs(l.top - top) < 4)
        if (!line) lines.push((line = { top, text: '' }))
        line.text += node.data[i]
      }
    }
    out.push({ text, lines: lines.map((l) => l.text) })
  }
  return out
})()`

describe.skipIf(NO_CHROMIUM)(`the report's layout in Chromium ${NO_CHROMIUM ?? ''}`, () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })
  afterAll(async () => {
    await browser?.close()
  })

  /** The page at the printed width (A4 less the report's margins: 186 mm = 703 px), print media. */
  async function open(html: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 703, height: 1000 } })
    await page.emulateMedia({ media: 'print' })
    await page.setContent(html, { waitUntil: 'load' })
    return page
  }

  it('wraps Chinese headings and table headers between words, never inside one', async () => {
    // Long names and many differing fields crowd the tables, so their headers must wrap somewhere.
    const runs = Array.from({ length: 3 }, (_, i) =>
      fakeRun(i, `宽隐藏层 ${'很长的运行名称'.repeat(3)} ${i + 1}`, {
        learningRate: 0.08713003913871945 * (i + 1),
      }),
    )
    const html = renderReport(runs, { locale: 'zh-CN', now: NOW })
    const cuts = async (doc: string): Promise<{ headers: string[]; cut: string[] }> => {
      const page = await open(doc)
      try {
        const found = (await page.evaluate(LINES_OF_HEADERS)) as { text: string; lines: string[] }[]
        // A line may end only where the text has a space or punctuation, so no word is cut in two.
        const cut = found.flatMap((h) =>
          h.lines
            .slice(0, -1)
            .filter((line) => !/[\s：:，,（）()—·-]$/.test(line))
            .map((line) => `${h.text}: "${line}|"`),
        )
        return { headers: found.map((h) => h.text), cut }
      } finally {
        await page.close()
      }
    }
    const kept = await cuts(html)
    expect(kept.headers).toEqual(expect.arrayContaining(['最佳验证准确率', '验证准确率', '用时']))
    expect(kept.cut).toEqual([])
    // The rule is what keeps them whole: without it the same report cuts a header inside a word.
    const rule = 'word-break: keep-all;'
    expect(html).toContain(rule)
    expect((await cuts(html.replace(rule, ''))).cut.length).toBeGreaterThan(0)
  })

  it('puts legends above the plot, entries apart and inside the chart, long names shortened and listed in full', async () => {
    const long = `lr sweep ${'with a very long descriptive name '.repeat(3)}end`
    const names = [
      '基线 两层网络',
      'wide 200',
      long,
      'WWWW MMMM @@@ WWWW',
      '学习率 1e-3 批量 200',
      'r6',
      'r7',
    ]
    const html = renderReport(
      names.map((n, i) => fakeRun(i, n)),
      { now: NOW },
    )
    expect(html).toContain('class="legend-key"')
    const key = /<table class="legend-key">([\s\S]*?)<\/table>/.exec(html)![1]!
    expect(decode(key)).toContain(long)
    const page = await open(html)
    try {
      const charts = (await page.evaluate(`(() => {
        const labels = new Set(${JSON.stringify(names.map((n) => n.slice(0, 12)))})
        return [...document.querySelectorAll('#charts svg')].map((svg) => {
          const box = svg.getBoundingClientRect()
          const rel = (r) => ({ left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top })
          const texts = [...svg.querySelectorAll('text')]
          const legend = texts.filter((t) => [...labels].some((l) => t.textContent.startsWith(l))).map((t) => ({ text: t.textContent, ...rel(t.getBoundingClientRect()) }))
          // The plot's top: the highest point of the drawn curves and grid lines.
          const paths = [...svg.querySelectorAll('path')].filter((p) => p.getAttribute('fill') === 'none' || (p.getAttribute('stroke') && p.getAttribute('stroke') !== 'none'))
          const plotTop = Math.min(...paths.map((p) => rel(p.getBoundingClientRect())).filter((r) => r.bottom - r.top > 20).map((r) => r.top))
          return { width: box.width, legend, plotTop }
        })
      })()`)) as {
        width: number
        plotTop: number
        legend: { text: string; left: number; right: number; top: number; bottom: number }[]
      }[]
      expect(charts).toHaveLength(2)
      for (const c of charts) {
        expect(c.legend.map((l) => l.text)).toHaveLength(names.length)
        expect(c.legend.some((l) => l.text.endsWith('…'))).toBe(true)
        for (const l of c.legend) {
          expect(l.bottom, l.text).toBeLessThanOrEqual(c.plotTop)
          expect(l.left).toBeGreaterThanOrEqual(0)
          expect(l.right, l.text).toBeLessThanOrEqual(c.width)
        }
        for (const [i, a] of c.legend.entries()) {
          for (const b of c.legend.slice(i + 1)) {
            const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
            expect(apart, `${a.text} / ${b.text}`).toBe(true)
          }
        }
      }
    } finally {
      await page.close()
    }
  })
})
