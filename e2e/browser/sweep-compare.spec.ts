/**
 * The second half of the loop, as a person does it: queue a small learning-rate sweep, open the sweep
 * view when it has finished, find the best runs, draft the finer sweep, compare them, line the curves up by epoch, and export a
 * report, first in English and then in Chinese. The exported HTML is opened again in Chromium to check
 * it needs nothing from the network and draws its charts.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { expect, test, type Download, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const SWEEP = {
  version: 1,
  name: 'e2e-lr',
  base: {
    name: 'e2e lr',
    dataset: { name: 'fashion-mnist-small', numTraining: 1000, numValidation: 200, numTest: 200 },
    model: { kind: 'two-layer', hiddenDim: 30 },
    solver: { updateRule: 'sgd', batchSize: 100, numEpochs: 4 },
  },
  method: 'grid',
  params: { 'solver.optimConfig.learningRate': { min: 1e-4, max: 1e-2, scale: 'log', steps: 3 } },
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ d: Download; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  const path = await d.path()
  return { d, text: await readFile(path, 'utf8') }
}

test('from a finished sweep: find the best run, compare, switch the x-axis, export a report, in both languages', async ({
  page,
  context,
}) => {
  test.setTimeout(120_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')

  // Queue the sweep from the form.
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('tab-sweep').click()
  await page.getByTestId('sweep-view-json').click()
  await page.getByTestId('sweep-editor').fill(JSON.stringify(SWEEP, null, 2))
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '3')
  await page.getByTestId('submit-sweep').click()
  await expect(page).toHaveURL(/#\/experiments/)

  // The sweep view, once every run has finished: the ranking and its charts.
  await page.getByTestId('run-sweep-link').first().click()
  await expect(page).toHaveURL(/#\/sweeps\/sweep-/)
  await expect(page.getByTestId('sweep-name')).toHaveText('e2e-lr')
  await expect(page.getByTestId('sweep-top-row')).toHaveCount(3, { timeout: 60_000 })
  await expect(page.getByTestId('sweep-finished')).toHaveText('3 of 3 runs finished', { timeout: 60_000 })
  await expect(page.getByTestId('sweep-parallel').locator('canvas').first()).toBeVisible()
  const accs = await page.getByTestId('sweep-top-acc').allInnerTexts()
  const values = accs.map((a) => Number.parseFloat(a))
  expect(values).toEqual([...values].sort((x, y) => y - x))
  await page.screenshot({ path: test.info().outputPath('sweep.png'), fullPage: true })

  // Coarse to fine: the next sweep is drafted into the form around the best runs, for review.
  const sweepUrl = page.url()
  await page.getByTestId('sweep-refine').click()
  await expect(page).toHaveURL(/#\/new/)
  await expect(page.getByTestId('sweep-draft-note')).toBeVisible()
  await expect(page.getByTestId('sweep-field-name')).toHaveValue('e2e-lr (refined)')
  await page.getByTestId('sweep-view-json').click()
  const draft = JSON.parse(await page.getByTestId('sweep-editor').inputValue()) as {
    params: Record<string, { min: number; max: number; scale: string }>
  }
  const lr = draft.params['solver.optimConfig.learningRate']!
  expect(lr.scale).toBe('log')
  expect(lr.max / lr.min).toBeLessThan(100)
  await expect(page.getByTestId('sweep-count')).toBeVisible()
  await page.goto(sweepUrl)
  await expect(page.getByTestId('sweep-top-row')).toHaveCount(3)

  // Compare the top runs: the diff table shows the learning rate, the one thing that differs.
  await page.getByTestId('sweep-compare').click()
  await expect(page).toHaveURL(/#\/compare\?ids=/)
  await expect(page.getByRole('heading', { level: 1, name: 'Compare runs' })).toBeVisible()
  await expect(page.getByTestId('diff-table')).toContainText('learningRate')
  await expect(page.getByTestId('loss-chart').locator('canvas').first()).toBeVisible()

  // Switch the x-axis to epochs; the chart saved as SVG says so on its axis.
  await page.getByTestId('compare-axis').selectOption('epoch')
  const lossChart = page.getByTestId('loss-chart').first()
  await lossChart.hover()
  const svg = await downloaded(page, () => lossChart.getByTestId('chart-svg').click())
  expect(svg.d.suggestedFilename()).toMatch(/\.svg$/)
  expect(svg.text).toMatch(/^<svg/)
  expect(svg.text).toContain('>epoch<')
  // The file carries what the page shows around the chart: the y axis' title and a legend of the runs.
  expect(svg.text).toContain('>Loss<')
  const names = await page.getByTestId('diff-row').locator('td:first-child a').allTextContents()
  expect(names.length).toBeGreaterThanOrEqual(3)
  for (const name of names) expect(svg.text).toContain(`>${name.trim()}<`)
  await page.screenshot({ path: test.info().outputPath('compare.png'), fullPage: true })

  // Export the report (HTML): every run, its charts, no outside reference, smoothed as the view is.
  await page.getByTestId('ema-slider').fill('0.85')
  await page.getByTestId('export-menu').locator('summary').click()
  const report = await downloaded(page, () => page.getByTestId('export-html').click())
  expect(report.d.suggestedFilename()).toMatch(/\.html$/)
  expect(report.text).toContain('<html lang="en"')
  // Sweep runs are named after the sweep and their values; the report names each of the three.
  expect(new Set(report.text.match(/e2e-lr[^<"]*/g)).size).toBeGreaterThanOrEqual(3)
  expect(report.text).toContain('exponential moving average (weight 0.85)')

  // Opened in the browser, the report fetches nothing and shows its charts.
  const viewer = await context.newPage()
  const requests: string[] = []
  viewer.on('request', (r) => requests.push(r.url()))
  // Saved under its own name: Chromium shows a file without the .html extension as text.
  const saved = test.info().outputPath(report.d.suggestedFilename())
  await report.d.saveAs(saved)
  await viewer.goto(`file://${saved}`)
  await expect(viewer.locator('svg').first()).toBeVisible()
  expect(await viewer.locator('svg').count()).toBeGreaterThanOrEqual(2)
  expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([])
  await viewer.screenshot({ path: test.info().outputPath('report.png'), fullPage: true })
  await viewer.close()

  // The same in Chinese: the view and the exported report.
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByRole('heading', { level: 1, name: '对比训练' })).toBeVisible()
  await page.getByTestId('export-menu').locator('summary').click()
  const zh = await downloaded(page, () => page.getByTestId('export-html').click())
  expect(zh.text).toContain('<html lang="zh-CN"')
  await page.screenshot({ path: test.info().outputPath('compare-zh.png'), fullPage: true })
  await page.getByTestId('language-switch').selectOption('en')
})
