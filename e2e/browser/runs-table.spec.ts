/**
 * The experiments table at 20,000 runs: it scrolls (windowed rows), filters with or/not and parentheses,
 * says where a malformed filter is wrong, in English and Chinese. Its own server on its own data folder,
 * seeded before the server starts, so the other specs keep their small shared one.
 */
import { rmSync } from 'node:fs'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { newDataDir, serve, type ServeProcess } from './servers'
import { seedTable, tableRun, type TableRun } from './tableSeed'

const COUNT = 20_000
let server: ServeProcess
let seeded: TableRun[]
/** One page for the file: listing 20,000 run folders is the slow part, done once (and once more on reload). */
let page: Page

test.describe.configure({ mode: 'serial' })
test.setTimeout(180_000)

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  test.setTimeout(240_000)
  const dataDir = newDataDir()
  seeded = await seedTable(dataDir, COUNT)
  server = await serve(dataDir)
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(server.url)
  // Listing 20,000 run folders takes the store a while.
  await expect(page.getByTestId('run-row').first()).toBeVisible({ timeout: 120_000 })
})

test.afterAll(async () => {
  await page?.close()
  await server?.stop()
  if (server) rmSync(server.dataDir, { recursive: true, force: true })
})

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) })

/** The shared page as a test starts: the table in a language, no filter, default order, at its top. */
async function open(page: Page, locale: 'en' | 'zh-CN' = 'en'): Promise<void> {
  if (!page.url().includes('#/experiments')) {
    await page.getByTestId('nav-experiments').click()
  }
  await page.getByTestId('language-switch').selectOption(locale)
  await page.getByTestId('runs-filter').fill('')
  await page.getByTestId('runs-scroll').evaluate((el) => (el.scrollTop = 0))
  await expect(page.getByTestId('run-row').first()).toBeVisible()
}

/** Runs shown, from the count line ("12 of 20000 runs" / "共 …"): the first number. */
async function shownCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('runs-count').textContent()) ?? ''
  return Number(/\d[\d,]*/.exec(text)![0].replace(/,/g, ''))
}

/**
 * How long the page takes from an action (run in the page) until `watched` shows other text, drawn: in
 * the page's clock, so the test runner's round trips do not count.
 */
