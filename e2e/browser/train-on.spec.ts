/**
 * Train on other machines (issue 16) from the browser: a `serve --redis` of its own, a real Redis started
 * for the test and one `workbench worker` process; the New Run form offers "Train on: cluster (1 worker)",
 * the run trains on the worker, and its page and row say which machine. Screenshots in English and Chinese.
 * Without a Redis (no redis-server on PATH, no $WORKBENCH_TEST_REDIS) it says it was skipped and why.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { SKIP_MESSAGE, testRedis, type TestRedis } from '../../src-main/core/cluster/testing/redisServer'
import { newDataDir, serve, type ServeProcess } from './servers'

const ROOT = resolve(__dirname, '..', '..')
let redis: TestRedis | null = null
let server: ServeProcess | null = null
let worker: ChildProcess | null = null
let workerLog = ''
const dirs: string[] = []

test.describe.configure({ mode: 'serial' })
test.setTimeout(120_000)

test.beforeAll(async () => {
  test.setTimeout(90_000)
  redis = await testRedis()
  if (!redis) {
    console.log(`train-on.spec.ts: ${SKIP_MESSAGE}`)
    return
  }
  const url = new URL(redis.url)
  const password = decodeURIComponent(url.password)
  url.password = ''
  const address = url.href.replace(/\/$/, '')
  const queue = `e2e-${process.pid}`
  // As the README says: the password from the environment, not the command line.
  const env: NodeJS.ProcessEnv = { ...process.env, WORKBENCH_REDIS_PASSWORD: password, NO_COLOR: '1' }
  delete env['WORKBENCH_TOKEN']
  const saved = process.env['WORKBENCH_REDIS_PASSWORD']
  process.env['WORKBENCH_REDIS_PASSWORD'] = password
  const dataDir = newDataDir()
  const workerDir = newDataDir()
  dirs.push(dataDir, workerDir)
  try {
    server = await serve(dataDir, ['--redis', address, '--queue', queue])
  } finally {
    if (saved === undefined) delete process.env['WORKBENCH_REDIS_PASSWORD']
    else process.env['WORKBENCH_REDIS_PASSWORD'] = saved
  }
  worker = spawn(
    process.execPath,
    ['out/main/cli.js', 'worker', '--redis', address, '--queue', queue, '--concurrency', '1'],
    { cwd: ROOT, env: { ...env, WORKBENCH_DATA_DIR: workerDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  worker.stdout?.on('data', (d: Buffer) => (workerLog += d.toString()))
  worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()))
})

test.afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r))
    worker.kill('SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
  }
  await server?.stop()
  await redis?.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  )
  await page.screenshot({ path: test.info().outputPath(name), fullPage: true })
}

test('a run sent to the cluster from the New Run form trains on the worker; both languages', async ({
  page,
}) => {
  test.skip(!redis, SKIP_MESSAGE)
  await page.goto(server!.url)
  await page.getByTestId('language-switch').selectOption('en')
  await page.getByTestId('nav-new-run').click()
  await expect(page.getByTestId('run-form')).toBeVisible()
  const choice = page.getByTestId('run-form').getByTestId('train-on')
  // The worker announces itself within a few seconds (the app looks every 2 s).
  await expect(choice).toContainText('cluster (1 worker)', { timeout: 30_000 })
  await expect(choice.getByTestId('train-on-note')).toContainText('1 run at a time')
  await expect(choice.getByTestId('train-on-note')).toContainText('redis://:***@127.0.0.1')
  await expect(choice.getByTestId('train-on-local')).toBeChecked()
  await shoot(page, 'train-on-form-en.png')
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(choice).toContainText('集群（1 个工作节点）')
  await shoot(page, 'train-on-form-zh-CN.png')
  await page.getByTestId('language-switch').selectOption('en')

  await page.getByTestId('field-name').fill('on the cluster')
  await page.getByTestId('field-solver.numEpochs').fill('1')
  await choice.getByTestId('train-on-cluster').check()
  await page.getByTestId('submit-run').click()
  await expect(page).toHaveURL(/#\/runs\/[0-9a-z-]+/)
  const where = page.getByTestId('run-where')
  // The worker runs on this machine, so its host is ours.
  await expect(where).toContainText(`Trains on: ${hostname()} (`, { timeout: 30_000 })
  await expect(page.getByTestId('run-detail-status')).toHaveAttribute('data-status', 'completed', {
    timeout: 90_000,
  })
  await shoot(page, 'train-on-run-en.png')
  await page.getByTestId('language-switch').selectOption('zh-CN')
  await expect(where).toContainText(`训练于: ${hostname()}（`)
  await shoot(page, 'train-on-run-zh-CN.png')

  // The table says where it trained, under its name.
  await page.getByTestId('nav-experiments').click()
  const row = page.getByTestId('run-row').filter({ hasText: 'on the cluster' })
  await expect(row.getByTestId('run-where')).toHaveText(hostname())
  await page.getByTestId('language-switch').selectOption('en')
  await shoot(page, 'train-on-table-en.png')
  expect(workerLog).not.toContain(decodeURIComponent(new URL(redis!.url).password))
})
