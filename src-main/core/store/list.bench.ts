/**
 * How long RunStore.list() takes for 1,000 runs (target: well under a second, the history view's budget).
 * Run with `npx tsx src-main/core/store/list.bench.ts [count]`. Runs are written straight to disk, not
 * through create(), so setup does not pay 1,000 fsyncs.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { newRunId } from './ids'
import { RunStore } from './runStore'
import { makeRecord, makeTempDir } from './testing'

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000)
  const tmp = await makeTempDir('wb-store-bench-')
  try {
    const store = new RunStore(tmp.dir)
    const start = Date.UTC(2026, 0, 1)
    for (let i = 0; i < count; i++) {
      const record = makeRecord({ id: newRunId(new Date(start + i * 60_000)), status: 'completed' })
      await mkdir(store.runDir(record.id), { recursive: true })
      await writeFile(join(store.runDir(record.id), 'run.json'), `${JSON.stringify(record, null, 2)}\n`)
    }
    const times: number[] = []
    for (let round = 0; round < 7; round++) {
      const t0 = performance.now()
      const runs = await store.list()
      times.push(performance.now() - t0)
      if (runs.length !== count) throw new Error(`listed ${runs.length} of ${count} runs`)
    }
    const [first, ...rest] = times
    rest.sort((a, b) => a - b)
    const median = rest[Math.floor(rest.length / 2)]!
    console.log(
      `list() of ${count} runs: first ${first!.toFixed(1)} ms, median of the next ${rest.length} ${median.toFixed(1)} ms`,
    )
  } finally {
    await tmp.cleanup()
  }
}

void main()
