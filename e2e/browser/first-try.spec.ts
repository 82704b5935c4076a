/**
 * What a new user's first afternoon showed, checked in Chromium: a page opens at its top after
 * navigation (and back returns to where the table was); the experiments table fits a 1024-pixel window;
 * the keyboard shortcuts and their `?` help; the dark theme following the system, charts included; the
 * Chinese UI drawing real glyphs, and saying what to install where no Chinese font exists. Screenshots
 * of the pages in light and dark, English and Chinese, go to e2e/artifacts. The runs it makes are
 * removed at the end, so the other specs see the folder as it was.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { chromium, expect, test, type Page } from '@playwright/test'
import { RunStore } from '../../src-main/core/store/runStore'
import { makeRecord } from '../../src-main/core/store/testing'
import { CHROMIUM_ARGS } from '../../src-main/core/export/pdf/chromiumArgs'
import { parseRunConfig } from '../../src-shared/config'
import { CHART_SCHEMES, SERIES_COLORS } from '../../src-shared/palette'
import type { RunRecord } from '../../src-shared/runs'
import { CHROMIUM, PORT, TOKEN } from '../playwright.config'

// The callbacks given to evaluate() run in the page; this file is type-checked without the DOM's types,
// so the few page globals they use are declared here, for this module only.
interface PageBox {
  right: number
  width: number
}
interface PageElement {
  id: string
  textContent: string | null
  style: { cssText: string; top: string }
  remove(): void
}
declare const window: { scrollY: number }
declare const document: {
  createElement(tag: 'span'): PageElement
  body: { append(el: PageElement): void }
  querySelectorAll(selector: string): { forEach(f: (el: PageElement) => void): void }
  createRange(): { selectNodeContents(node: unknown): void; getBoundingClientRect(): PageBox }
  documentElement: { scrollWidth: number }
}
declare function getComputedStyle(el: unknown): { backgroundColor: string; color: string; fontSize: string }

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const store = new RunStore(process.env['E2E_DATA_DIR']!)
const made: string[] = []

function config(name: string, model: Record<string, unknown> = { kind: 'fc', hiddenDims: [100, 100] }) {
  const parsed = parseRunConfig({ name, dataset: { name: 'fashion-mnist-small' }, model, seed: 1 })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.value
}

/** A finished run with a loss curve and accuracies, written as the trainer would have left it. */
async function finishedRun(name: string, overrides: Partial<RunRecord> = {}): Promise<RunRecord> {
  const now = new Date().toISOString()
  const run = await store.create(
    makeRecord({
      config: config(name),
      status: 'completed',
      startedAt: now,
      finishedAt: now,
      progress: { iteration: 200, numIterations: 200, epoch: 4, numEpochs: 4 },
      result: {
        bestValAcc: 0.84,
        finalTrainAcc: 0.86,
        finalValAcc: 0.83,
        valAcc: 0.84,
        testAcc: 0.82,
        confusion: [
          [9, 1],
          [2, 8],
        ],
        classNames: ['T-shirt/top', 'Trouser'],
      },
      ...overrides,
    }),
  )
  made.push(run.id)
  const lines: string[] = []
  for (let i = 1; i <= 200; i++)
    lines.push(JSON.stringify({ type: 'iteration', iteration: i, loss: 2.3 * Math.exp(-i / 60) + 0.3 }))
  for (let e = 1; e <= 4; e++)
    lines.push(
      JSON.stringify({
        type: 'epoch',
        epoch: e,
        iteration: e * 50,
        trainAcc: 0.6 + e * 0.06,
        valAcc: 0.6 + e * 0.055,
        lr: 1e-3,
      }),
    )
  await writeFile(join(store.runDir(run.id), 'metrics.jsonl'), lines.join('\n') + '\n')
  return run
}

let runs: RunRecord[] = []
test.beforeAll(async () => {
  const list: RunRecord[] = []
  for (let i = 0; i < 24; i++)
    list.push(await finishedRun(`e2e first-try ${String(i).padStart(2, '0')} with a long name`))
  const failed = await store.create(
    makeRecord({
      config: config('e2e first-try failed run'),
      status: 'failed',
      error: { reason: 'crashed', message: 'the worker died', iteration: 3 } as RunRecord['error'],
    }),
  )
  made.push(failed.id)
  // The widest cells a table shows: a long fc summary and a conv net.
  for (const model of [
    { kind: 'fc', hiddenDims: [200, 200, 200], normalization: 'batchnorm', dropoutKeepRatio: 0.5 },
    { kind: 'three-layer-conv', numFilters: 128, filterSize: 11, hiddenDim: 1000 },
  ]) {
    const r = await store.create(
      makeRecord({ config: config(`e2e first-try ${model.kind}`, model), status: 'cancelled' }),
    )
    made.push(r.id)
  }
  runs = list
})
test.afterAll(async () => {
  for (const id of made) await store.remove(id).catch(() => undefined)
})

