/**
 * The Layer dynamics section printed (issue 15): in the PDF, in English and Chinese, each of its
 * headings on the page of its chart (a heading never ends a page), its axis labels readable as text.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeCapture } from '../../store/testingLayers'
import { fakeRun } from '../report/fixtures'
import { renderReport } from '../report/render'
import { CHROMIUM, NO_CHROMIUM } from '../testing'
import { ChromiumPdfPrinter } from './chromium'

const NO_PDFTOTEXT =
  spawnSync('pdftotext', ['-v']).error === undefined
    ? null
    : 'skipped: pdftotext not found (apt-get install poppler-utils)'
if (NO_CHROMIUM) console.warn(NO_CHROMIUM)
if (NO_PDFTOTEXT) console.warn(NO_PDFTOTEXT)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wb-layers-pdf-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function pdfPages(pdf: Uint8Array, name: string): Promise<string[]> {
  const file = join(dir, `${name}.pdf`)
  await writeFile(file, pdf)
  const r = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return r.stdout.split('\f').filter((p) => p.trim() !== '')
}

const lastLine = (page: string) =>
  page
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1)

describe.skipIf(NO_CHROMIUM || NO_PDFTOTEXT)(
  `the printed Layer dynamics section ${NO_CHROMIUM ?? NO_PDFTOTEXT ?? ''}`,
  () => {
    it('keeps each heading with its chart, in English and Chinese', async () => {
      const printer = new ChromiumPdfPrinter({ executablePath: CHROMIUM })
      const captures = Array.from({ length: 40 }, (_, i) =>
        makeCapture((i + 1) * 5, { ratios: [3e-2 * 0.9 ** i, 1e-3, 2e-5, 1e-4] }),
      )
      const expected = {
        en: ['Layer dynamics', 'Update/weight ratio per layer', 'layer4: histograms at iteration 200'],
        // pdftotext puts the Latin and the CJK runs of a heading on lines of their own.
        'zh-CN': ['逐层动态', '各层的更新/权重比', '：第 200 次迭代的直方图'],
      }
      for (const locale of ['en', 'zh-CN'] as const) {
        const html = renderReport([{ ...fakeRun(0, 'layers', { mosaic: true }), layers: captures }], {
          locale,
          now: new Date('2026-11-26T12:00:00Z'),
        })
        const pages = await pdfPages(await printer.print(html), `layers-${locale}`)
        const text = pages.join('\n')
        for (const h of expected[locale]) expect(text, locale).toContain(h)
        expect(text).toContain('10⁻³')
        const titles = [...html.matchAll(/<h[23]>([^<]*)<\/h[23]>/g)].map((m) => m[1]!)
        const orphans = pages.slice(0, -1).filter((p) => {
          const last = lastLine(p) ?? ''
          return titles.some((h) => h === last || (h.endsWith(last) && last.length > 3))
        })
        expect(orphans.map(lastLine), locale).toEqual([])
      }
    }, 120_000)
  },
)