async function timeChange(page: Page, action: string, watched: string): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const before = document.querySelector(${JSON.stringify(watched)}).textContent
    const t0 = performance.now()
    const observer = new MutationObserver(() => {
      const now = document.querySelector(${JSON.stringify(watched)})
      if (now && now.textContent === before) return
      observer.disconnect()
      requestAnimationFrame(() => resolve(performance.now() - t0))
    })
    observer.observe(document.querySelector('.page'), { characterData: true, childList: true, subtree: true })
    ${action}
  })`)
}

/** The filter box set to `text` (as typing would), timed to the new count drawn. */
const timeFilter = (page: Page, text: string): Promise<number> =>
  timeChange(
    page,
    `const input = document.querySelector('[data-testid="runs-filter"]')
    input.value = ${JSON.stringify(text)}
    input.dispatchEvent(new Event('input', { bubbles: true }))`,
    '[data-testid="runs-count"]',
  )

/** A header clicked, timed to the first row's best validation accuracy drawn anew. */
const timeSort = (page: Page, key: string): Promise<number> =>
  timeChange(
    page,
    `document.querySelector('[data-testid="sort-${key}"]').click()`,
    '[data-testid="run-best-val"]',
  )

test('20,000 runs scroll through a few dozen rows in the page, the header staying in view', async () => {
  await open(page)
  await expect(page.getByTestId('runs-count')).toContainText(`${COUNT} of ${COUNT}`)
  const scroll = page.getByTestId('runs-scroll')
  await expect(scroll).toHaveAttribute('data-windowed', 'true')
  expect(await page.getByTestId('run-row').count()).toBeLessThan(120)
  // Newest first: the last seeded run is the first row.
  await expect(page.getByTestId('run-link').first()).toHaveText(seeded.at(-1)!.name)

  // Half way down, by the scroll bar: the rows there are drawn, the header is still at the top of the box.
  await scroll.evaluate((el) => (el.scrollTop = el.scrollHeight / 2))
  const middle = page.getByTestId('run-link').filter({ hasText: /^table run 1\d{4}$|^table run 09\d{3}$/ })
  await expect(middle.first()).toBeVisible()
  const names = await page.getByTestId('run-link').allTextContents()
  const indices = names.map((n) => Number(n.replace('table run ', '')))
  expect(Math.min(...indices)).toBeGreaterThan(8_000)
  expect(Math.max(...indices)).toBeLessThan(12_000)
  expect(names.length).toBeLessThan(120)
  const header = await page.locator('[data-testid="runs-table"] thead th').first().boundingBox()
  const box = await scroll.boundingBox()
  expect(Math.abs(header!.y - box!.y)).toBeLessThan(2)

  // A wheel turn scrolls on from there, as smoothly as the frames come.
  const frames = await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid="runs-scroll"]')
    const times = []
    let last = performance.now()
    let n = 0
    const step = () => {
      const now = performance.now()
      times.push(now - last)
      last = now
      el.scrollTop += 120
      if (++n < 60) requestAnimationFrame(step)
      else resolve(times.slice(1).sort((a, b) => a - b))
    }
    requestAnimationFrame(step)
  })`)
  const sorted = frames as number[]
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!
  test.info().annotations.push({ type: 'scroll frame p95 (ms)', description: p95.toFixed(1) })
  console.log(`runs-table: scrolling 20,000 rows, frame interval p95 ${p95.toFixed(1)} ms`)

  // To the very bottom: the first seeded run is the last row.
  await scroll.evaluate((el) => (el.scrollTop = el.scrollHeight))
  await expect(page.getByTestId('run-link').filter({ hasText: seeded[0]!.name })).toBeVisible()
  await scroll.evaluate((el) => (el.scrollTop = el.scrollHeight / 2))
  await shot(page, 'runs-table-20000-en')

  // A row far down opens its run.
  await middle.first().click()
  await expect(page).toHaveURL(/#\/runs\//)
})

test('a filter with or, not and parentheses, fast on 20,000 runs; sorting too', async () => {
  await open(page)
  const query = '(lr < 1e-3 or reg > 0.1) and not tag:baseline'
  const expected = seeded.filter((r) => (r.lr < 1e-3 || r.reg > 0.1) && !r.tags.includes('baseline')).length
  const ms = await timeFilter(page, query)
  await expect.poll(() => shownCount(page)).toBe(expected)
  test.info().annotations.push({ type: 'filter 20,000 runs (ms)', description: ms.toFixed(0) })
  console.log(`runs-table: filter of 20,000 runs to ${expected} drawn in ${ms.toFixed(0)} ms`)
  await expect(page.getByTestId('filter-error')).toHaveCount(0)

  const conv = seeded.filter((r) => r.conv && !(r.lr >= 1e-3)).length
  await page.getByTestId('runs-filter').fill('model:conv and not lr >= 1e-3')
  await expect.poll(() => shownCount(page)).toBe(conv)
  await page.getByTestId('runs-filter').fill('')
  await page.getByTestId('filter-model').selectOption('three-layer-conv')
  await expect.poll(() => shownCount(page)).toBe(seeded.filter((r) => r.conv).length)
  await page.getByTestId('filter-model').selectOption('')

  // Best validation accuracy, best first, then worst first. The newest run (the first row) is not the best.
  const sortMs = await timeSort(page, 'bestVal')
  const best = Math.max(...seeded.map((r) => r.bestValAcc))
  await expect(page.getByTestId('run-best-val').first()).toHaveText(`${(best * 100).toFixed(1)}%`)
  test.info().annotations.push({ type: 'sort 20,000 runs (ms)', description: sortMs.toFixed(0) })
  console.log(`runs-table: sort of 20,000 runs by best val drawn in ${sortMs.toFixed(0)} ms`)
  await page.getByTestId('sort-bestVal').click()
  const worst = Math.min(...seeded.map((r) => r.bestValAcc))
  await expect(page.getByTestId('run-best-val').first()).toHaveText(`${(worst * 100).toFixed(1)}%`)
  await page.getByTestId('sort-bestVal').click()
})

