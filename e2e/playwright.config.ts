/**
 * Playwright: the browser suite drives the browser mode (the built renderer + the same contract over a
 * token-guarded WebSocket) in Debian's Chromium, on a fresh temporary data folder; the Electron suite
 * (e2e/electron) runs where the Electron binary exists and says "skipped: no Electron binary" elsewhere.
 * `npm test` builds first (`electron-vite build`), then runs this.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS } from '../src-main/core/export/pdf/chromiumArgs'

const root = resolve(__dirname, '..')
export const PORT = Number(process.env['E2E_PORT'] ?? 47_831)
export const TOKEN = 'e2e-token-0123456789abcdef'
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const dataDir = process.env['E2E_DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'wb-e2e-'))
process.env['E2E_DATA_DIR'] = dataDir
// The settings file of every server the suite starts (inherited by the ones specs spawn): never the
// machine's own, and with the first-run screen dismissed, since the specs start on empty data folders
// and expect the experiments table (first-run-settings.spec.ts gives its server a config of its own).
if (!process.env['WORKBENCH_CONFIG_DIR']) {
  const configDir = mkdtempSync(join(tmpdir(), 'wb-e2e-config-'))
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ firstRunDismissed: true }))
  process.env['WORKBENCH_CONFIG_DIR'] = configDir
}

export default defineConfig({
  testDir: '.',
  outputDir: join(root, 'e2e', 'artifacts'),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: join(root, '.playwright-report.json') }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    {
      name: 'browser',
      testDir: 'browser',
      use: {
        browserName: 'chromium',
        launchOptions: {
          ...(existsSync(CHROMIUM) ? { executablePath: CHROMIUM } : {}),
          args: CHROMIUM_ARGS,
        },
      },
    },
    { name: 'electron', testDir: 'electron' },
  ],
  webServer: {
    // One training thread, so a second run waits in the queue where the test can cancel it.
    command: `node out/main/cli.js serve --data-dir ${JSON.stringify(dataDir)} --port ${PORT} --threads 1`,
    cwd: root,
    // The UI is public; only the WebSocket needs the token (specs open `/#token=${TOKEN}`).
    url: `http://127.0.0.1:${PORT}/`,
    env: { WORKBENCH_TOKEN: TOKEN, WORKBENCH_CONFIG_DIR: process.env['WORKBENCH_CONFIG_DIR'] },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
})
