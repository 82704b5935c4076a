import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildReport } from '../report/build'
import { CHROMIUM, NO_CHROMIUM, NO_PDFTOPPM, tinyRun, trainRuns, type TrainedRuns } from '../testing'
import { CHROMIUM_ENV, ChromiumPdfPrinter, chromiumCandidates, findChromium } from './chromium'
import { CHROMIUM_ARGS } from './chromiumArgs'
import { withDeadline } from './deadline'

if (NO_CHROMIUM) console.warn(NO_CHROMIUM)
if (NO_PDFTOPPM) console.warn(NO_PDFTOPPM)

describe('findChromium', () => {
  it('takes $WORKBENCH_CHROMIUM when it exists, and refuses it when it does not', () => {
    expect(findChromium({ [CHROMIUM_ENV]: '/opt/my/chrome' }, 'linux', (p) => p === '/opt/my/chrome')).toBe(
      '/opt/my/chrome',
    )
    expect(() => findChromium({ [CHROMIUM_ENV]: '/opt/typo' }, 'linux', () => true)).not.toThrow()
    expect(() => findChromium({ [CHROMIUM_ENV]: '/opt/typo' }, 'linux', () => false)).toThrow(
      /WORKBENCH_CHROMIUM is set to \/opt\/typo, but there is no such file/,
    )
  })

  it('looks in the usual places per platform, in order', () => {
    expect(findChromium({}, 'linux', (p) => p === '/usr/bin/google-chrome')).toBe('/usr/bin/google-chrome')
    expect(chromiumCandidates('darwin')[0]).toMatch(/Google Chrome\.app/)
    expect(chromiumCandidates('win32', { PROGRAMFILES: 'C:\\Program Files' })[0]).toMatch(/chrome\.exe$/)
  })

  it("says what to install and which variable to set when there is none ('unavailable')", () => {
    let error: unknown
    try {
      findChromium({}, 'linux', () => false)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'unavailable' })
    const message = (error as Error).message
    expect(message).toContain('apt-get install chromium')
    expect(message).toContain('WORKBENCH_CHROMIUM')
    expect(message).toContain('/usr/bin/chromium')
  })
})

