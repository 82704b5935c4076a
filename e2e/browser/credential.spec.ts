/**
 * The browser mode's credential stays with its server, in a real Chromium: another program listening on
 * 127.0.0.1 receives nothing usable when the user visits it, two servers side by side in one browser both
 * keep working, a restart keeps the open tab working (same token, same port), a tab without the token says
 * how to get in, and a rotated token tells the old tab so. Each test starts its own servers (ports the OS
 * picks) next to the suite's.
 */
import { existsSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { CHROMIUM } from '../playwright.config'
import { newDataDir, serve, spyServer, type ServeProcess, type SpyServer } from './servers'

const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)
test.skip(!hasChromium && !process.env['CI'], `skipped: no Chromium at ${CHROMIUM}`)

const servers: ServeProcess[] = []
const spies: SpyServer[] = []
test.afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.stop()), ...spies.splice(0).map((s) => s.close())])
})

async function launch(dataDir = newDataDir(), args: string[] = ['--port', '0']): Promise<ServeProcess> {
  const s = await serve(dataDir, args)
  servers.push(s)
  return s
}

async function expectConnected(page: Page): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open')
}

test('another local server receives nothing usable: no cookie, no token, nothing stored for its origin', async ({
  page,
  context,
}) => {
  const a = await launch()
  const spy = await spyServer()
  spies.push(spy)
  await page.goto(a.url)
  await expectConnected(page)

  // The user, in the same tab and in another one, visits another program listening on 127.0.0.1.
  await page.goto(spy.url)
  const other = await context.newPage()
  await other.goto(`${spy.url}other`)
  // What the other server's pages can read, in the tab that held the app and in a new one (evaluated as
  // text: the e2e code is typed without the DOM).
  const readable = `JSON.stringify([document.cookie, Object.entries(localStorage), Object.entries(sessionStorage)])`
  const visible = [await page.evaluate(readable), await other.evaluate(readable)].join('\n')
  expect(spy.requests.length).toBeGreaterThanOrEqual(2)
  for (const r of spy.requests) {
    expect(r.headers.cookie, r.url).toBeUndefined()
    expect(JSON.stringify(r), r.url).not.toContain(a.token)
  }
  expect(visible).not.toContain(a.token)
  // The browser holds no cookie for 127.0.0.1 at all, so no port can receive or overwrite one.
  expect(await context.cookies()).toEqual([])
  // And the other server's page cannot open this server's API socket.
  const opened = await other.evaluate(`new Promise((resolve) => {
    const ws = new WebSocket('ws://127.0.0.1:${a.port}/ws', ['workbench.v1'])
    ws.onopen = () => resolve('open')
    ws.onclose = () => resolve('refused')
  })`)
  expect(opened).toBe('refused')
})

test('two servers side by side in one browser both keep working, across reloads', async ({ context }) => {
  const a = await launch()
  const b = await launch()
  expect(b.token).not.toBe(a.token)
  const pa = await context.newPage()
  await pa.goto(a.url)
  await expectConnected(pa)
  const pb = await context.newPage()
  await pb.goto(b.url)
  await expectConnected(pb)
  // Opening the second did not log the first out, nor the other way round.
  await pa.reload()
  await expectConnected(pa)
  await pb.reload()
  await expectConnected(pb)
  await expect(pa.getByTestId('nav-experiments')).toBeVisible()
  await expect(pb.getByTestId('nav-experiments')).toBeVisible()
})

test('a restart of serve keeps the open tab working: same port, same token', async ({ page }) => {
  const dir = newDataDir()
  const first = await launch(dir)
  await page.goto(first.url)
  await expectConnected(page)
  await first.stop()
  await expect(page.getByTestId('connection-state')).not.toHaveAttribute('data-state', 'open')

  // No --port: the port and the token remembered in the data folder.
  const second = await launch(dir, [])
  expect(second.port).toBe(first.port)
  expect(second.token).toBe(first.token)
  // The tab reconnects by itself, and a reload works too.
  await expectConnected(page)
  await page.reload()
  await expectConnected(page)
})

test('a tab opened without the token says how to get in', async ({ page }) => {
  const a = await launch()
  await page.goto(`http://127.0.0.1:${a.port}/#/experiments`)
  const access = page.getByTestId('access-required')
  await expect(access).toBeVisible()
  await expect(access).toHaveAttribute('data-reason', 'missing')
  await expect(access).toContainText('workbench serve')
  await page.screenshot({ path: test.info().outputPath('access-required.png') })
})

test('--new-token rotates the token: the old tab is told, the new URL works', async ({ page }) => {
  const dir = newDataDir()
  const first = await launch(dir)
  await page.goto(first.url)
  await expectConnected(page)
  await first.stop()
  const second = await launch(dir, ['--new-token'])
  expect(second.port).toBe(first.port)
  expect(second.token).not.toBe(first.token)
  const access = page.getByTestId('access-required')
  await expect(access).toBeVisible({ timeout: 20_000 })
  await expect(access).toHaveAttribute('data-reason', 'rejected')
  // Pasting the new URL into the same tab (only the fragment changes) is enough.
  await page.goto(second.url)
  await expectConnected(page)
  await page.reload()
  await expectConnected(page)
})
