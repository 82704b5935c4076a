/**
 * The Layers panel (issue 15 §2) in the browser mode. Seeded runs: folders whose layers.jsonl is written
 * from the unit tests' fixtures (statistics made with tensorStats): the run page draws each layer's
 * histogram over time with its value axis named -1e-2 … 0 … 1e-2, the update/weight ratio with its
 * healthy band, dead ReLUs and gradient norms, a conv layer's filters and batchnorm; a damaged line is
 * skipped and said; a run without captures explains why; the compare view draws each layer across runs.
 * A real run: a small two-layer net trained on the embedded dataset from the New Run form, whose panel
 * shows the captures the engine wrote. Screenshots of the panel in English and Chinese.
 * The seeded run folders are removed at the end, so the other specs see the folder as it was.
 */
import { existsSync } from 'node:fs'
import { appendFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test, type Locator, type Page } from '@playwright/test'
import { parseRunConfig } from '../../src-shared/config'
import type { RunRecord } from '../../src-shared/runs'
import { RunStore } from '../../src-main/core/store/runStore'
import { makeRecord } from '../../src-main/core/store/testing'
import { convCaptures, layersJsonl, twoLayerCaptures } from '../../src-renderer/src/testing/layerFixtures'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const ITERATIONS = Array.from({ length: 12 }, (_, i) => (i + 1) * 25)

function seededRecord(name: string, model: Record<string, unknown>): RunRecord {
  const parsed = parseRunConfig({ name, dataset: { name: 'fashion-mnist-small' }, model, seed: 1 })
  if (!parsed.ok) throw new Error(`the seeded config of ${name} does not validate`)
  return makeRecord({
    status: 'completed',
    config: parsed.value,
    startedAt: '2026-11-26T12:00:00.000Z',
    finishedAt: '2026-11-26T12:01:00.000Z',
    progress: { iteration: 300, numIterations: 300, epoch: 3, numEpochs: 3 },
  })
}

/** An element's picture, without the app's sticky header drawn over its top. */
async function shoot(page: Page, el: Locator, name: string): Promise<void> {
  await el.scrollIntoViewIfNeeded()
  await el.screenshot({ path: test.info().outputPath(name), style: '.app-header { visibility: hidden; }' })
}

async function openRun(page: Page, id: string): Promise<void> {
  await page.goto(`/#/runs/${id}`)
  await expect(page.getByTestId('run-detail-status')).toBeVisible()
}

