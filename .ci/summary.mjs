// Prints the closing `N passed, M failed[, K skipped]` line from vitest's JSON report. A failed
// typecheck or lint (npm test exits non-zero before or besides vitest) counts as one more failure.
import { existsSync, readFileSync } from 'node:fs'

const status = Number(process.argv[2] ?? 1)
let passed = 0
let failed = 0
let skipped = 0
if (existsSync('.vitest-report.json')) {
  const r = JSON.parse(readFileSync('.vitest-report.json', 'utf8'))
  passed = r.numPassedTests ?? 0
  failed = r.numFailedTests ?? 0
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
} else {
  console.log('no vitest report: typecheck or lint failed before the unit tests ran')
}
if (status !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
