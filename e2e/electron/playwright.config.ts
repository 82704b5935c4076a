/**
 * The Electron smoke tests on their own: `npx playwright test -c e2e/electron/playwright.config.ts` after
 * `npm run build`. No browser and no web server: the tests launch the built app themselves.
 */
import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // One Electron at a time: each launch trains on the machine's cores.
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  // Next to the browser-mode suite's artifacts, which .gitignore already covers.
  outputDir: '../artifacts/electron',
})
