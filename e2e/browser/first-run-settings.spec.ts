/**
 * Issue 17 in the browser mode: a fresh data folder opens on the first-run screen, which says where data
 * lives and leads to the embedded dataset, an import or a download; the Settings page saves threads and a
 * memory budget to the settings file (main refuses a bad budget by name), which `serve` applies when it
 * starts again; a dismissed first-run screen stays away. Screenshots in English and Chinese go to
 * e2e/artifacts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM } from '../playwright.config'
import { newDataDir, serve, type ServeProcess } from './servers'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

test.describe.configure({ mode: 'serial' })

let dataDir: string
let configDir: string
let server: ServeProcess | null = null

const start = async (): Promise<ServeProcess> =>
  (server = await serve(dataDir, ['--port', '0'], { WORKBENCH_CONFIG_DIR: configDir }))

test.beforeAll(async () => {
  dataDir = newDataDir()
  configDir = mkdtempSync(join(tmpdir(), 'wb-e2e-config-'))
  await start()
})

test.afterAll(async () => {
  await server?.stop()
})

async function language(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  await page.getByTestId('language-switch').selectOption(locale)
  await expect(page.locator('html')).toHaveAttribute('lang', locale)
}

test('a fresh data folder opens on the first-run screen, which says where data lives', async ({ page }) => {
  await page.goto(server!.url)
  await expect(page.getByTestId('first-run')).toBeVisible()
  await expect(page).toHaveURL(/#\/welcome$/)
  await expect(page.getByTestId('first-run-path')).toHaveText(dataDir)
  await expect(page.getByTestId('first-run-data-dir')).toContainText('--data-dir')
  await page.screenshot({ path: test.info().outputPath('first-run-en.png'), fullPage: true })
  await language(page, 'zh-CN')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('欢迎使用 Workbench')
  await page.screenshot({ path: test.info().outputPath('first-run-zh.png'), fullPage: true })
  await language(page, 'en')

  // Its links: the Datasets page's import form, its downloads, and the New Run form on the embedded set.
  await page.getByTestId('first-run-import').click()
  await expect(page).toHaveURL(/#\/datasets\?add=import$/)
  await expect(page.getByTestId('datasets-add-import')).toBeInViewport()
  await expect(page.getByTestId('import-path')).toBeFocused()
  await page.goBack()
  await page.getByTestId('first-run-download').click()
  await expect(page.getByTestId('datasets-add-download')).toBeInViewport()
  await page.goBack()
  await page.getByTestId('first-run-embedded').click()
  await expect(page).toHaveURL(/#\/new$/)
  await expect(page.locator('[id="f-dataset.name"]')).toHaveValue('fashion-mnist-small')
})

test('the Settings page saves threads and a budget; main refuses a bad budget by name', async ({ page }) => {
  await page.goto(server!.url)
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('settings')).toBeVisible()
  await expect(page.getByTestId('settings-data-dir-now')).toHaveText(dataDir)
  await expect(page.getByTestId('settings-data-dir-browser')).toContainText('--data-dir')
  // serve was started with --threads 1: that decides until it is left out.
  await expect(page.getByTestId('settings-threads')).toContainText('--threads decides this for now')

  await page.getByTestId('settings-memory-input').fill('lots')
  await page.getByTestId('settings-memory-save').click()
  await expect(page.getByTestId('field-error-memoryBudget')).toContainText("got 'lots'")
  await page.getByTestId('settings-memory-input').fill('1GB')
  await page.getByTestId('settings-memory-save').click()
  await expect(page.getByTestId('field-error-memoryBudget')).toHaveCount(0)
  await expect(page.getByTestId('settings-restart')).toContainText('memory budget')
  await page.getByTestId('settings-threads-input').fill('2')
  await page.getByTestId('settings-threads-save').click()
  await expect
    .poll(() => JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8')) as unknown)
    .toEqual({ maxThreads: 2, memoryBudget: '1GB' })
  await page.screenshot({ path: test.info().outputPath('settings-en.png'), fullPage: true })
  await language(page, 'zh-CN')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('设置')
  await page.screenshot({ path: test.info().outputPath('settings-zh.png'), fullPage: true })
  await language(page, 'en')
})

test('serve applies the saved budget when it starts again; a dismissed first-run screen stays away', async ({
  page,
}) => {
  await server!.stop()
  await start()
  await page.goto(server!.url)
  await expect(page.getByTestId('first-run')).toBeVisible()
  await page.getByTestId('first-run-dismiss').click()
  await expect(page).toHaveURL(/#\/experiments$/)
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('settings-memory')).toContainText('Now: 1 GB')
  await expect(page.getByTestId('settings-restart')).toHaveCount(0)
  // A fresh start of the app in a new tab (not a hash change in this one): the landing page stays.
  const fresh = await page.context().newPage()
  const frames: string[] = []
  fresh.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))))
  await fresh.goto(server!.url)
  // The app asked whether the first-run screen is due and was told no; only then is the URL telling.
  await expect.poll(() => frames.some((f) => f.includes('"firstRun":false'))).toBe(true)
  await expect(fresh.getByTestId('nav-settings')).toBeVisible()
  await expect(fresh).toHaveURL(/#\/experiments$/)
  await expect(fresh.getByTestId('first-run')).toHaveCount(0)
  await fresh.close()
  expect(JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8'))).toMatchObject({
    firstRunDismissed: true,
  })
})
