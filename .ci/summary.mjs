// Prints the closing `N passed, M failed[, K skipped]` line from vitest's and Playwright's JSON reports.
// A failed typecheck, lint or build (npm test exits non-zero with no failing test counted) counts as one
// more failure.
import { existsSync, readFileSync } from 'node:fs'

const status = Number(process.argv[2] ?? 1)
let passed = 0
let failed = 0
let skipped = 0
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null)

const vitest = read('.vitest-report.json')
if (vitest) {
  passed += vitest.numPassedTests ?? 0
  failed += vitest.numFailedTests ?? 0
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0)
} else {
  console.log('no vitest report: typecheck or lint failed before the unit tests ran')
}
const playwright = read('.playwright-report.json')
if (playwright?.stats) {
  passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0)
  failed += playwright.stats.unexpected ?? 0
  skipped += playwright.stats.skipped ?? 0
}
if (status !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
