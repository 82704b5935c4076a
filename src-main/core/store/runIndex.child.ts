/**
 * The other process of runIndex.test.ts: opens the same data folder's index and, for `rounds` rounds,
 * rewrites a run's record, edits another's meta.json and lists, as a CLI next to the app would. Prints
 * `done`; any problem the index reports (a locked or damaged file) fails it.
 *   node --import tsx runIndex.child.ts <dataDir> <rounds> <id>...
 */
import { join } from 'node:path'
import { RUN_INDEX_FILE } from './runIndexDb'
import { RunStore } from './runStore'

async function main(): Promise<void> {
  const [dataDir, roundsArg, ...ids] = process.argv.slice(2)
  if (!dataDir || !roundsArg || ids.length === 0) throw new Error('usage: <dataDir> <rounds> <id>...')
  const problems: string[] = []
  const store = new RunStore(dataDir, {
    index: { file: join(dataDir, RUN_INDEX_FILE) },
    onProblem: (p) => problems.push(`${p.file}: ${p.message}`),
  })
  for (let round = 0; round < Number(roundsArg); round++) {
    const id = ids[round % ids.length]!
    await store.update(id, (r) => ({ ...r, checkpointEpoch: r.checkpointEpoch + 1 }))
    const meta = { version: 1 as const, name: `child ${round}`, tags: ['child'], notes: '', archived: false }
    await store.writeMeta(ids[(round + 1) % ids.length]!, { ...meta, updatedAt: new Date().toISOString() })
    await store.listEntries()
  }
  store.close()
  if (problems.length > 0) throw new Error(problems.join('\n'))
  process.stdout.write('done\n')
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