test('seeded captures: histograms, ratio band, dead ReLUs, filters, batchnorm, empty state and compare; en and zh', async ({
  page,
}) => {
  test.setTimeout(90_000)
  const store = new RunStore(process.env['E2E_DATA_DIR']!)
  const two = await store.create(seededRecord('e2e layers two-layer', { kind: 'two-layer', hiddenDim: 50 }))
  const conv = await store.create(
    seededRecord('e2e layers conv', { kind: 'three-layer-conv', numFilters: 8, filterSize: 3 }),
  )
  const old = await store.create(seededRecord('e2e layers old run', { kind: 'two-layer', hiddenDim: 50 }))
  await writeFile(join(store.runDir(two.id), 'layers.jsonl'), layersJsonl(twoLayerCaptures(ITERATIONS)))
  // A damaged line (a torn tail without its newline is taken for a write in progress and ignored): it is
  // skipped, and the panel says so.
  await appendFile(join(store.runDir(two.id), 'layers.jsonl'), '{"iteration": 325, "lay\n')
  await writeFile(join(store.runDir(conv.id), 'layers.jsonl'), layersJsonl(convCaptures(ITERATIONS, 2)))
  try {
    await page.goto(`/#token=${TOKEN}`)
    await page.getByTestId('language-switch').selectOption('en')

    await openRun(page, two.id)
    const panel = page.getByTestId('layers-panel')
    await panel.scrollIntoViewIfNeeded()
    await expect(panel).toHaveAttribute('data-captures', String(ITERATIONS.length))
    await expect(panel).toHaveAttribute('data-layers', 'layer1,layer2')
    await expect(panel.getByRole('heading', { name: 'Layers', exact: true })).toBeVisible()
    await expect(page.getByTestId('layers-count')).toHaveText('12 captures')
    await expect(page.getByTestId('layers-skipped')).toHaveText('1 damaged line of layers.jsonl was skipped.')
    const hist = page.getByTestId('layers-histogram')
    await expect(hist).toHaveCount(2)
    const labels = ((await hist.first().getAttribute('data-y-labels')) ?? '').split(' ')
    expect(labels[0]).toBe('-1e-2')
    expect(labels).toContain('0')
    expect(labels.at(-1)).toBe('1e-2')
    await expect(hist.first().locator('canvas').first()).toBeVisible()
    const ratio = page.getByTestId('layers-ratio')
    await expect(ratio).toHaveAttribute('data-band', '0.0001,0.01')
    await expect(ratio).toContainText('about 1e-3 is healthy')
    // The axis spans a decade either side of the band, in whole decades (layer2's 3e-2 is inside).
    await expect(ratio).toHaveAttribute('data-y-min', '0.00001')
    await expect(ratio).toHaveAttribute('data-y-max', '0.1')
    await expect(ratio.locator('canvas').first()).toBeVisible()
    await expect(page.getByTestId('layers-grad-norm').locator('canvas').first()).toBeVisible()
    await expect(page.getByTestId('layers-dead')).toHaveAttribute('data-layers', 'layer1')
    await page.getByTestId('layers-quantity').selectOption('postact')
    await expect(hist.first()).toHaveAttribute('data-quantity', 'postact')
    await expect(hist.first()).toHaveAttribute('data-y-labels', /^0 /)
    await expect(hist.nth(1).getByTestId('layers-histogram-none')).toHaveText(
      'No post-activations in this layer.',
    )
    await page.getByTestId('layers-quantity').selectOption('weight')
    await shoot(page, panel, 'layers-panel-en.png')

    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(panel.getByRole('heading', { name: '各层', exact: true })).toBeVisible()
    await expect(page.getByTestId('layers-count')).toHaveText('12 次采集')
    await expect(ratio).toContainText('更新/权重比')
    await shoot(page, panel, 'layers-panel-zh.png')
    await page.getByTestId('language-switch').selectOption('en')

    // A conv layer: one row per filter, and its batchnorm state.
    await openRun(page, conv.id)
    await expect(panel).toHaveAttribute('data-captures', String(ITERATIONS.length))
    const filters = page.getByTestId('layers-filters')
    await expect(filters).toHaveCount(1)
    await expect(filters).toHaveAttribute('data-filters', '8')
    await filters.scrollIntoViewIfNeeded()
    await expect(filters.locator('canvas').first()).toBeVisible()
    await expect(page.getByTestId('layers-norm')).toContainText('1.5% of the normalised outputs beyond ±3')
    await shoot(page, panel, 'layers-panel-conv-en.png')

    // An older run: no layers.jsonl at all.
    await openRun(page, old.id)
    await expect(page.getByTestId('layers-empty')).toContainText('No layer captures for this run')
    await expect(page.getByTestId('layers-empty')).toContainText('capture turned off')
    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(page.getByTestId('layers-empty')).toContainText('此运行没有各层采集数据')
    await page.getByTestId('language-switch').selectOption('en')

    // Compare: each layer across the runs, aligned by name; the run without captures is named.
    await page.goto(`/#/compare?ids=${two.id},${conv.id},${old.id}`)
    const compare = page.getByTestId('compare-layers')
    await compare.scrollIntoViewIfNeeded()
    await expect(compare).toHaveAttribute('data-layers', 'layer1,layer2')
    const perLayer = page.getByTestId('compare-layer')
    await expect(perLayer).toHaveCount(2)
    await expect(perLayer.first()).toHaveAttribute('data-runs', 'e2e layers two-layer,e2e layers conv')
    await expect(perLayer.first().locator('canvas').first()).toBeVisible()
    await expect(page.getByTestId('compare-layers-without')).toHaveText(
      'Without captures: e2e layers old run',
    )
    await shoot(page, compare, 'layers-compare-en.png')
    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(compare.getByRole('heading', { name: '跨运行的各层' })).toBeVisible()
    await shoot(page, compare, 'layers-compare-zh.png')
    await page.getByTestId('language-switch').selectOption('en')
  } finally {
    for (const r of [two, conv, old]) await store.remove(r.id)
  }
})

