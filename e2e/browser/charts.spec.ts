/**
 * Charts that stay true and fast (issue 13 §4), on a long seeded run: 100,000 logged steps with one
 * spike. The spike is drawn after downsampling (each pixel's lowest and highest step), zooming the loss
 * chart zooms the accuracy and learning-rate charts on the same steps and fetches finer buckets for the
 * window, the reset button brings every chart back, and the tooltip names a whole iteration. Screenshots
 * in English and Chinese. The run's folder is removed at the end, so the other specs see the folder as
 * it was.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import type { MetricEvent } from '../../src-shared/runs'
import { RunStore } from '../../src-main/core/store/runStore'
import { makeRecord } from '../../src-main/core/store/testing'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const STEPS = 100_000
const EPOCHS = 10
const PER_EPOCH = STEPS / EPOCHS
const SPIKE_AT = 77_777
const SPIKE = 30
// The plot's margins inside a chart (src-renderer/src/lib/chartFormat.ts chartLayout).
const GRID_LEFT = 56
const GRID_RIGHT = 20

function metricsLog(): string {
  const lines: string[] = []
  const t0 = Date.parse('2026-11-26T12:00:00Z')
  for (let i = 1; i <= STEPS; i++) {
    const loss = i === SPIKE_AT ? SPIKE : 2.3 * Math.exp(-i / 25_000) + 0.2 + 0.08 * Math.sin(i * 1.7)
    const e: MetricEvent = { type: 'iteration', iteration: i, loss, t: t0 + i * 5 }
    lines.push(JSON.stringify(e))
    if (i % PER_EPOCH === 0) {
      const epoch = i / PER_EPOCH
      lines.push(
        JSON.stringify({
          type: 'epoch',
          epoch,
          iteration: i,
          trainAcc: 0.5 + 0.04 * epoch,
          valAcc: 0.48 + 0.035 * epoch,
          lr: 1e-3 * 0.95 ** (epoch - 1),
        } satisfies MetricEvent),
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/** The x pixel (in the page) of `iteration` on a chart whose axis runs 0..`max`. */
async function xOf(chart: Locator, iteration: number, max: number): Promise<{ x: number; y: number }> {
  const box = (await chart.boundingBox())!
  const plot = box.width - GRID_LEFT - GRID_RIGHT
  return { x: box.x + GRID_LEFT + (iteration / max) * plot, y: box.y + box.height / 2 }
}

const windowOf = async (chart: Locator): Promise<[number, number]> => {
  const w = (await chart.getAttribute('data-window')) ?? ''
  const [a, b] = w.split(',').map(Number)
  return [a!, b!]
}

async function zoomLossAtSpike(page: Page, loss: Locator): Promise<void> {
  await loss.scrollIntoViewIfNeeded()
  const p = await xOf(loss, SPIKE_AT, STEPS)
  await page.mouse.move(p.x, p.y)
  // ECharts takes one wheel step per 100 ms (its zoom throttle).
  for (let i = 0; i < 24; i++) {
    await page.mouse.wheel(0, -600)
    await page.waitForTimeout(130)
  }
}

/** Moves the pointer to the middle of a zoomed chart's window. */
async function hoverMiddle(page: Page, chart: Locator): Promise<void> {
  await chart.scrollIntoViewIfNeeded()
  const box = (await chart.boundingBox())!
  await page.mouse.move(box.x + GRID_LEFT + (box.width - GRID_LEFT - GRID_RIGHT) / 2, box.y + box.height / 2)
}