async function open(page: Page, locale: 'en' | 'zh-CN' = 'en'): Promise<void> {
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption(locale)
  await expect(page.getByTestId('run-row').first()).toBeVisible()
}

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage })

test('a run page opens at its top, its title below the header; back returns to the table where it was', async ({
  page,
}) => {
  await open(page)
  const last = page.locator(`[data-testid="run-row"][data-run-id="${runs[0]!.id}"]`)
  await last.scrollIntoViewIfNeeded()
  // The page scrolls, then the table in its own box (its header row stays in view): both count.
  const scrolled = `window.scrollY + document.querySelector('[data-testid="runs-scroll"]').scrollTop`
  const tableScroll = (await page.evaluate(scrolled)) as number
  expect(tableScroll).toBeGreaterThan(300)
  await last.getByTestId('run-link').click()
  await expect(page).toHaveURL(new RegExp(`#/runs/${runs[0]!.id}`))
  const title = page.getByRole('heading', { level: 1 })
  await expect(title).toHaveText(runs[0]!.config.name)
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0)
  const header = await page.locator('.app-header').boundingBox()
  const box = await title.boundingBox()
  expect(box!.y).toBeGreaterThanOrEqual(header!.y + header!.height)
  await shot(page, 'run-opened-at-top')

  await page.goBack()
  await expect(last).toBeVisible()
  await expect.poll(() => page.evaluate(scrolled)).toBeGreaterThan(tableScroll - 5)

  // Scrolled down on a run page, then the header's New run: the form opens at its top too.
  await last.getByTestId('run-link').click()
  await page.mouse.wheel(0, 2000)
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(100)
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0)
})

test('the experiments table fits a 1024-pixel window, in English and in Chinese', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 })
  for (const locale of ['en', 'zh-CN'] as const) {
    await open(page, locale)
    const fit = await page.getByTestId('runs-table').evaluate((table) => {
      const box = table.parentElement!
      const last = table.querySelector('thead th:last-child')!.getBoundingClientRect()
      return {
        scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth,
        lastRight: last.right,
        boxRight: box.getBoundingClientRect().right,
        page: document.documentElement.scrollWidth,
      }
    })
    expect(fit.scrollWidth, locale).toBeLessThanOrEqual(fit.clientWidth)
    expect(fit.lastRight, locale).toBeLessThanOrEqual(fit.boxRight + 0.5)
    expect(fit.page, locale).toBeLessThanOrEqual(1024)
    // Sorting shows an arrow in one column: still no scrolling.
    await page.getByTestId('sort-duration').click()
    const sorted = await page
      .getByTestId('runs-table')
      .evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth)
    expect(sorted, locale).toBeLessThanOrEqual(0)
    await shot(page, `experiments-1024-${locale === 'en' ? 'en' : 'zh'}`)
  }
})