describe('the report in Chromium', () => {
  let t: TrainedRuns
  let dir: string
  let single: string
  let pair: string
  beforeAll(async () => {
    if (NO_CHROMIUM) return
    t = await trainRuns([tinyRun('first', { hiddenDim: 16 }), tinyRun('second', { hiddenDim: 25 })])
    dir = await mkdtemp(join(tmpdir(), 'wb-pdf-'))
    single = await buildReport(t.wb, [t.runs[0]!.id])
    pair = await buildReport(
      t.wb,
      t.runs.map((r) => r.id),
      { locale: 'zh-CN' },
    )
  })
  afterAll(async () => {
    await t?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it.skipIf(NO_CHROMIUM)(
    `opens with no request but the page itself and shows its charts and mosaics ${NO_CHROMIUM ?? ''}`,
    async () => {
      const file = join(dir, 'report.html')
      await writeFile(file, single)
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
      try {
        const page = await browser.newPage()
        const requests: string[] = []
        const refused: string[] = []
        page.on('request', (r) => requests.push(r.url()))
        page.on('console', (m) => {
          if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text())
        })
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' })
        // data: images are in the file already; anything else would be the page reaching out.
        expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([pathToFileURL(file).href])
        expect(refused).toEqual([])
        const charts = page.locator('#charts svg')
        expect(await charts.count()).toBe(2)
        for (const chart of await charts.all()) {
          expect(await chart.isVisible()).toBe(true)
          const box = await chart.boundingBox()
          expect(box!.width).toBeGreaterThan(300)
          expect(box!.height).toBeGreaterThan(100)
        }
        // The mosaic decoded (the CSP allows data: images) at its natural size of 4 x 28 + 3 pixels.
        const natural = await page.locator('#mosaics img').evaluate((img) => {
          // Node's type library has no DOM: the element is an HTMLImageElement in the page.
          const image = img as unknown as { complete: boolean; naturalWidth: number }
          return [image.complete, image.naturalWidth]
        })
        expect(natural).toEqual([true, 115])
        expect(await page.locator('#confusion tbody tr').count()).toBe(10)
      } finally {
        await browser.close()
      }
    },
  )

  it.skipIf(NO_CHROMIUM || NO_PDFTOPPM)(
    `prints a 2-run report to an A4 PDF that poppler renders into pages ${NO_CHROMIUM ?? NO_PDFTOPPM ?? ''}`,
    async () => {
      const pdf = await new ChromiumPdfPrinter({ executablePath: CHROMIUM }).print(pair)
      expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-')
      const file = join(dir, 'pair.pdf')
      await writeFile(file, pdf)
      const r = spawnSync('pdftoppm', ['-r', '20', '-png', file, join(dir, 'page')], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      const pages = (await readdir(dir)).filter((n) => /^page-\d+\.png$/.test(n))
      // Results, two charts, config, two mosaics: more than one A4 page, and nowhere near ten.
      expect(pages.length).toBeGreaterThanOrEqual(2)
      expect(pages.length).toBeLessThanOrEqual(6)
      // A4 at 20 dpi: 165 x 234 pixels.
      const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' })
      if (info.status === 0) expect(info.stdout).toMatch(/Page size:\s+59\d\.\d+ x 84\d\.\d+ pts \(A4\)/)
    },
  )

  it.skipIf(NO_CHROMIUM)(
    `gives up on a print that takes too long, and closes the browser it launched ${NO_CHROMIUM ?? ''}`,
    async () => {
      const launch = chromium.launch.bind(chromium)
      const launched: Awaited<ReturnType<typeof chromium.launch>>[] = []
      const spy = vi.spyOn(chromium, 'launch').mockImplementation(async (options) => {
        const browser = await launch(options)
        launched.push(browser)
        return browser
      })
      try {
        const printer = new ChromiumPdfPrinter({ executablePath: CHROMIUM, timeoutMs: 1 })
        const error = await printer.print(single).then(
          () => null,
          (e: unknown) => e,
        )
        expect(error).toMatchObject({ code: 'unavailable' })
        expect((error as Error).message).toMatch(/timed out.*within 0 s/)
        expect(launched).toHaveLength(1)
        expect(launched[0]!.isConnected()).toBe(false)
      } finally {
        spy.mockRestore()
      }
    },
  )
})

describe('ChromiumPdfPrinter queue', () => {
  it('prints one at a time (each print is a browser), and a failed print does not stop the next', async () => {
    let open = 0
    let most = 0
    let calls = 0
    const spy = vi.spyOn(chromium, 'launch').mockImplementation(async () => {
      calls++
      if (calls === 2) throw new Error('no browser this time')
      open++
      most = Math.max(most, open)
      await new Promise((r) => setTimeout(r, 20))
      const page = {
        setContent: async () => undefined,
        pdf: async () => Buffer.from('%PDF-fake'),
      }
      return {
        newContext: async () => ({ newPage: async () => page }),
        close: async () => {
          open--
        },
      } as never
    })
    try {
      const printer = new ChromiumPdfPrinter({ executablePath: '/fake/chromium' })
      const results = await Promise.allSettled([printer.print('a'), printer.print('b'), printer.print('c')])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect(most).toBe(1)
      expect(open).toBe(0)
    } finally {
      spy.mockRestore()
    }
  })
})

describe('withDeadline', () => {
  it('passes a result through in time, and rejects naming the limit when late', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000)).resolves.toBe(7)
    const never = new Promise<number>(() => {})
    await expect(withDeadline(never, 5)).rejects.toMatchObject({ code: 'unavailable' })
    // The late work's own rejection is not left unhandled.
    const failsLate = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('late')), 20))
    await expect(withDeadline(failsLate, 1)).rejects.toThrow(/timed out/)
    await new Promise((r) => setTimeout(r, 40))
  })
})
