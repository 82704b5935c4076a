/**
 * The datasets page as a person uses it in the browser mode: the list with the runs' real splits and a
 * preview grid; importing a local folder (an IDX fixture written here) by typing its path, and a broken
 * one whose loader error names the file; downloading from a local mirror (a test HTTP server here) with
 * bytes, speed and time left, cancelling, resuming with a Range request, a file whose md5 is not the
 * published one, and the mirror gone (offline); the New Run form's split and a removed dataset on the
 * run page. Screenshots in English and Chinese go to e2e/artifacts.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { idxGzFiles, startServer, testSource, type TestServer } from '../../src-main/core/datasets/testing'
import { writeIdx } from '../../src-worker/data/fixtures'
import { CHROMIUM, PORT } from '../playwright.config'
import { serveWithMirror, type DatasetServe } from './datasetServer'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

test.describe.configure({ mode: 'serial' })

const SERVE_PORT = PORT + 1
const TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'

let mirror: TestServer
let serve: DatasetServe
let work: string
let files: Record<string, Buffer>

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wb-e2e-datasets-'))
  // A small MNIST-shaped set: 3,000 training images are 2.3 MB, several seconds on a slowed link.
  files = idxGzFiles(3000, 300)
  mirror = await startServer({}, PORT + 2)
  for (const [name, data] of Object.entries(files)) {
    mirror.files.set(`tiny-digits/${name}`, data)
    // The real MNIST source through the same mirror: these bytes are not MNIST's, so its md5s fail.
    mirror.files.set(`mnist/${name}`, data)
  }
  const sources = join(work, 'sources.json')
  const tiny = {
    ...testSource('tiny-digits', 'https://example.invalid/tiny-digits/', files),
    title: 'Tiny digits (test)',
  }
  await writeFile(sources, JSON.stringify([tiny]))
  serve = await serveWithMirror(join(work, 'data'), SERVE_PORT, { mirror: mirror.url, sources })
})

test.afterAll(async () => {
  await serve?.stop()
  await mirror?.close()
})

async function openDatasets(page: Page): Promise<void> {
  await page.goto(serve.url)
  await page.getByTestId('nav-datasets').click()
  await expect(page.getByTestId('datasets-table')).toBeVisible()
}

/** A full-page screenshot from the top (a page scrolled down would show the sticky header mid-page). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: test.info().outputPath(name), fullPage: true })
}

async function language(page: Page, locale: 'en' | 'zh-CN'): Promise<void> {
  await page.getByTestId('language-switch').selectOption(locale)
  await expect(page.locator('html')).toHaveAttribute('lang', locale)
}

test('the list shows the real splits, and a preview grid of each class', async ({ page }) => {
  await openDatasets(page)
  const row = page.getByTestId('dataset-row-fashion-mnist-small')
  await expect(row.getByTestId('dataset-split')).toHaveText('5,400 / 600 / 1,000')
  await expect(row.getByTestId('dataset-origin')).toHaveText('Built in')
  await expect(row).toContainText('1×28×28')
  const grid = page.getByTestId('dataset-preview-grid')
  await expect(grid.locator('figure')).toHaveCount(10)
  await expect(grid.locator('figure').first()).toContainText('T-shirt/top')
  await expect(grid.locator('canvas').first()).toHaveAttribute('data-count', '7')
  // The canvas holds the images: not a blank box.
  const lit = await grid
    .locator('canvas')
    .first()
    .evaluate((el) => {
      const c = el as unknown as {
        width: number
        height: number
        getContext(k: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
        }
      }
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      let n = 0
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 40) n++
      return n
    })
  expect(lit).toBeGreaterThan(100)
  await expect(page.getByTestId('source-mnist')).toContainText('MNIST')
  await expect(page.getByTestId('source-cifar10')).toContainText('CIFAR-10')
  await expect(page.getByTestId('source-fashion-mnist')).toContainText('Fashion-MNIST')
  await shot(page, 'datasets-list-en.png')
  const previewCard = page.getByTestId('dataset-preview')
  await previewCard.screenshot({ path: test.info().outputPath('datasets-preview-en.png') })
  await language(page, 'zh-CN')
  await expect(row.getByTestId('dataset-origin')).toHaveText('内置')
  await shot(page, 'datasets-list-zh.png')
  await expect(previewCard).toContainText('fashion-mnist-small 的样本')
  await previewCard.screenshot({ path: test.info().outputPath('datasets-preview-zh.png') })
  await language(page, 'en')
})

test('import a local folder by typing its path; a broken one names the file and the reason', async ({
  page,
}) => {
  const folder = join(work, 'my digits')
  await writeIdx(folder, { train: 500, test: 100 })
  await openDatasets(page)
  // Main checks what is typed: relative paths and `..` are refused, a folder is described.
  await page.getByTestId('import-path').fill('my digits')
  await expect(page.locator('[data-testid="field-error-path"]')).toContainText('must be an absolute path')
  await page.getByTestId('import-path').fill(`${work}/../x`)
  await expect(page.locator('[data-testid="field-error-path"]')).toContainText("'..' segments")
  await page.getByTestId('import-path').fill(folder)
  await expect(page.getByTestId('import-found')).toContainText('IDX (MNIST): 4 files')
  await page.getByTestId('import-name').fill('my-digits')
  await page.getByTestId('import-mode-copy').check()
  await shot(page, 'datasets-import-en.png')
  await language(page, 'zh-CN')
  await expect(page.getByTestId('import-found')).toContainText('4 个文件')
  await shot(page, 'datasets-import-zh.png')
  await language(page, 'en')
  await page.getByTestId('import-submit').click()
  const job = page.getByTestId('job-my-digits')
  await expect(job.getByTestId('job-done')).toContainText('my-digits is ready: 450 / 50 / 100 images.')
  const row = page.getByTestId('dataset-row-my-digits')
  await expect(row.getByTestId('dataset-split')).toHaveText('450 / 50 / 100')
  await expect(row.getByTestId('dataset-origin')).toHaveText('Imported (copy)')

  // Names are right, contents are not: the loader's DatasetError, file and reason apart.
  const broken = join(work, 'broken')
  await writeIdx(broken, { train: 30, test: 10 })
  await writeFile(join(broken, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 99]))
  await page.getByTestId('import-path').fill(broken)
  await expect(page.getByTestId('import-found')).toBeVisible()
  await page.getByTestId('import-submit').click()
  const failed = page.getByTestId('job-broken')
  await expect(failed).toHaveAttribute('data-status', 'failed')
  await expect(failed.getByTestId('job-error-file')).toHaveText(join(broken, 't10k-labels-idx1-ubyte'))
  await expect(failed.getByTestId('job-error-reason')).toContainText('expected')
  const transfers = page.getByTestId('dataset-jobs')
  await transfers.screenshot({ path: test.info().outputPath('datasets-import-error-en.png') })
  await language(page, 'zh-CN')
  await expect(failed).toContainText('失败')
  await transfers.screenshot({ path: test.info().outputPath('datasets-import-error-zh.png') })
  await language(page, 'en')
  // Dismissed jobs stay dismissed after a reload; the imported dataset is still listed.
  await failed.getByTestId('job-dismiss').click()
  await page.reload()
  await expect(page.getByTestId('dataset-row-my-digits')).toBeVisible()
  await expect(page.getByTestId('job-broken')).toHaveCount(0)
})

test('download with progress, speed and time left; cancel; resume where it stopped', async ({ page }) => {
  // A slow link, so the transfer can be watched and cut half way.
  mirror.behaviours.set(`tiny-digits/${TRAIN_IMAGES}`, { bytesPerSecond: 400_000, times: 1 })
  await openDatasets(page)
  await page.getByTestId('download-tiny-digits').click()
  const job = page.getByTestId('job-tiny-digits')
  await expect(job.getByTestId('job-phase')).toContainText(`Downloading ${TRAIN_IMAGES}`)
  await expect(job.getByTestId('job-speed')).toHaveText(/^\d+(\.\d)? KB\/s$/, { timeout: 10_000 })
  await expect(job.getByTestId('job-eta')).toHaveText(/left$/)
  await expect(job.getByTestId('job-bytes')).toHaveText(/ of 2\.\d MB$/)
  await shot(page, 'datasets-download-en.png')
  await language(page, 'zh-CN')
  await expect(job.getByTestId('job-eta')).toHaveText(/^剩余/)
  await shot(page, 'datasets-download-zh.png')
  await language(page, 'en')

  // A reload asks main: the transfer is still there, still moving.
  await page.reload()
  await expect(page.getByTestId('job-tiny-digits').getByTestId('job-phase')).toContainText('Downloading')
  await page.getByTestId('job-tiny-digits').getByTestId('job-cancel').click()
  await expect(page.getByTestId('job-tiny-digits')).toHaveAttribute('data-status', 'cancelled')
  await expect(page.getByTestId('job-cancelled')).toContainText('kept, Resume continues from there')
  await expect(page.getByTestId('source-tiny-digits').getByTestId('source-kept')).toContainText(
    'kept from an earlier download',
  )
  const kept = mirror.requests.filter((r) => r.path === `tiny-digits/${TRAIN_IMAGES}`).length

  await page.getByTestId('download-tiny-digits').click()
  const resumed = page.getByTestId('job-tiny-digits').first()
  await expect(page.getByTestId('dataset-row-tiny-digits')).toBeVisible({ timeout: 20_000 })
  await expect(resumed.getByTestId('job-done')).toContainText(
    'tiny-digits is ready: 2,700 / 300 / 300 images.',
  )
  const requests = mirror.requests.filter((r) => r.path === `tiny-digits/${TRAIN_IMAGES}`)
  expect(requests).toHaveLength(kept + 1)
  expect(requests.at(-1)).toMatchObject({ status: 206, range: expect.stringMatching(/^bytes=[1-9]\d*-$/) })
  await expect(page.getByTestId('source-tiny-digits').getByTestId('source-installed')).toBeVisible()
})

test('a file whose md5 is not the published one is refused, naming both sums', async ({ page }) => {
  await openDatasets(page)
  await page.getByTestId('download-mnist').click()
  const job = page.getByTestId('job-mnist')
  await expect(job).toHaveAttribute('data-status', 'failed', { timeout: 20_000 })
  await expect(job.getByTestId('job-checksum')).toContainText(
    `${TRAIN_IMAGES} does not match its published checksum (md5 f68b3c2dcbeaaa9fbdd348bbdeb94873, received`,
  )
  await expect(page.getByTestId('dataset-row-mnist')).toHaveCount(0)
})

test('the New Run form shows the split; a removed dataset leaves its runs, which say so', async ({
  page,
}) => {
  await openDatasets(page)
  await page.getByTestId('nav-new-run').click()
  await page.getByTestId('field-dataset.name').selectOption('my-digits')
  await expect(page.getByTestId('dataset-split')).toHaveText(
    'Runs use 450 / 50 / 100 of its images (train / val / test), 1×28×28 each.',
  )
  await page.getByTestId('field-dataset.numTest').fill('101')
  await expect(page.getByTestId('field-error-dataset.numTest')).toHaveText(
    'my-digits has 100 test images, fewer than 101.',
  )
  await page.getByTestId('field-dataset.numTest').fill('')
  await page.getByTestId('field-solver.numEpochs').fill('1')
  await page.getByTestId('field-name').fill('e2e: on my-digits')
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  const runUrl = page.url()
  await expect(page.getByTestId('run-detail-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 45_000,
  })

  await page.getByTestId('nav-datasets').click()
  await page.getByTestId('remove-my-digits').click()
  await expect(page.getByTestId('confirm-remove-my-digits')).toContainText(
    'One run trained on it: it keeps its record.',
  )
  await page.getByTestId('confirm-remove').click()
  await expect(page.getByTestId('dataset-row-my-digits')).toHaveCount(0)

  await page.goto(runUrl)
  await expect(page.getByTestId('dataset-gone')).toContainText(
    'The dataset my-digits this run trained on has been removed',
  )
  await expect(page.getByTestId('run-detail-status')).toHaveAttribute('data-status', 'completed')
})

test('with the mirror unreachable, the download says it is offline and keeps nothing half-placed', async ({
  page,
}) => {
  await mirror.close()
  await openDatasets(page)
  await page.getByTestId('download-fashion-mnist').click()
  const job = page.getByTestId('job-fashion-mnist')
  // While it retries it already says why.
  await expect(job.getByTestId('job-retry')).toContainText(
    `Cannot reach 127.0.0.1:${new URL(mirror.url).port}: are you offline?`,
  )
  await expect(job).toHaveAttribute('data-status', 'failed', { timeout: 40_000 })
  await expect(job.getByTestId('job-offline')).toContainText('You seem to be offline')
  await expect(job.getByTestId('job-resume')).toBeVisible()
  await shot(page, 'datasets-offline-en.png')
  await language(page, 'zh-CN')
  await expect(job.getByTestId('job-offline')).toContainText('离线')
  await shot(page, 'datasets-offline-zh.png')
  await expect(page.getByTestId('dataset-row-fashion-mnist')).toHaveCount(0)
})
