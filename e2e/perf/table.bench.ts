/**
 * `npm run bench:table`: the experiments table's filter and sort on 20,000 runs, as the renderer runs
 * them (src-renderer/src/lib/runTable.ts) on the records the e2e spec seeds. Each case is timed cold
 * (fresh record objects, nothing cached) and warm (the same records again, as when the filter text
 * changes), median of several rounds. Target: under 100 ms each (issue 13).
 */
import { EMPTY_FILTER, filterRuns, sortRuns } from '../../src-renderer/src/lib/runTable'
import { tableRecord, tableRun } from '../browser/tableSeed'
import type { RunRecord } from '../../src-shared/runs'

const COUNT = Number(process.env['BENCH_RUNS'] ?? 20_000)
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9)
const TARGET_MS = 100

const records = (): RunRecord[] => Array.from({ length: COUNT }, (_, i) => tableRecord(tableRun(i)))

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function time(fn: () => unknown): number {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

const FILTERS = [
  'table',
  'lr < 1e-3',
  '(lr < 1e-3 or reg > 0.1) and not tag:baseline',
  'model:conv and not (best < 50% or duration > 1m) or name:"table run 1*"',
  'not (updateRule:adam or hidden > 100) seed >= 1000',
]
const SORTS: [string, 'asc' | 'desc'][] = [
  ['bestVal', 'desc'],
  ['bestVal', 'asc'],
  ['lr', 'asc'],
  ['name', 'asc'],
  ['model', 'asc'],
  ['duration', 'desc'],
  ['config:solver.updateRule', 'asc'],
]

const rows: [string, number, number, number][] = []
const warmRuns = records()
for (const q of FILTERS) {
  const cold = median(
    Array.from({ length: ROUNDS }, () => {
      const runs = records()
      return time(() => filterRuns(runs, { ...EMPTY_FILTER, query: q }, Date.now()))
    }),
  )
  let shown = 0
  const warm = median(
    Array.from({ length: ROUNDS }, () =>
      time(() => (shown = filterRuns(warmRuns, { ...EMPTY_FILTER, query: q }, Date.now()).length)),
    ),
  )
  rows.push([`filter  ${q}`, shown, cold, warm])
}
for (const [key, dir] of SORTS) {
  const t = median(Array.from({ length: ROUNDS }, () => time(() => sortRuns(warmRuns, key, dir, Date.now()))))
  rows.push([`sort    ${key} ${dir}`, COUNT, t, t])
}
let both = 0
const bothMs = median(
  Array.from({ length: ROUNDS }, () =>
    time(() => {
      const shown = filterRuns(warmRuns, { ...EMPTY_FILTER, query: FILTERS[2]! }, 0)
      both = sortRuns(shown, 'bestVal', 'desc', 0).length
    }),
  ),
)
rows.push([`filter + sort  ${FILTERS[2]} by bestVal`, both, bothMs, bothMs])

console.log(`Experiments table, ${COUNT} runs, median of ${ROUNDS} (ms): cold | warm | rows`)
for (const [name, n, cold, warm] of rows) {
  console.log(
    `  ${cold.toFixed(1).padStart(7)} ${warm.toFixed(1).padStart(7)}  ${String(n).padStart(6)}  ${name}`,
  )
}
const worst = Math.max(...rows.map((r) => Math.max(r[2], r[3])))
console.log(
  `slowest ${worst.toFixed(1)} ms: ${worst < TARGET_MS ? 'under' : 'OVER'} the ${TARGET_MS} ms target`,
)
