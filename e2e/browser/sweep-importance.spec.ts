/**
 * "Which hyperparameter mattered" on a sweep whose answer is known: a data folder is seeded, before it is
 * served, with a finished random search in which the learning rate decides the accuracy (higher lr,
 * lower accuracy, the top of the range diverging) and the regularisation strength does nothing, plus a
 * categorical param (the update rule) that does nothing either and a cancelled run. The sweep view must
 * rank the learning rate first, with the others near zero, say how it counted the diverged and the
 * cancelled runs, and read as well in Chinese.
 */
import { existsSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { RunStore } from '../../src-main/core/store/runStore'
import { SweepStore } from '../../src-main/core/store/sweepStore'
import { syntheticSweep } from '../../src-shared/importanceFixtures'
import { CHROMIUM } from '../playwright.config'
import { newDataDir, serve, type ServeProcess } from './servers'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const LR = 'solver.optimConfig.learningRate'
const REG = 'model.reg'
const RULE = 'solver.updateRule'

let server: ServeProcess | null = null

/** The whole page from the top (a scrolled full-page shot draws the sticky header mid-page), and the panel. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)')
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true })
  await page.getByTestId('sweep-importance').screenshot({ path: test.info().outputPath(`${name}-panel.png`) })
}
test.afterEach(async () => {
  await server?.stop()
  server = null
})

/** 40 runs: those at lr above 0.05 diverged, one was cancelled before it trained, the rest completed. */
async function seed(dataDir: string): Promise<{ sweepId: string; diverged: number }> {
  const start = new Date(Date.UTC(2026, 10, 26, 9, 0, 0))
  const sweepId = `sweep-${'20261126-090000-000000'}`
  const { spec, runs } = syntheticSweep(
    {
      name: 'known-answer',
      method: 'random',
      samples: 40,
      seed: 17,
      params: {
        [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
        [REG]: { min: 1e-4, max: 1, scale: 'log' },
        [RULE]: { values: ['sgd', 'sgdMomentum'] },
      },
    },
    {
      accuracy: (v) => ((v[LR] as number) > 0.05 ? 0 : 0.25 - 0.12 * Math.log10(v[LR] as number)),
      noise: 0.01,
      divergeBelow: 0.05,
      status: (i) => (i === 3 ? 'cancelled' : 'completed'),
      sweepId,
      start,
    },
  )
  const store = new RunStore(dataDir, { metricsFlushIntervalMs: 60_000 })
  for (const run of runs) await store.create(run)
  await new SweepStore(dataDir).write({
    version: 1,
    id: sweepId,
    createdAt: start.toISOString(),
    spec,
    runIds: runs.map((r) => r.id),
  })
  return { sweepId, diverged: runs.filter((r) => r.error?.reason === 'diverged').length }
}

test('the sweep view ranks the hyperparameter that drove the accuracy first, in English and Chinese', async ({
  page,
}) => {
  const dataDir = newDataDir()
  const { sweepId, diverged } = await seed(dataDir)
  expect(diverged).toBeGreaterThan(0)
  server = await serve(dataDir, ['--port', '0'])
  await page.goto(server.url)
  await page.getByTestId('language-switch').selectOption('en')
  await page.goto(`http://127.0.0.1:${server.port}/#/sweeps/${sweepId}`)
  await expect(page.getByTestId('sweep-name')).toHaveText('known-answer')

  const panel = page.getByTestId('sweep-importance')
  await expect(panel).toHaveAttribute('data-status', 'ok')
  await expect(panel.getByRole('heading', { name: 'Which hyperparameter mattered' })).toBeVisible()
  const rows = panel.getByTestId('importance-row')
  await expect(rows).toHaveCount(3)
  await expect(rows.first()).toHaveAttribute('data-param', LR)
  const shares = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-importance'))))
  expect(shares[0]).toBeGreaterThan(0.7)
  expect(shares[1]).toBeLessThan(0.05)
  expect(shares[2]).toBeLessThan(0.05)
  await expect(rows.first().getByTestId('importance-effect')).toHaveText(
    'higher learningRate → lower accuracy (strong)',
  )
  await expect(rows.first()).toContainText('log scale')
  await expect(panel.getByTestId('importance-categories')).toContainText('sgdMomentum')
  const notes = panel.getByTestId('importance-notes')
  await expect(notes).toContainText(`Based on 39 of the sweep’s 40 runs.`)
  await expect(notes).toContainText(`${diverged} run${diverged > 1 ? 's' : ''} diverged and count`)
  await expect(notes).toContainText(
    '1 run that has not finished (queued, running, cancelled or interrupted) is left out.',
  )
  await shoot(page, 'sweep-importance-en')

  // The same analysis after a reload: the forest is seeded.
  await page.reload()
  await expect(page.getByTestId('sweep-importance')).toHaveAttribute('data-status', 'ok')
  const again = await page
    .getByTestId('importance-row')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-importance'))))
  expect(again).toEqual(shares)

  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(panel.getByRole('heading', { name: '哪个超参数起了作用' })).toBeVisible()
  await expect(rows.first().getByTestId('importance-effect')).toHaveText(
    'learningRate 越高 → 准确率越低（强）',
  )
  await expect(notes).toContainText('依据此超参数搜索 40 个训练中的 39 个。')
  await shoot(page, 'sweep-importance-zh')
  await page.getByTestId('language-switch').selectOption('en')
})

test('a sweep with too few finished runs says so instead of ranking', async ({ page }) => {
  const dataDir = newDataDir()
  const start = new Date(Date.UTC(2026, 10, 26, 10, 0, 0))
  const sweepId = 'sweep-20261126-100000-000000'
  const { spec, runs } = syntheticSweep(
    {
      name: 'too-few',
      method: 'random',
      samples: 6,
      seed: 3,
      params: { [LR]: { min: 1e-5, max: 1e-1, scale: 'log' }, [REG]: { min: 1e-4, max: 1, scale: 'log' } },
    },
    { accuracy: (v) => 0.25 - 0.12 * Math.log10(v[LR] as number), sweepId, start },
  )
  const store = new RunStore(dataDir, { metricsFlushIntervalMs: 60_000 })
  for (const run of runs) await store.create(run)
  await new SweepStore(dataDir).write({
    version: 1,
    id: sweepId,
    createdAt: start.toISOString(),
    spec,
    runIds: runs.map((r) => r.id),
  })
  server = await serve(dataDir, ['--port', '0'])
  await page.goto(server.url)
  await page.getByTestId('language-switch').selectOption('en')
  await page.goto(`http://127.0.0.1:${server.port}/#/sweeps/${sweepId}`)
  const panel = page.getByTestId('sweep-importance')
  await expect(panel).toHaveAttribute('data-status', 'tooFewRuns')
  await expect(panel.getByTestId('importance-too-few')).toContainText(
    'Too few runs to say yet: 6 finished, and comparing 2 hyperparameters needs at least 8',
  )
  await expect(panel.getByTestId('importance-row')).toHaveCount(0)
  await shoot(page, 'sweep-importance-too-few-en')
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(panel.getByTestId('importance-too-few')).toContainText('训练太少，暂时无法判断')
  await shoot(page, 'sweep-importance-too-few-zh')
  await page.getByTestId('language-switch').selectOption('en')
})
