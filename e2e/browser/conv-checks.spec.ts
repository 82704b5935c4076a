/**
 * A conv net as a person sets it up in the New Run form: choose the three-layer conv net, make it small
 * enough to train in seconds on the embedded Fashion-MNIST subset, run the sanity checks first (initial
 * loss, regularisation, gradient check, overfitting 50 examples) and read their numbers, then queue it,
 * wait for it to finish, and find the checks stored with the run and the first-layer filters in the
 * weight mosaic, one filterSize x filterSize tile per filter.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

/** Small: 600 images, 6 filters of 5x5, hidden 20, 2 epochs of 12 batches; adam so 50 examples overfit. */
const NUM_FILTERS = 6
const FILTER_SIZE = 5
const SETTINGS: [field: string, value: string][] = [
  ['dataset.numTraining', '600'],
  ['dataset.numValidation', '100'],
  ['dataset.numTest', '100'],
  ['model.numFilters', String(NUM_FILTERS)],
  ['model.filterSize', String(FILTER_SIZE)],
  ['model.hiddenDim', '20'],
  ['solver.optimConfig.learningRate', '1e-3'],
  ['solver.batchSize', '50'],
  ['solver.numEpochs', '2'],
  // A fixed seed: the same initialisation (and overfit run) every time.
  ['seed', '11'],
]

/** visualize_grid's layout (src-shared/mosaic.ts): ceil(sqrt(F)) tiles a row, 1 px black padding between. */
const GRID = Math.ceil(Math.sqrt(NUM_FILTERS))
const ROWS = Math.ceil(NUM_FILTERS / GRID)
const MOSAIC_WIDTH = GRID * FILTER_SIZE + (GRID - 1)
const MOSAIC_HEIGHT = ROWS * FILTER_SIZE + (ROWS - 1)

/** What each check's line has to say, with its numbers (English, as `checks.detail.*` words it). */
const DETAILS: Record<string, RegExp> = {
  'initial-loss': /^loss 2\.\d+, expected 2\.303 ± 0\.\d+$/,
  regularization: /^loss 2\.\d+ → \d+\.\d+ with reg 1$/,
  gradient: /^worst relative error \d(\.\d+)?e-\d+ \((W|b)\d\), allowed 1\.00e-5$/,
  overfit: /^100(\.0)?\s?% train accuracy on 50 examples after \d+ epochs \(at most 200\)$/,
}

/** The detail text of every check in a report, by check name. */
async function detailsOf(page: Page, container: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(DETAILS)) {
    out[name] = (
      await page.getByTestId(container).getByTestId(`sanity-${name}`).locator('.detail').innerText()
    ).trim()
  }
  return out
}

test('a small conv net: sanity checks in the form, then train it and see its filters', async ({ page }) => {
  const t0 = Date.now()
  const mark = (what: string): void => {
    test.info().annotations.push({ type: 'timing', description: `${what}: ${Date.now() - t0} ms` })
  }
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')

  // The form, as a person fills it: the conv net, then its small settings.
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await page.getByTestId('field-model.kind').selectOption('three-layer-conv')
  await expect(page.getByTestId('field-model.numFilters')).toBeVisible()
  await page.getByTestId('field-solver.updateRule').selectOption('adam')
  for (const [field, value] of SETTINGS) await page.getByTestId(`field-${field}`).fill(value)
  await page.getByTestId('field-name').fill('e2e: small conv')
  // Every value is valid: no field shows an error.
  await expect(page.locator('.field.invalid')).toHaveCount(0)

  // Sanity checks first: the button says it is busy, then the report shows, fresh and passed.
  const runChecks = page.getByTestId('run-checks')
  await runChecks.click()
  const report = page.getByTestId('sanity-section').getByTestId('sanity-checks')
  await expect(report).toBeVisible({ timeout: 30_000 })
  await expect(runChecks).toBeEnabled()
  mark('checks shown')
  await expect(page.getByTestId('sanity-stale')).toHaveCount(0)
  await expect(report).toHaveAttribute('data-passed', 'true')
  await expect(report).toContainText('All checks passed')
  await expect(report).toContainText(/seed 11 · /)
  for (const [name, detail] of Object.entries(DETAILS)) {
    const line = report.getByTestId(`sanity-${name}`)
    await expect(line).toHaveAttribute('data-passed', 'true')
    await expect(line.locator('.verdict')).toHaveText(/pass/i)
    await expect(line.locator('.detail')).toHaveText(detail)
    // No advice under a passed check.
    await expect(line.locator('.advice')).toHaveCount(0)
  }
  const checked = await detailsOf(page, 'sanity-section')
  await page.screenshot({ path: test.info().outputPath('conv-checks-form.png'), fullPage: true })

  // Queue it; the run page follows it to the end.
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  const status = page.getByTestId('run-detail-status')
  await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 30_000 })
  mark('run completed')
  await expect(page.getByTestId('run-test-acc')).toHaveText(/\d+(\.\d)?\s*%/)

  // The checks stored with the run: the very report the form showed (same seed, same numbers).
  const stored = page.getByTestId('run-checks')
  await expect(stored).toBeVisible()
  await expect(stored.getByTestId('sanity-checks')).toHaveAttribute('data-passed', 'true')
  await expect(stored).toContainText('run before queuing')
  await expect(stored).toContainText(/seed 11 · /)
  expect(await detailsOf(page, 'run-checks')).toEqual(checked)

  // The first-layer mosaic: one 5x5 tile per filter, 3 to a row, 1 px between them.
  const mosaic = page.getByTestId('mosaic-canvas')
  await mosaic.scrollIntoViewIfNeeded()
  await expect(mosaic).toBeVisible()
  await expect
    .poll(() =>
      mosaic.evaluate((c) => [
        (c as unknown as { width: number }).width,
        (c as unknown as { height: number }).height,
      ]),
    )
    .toEqual([MOSAIC_WIDTH, MOSAIC_HEIGHT])
  mark('mosaic checked')

  // The run page follows the snapshots to the last one (the final epoch's, saved before "completed").
  await expect(page.getByTestId('mosaic-epoch-label')).toHaveAttribute('data-epoch', '2')

  // Saved as a PNG, enlarged by a whole factor so each weight stays a sharp square.
  await mosaic.hover()
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.mosaic-host').getByTestId('chart-png').click(),
  ])
  expect(download.suggestedFilename()).toBe('e2e_ small conv-weights-epoch-2.png')
  const png = await readFile(await download.path())
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  const k = Math.floor(768 / Math.max(MOSAIC_WIDTH, MOSAIC_HEIGHT))
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([MOSAIC_WIDTH * k, MOSAIC_HEIGHT * k])
  await page.screenshot({ path: test.info().outputPath('conv-run-completed.png'), fullPage: true })
})
