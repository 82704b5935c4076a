/**
 * The whole loop as a person does it in the browser mode: open the app, queue a run on the embedded
 * dataset from the form, watch its loss curve grow and its accuracy fill in, look at the weight mosaic,
 * and cancel a run waiting in the queue. Assertions are on what is on screen; screenshots are kept in
 * e2e/artifacts.
 */
import { existsSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

async function progressOf(page: Page): Promise<number> {
  return Number((await page.getByTestId('run-detail-status').getAttribute('data-iteration')) ?? 0)
}

async function newRun(page: Page, name: string, epochs: number): Promise<string> {
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await page.getByTestId('field-name').fill(name)
  await page.getByTestId('field-solver.numEpochs').fill(String(epochs))
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  return /#\/runs\/([0-9a-z-]+)/.exec(page.url())![1]!
}

test('queue a run from the form, watch it train, inspect it', async ({ page }) => {
  await page.goto(`/#token=${TOKEN}`)
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('experiments-empty.png') })

  // A run long enough to be watched on any machine (the engine trains the embedded set fast): the loss
  // curve grows while it trains; then it is stopped from its own page.
  await newRun(page, 'e2e: seed two-layer, watched', 5000)
  const status = page.getByTestId('run-detail-status')
  await expect(status).toHaveAttribute('data-status', /queued|running/)
  await expect.poll(() => progressOf(page), { timeout: 20_000 }).toBeGreaterThan(0)
  const early = await progressOf(page)
  await expect.poll(() => progressOf(page), { timeout: 20_000 }).toBeGreaterThan(early)
  await expect(page.getByTestId('loss-chart').locator('canvas').first()).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('run-training.png') })
  await expect(async () => {
    await page.getByTestId('cancel-button').first().dispatchEvent('click')
    await expect(status).toHaveAttribute('data-status', 'cancelled', { timeout: 3_000 })
  }).toPass({ timeout: 30_000 })

  // A short one, trained to the end and inspected.
  await newRun(page, 'e2e: seed two-layer', 20)

  await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 45_000 })
  // Accuracy filled in: the results show percentages and the confusion matrix is there.
  await expect(page.getByTestId('run-test-acc')).toHaveText(/\d+(\.\d)?\s*%/)
  await expect(page.getByTestId('confusion-matrix')).toBeVisible()
  await expect(page.getByTestId('acc-chart').locator('canvas').first()).toBeVisible()

  // The first-layer weight mosaic, with a scrubber over the saved epochs.
  const mosaic = page.getByTestId('mosaic-canvas')
  await mosaic.scrollIntoViewIfNeeded()
  await expect(mosaic).toBeVisible()
  // The canvas's drawing size, read in the page (node types know no DOM).
  const size = await mosaic.evaluate((c) => [
    (c as unknown as { width: number }).width,
    (c as unknown as { height: number }).height,
  ])
  expect(size[0]).toBeGreaterThan(28)
  await expect(page.getByTestId('mosaic-epoch')).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('run-completed.png'), fullPage: true })
})

test('cancel a run waiting in the queue', async ({ page }) => {
  await page.goto(`/#token=${TOKEN}`)
  // One training thread (the server runs with --threads 1): the second run has to wait.
  const first = await newRun(page, 'e2e: long run', 5000)
  const second = await newRun(page, 'e2e: waiting run', 10)
  await page.getByTestId('nav-experiments').click()
  const queued = page.locator(`[data-testid="queue-queued"][data-run-id="${second}"]`)
  await expect(queued).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('queue.png') })
  // Live progress keeps re-rendering the queue rows: click, and click again if a re-render swallowed it.
  const row = page.getByTestId('run-row').filter({ hasText: 'e2e: waiting run' })
  await expect(async () => {
    if ((await queued.count()) > 0) await queued.getByTestId('cancel-button').dispatchEvent('click')
    await expect(row.getByTestId('run-status')).toHaveText(/cancel/i, { timeout: 2_000 })
  }).toPass({ timeout: 30_000 })
  await expect(queued).toHaveCount(0)

  // And stop the long one too, from the running list.
  const running = page.locator(`[data-testid="queue-running"][data-run-id="${first}"]`)
  const longRow = page.getByTestId('run-row').filter({ hasText: 'e2e: long run' })
  await expect(async () => {
    if ((await running.count()) > 0) await running.getByTestId('cancel-button').dispatchEvent('click')
    await expect(longRow.getByTestId('run-status')).toHaveText(/cancel/i, { timeout: 3_000 })
  }).toPass({ timeout: 40_000 })
  await page.screenshot({ path: test.info().outputPath('cancelled.png') })
})