test('keyboard shortcuts: new run, search, compare the selection, and the ? help', async ({ page }) => {
  await open(page)
  await page.locator('body').press('n')
  await expect(page).toHaveURL(/#\/new/)
  await page.locator('body').press('/')
  await expect(page).toHaveURL(/#\/experiments/)
  const filter = page.getByTestId('runs-filter')
  await expect(filter).toBeFocused()
  // Typed into the filter, the letters are text.
  await page.keyboard.type('first-try 0')
  await expect(filter).toHaveValue('first-try 0')
  await expect(page).toHaveURL(/#\/experiments/)
  await page.keyboard.press('Escape')

  for (const run of runs.slice(0, 2))
    await page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`).getByTestId('run-select').check()
  await page.keyboard.press('c')
  await expect(page).toHaveURL(new RegExp(`#/compare\\?ids=(${runs[0]!.id}|${runs[1]!.id})`))

  await page.keyboard.press('?')
  const help = page.getByTestId('shortcut-help')
  await expect(help).toBeVisible()
  for (const id of ['new-run', 'search', 'compare', 'help'])
    await expect(help.getByTestId(`shortcut-key-${id}`)).toBeVisible()
  await shot(page, 'shortcut-help-en')
  await page.keyboard.press('Escape')
  await expect(help).toHaveCount(0)

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await page.getByTestId('shortcut-help-button').click()
  await expect(help).toContainText('键盘快捷键')
  await expect(help).toContainText('比较所选训练')
  await shot(page, 'shortcut-help-zh')
  await page.keyboard.press('?')
  await expect(help).toHaveCount(0)
})

/** How many of the canvas's pixels are (within a few levels) this colour. */
async function pixelsOf(page: Page, testId: string, hex: string): Promise<number> {
  const canvas = page.getByTestId(testId).locator('canvas').first()
  await expect(canvas).toBeVisible()
  return canvas.evaluate((c, hex) => {
    const el = c as unknown as {
      width: number
      height: number
      getContext(k: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
      }
    }
    const data = el.getContext('2d').getImageData(0, 0, el.width, el.height).data
    const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))
    let n = 0
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! < 250) continue
      if (want.every((v, k) => Math.abs(data[i + k]! - v) <= 6)) n++
    }
    return n
  }, hex)
}

test('the dark theme follows the system, live, charts included', async ({ page }) => {
  const run = runs[3]!
  await page.emulateMedia({ colorScheme: 'light' })
  await open(page)
  await page.goto(`/#/runs/${run.id}`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(run.config.name)
  const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)
  expect(await bg()).toBe('rgb(245, 247, 250)')
  // The loss chart's grid lines: the light theme's colour, none of the dark one's.
  await expect.poll(() => pixelsOf(page, 'loss-chart', CHART_SCHEMES.light.grid)).toBeGreaterThan(200)
  expect(await pixelsOf(page, 'loss-chart', CHART_SCHEMES.dark.grid)).toBe(0)
  // The curve is drawn once its metrics arrive, after the grid.
  await expect.poll(() => pixelsOf(page, 'loss-chart', SERIES_COLORS[0]!)).toBeGreaterThan(100)
  await shot(page, 'run-light-en', true)

  // The system turns dark while the page is open.
  await page.emulateMedia({ colorScheme: 'dark' })
  await expect.poll(bg).toBe('rgb(11, 18, 32)')
  await expect.poll(() => pixelsOf(page, 'loss-chart', CHART_SCHEMES.dark.grid)).toBeGreaterThan(200)
  expect(await pixelsOf(page, 'loss-chart', CHART_SCHEMES.light.grid)).toBe(0)
  // Recoloured, not redrawn empty: the loss curve is still there.
  // The curve is drawn once its metrics arrive, after the grid.
  await expect.poll(() => pixelsOf(page, 'loss-chart', SERIES_COLORS[0]!)).toBeGreaterThan(100)
  const text = await page.getByRole('heading', { level: 1 }).evaluate((h) => getComputedStyle(h).color)
  expect(text).toBe('rgb(226, 232, 240)')
  await shot(page, 'run-dark-en', true)

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await shot(page, 'run-dark-zh', true)
  await page.getByTestId('nav-experiments').click()
  await shot(page, 'experiments-dark-zh')
  await page.getByTestId('language-switch').selectOption('en')
  await shot(page, 'experiments-dark-en')

  // The form's messages, written for people, in both themes and languages (the whole form in view).
  await page.setViewportSize({ width: 1280, height: 1100 })
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('field-solver.batchSize').fill('0')
  await page.getByTestId('field-solver.numEpochs').fill('1.5')
  await page.getByTestId('field-model.hiddenDim').fill('')
  await expect(page.getByTestId('field-error-solver.batchSize')).toHaveText(
    'Enter a whole number from 1 to 65,536.',
  )
  await expect(page.getByTestId('field-error-model.hiddenDim')).toHaveText('Required: enter a value.')
  await shot(page, 'new-run-errors-dark-en')
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByTestId('field-error-solver.numEpochs')).toHaveText('请输入 1 到 10,000 之间的整数。')
  await shot(page, 'new-run-errors-dark-zh')
  await page.emulateMedia({ colorScheme: 'light' })
  await shot(page, 'new-run-errors-light-zh')
  await page.getByTestId('field-solver.batchSize').fill('6000')
  await expect(page.getByTestId('field-error-solver.batchSize')).toHaveText(
    '批大小 6,000 超过了本次训练使用的 5,400 张训练图像：最多为 5,400。',
  )
})

