/**
 * Tidying runs in the browser mode, as a person does it after an afternoon of experiments: delete runs
 * (a row's button, the Delete key on a selection) and undo it; find them in the Trash view and restore
 * one or delete it for good; rename, tag and annotate a run on its page; tag and archive runs in bulk from
 * the table, and find archived runs again with the filter. Edits show up live in a second window, and
 * an edit made with the CLI in a terminal reaches the open app too. Screenshots of the Trash view and the
 * edited run page in English and Chinese are kept in e2e/artifacts. Every run the test makes is deleted
 * for good at the end, so the other specs see the folder as it was.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const ROOT = resolve(__dirname, '..', '..')
const DATA = process.env['E2E_DATA_DIR']!

/** The built CLI on the served data folder, as a person in a terminal would run it. */
function cli(...args: string[]): string {
  return execFileSync(process.execPath, ['out/main/cli.js', ...args, '--data-dir', DATA], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WORKBENCH_TOKEN: '' },
  })
}

/** A real (tiny) run trained by the CLI in its own process: real curves and results on its page. */
function trainRun(name: string, tags: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'wb-e2e-manage-'))
  const file = join(dir, 'run.json')
  writeFileSync(
    file,
    JSON.stringify({
      name,
      tags,
      dataset: { name: 'fashion-mnist-small', numTraining: 1000, numValidation: 200, numTest: 200 },
      model: { kind: 'two-layer', hiddenDim: 50 },
      solver: { optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95, batchSize: 100, numEpochs: 4 },
      seed: 231,
    }),
  )
  return (JSON.parse(cli('run', file, '--json')) as { id: string }).id
}

const made: string[] = []
test.afterAll(() => {
  // Whatever is left of the test's runs, wherever it is: deleted for good.
  const live = made.filter((id) => existsSync(join(DATA, 'runs', id)))
  if (live.length > 0) cli('rm', ...live)
  const trashed = made.filter((id) => existsSync(join(DATA, 'trash', id)))
  if (trashed.length > 0) cli('purge', ...trashed)
})

