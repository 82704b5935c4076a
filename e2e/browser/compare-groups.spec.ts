/**
 * Group and aggregate (issue 13): queue three seeds of two learning rates as a sweep, compare the six
 * runs, group them by everything except the seed and then by the learning rate, and check that each
 * group is one line with a band, with its size in the legend; the grouping survives a reload (it is in
 * the URL), and a report exported from the grouped view draws the same groups. English and Chinese.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { expect, test, type Download, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const LR = 'solver.optimConfig.learningRate'
const SWEEP = {
  version: 1,
  name: 'e2e-groups',
  base: {
    name: 'e2e groups',
    dataset: { name: 'fashion-mnist-small', numTraining: 300, numValidation: 100, numTest: 100 },
    model: { kind: 'two-layer', hiddenDim: 20 },
    solver: { updateRule: 'sgd', batchSize: 50, numEpochs: 3 },
  },
  method: 'grid',
  params: { [LR]: { values: [1e-3, 3e-4] }, seed: { values: [1, 2, 3] } },
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ d: Download; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()])
  return { d, text: await readFile(await d.path(), 'utf8') }
}

/** The loss chart as the SVG its export button saves: what is drawn, checkable as text. */
async function lossSvg(page: Page): Promise<string> {
  const chart = page.getByTestId('loss-chart').first()
  await chart.hover()
  return (await downloaded(page, () => chart.getByTestId('chart-svg').click())).text
}

const filledBands = (svg: string) => (svg.match(/fill-opacity="0\.2"/g) ?? []).length

test('group seeds of two configs: one line and band per group, sizes in the legend, in the URL and the report', async ({
  page,
}) => {
  test.setTimeout(150_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')

  // Six runs: learning rates 3e-4 and 1e-3, seeds 1 to 3 each.
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('tab-sweep').click()
  await page.getByTestId('sweep-view-json').click()
  await page.getByTestId('sweep-editor').fill(JSON.stringify(SWEEP, null, 2))
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '6')
  await page.getByTestId('submit-sweep').click()
  await expect(page).toHaveURL(/#\/experiments/)

  // Compare all six once they have finished.
  await page.getByTestId('run-sweep-link').first().click()
  await expect(page.getByTestId('sweep-name')).toHaveText('e2e-groups')
  await expect(page.getByTestId('sweep-finished')).toHaveText('6 of 6 runs finished', { timeout: 90_000 })
  await page.getByTestId('sweep-k').selectOption('10')
  await page.getByTestId('sweep-compare').click()
  await expect(page).toHaveURL(/#\/compare\?ids=/)
  await expect(page.getByTestId('diff-row')).toHaveCount(6)
  const ungrouped = await lossSvg(page)
  expect(filledBands(ungrouped)).toBe(0)

  // Everything except the seed: the two learning rates, three runs each.
  await page.getByTestId('group-by').selectOption('except-seed')
  const grouped = page.getByTestId('compare-grouped')
  await expect(grouped).toHaveAttribute('data-groups', '2')
  await expect(grouped).toHaveAttribute('data-ready', 'true')
  await expect(page.getByTestId('group-legend-item')).toHaveText([
    'learningRate=3e-4 (n=3)',
    'learningRate=1e-3 (n=3)',
  ])
  await expect(page).toHaveURL(/[?&]group=except-seed/)
  // Drawn: a filled band per group in the loss chart.
  expect(filledBands(await lossSvg(page))).toBe(2)

  // By the learning rate field, with a 95% confidence interval and the member runs: kept over a reload.
  await page.getByTestId('group-by').selectOption('fields')
  const fields = page.getByTestId('group-field')
  await fields.and(page.locator('[value="seed"]')).uncheck()
  await fields.and(page.locator(`[value="${LR}"]`)).check()
  await page.getByTestId('group-band').selectOption('ci95')
  await page.getByTestId('group-members').check()
  await expect(page).toHaveURL(new RegExp(`group=${LR.replace(/\./g, '\\.')}.*band=ci95.*members=1`))
  await page.reload()
  await expect(grouped).toHaveAttribute('data-groups', '2')
  await expect(grouped).toHaveAttribute('data-band', 'ci95')
  await expect(grouped).toHaveAttribute('data-ready', 'true')
  await expect(page.getByTestId('group-legend-item')).toHaveText([
    'learningRate=3e-4 (n=3)',
    'learningRate=1e-3 (n=3)',
  ])
  await expect(page.getByTestId('group-members')).toBeChecked()
  await expect(page.getByTestId('group-hint')).toContainText('95% confidence interval')
  expect(filledBands(await lossSvg(page))).toBe(2)
  await expect(page.getByTestId('loss-chart').locator('canvas').first()).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('compare-groups-en.png'), fullPage: true })

  // Side by side: a chart per group, named with its size.
  await page.getByTestId('mode-multiples').check()
  await expect(page.getByTestId('multiple')).toHaveCount(2)
  await expect(page.getByTestId('multiple').locator('h2')).toHaveText([
    'learningRate=3e-4 (n=3)',
    'learningRate=1e-3 (n=3)',
  ])
  await page.screenshot({ path: test.info().outputPath('compare-groups-multiples-en.png'), fullPage: true })
  await page.getByTestId('mode-overlay').check()

  // The report of the grouped view: its groups table and the grouped figures with the sizes in their legends.
  await page.getByTestId('export-menu').locator('summary').click()
  const report = await downloaded(page, () => page.getByTestId('export-html').click())
  expect(report.text).toContain('<section id="groups">')
  expect(report.text.match(/>learningRate=1e-3 \(n=3\)</g)).toHaveLength(2)
  expect(report.text.match(/>learningRate=3e-4 \(n=3\)</g)).toHaveLength(2)
  expect(report.text).toContain('95% confidence interval of the mean')

  // The same in Chinese.
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByTestId('group-legend-item')).toHaveText([
    'learningRate=3e-4（n=3）',
    'learningRate=1e-3（n=3）',
  ])
  await expect(page.getByTestId('group-hint')).toContainText('95% 置信区间')
  await page.screenshot({ path: test.info().outputPath('compare-groups-zh.png'), fullPage: true })
  await page.getByTestId('export-menu').locator('summary').click()
  const zh = await downloaded(page, () => page.getByTestId('export-html').click())
  expect(zh.text).toContain('<html lang="zh-CN"')
  expect(zh.text.match(/>learningRate=1e-3（n=3）</g)).toHaveLength(2)
  await page.getByTestId('language-switch').selectOption('en')
})