/**
 * Needs the engine's capture (issue 15 §1, built on another branch): on a branch without it the run
 * trains and its panel shows the empty state, and this test fails at the capture count.
 */
test('a real two-layer run on the embedded dataset: its Layers panel shows what the engine captured', async ({
  page,
}) => {
  test.setTimeout(120_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await page.getByTestId('field-name').fill('e2e: layers, two-layer')
  for (const [field, value] of [
    ['dataset.numTraining', '1000'],
    ['dataset.numValidation', '200'],
    ['dataset.numTest', '200'],
    ['model.hiddenDim', '30'],
    ['solver.batchSize', '50'],
    ['solver.numEpochs', '3'],
  ] as const)
    await page.getByTestId(`field-${field}`).fill(value)
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  const status = page.getByTestId('run-detail-status')
  await expect(status).toHaveAttribute('data-status', 'completed', { timeout: 60_000 })

  const panel = page.getByTestId('layers-panel')
  await panel.scrollIntoViewIfNeeded()
  await expect(panel).toHaveAttribute('data-loaded', 'true')
  // At least one capture per accuracy check (one an epoch), each of both layers.
  await expect
    .poll(async () => Number(await panel.getAttribute('data-captures')), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(3)
  await expect(panel).toHaveAttribute('data-layers', 'layer1,layer2')
  const hist = page.getByTestId('layers-histogram')
  await expect(hist).toHaveCount(2)
  const labels = ((await hist.first().getAttribute('data-y-labels')) ?? '').split(' ')
  expect(labels).toContain('0')
  expect(labels.some((l) => l.startsWith('-1e'))).toBe(true)
  expect(labels.some((l) => l.startsWith('1e'))).toBe(true)
  await expect(hist.first().locator('canvas').first()).toBeVisible()
  await expect(page.getByTestId('layers-ratio').locator('canvas').first()).toBeVisible()
  await expect(page.getByTestId('layers-dead')).toHaveAttribute('data-layers', 'layer1')
  await shoot(page, panel, 'layers-panel-real-en.png')
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(panel.getByRole('heading', { name: '各层', exact: true })).toBeVisible()
  await shoot(page, panel, 'layers-panel-real-zh.png')
})

/**
 * Live: while a run trains, its panel grows with each `layers` event, without a reload (the store
 * fetches only when the page opens and when the run stops). Needs the engine's capture, as above.
 */
test('a training run’s Layers panel grows live', async ({ page }) => {
  test.setTimeout(120_000)
  await page.goto(`/#token=${TOKEN}`)
  await page.getByTestId('language-switch').selectOption('en')
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  await page.getByTestId('field-name').fill('e2e: layers, live')
  // A wide net in small batches (as training.spec.ts's), for far longer than the test lasts even on a
  // fast machine: it is still training when the panel is read.
  for (const [field, value] of [
    ['model.hiddenDim', '2000'],
    ['solver.batchSize', '20'],
    ['solver.numEpochs', '400'],
  ] as const)
    await page.getByTestId(`field-${field}`).fill(value)
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  const status = page.getByTestId('run-detail-status')
  await expect(status).toHaveAttribute('data-status', 'running', { timeout: 30_000 })
  const panel = page.getByTestId('layers-panel')
  const count = async () => Number(await panel.getAttribute('data-captures'))
  try {
    await expect.poll(count, { timeout: 45_000 }).toBeGreaterThan(0)
    const first = await count()
    await expect.poll(count, { timeout: 45_000 }).toBeGreaterThan(first)
    await expect(status).toHaveAttribute('data-status', 'running')
    await expect(page.getByTestId('layers-ratio').locator('canvas').first()).toBeVisible()
  } finally {
    await expect(async () => {
      await page.getByTestId('cancel-button').first().dispatchEvent('click')
      await expect(status).toHaveAttribute('data-status', 'cancelled', { timeout: 3_000 })
    }).toPass({ timeout: 30_000 })
  }
})