test('a malformed filter says what is wrong and where, in English and Chinese', async () => {
  await open(page)
  const box = page.getByTestId('runs-filter')
  await box.fill('tag:baseline')
  const baseline = seeded.filter((r) => r.tags.includes('baseline')).length
  await expect.poll(() => shownCount(page)).toBe(baseline)

  await box.fill('tag:baseline and (lr < or reg > abc')
  const note = page.getByTestId('filter-error')
  await expect(note).toHaveAttribute('data-code', 'expectedValue')
  await expect(note.getByTestId('filter-error-where')).toHaveText('Character 24:')
  await expect(note.getByTestId('filter-error-message')).toHaveText('a number is missing after “lr <”.')
  await expect(note.locator('mark.bad')).toHaveText('or')
  await expect(box).toHaveAttribute('aria-invalid', 'true')
  // The table keeps the last filter it could read, and does not claim that nothing matches.
  expect(await shownCount(page)).toBe(baseline)
  await expect(page.getByTestId('runs-no-match')).toHaveCount(0)

  await box.fill('reg > abc')
  await expect(note.getByTestId('filter-error-message')).toHaveText(
    '“abc” is not a number: “reg >” needs one, such as 0.001 or 1e-3.',
  )
  await expect(note.locator('mark.bad')).toHaveText('abc')
  await shot(page, 'runs-table-filter-error-en')

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(note.getByTestId('filter-error-where')).toHaveText('第 7 个字符：')
  await expect(note.getByTestId('filter-error-message')).toHaveText(
    '“abc”不是数字：“reg >”需要一个数字，例如 0.001 或 1e-3。',
  )
  await box.fill('(lr < 1e-3 or reg > 0.1')
  await expect(note).toHaveAttribute('data-code', 'unclosedParen')
  await expect(note.getByTestId('filter-error-message')).toHaveText('这个“(”没有闭合：请加上“)”。')
  await shot(page, 'runs-table-filter-error-zh')
  await box.fill('')
  await expect(note).toHaveCount(0)
})

test('the column chooser adds any config field and result, kept across a reload; screenshots in both languages', async () => {
  await open(page)
  await page.getByTestId('column-chooser').click()
  await page.getByTestId('column-toggle-config:solver.updateRule').check()
  await page.getByTestId('column-toggle-speed').check()
  await page.getByTestId('column-toggle-notes').check()
  await page.getByTestId('column-toggle-reg').uncheck()
  await shot(page, 'runs-table-columns-en')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('column-chooser-panel')).toHaveCount(0)
  await page.getByTestId('sort-config:solver.updateRule').click()

  await page.reload()
  await expect(page.getByTestId('run-row').first()).toBeVisible({ timeout: 90_000 })
  const cols = await page
    .locator('[data-testid="runs-table"] thead th[data-col]')
    .evaluateAll((ths) => ths.map((th) => th.getAttribute('data-col')))
  expect(cols).toContain('config:solver.updateRule')
  expect(cols).toContain('speed')
  expect(cols).toContain('notes')
  expect(cols).not.toContain('reg')
  await expect(page.locator('th[data-col="config:solver.updateRule"]')).toHaveAttribute(
    'aria-sort',
    'ascending',
  )
  // Adam before SGD, A to Z.
  const first = page.getByTestId('run-row').first()
  await expect(first.locator('td[data-col="config:solver.updateRule"]')).toHaveText('Adam')

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await page.getByTestId('column-chooser').click()
  await expect(page.getByTestId('column-chooser-panel')).toContainText('显示的列')
  await shot(page, 'runs-table-columns-zh')
  await page.keyboard.press('Escape')
  await page.getByTestId('runs-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight / 3))
  await shot(page, 'runs-table-20000-zh')
  // Back to the default view for whoever opens this data folder next.
  await page.getByTestId('column-chooser').click()
  await page.getByTestId('columns-reset').click()
})

test('the seeded runs are what the filter counts assume', () => {
  expect(tableRun(35)).toMatchObject({ lr: 5e-3, reg: 0.2, tags: ['baseline'], conv: true })
})