const row = (page: Page, id: string) => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`)

async function openApp(page: Page): Promise<void> {
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')
  await expect(page.getByTestId('runs-table')).toBeVisible()
}

test('delete and undo; delete with the Delete key; restore and delete forever in the Trash view', async ({
  page,
}) => {
  const a = trainRun('e2e manage: alpha')
  const b = trainRun('e2e manage: beta')
  const c = trainRun('e2e manage: gamma')
  made.push(a, b, c)
  await openApp(page)
  await expect(row(page, a)).toBeVisible()

  // One row's delete button, then Undo on the notice.
  await row(page, a).getByTestId('row-delete').click()
  await expect(row(page, a)).toHaveCount(0)
  const notice = page.getByTestId('notice').filter({ hasText: 'Moved 1 run to the trash.' })
  await expect(notice).toBeVisible()
  expect(existsSync(join(DATA, 'trash', a, 'run.json'))).toBe(true)
  await notice.getByTestId('notice-action').click()
  await expect(row(page, a).getByTestId('run-link')).toHaveText('e2e manage: alpha')
  expect(existsSync(join(DATA, 'runs', a, 'run.json'))).toBe(true)

  // A selection and the Delete key.
  await row(page, b).getByTestId('run-select').check()
  await row(page, c).getByTestId('run-select').check()
  await page.keyboard.press('Delete')
  await expect(row(page, b)).toHaveCount(0)
  await expect(row(page, c)).toHaveCount(0)
  await expect(page.getByTestId('notice').filter({ hasText: 'Moved 2 runs to the trash.' })).toBeVisible()
  await expect(page.getByTestId('trash-link')).toHaveText(/Trash \(\d+\)/)

  // The Trash view lists them, most recently deleted first.
  await page.getByTestId('trash-link').click()
  await expect(page).toHaveURL(/#\/trash$/)
  const trashRow = (id: string) => page.locator(`[data-testid="trash-row"][data-run-id="${id}"]`)
  await expect(trashRow(b).getByTestId('trash-name')).toHaveText('e2e manage: beta')
  await expect(trashRow(c).getByTestId('trash-name')).toHaveText('e2e manage: gamma')
  await expect(trashRow(b)).toContainText('Completed')
  await page.screenshot({ path: test.info().outputPath('trash-en.png'), fullPage: true })
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('回收站')
  await expect(trashRow(b).getByTestId('trash-restore')).toHaveText('恢复')
  await page.screenshot({ path: test.info().outputPath('trash-zh-CN.png'), fullPage: true })
  await page.getByTestId('language-switch').selectOption('en')

  // Restore one; delete the other for good (after saying what that means).
  await trashRow(b).getByTestId('trash-restore').click()
  await expect(trashRow(b)).toHaveCount(0)
  await trashRow(c).getByTestId('trash-purge').click()
  const dialog = page.getByTestId('confirm-dialog')
  await expect(dialog).toContainText('“e2e manage: gamma” is deleted for good')
  await dialog.getByTestId('confirm-yes').click()
  await expect(trashRow(c)).toHaveCount(0)
  expect(existsSync(join(DATA, 'trash', c))).toBe(false)
  expect(existsSync(join(DATA, 'runs', c))).toBe(false)

  await page.getByText('All experiments').click()
  await expect(row(page, b).getByTestId('run-link')).toHaveText('e2e manage: beta')
  await expect(row(page, c)).toHaveCount(0)
})

test('rename, tag and note a run on its page; edits show live in another window and come from the CLI', async ({
  page,
  context,
}) => {
  const id = trainRun('e2e manage: to edit', ['draft'])
  made.push(id)
  await openApp(page)
  const other = await context.newPage()
  await openApp(other)
  await expect(row(other, id)).toBeVisible()

  await row(page, id).getByTestId('run-link').click()
  await expect(page.getByTestId('run-detail-status')).toHaveAttribute('data-status', 'completed')

  // Rename in place.
  await page.getByTestId('rename-button').click()
  await page.getByTestId('rename-input').fill('lr 1e-3, hidden 50: baseline')
  await page.getByTestId('rename-input').press('Enter')
  await expect(page.getByTestId('run-detail-name')).toHaveText('lr 1e-3, hidden 50: baseline')

  // Tags: one removed, two added.
  await page.locator('[data-tag="draft"]').getByTestId('run-tag-remove').click()
  await expect(page.locator('[data-tag="draft"]')).toHaveCount(0)
  // The tag field stays open for the next one.
  await page.getByTestId('run-tag-add').click()
  for (const tag of ['baseline', 'fashion']) {
    await page.getByTestId('run-tag-input').fill(tag)
    await page.getByTestId('run-tag-input').press('Enter')
    await expect(page.locator(`[data-tag="${tag}"]`)).toBeVisible()
  }

  // Multi-line notes.
  await page.getByTestId('notes-edit').click()
  await page
    .getByTestId('notes-input')
    .fill('Loss falls steadily; no sign of overfitting yet.\nNext: lr 3e-3 and 10 epochs.')
  await page.getByTestId('notes-save').click()
  await expect(page.getByTestId('notes-text')).toHaveText(
    'Loss falls steadily; no sign of overfitting yet.\nNext: lr 3e-3 and 10 epochs.',
  )

  // The other window saw every edit without a reload.
  await expect(row(other, id).getByTestId('run-link')).toHaveText('lr 1e-3, hidden 50: baseline')
  await expect(row(other, id).getByTestId('run-tags')).toHaveText(/baseline\s*fashion/)

  // Stored in the run's meta.json, and still there after a reload.
  const meta = JSON.parse(await readFile(join(DATA, 'runs', id, 'meta.json'), 'utf8')) as Record<
    string,
    unknown
  >
  expect(meta).toMatchObject({ name: 'lr 1e-3, hidden 50: baseline', tags: ['baseline', 'fashion'] })
  await page.reload()
  await expect(page.getByTestId('run-detail-name')).toHaveText('lr 1e-3, hidden 50: baseline')
  await expect(page.getByTestId('notes-text')).toContainText('Next: lr 3e-3 and 10 epochs.')
  await page.screenshot({ path: test.info().outputPath('run-edited-en.png'), fullPage: true })
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByTestId('run-notes').getByRole('heading')).toHaveText('备注')
  await page.screenshot({ path: test.info().outputPath('run-edited-zh-CN.png'), fullPage: true })
  await page.getByTestId('language-switch').selectOption('en')

  // A rename in a terminal (another process) reaches the open page by itself.
  cli('rename', id, 'renamed from the CLI')
  await expect(page.getByTestId('run-detail-name')).toHaveText('renamed from the CLI', { timeout: 10_000 })
  await expect(row(other, id).getByTestId('run-link')).toHaveText('renamed from the CLI', { timeout: 10_000 })
  await other.close()
})

test('tag and archive in bulk from the table; the filter shows archived runs', async ({ page }) => {
  const a = trainRun('e2e manage: bulk one')
  const b = trainRun('e2e manage: bulk two')
  made.push(a, b)
  await openApp(page)
  const filter = page.getByTestId('runs-filter')
  await filter.fill('e2e manage: bulk')
  await expect(page.getByTestId('run-row')).toHaveCount(2)

  await page.getByTestId('select-all').check()
  await expect(page.getByTestId('bulk-actions')).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('experiments-bulk-en.png') })
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(page.getByTestId('bulk-delete')).toHaveText('删除')
  await page.screenshot({ path: test.info().outputPath('experiments-bulk-zh-CN.png') })
  await page.getByTestId('language-switch').selectOption('en')
  await page.getByTestId('bulk-tag-input').fill('sweep-candidates')
  await page.getByTestId('bulk-tag-add').click()
  await expect(row(page, a).getByTestId('run-tags')).toContainText('sweep-candidates')
  await expect(row(page, b).getByTestId('run-tags')).toContainText('sweep-candidates')

  // Archive both: hidden from the default table.
  await page.getByTestId('bulk-archive').click()
  await expect(page.getByTestId('run-row')).toHaveCount(0)
  await expect(page.getByTestId('notice').filter({ hasText: 'Archived 2 runs.' })).toBeVisible()

  // The filter shows them, marked, alone or with the others.
  const archived = page.getByTestId('filter-archived')
  await archived.selectOption('only')
  await expect(page.getByTestId('run-row')).toHaveCount(2)
  await expect(row(page, a).getByTestId('run-archived')).toHaveText('Archived')
  await filter.fill('')
  await expect(page.getByTestId('run-row').filter({ has: page.getByTestId('run-archived') })).toHaveCount(
    await page.getByTestId('run-row').count(),
  )
  await archived.selectOption('show')
  await filter.fill('e2e manage: bulk')
  await expect(page.getByTestId('run-row')).toHaveCount(2)

  // Unarchive one from the table: back in the default view.
  await page.getByTestId('select-all').uncheck()
  await row(page, a).getByTestId('run-select').check()
  await page.getByTestId('bulk-unarchive').click()
  await expect(row(page, a).getByTestId('run-archived')).toHaveCount(0)
  await archived.selectOption('hide')
  await expect(page.getByTestId('run-row')).toHaveCount(1)
  await expect(row(page, a)).toBeVisible()
  const ls = JSON.parse(cli('ls', '--json', '--all')) as { id: string; archived: boolean; tags: string[] }[]
  expect(ls.find((r) => r.id === b)).toMatchObject({ archived: true, tags: ['sweep-candidates'] })
  expect(ls.find((r) => r.id === a)).toMatchObject({ archived: false })
})
