/**
 * While it trains, as a person sees it in the browser mode: a run's iterations per second and time left
 * on its page and in the queue panel, the whole queue's; and a run that really diverges (sgd at a
 * learning rate of 1e6 on the embedded dataset): its page draws the finite curve it had with the point
 * where the loss left the finite range marked, says what happened in a sentence (English and Chinese),
 * offers a new run with a ten times lower learning rate instead of a resume, and exports its summary.
 * Screenshots of both pages in both languages are kept in e2e/artifacts.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { expect, test, type Page } from '@playwright/test'
import { PNG } from 'pngjs'
import { parseCsv } from '../../src-main/core/export/metrics'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

/** A duration as the UI writes it in English: 850ms, 42s, 3m 05s, 1h 02m. */
const DURATION = String.raw`(\d+ms|\d+s|\d+m \d+s|\d+h \d+m)`

/** The speed test's runs: 400 epochs of 270 batches of 20 (the embedded dataset's 5,400 training rows). */
const EPOCHS = 400
const ITERATIONS_PER_EPOCH = 270

async function newRun(page: Page, name: string, fields: Record<string, string>): Promise<string> {
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await page.getByTestId('field-name').fill(name)
  for (const [path, value] of Object.entries(fields)) await page.getByTestId(`field-${path}`).fill(value)
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  return /#\/runs\/([0-9a-z-]+)/.exec(page.url())![1]!
}

/** The page from its top (the header hides nothing of the run's title in the screenshot). */
async function shoot(page: Page, name: string): Promise<void> {
  // (Evaluated in the page; node's types know no window.)
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  )
  await page.screenshot({ path: test.info().outputPath(name), fullPage: true })
}

test('a training run shows its it/s and time left, in the queue panel too, with the whole queue’s', async ({
  page,
}) => {
  test.setTimeout(120_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')
  // A wide net in small batches, for far longer than the test lasts: a fast machine (a few hundred
  // iterations a second) must not finish it before the queue panel is read.
  const slow = {
    'model.hiddenDim': '2000',
    'solver.batchSize': '20',
    'solver.numEpochs': String(EPOCHS),
  }
  const first = await newRun(page, 'e2e: speed', slow)
  // One training thread (the server runs with --threads 1): the second waits, with an estimate.
  const second = await newRun(page, 'e2e: speed, waiting', slow)
  try {
    await page.goto(`/#/runs/${first}`)
    const speed = page.getByTestId('run-speed')
    await expect(speed).toHaveText(new RegExp(`^[\\d,.]+ it/s · ${DURATION} left$`), { timeout: 30_000 })
    const rate = Number(await speed.getAttribute('data-rate'))
    const left = Number(await speed.getAttribute('data-left-ms'))
    expect(rate).toBeGreaterThan(0)
    // The time left is what the remaining iterations take at that rate (give or take the updates since).
    const iteration = Number(await page.getByTestId('run-detail-status').getAttribute('data-iteration'))
    expect(left).toBeGreaterThan(0)
    expect(left).toBeLessThan(((EPOCHS * ITERATIONS_PER_EPOCH - iteration) / rate) * 1000 * 1.5)
    await shoot(page, 'run-training-speed-en.png')
    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(speed).toHaveText(/^[\d,.]+ 次迭代\/秒 · 剩余 .+$/)
    await shoot(page, 'run-training-speed-zh.png')
    await page.getByTestId('language-switch').selectOption('en')

    await page.getByTestId('nav-experiments').click()
    const running = page.locator(`[data-testid="queue-running"][data-run-id="${first}"]`)
    await expect(running.getByTestId('run-speed')).toHaveText(/it\/s · .+ left/)
    const waiting = page.locator(`[data-testid="queue-queued"][data-run-id="${second}"]`)
    // The same net: estimated at the speed of the one training.
    await expect(waiting.getByTestId('run-speed')).toHaveText(new RegExp(`^about ${DURATION}$`))
    const total = page.getByTestId('queue-eta')
    await expect(total).toHaveText(/^All done in about .+, around .+$/)
    // One thread: what is left of the first, then all of the second.
    // The three read in one go (in the page), so a progress update between reads cannot skew them; and
    // polled, since one update may land while the panel re-renders.
    const firstId = first
    const secondId = second
    await expect
      .poll(() =>
        page.evaluate(
          ([a, b]) => {
            // The node-typed test code knows no DOM: the one call it needs, typed here.
            const doc = (
              globalThis as unknown as {
                document: { querySelector(s: string): { getAttribute(a: string): string | null } | null }
              }
            ).document
            const num = (sel: string, attr: string) =>
              Number(doc.querySelector(sel)?.getAttribute(attr) ?? NaN)
            const queueMs = num('[data-testid="queue-eta"]', 'data-ms')
            const firstLeft = num(
              `[data-testid="queue-running"][data-run-id="${a}"] [data-testid="run-speed"]`,
              'data-left-ms',
            )
            const secondTakes = num(
              `[data-testid="queue-queued"][data-run-id="${b}"] [data-testid="run-speed"]`,
              'data-left-ms',
            )
            return Math.abs(queueMs - (firstLeft + secondTakes)) / queueMs
          },
          [firstId, secondId],
        ),
      )
      .toBeLessThan(0.1)
    await page.screenshot({ path: test.info().outputPath('queue-eta-en.png') })
    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(total).toHaveText(/^全部约 .+ 后完成，约在 .+$/)
    await page.screenshot({ path: test.info().outputPath('queue-eta-zh.png') })
    await page.getByTestId('language-switch').selectOption('en')
  } finally {
    // Stop both, so the other specs get the training thread.
    await page.goto(`/#token=${TOKEN}`)
    for (const id of [second, first]) {
      const row = page.getByTestId('run-row').and(page.locator(`[data-run-id="${id}"]`))
      await expect(async () => {
        const button = row.getByTestId('cancel-button')
        if ((await button.count()) > 0) await button.dispatchEvent('click')
        await expect(row.getByTestId('run-status')).toHaveAttribute('data-status', /cancelled|completed/, {
          timeout: 2_000,
        })
      }).toPass({ timeout: 30_000 })
    }
  }
})

/** Pixels of `hex` (within a tolerance), by column, in a PNG screenshot. */
function columnsOf(png: PNG, hex: string, tolerance = 40): Set<number> {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
  const columns = new Set<number>()
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4
      const d = Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b)
      if (d <= tolerance) columns.add(x)
    }
  }
  return columns
}

