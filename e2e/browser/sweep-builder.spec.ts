/**
 * A sweep built with the form, as a person would: the base from the Single run tab (a small fc net), a
 * learning rate on a log range and a list of hidden sizes, random search with samples and a seed. The
 * preview is checked before anything is queued, the JSON view is opened and left without losing anything,
 * and the queued runs are found in the experiments table and the sweep view. Screenshots of the builder in
 * English and Chinese go to e2e/artifacts.
 */
import { existsSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const LR = 'solver.optimConfig.learningRate'
const HIDDEN = [[40], [60, 30]]

/** Every control of the builder and what it holds. */
async function snapshot(page: Page): Promise<string[]> {
  return page
    .getByTestId('sweep-builder')
    .locator('input, select')
    .evaluateAll((els) =>
      els.map((el) => {
        const e = el as unknown as {
          dataset: Record<string, string>
          type: string
          checked: boolean
          value: string
        }
        return `${e.dataset['testid'] ?? ''}=${e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value}`
      }),
    )
}

/** The whole page in one tall window: a full-page capture would draw the sticky header mid-page. */
async function pageShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()
  // Read in the page (node types know no DOM).
  const height = await page
    .locator('html')
    .evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight)
  await page.setViewportSize({ width: size?.width ?? 1280, height })
  await page.screenshot({ path: test.info().outputPath(name) })
  if (size) await page.setViewportSize(size)
}

test('build a sweep with the form, check its preview, round-trip it through JSON, queue it, find its runs', async ({
  page,
}) => {
  test.setTimeout(120_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')

  // The base: a small fc net from the Single run tab, quick to train.
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('field-model.kind').selectOption('fc')
  await page.getByTestId('field-dataset.numTraining').fill('1000')
  await page.getByTestId('field-dataset.numValidation').fill('200')
  await page.getByTestId('field-dataset.numTest').fill('200')
  await page.getByTestId('field-solver.numEpochs').fill('2')

  await page.getByTestId('tab-sweep').click()
  await expect(page.getByTestId('sweep-builder')).toBeVisible()
  await page.getByTestId('sweep-base-source').selectOption('run-form')
  await expect(page.getByTestId('sweep-base-fields').locator('[data-path="model.kind"] dd')).toHaveText(
    'Fully connected net',
  )
  // The example's params go; ours come in.
  while ((await page.getByTestId('sweep-param-0-remove').count()) > 0)
    await page.getByTestId('sweep-param-0-remove').click()
  await page.getByTestId('sweep-field-name').fill('e2e-builder')
  await page.getByTestId('sweep-add-param').selectOption(LR)
  await expect(page.getByTestId('sweep-param-0-scale')).toHaveValue('log')
  await page.getByTestId('sweep-param-0-min').fill('1e-4')
  await page.getByTestId('sweep-param-0-max').fill('1e-2')
  await page.getByTestId('sweep-add-param').selectOption('model.hiddenDims')
  await page.getByTestId('sweep-param-1-values').fill('40; 60, 30')
  await page.getByTestId('sweep-method-random').check()
  await page.getByTestId('sweep-field-samples').fill('4')
  await page.getByTestId('sweep-field-seed').fill('2')

  // The preview, before anything is queued: four runs, each with a learning rate in range and a listed size.
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '4')
  await expect(page.getByTestId('sweep-count')).toHaveText('Creates 4 runs')
  const runs = page.getByTestId('sweep-preview-run')
  await expect(runs).toHaveCount(4)
  const hiddenShown = await runs.locator('td[data-path="model.hiddenDims"]').allInnerTexts()
  expect(hiddenShown.every((h) => ['40', '60, 30'].includes(h))).toBe(true)
  // Seed 2 draws both sizes (the draws depend on the seed alone, so this is fixed).
  expect(new Set(hiddenShown).size).toBe(2)
  for (const lr of await runs.locator(`td[data-path="${LR}"]`).allInnerTexts()) {
    expect(Number(lr)).toBeGreaterThanOrEqual(1e-4)
    expect(Number(lr)).toBeLessThanOrEqual(1e-2)
  }
  await expect(page.getByRole('alert')).toHaveCount(0)
  await page.getByTestId('sweep-builder').screenshot({ path: test.info().outputPath('sweep-builder-en.png') })
  await pageShot(page, 'sweep-builder-page-en.png')

  // To JSON and back: the spec is what the form says, and the form comes back unchanged.
  const before = await snapshot(page)
  await page.getByTestId('sweep-view-json').click()
  const spec = JSON.parse(await page.getByTestId('sweep-editor').inputValue()) as {
    name: string
    method: string
    samples: number
    seed: number
    base: { model: { kind: string }; solver: { numEpochs: number } }
    params: Record<string, unknown>
  }
  expect(spec).toMatchObject({ name: 'e2e-builder', method: 'random', samples: 4, seed: 2 })
  expect(spec.base.model.kind).toBe('fc')
  expect(spec.base.solver.numEpochs).toBe(2)
  expect(spec.params).toEqual({
    [LR]: { min: 1e-4, max: 1e-2, scale: 'log' },
    'model.hiddenDims': { values: HIDDEN },
  })
  // An edit in JSON that only re-lays it out rebuilds the form from it: still the same form.
  await page.getByTestId('sweep-editor').fill(JSON.stringify(spec))
  await page.getByTestId('sweep-view-form').click()
  expect(await snapshot(page)).toEqual(before)
  await expect(page.getByTestId('sweep-count')).toHaveAttribute('data-count', '4')

  // Queue it: its runs are in the experiments table...
  await page.getByTestId('submit-sweep').click()
  await expect(page).toHaveURL(/#\/experiments/)
  const rows = page.getByTestId('run-row')
  await expect(rows).toHaveCount(4)
  await expect(rows.first()).toContainText('e2e-builder #')
  // ... and in the sweep view, which reads the same params.
  await page.getByTestId('run-sweep-link').first().click()
  await expect(page).toHaveURL(/#\/sweeps\/sweep-/)
  await expect(page.getByTestId('sweep-name')).toHaveText('e2e-builder')
  await expect(page.getByTestId('sweep-finished')).toHaveText('4 of 4 runs finished', { timeout: 90_000 })
  await expect(page.getByTestId('sweep-top-row')).toHaveCount(4)
  await expect(page.getByTestId('sweep-scatter')).toHaveCount(2)

  // The builder in Chinese, with a problem shown next to its field.
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('tab-sweep').click()
  await expect(page.getByTestId('sweep-builder')).toBeVisible()
  await expect(page.getByTestId('sweep-view-form')).toHaveText('表单')
  await page.getByTestId('sweep-builder').screenshot({ path: test.info().outputPath('sweep-builder-zh.png') })
  await page.getByTestId('sweep-param-1-min').fill('-1')
  await expect(page.getByTestId('sweep-error-param.1.min')).toHaveText('对数刻度下必须大于 0')
  await expect(page.getByTestId('sweep-preview-blocked')).toBeVisible()
  await expect(page.getByTestId('submit-sweep')).toBeDisabled()
  await pageShot(page, 'sweep-builder-page-zh.png')
})
