/**
 * The run page's "What's wrong?" card reads the run's layer captures (issue 15 §3): a run of the numpy
 * trainer (src-worker/bench/diagnose_numpy.py) whose deep relu net was initialised far too small. Its
 * curves alone say "learning rate too low"; its captures (layers.jsonl, served by runs.layers) show the
 * gradient vanishing across depth, which the card names instead, with its numbers and what to try, in
 * English and Chinese. The run's folder is removed at the end, so the other specs see the folder as it was.
 */
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import type { LayerCapture } from '../../src-shared/layerStats'
import type { MetricEvent } from '../../src-shared/runs'
import { RunStore } from '../../src-main/core/store/runStore'
import { makeRecord } from '../../src-main/core/store/testing'
import { CHROMIUM, TOKEN } from '../playwright.config'

const hasChromium = existsSync(CHROMIUM)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const FIXTURE = join(__dirname, '../../src-worker/bench/fixtures/diagnose-runs.json')

test('the diagnosis card names vanishing gradients from the layer captures; en and zh', async ({ page }) => {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    runs: { name: string; seed: number; events: MetricEvent[]; captures: LayerCapture[] }[]
  }
  const numpy = fixture.runs.find((r) => r.name === 'vanishing' && r.seed === 1)!
  const iterations = numpy.events.filter((e) => e.type === 'iteration').length
  const store = new RunStore(process.env['E2E_DATA_DIR']!)
  const base = makeRecord()
  const run = await store.create(
    makeRecord({
      status: 'completed',
      config: { ...base.config, name: 'e2e vanishing gradients' },
      startedAt: '2026-12-02T12:00:00.000Z',
      finishedAt: '2026-12-02T12:01:00.000Z',
      progress: { iteration: iterations, numIterations: iterations, epoch: 4, numEpochs: 4 },
    }),
  )
  const lines = (xs: unknown[]) => `${xs.map((x) => JSON.stringify(x)).join('\n')}\n`
  await writeFile(join(store.runDir(run.id), 'metrics.jsonl'), lines(numpy.events))
  try {
    await page.goto(`/#token=${TOKEN}`)
    await page.getByTestId('language-switch').selectOption('en')
    await page.goto(`/#/runs/${run.id}`)
    const card = page.getByTestId('diagnosis-panel')
    const findings = card.getByTestId('diagnosis-finding')
    // Without captures the curves alone speak: the loss never left ln(10).
    await expect(findings).toHaveCount(1)
    await expect(findings.first()).toHaveAttribute('data-kind', 'lr-too-low')

    // With them, the card says why: the gradient vanishes on its way back through five relu layers.
    await writeFile(join(store.runDir(run.id), 'layers.jsonl'), lines(numpy.captures))
    await page.reload()
    await expect(findings.first()).toHaveAttribute('data-kind', 'vanishing-gradients')
    await expect(findings).toHaveCount(1)
    await expect(findings.first().locator('strong')).toHaveText('Vanishing gradients')
    await expect(findings.first().locator('.detail')).toContainText('layer2 receives')
    await expect(findings.first().locator('.detail')).toContainText('of the gradient layer6 does')
    await expect(findings.first().locator('.suggestion')).toContainText('He scaling')
    await card.scrollIntoViewIfNeeded()
    await card.screenshot({ path: test.info().outputPath('diagnosis-layers-en.png') })

    await page.getByTestId('language-switch').selectOption('zh-CN')
    await expect(findings.first().locator('strong')).toHaveText('梯度消失')
    await expect(findings.first().locator('.suggestion')).toContainText('He 初始化')
    await card.screenshot({ path: test.info().outputPath('diagnosis-layers-zh.png') })
    await page.getByTestId('language-switch').selectOption('en')
  } finally {
    await store.remove(run.id)
  }
})