test('a run that diverges keeps its finite curve with the divergence marked, says why, and offers a lower learning rate', async ({
  page,
}) => {
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')
  const id = await newRun(page, 'e2e: diverges', { 'solver.optimConfig.learningRate': '1e6' })
  const status = page.getByTestId('run-detail-status')
  await expect(status).toHaveAttribute('data-status', 'failed', { timeout: 30_000 })

  const banner = page.getByTestId('run-error')
  await expect(banner).toHaveAttribute('data-reason', 'diverged')
  await expect(banner).toHaveText(
    /^Training diverged at iteration (\d+): (the loss became infinite|the loss became NaN \(not a number\)|the scores overflowed and the loss came out as −∞) with learning rate 1e6\. The last finite loss was \S+, at iteration \d+\. Resuming would only diverge again: start a new run with a lower learning rate\.$/,
  )
  const at = Number(/iteration (\d+):/.exec((await banner.textContent())!)![1])

  // The loss chart: the finite curve on a log axis, across the chart, and the divergence marked.
  const chart = page.getByTestId('loss-chart')
  await expect(chart).toHaveAttribute('data-y-log', 'true')
  await expect(chart).toHaveAttribute('data-marks', new RegExp(`^${at}(,\\d+)?$`))
  await expect(page.getByTestId('loss-log')).toHaveText(/the loss spans \d+ orders of magnitude/)
  await chart.scrollIntoViewIfNeeded()
  // Drawn (the chart redraws at most every 250 ms).
  await page.waitForTimeout(600)
  const png = PNG.sync.read(await chart.screenshot())
  const curve = columnsOf(png, '#2563eb')
  const mark = columnsOf(png, '#c62828')
  // The curve (iterations 1 to 3 of an axis up to just past the divergence) spans a good part of the
  // chart, not the sliver at its left edge it was on an axis of the 540 planned iterations.
  expect(Math.max(...curve) - Math.min(...curve)).toBeGreaterThan(png.width * 0.3)
  expect(curve.size).toBeGreaterThan(png.width * 0.3)
  // The mark (dashed line and point) sits at the right end of the curve.
  expect(mark.size).toBeGreaterThan(0)
  expect(Math.max(...mark)).toBeGreaterThan(Math.max(...curve) - 0.1 * png.width)

  // No resume (the same config would diverge again): a new run at a tenth of the learning rate.
  await expect(page.getByTestId('resume-button')).toHaveCount(0)
  const offer = page.getByTestId('new-run-lower-lr')
  await expect(offer).toHaveText('New run with learning rate 100000')
  await shoot(page, 'run-diverged-en.png')

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(banner).toHaveText(
    new RegExp(
      `^训练在第 ${at} 次迭代时发散：学习率为 1e6 时，(损失变为无穷大|损失变为 NaN（非数值）|分数溢出，损失变为 −∞)。最后一个有限的损失值为 \\S+（第 \\d+ 次迭代）。继续训练只会再次发散：请用更低的学习率新建训练。$`,
    ),
  )
  await expect(offer).toHaveText('以学习率 100000 新建训练')
  await shoot(page, 'run-diverged-zh.png')
  await page.getByTestId('language-switch').selectOption('en')

  // Its summary: a row with every hyperparameter and what happened.
  await page.getByTestId('export-menu').locator('summary').click()
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-summary-csv').click(),
  ])
  expect(download.suggestedFilename()).toBe(`e2e-diverges-${id}.summary.csv`)
  const [header, row] = parseCsv(await readFile((await download.path())!, 'utf8'))
  const cells = Object.fromEntries(header!.map((c, i) => [c, row![i]]))
  expect(cells).toMatchObject({
    run_id: id,
    status: 'failed',
    'solver.optimConfig.learningRate': '1000000',
    error_reason: 'diverged',
    error_iteration: String(at),
  })

  // The offer opens the form with the run's config and the lower learning rate, for review.
  await offer.click()
  await expect(page).toHaveURL(/#\/new$/)
  await expect(page.getByTestId('field-solver.optimConfig.learningRate')).toHaveValue('100000')
  await expect(page.getByTestId('run-draft-note')).toHaveText(
    'Drafted from the run “e2e: diverges”, which diverged: the learning rate is lowered from 1e6 to 100000. Check it, then queue it.',
  )
})