/** Screenshots of one character repeated: identical for two characters means both are the same box. */
async function glyphShots(page: Page): Promise<[Buffer, Buffer]> {
  await page.evaluate(() => {
    for (const [id, ch] of [
      ['glyph-a', '中'],
      ['glyph-b', '文'],
    ]) {
      const el = document.createElement('span')
      el.id = id!
      el.textContent = ch!.repeat(4)
      el.style.cssText = 'position:fixed;top:60px;left:0;font-size:40px;background:#fff;color:#000;z-index:99'
      el.style.top = id === 'glyph-a' ? '60px' : '120px'
      document.body.append(el)
    }
  })
  const a = await page.locator('#glyph-a').screenshot()
  const b = await page.locator('#glyph-b').screenshot()
  await page.evaluate(() => document.querySelectorAll('#glyph-a, #glyph-b').forEach((e) => e.remove()))
  return [a, b]
}

test('the Chinese UI draws real glyphs with the declared fonts', async ({ page }) => {
  await open(page, 'zh-CN')
  await expect(page.getByTestId('nav-experiments')).toHaveText('实验')
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
  await expect(page.locator('html')).toHaveAttribute('data-cjk-font', 'ok', {
    timeout: 5_000,
  })
  await expect(page.getByTestId('cjk-font-notice')).toHaveCount(0)
  const [a, b] = await glyphShots(page)
  expect(
    a.equals(b),
    'two different Han characters render alike: no Chinese font (apt-get install fonts-noto-cjk)',
  ).toBe(false)
  // Real glyphs are about one em wide; the header's two characters are not two narrow boxes.
  const width = await page.getByTestId('nav-experiments').evaluate((el) => {
    const r = document.createRange()
    r.selectNodeContents(el)
    return r.getBoundingClientRect().width / parseFloat(getComputedStyle(el).fontSize)
  })
  expect(width).toBeGreaterThan(1.8)
  await shot(page, 'experiments-zh')
  await page.getByTestId('language-switch').selectOption('en')
  await shot(page, 'experiments-en')
})

/** A fontconfig setup holding only the installed fonts that cannot draw Chinese. */
function fontsWithoutChinese(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb-e2e-fonts-'))
  const fonts = join(dir, 'fonts')
  execFileSync('mkdir', ['-p', fonts])
  const list = (args: string[]): string[] =>
    execFileSync('fc-list', args, { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().replace(/:$/, ''))
      .filter(Boolean)
  const chinese = new Set(list([':lang=zh', 'file']))
  for (const file of list([':', 'file'])) {
    if (chinese.has(file)) continue
    try {
      symlinkSync(file, join(fonts, `${readdirSync(fonts).length}-${basename(file)}`))
    } catch {
      // The same file listed twice: once is enough.
    }
  }
  writeFileSync(
    join(dir, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${fonts}</dir><cachedir>${join(dir, 'cache')}</cachedir></fontconfig>\n`,
  )
  return join(dir, 'fonts.conf')
}

test('without any Chinese font, the Chinese UI says what to install, in English too', async () => {
  const browser = await chromium.launch({
    ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
    args: CHROMIUM_ARGS,
    env: { ...process.env, FONTCONFIG_FILE: fontsWithoutChinese() },
  })
  try {
    const page = await browser.newPage({
      baseURL: `http://127.0.0.1:${PORT}`,
      viewport: { width: 1280, height: 800 },
    })
    await open(page, 'zh-CN')
    const [a, b] = await glyphShots(page)
    expect(a.equals(b), 'this browser was meant to have no Chinese font').toBe(true)
    await expect(page.locator('html')).toHaveAttribute('data-cjk-font', 'missing')
    const notice = page.getByTestId('cjk-font-notice')
    await expect(notice).toContainText('No Chinese font on this system')
    await expect(notice).toContainText('sudo apt install fonts-noto-cjk')
    await shot(page, 'cjk-font-missing')
    await notice.getByTestId('cjk-font-english').click()
    await expect(page.getByTestId('nav-experiments')).toHaveText('Experiments')
    await expect(notice).toHaveCount(0)
  } finally {
    await browser.close()
  }
})