test('a long run: the spike survives downsampling; zoom is linked, finer and reset; tooltips say whole iterations; en and zh', async ({
  page,
}) => {
  test.setTimeout(120_000)
  const store = new RunStore(process.env['E2E_DATA_DIR']!)
  const base = makeRecord()
  const run = await store.create(
    makeRecord({
      status: 'completed',
      config: { ...base.config, name: 'e2e long spiky run' },
      startedAt: '2026-11-26T12:00:00.000Z',
      finishedAt: '2026-11-26T12:08:20.000Z',
      progress: { iteration: STEPS, numIterations: STEPS, epoch: EPOCHS, numEpochs: EPOCHS },
    }),
  )
  await writeFile(join(store.runDir(run.id), 'metrics.jsonl'), metricsLog())
  try {
    await page.goto(`/#token=${TOKEN}`)
    await page.getByTestId('language-switch').selectOption('en')
    await page.goto(`/#/runs/${run.id}`)
    const loss = page.getByTestId('loss-chart')
    const acc = page.getByTestId('acc-chart')
    const lr = page.getByTestId('lr-chart')
    await expect(loss.locator('canvas').first()).toBeVisible()

    // Downsampled to the chart's pixels (a few points per pixel, not 100,000), the spike is drawn.
    await expect(loss).toHaveAttribute('data-drawn-max', String(SPIKE))
    const points = Number(await loss.getAttribute('data-drawn-points'))
    expect(points).toBeGreaterThan(500)
    expect(points).toBeLessThan(2 * 4 * 1280)
    await expect(page.getByTestId('loss-bucketed')).toContainText('no spike is hidden')

    // Zoom the loss chart around the spike: the accuracy and learning-rate charts follow, on the same
    // steps (their x is epochs: 10,000 steps each).
    await zoomLossAtSpike(page, loss)
    await expect(loss).toHaveAttribute('data-zoomed', 'true')
    await expect(acc).toHaveAttribute('data-zoomed', 'true')
    await expect(lr).toHaveAttribute('data-zoomed', 'true')
    await expect
      .poll(async () => {
        const [a, b] = await windowOf(loss)
        const [c, d] = await windowOf(acc)
        return Math.abs(a - c * PER_EPOCH) < 5 && Math.abs(b - d * PER_EPOCH) < 5 && b - a < STEPS / 2
      })
      .toBe(true)
    const [from, to] = await windowOf(loss)
    expect(from).toBeLessThan(SPIKE_AT)
    expect(to).toBeGreaterThan(SPIKE_AT)
    // main sent the window in finer buckets than the whole run's, and the spike is still there.
    await expect
      .poll(async () => Number((await loss.getAttribute('data-detail-bucket')) || 'NaN'))
      .toBeLessThan(32)
    await expect(loss).toHaveAttribute('data-drawn-max', String(SPIKE))

    // The tooltip names a whole iteration ("Iteration 77,777", not "77,777.00").
    await hoverMiddle(page, loss)
    const header = loss.locator('.tooltip-x')
    await expect(header).toBeVisible()
    await expect(header).toHaveText(/^Iteration \d{1,3}(,\d{3})*$/)
    // The whole page: the loss, accuracy and learning-rate charts on the same window.
    await page.screenshot({ path: test.info().outputPath('charts-zoomed-en.png'), fullPage: true })

    // Reset from the accuracy chart: every chart shows the whole run again.
    await acc.getByTestId('chart-reset-zoom').click()
    await expect(loss).toHaveAttribute('data-zoomed', 'false')
    await expect(acc).toHaveAttribute('data-zoomed', 'false')
    await expect(lr).toHaveAttribute('data-zoomed', 'false')
    await expect(loss).toHaveAttribute('data-drawn-max', String(SPIKE))
    await expect(page.getByTestId('chart-reset-zoom')).toHaveCount(0)

    // Chinese: the same charts, the note and the reset button in Chinese.
    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(page.getByTestId('loss-bucketed')).toContainText('不会遗漏任何尖峰')
    await zoomLossAtSpike(page, loss)
    await expect(acc).toHaveAttribute('data-zoomed', 'true')
    await expect(acc.getByTestId('chart-reset-zoom')).toHaveText('重置缩放')
    await hoverMiddle(page, loss)
    await expect(header).toBeVisible()
    await expect(header).toHaveText(/^迭代 \d{1,3}(,\d{3})*$/)
    await page.screenshot({ path: test.info().outputPath('charts-zoomed-zh.png'), fullPage: true })
    await acc.getByTestId('chart-reset-zoom').click()
    await expect(loss).toHaveAttribute('data-zoomed', 'false')
    await page.getByTestId('language-switch').selectOption('en')
  } finally {
    await store.remove(run.id)
  }
})
