/**
 * What validating metrics.jsonl lines costs: JSON.parse alone (the floor), parseMetricLine (the fast path
 * for well-formed lines) and the zod schema on every line. Run with
 * `npx tsx src-main/core/store/metricsLine.bench.ts [lines]` (default 1,000,000 iteration lines plus one epoch
 * line per 1,000).
 */
import { performance } from 'node:perf_hooks'
import { parseMetricLine, schemaMetricEvent } from '../../../src-shared/metricsSchema'

const count = Number(process.argv[2] ?? 1_000_000)
const lines: string[] = []
for (let i = 1; i <= count; i++) {
  lines.push(
    JSON.stringify({ type: 'iteration', iteration: i, loss: 2.3 / Math.sqrt(i), t: 1_764_625_316_000 + i }),
  )
  if (i % 1000 === 0) {
    lines.push(
      JSON.stringify({ type: 'epoch', epoch: i / 1000, iteration: i, trainAcc: 0.5, valAcc: 0.4, lr: 1e-3 }),
    )
  }
}

const ways: [string, (line: string) => unknown][] = [
  ['JSON.parse only', (l) => JSON.parse(l)],
  ['parseMetricLine (fast path)', parseMetricLine],
  ['zod schema on every line', (l) => schemaMetricEvent(JSON.parse(l) as Record<string, unknown>)],
]
// Rounds interleave the ways, each round starting with another one, so that a busy neighbour and the
// garbage collector of the previous way's garbage slow all of them alike.
const times = new Map<string, number[]>(ways.map(([name]) => [name, []]))
for (let round = 0; round < 9; round++) {
  for (let k = 0; k < ways.length; k++) {
    const [name, parse] = ways[(round + k) % ways.length]!
    const t0 = performance.now()
    for (const line of lines) parse(line)
    times.get(name)!.push(performance.now() - t0)
  }
}
const floor = median(times.get('JSON.parse only')!)
for (const [name, ts] of times) {
  const m = median(ts)
  console.log(
    `${name.padEnd(30)} ${m.toFixed(0).padStart(6)} ms for ${lines.length} lines  (${(m / floor).toFixed(2)}x JSON.parse)`,
  )
}

function median(ts: number[]): number {
  const sorted = [...ts].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
