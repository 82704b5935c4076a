/**
 * A hand-damaged run.json in the data folder, as the issue measured it (valid JSON without
 * config.dataset): the Experiments page lists the other runs as ever and the damaged one as a row with
 * a red "corrupt" badge, its reason and its file, instead of staying on "Loading runs…". The test's own
 * run folders are removed at the end, so the other specs see the folder as it was.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { RunStore } from '../../src-main/core/store/runStore'
import { makeRecord } from '../../src-main/core/store/testing'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

test('a damaged run.json shows as a corrupt row; the other runs are listed as ever', async ({ page }) => {
  const store = new RunStore(process.env['E2E_DATA_DIR']!)
  const good = await store.create(
    makeRecord({ status: 'completed', config: { ...makeRecord().config, name: 'e2e intact' } }),
  )
  const damaged = await store.create(
    makeRecord({ status: 'completed', config: { ...makeRecord().config, name: 'e2e damaged' } }),
  )
  const file = join(store.runDir(damaged.id), 'run.json')
  const raw = JSON.parse(await readFile(file, 'utf8')) as { config: Record<string, unknown> }
  delete raw.config.dataset
  await writeFile(file, JSON.stringify(raw, null, 2))
  try {
    await page.goto(`/#token=${TOKEN}`)
    await page.getByTestId('language-switch').selectOption('en')
    const intact = page.locator(`[data-testid="run-row"][data-run-id="${good.id}"]`)
    await expect(intact.getByTestId('run-link')).toHaveText('e2e intact')
    const row = page.locator(`[data-testid="run-row"][data-run-id="${damaged.id}"]`)
    const badge = row.getByTestId('run-status')
    await expect(badge).toHaveAttribute('data-status', 'corrupt')
    await expect(badge).toHaveText('Corrupt')
    await expect(badge).toHaveAttribute(
      'title',
      new RegExp(`^config\\.dataset: .* \\(in ${file.replace(/[.\\/]/g, '\\$&')}\\)$`),
    )
    await expect(row.getByTestId('run-corrupt-name')).toHaveText('e2e damaged')
    await expect(row.getByTestId('run-corrupt-reason')).toContainText('Cannot be read: config.dataset:')
    await expect(row.getByTestId('run-select')).toBeDisabled()
    await expect(page.getByText('Loading runs…')).toHaveCount(0)
    await row.scrollIntoViewIfNeeded()
    await page.screenshot({ path: test.info().outputPath('experiments-corrupt-row.png') })
  } finally {
    await store.remove(good.id)
    await store.remove(damaged.id)
  }
})
