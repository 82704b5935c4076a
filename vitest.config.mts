import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Renderer component tests import .vue files; they pick happy-dom per file (@vitest-environment).
  plugins: [vue()],
  test: {
    include: ['src-*/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // The JSON report is what .ci/run counts to print its `N passed, M failed` line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
})
