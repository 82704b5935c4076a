/**
 * How long listing the runs takes at 20,000 runs (issue 13's target: a warm `runs.list` under 0.5 s),
 * side by side in one process: the folder scan (what listing did before the index), the index cold (first
 * open, no index file: it is built), the index opened by a new process (the file is there), warm (the
 * app listing again), after 100 runs were changed by another process, and `runs.list` through the API
 * handler and the JSON a WebSocket frame carries. Then the alternative to SQLite measured the same way: a
 * single JSON file holding every entry, which must be read whole and rewritten whole.
 *
 *   npm run bench:list            (or npx tsx src-main/core/store/list.bench.ts [count])
 *
 * Runs are written straight to disk (not through create(), so setup does not pay 20,000 fsyncs), as a
 * finished run's run.json looks (config, result with a 10-class confusion matrix, environment, sanity
 * checks: about 5 KB), one run in ten with a meta.json (renamed, tagged), a few damaged. "Cold" is a
 * fresh store in this process; the OS's file cache is warm (the runs were just written).
 */
import { cpus } from 'node:os'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { isCorrupt } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { resultFrameJson } from '../../api/frameJson'
import { createHandlers } from '../../api/handlers'
import { Workbench } from '../workbench'
import { writeFileAtomic } from './atomic'
import { newRunId } from './ids'
import { RUN_INDEX_FILE, loadSqlite } from './runIndexDb'
import { RunStore } from './runStore'
import { makeRecord, makeTempDir } from './testing'

const CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]

/** A finished run as training leaves it. */
function finishedRun(i: number, start: number): RunRecord {
  const at = new Date(start + i * 60_000).toISOString()
  const r = makeRecord({ id: newRunId(new Date(start + i * 60_000)), status: 'completed', createdAt: at })
  r.config.name = `lr sweep ${Math.floor(i / 50)} / ${i % 50}`
  r.config.solver.optimConfig.learningRate = 10 ** -(2 + (i % 30) / 10)
  r.startedAt = at
  r.finishedAt = at
  r.updatedAt = at
  r.progress = { iteration: 4900, numIterations: 4900, epoch: 10, numEpochs: 10 }
  const confusion = CLASSES.map((_, a) =>
    CLASSES.map((_, b) => (a === b ? 70 + ((i + a) % 30) : (i * 7 + a * 3 + b) % 9)),
  )
  const acc = 0.5 + (i % 40) / 100
  r.result = {
    bestValAcc: acc,
    finalTrainAcc: acc + 0.05,
    finalValAcc: acc,
    valAcc: acc,
    testAcc: acc - 0.01,
    confusion,
    classNames: CLASSES,
  }
  r.environment = {
    backend: 'native',
    library: 'OpenBLAS 0.3.21',
    core: 'Haswell',
    coreSource: 'env',
    blasThreads: 1,
    fallbackReason: null,
    workbench: '0.1.0',
    node: process.version,
    platform: 'linux 6.1',
    cpu: 'AMD EPYC x2',
  }
  r.checkpointEpoch = 10
  r.owner = null
  r.activeMs = 61_234 + i
  r.attemptStartedAt = null
  const check = (name: 'initial-loss' | 'regularization' | 'gradient' | 'overfit', message: string) => ({
    name,
    passed: true,
    measured: { loss: 2.304685081177931 + i / 1e6, rise: 0.019880887243373 },
    expected: { loss: 2.302585092994046, tolerance: 0.34538776394910686 },
    message,
    ms: 100 + (i % 50),
  })
  r.checks = {
    version: 1,
    passed: true,
    seed: 1,
    ranAt: at,
    ms: 395,
    source: 'worker',
    checks: [
      check('initial-loss', 'initial loss 2.305 is close to ln(10) = 2.303'),
      check('regularization', 'reg = 1 raises the loss by 0.01988 (2.305 -> 2.325)'),
      {
        ...check('gradient', 'analytic and numerical gradients agree: worst relative error 1.90e-7 (b1)'),
        params: ['W1', 'b1', 'W2', 'b2'].map((name, k) => ({
          name,
          checked: 10,
          relError: 1.9e-7 / (k + 1),
          passed: true,
        })),
      },
      check('overfit', 'reached 100% train accuracy on 50 examples in 43 epochs (reg and dropout off)'),
    ],
  }
  return r
}

async function buildStore(dataDir: string, count: number): Promise<string[]> {
  const start = Date.UTC(2026, 0, 1)
  const ids: string[] = []
  const runsDir = join(dataDir, 'runs')
  for (let i = 0; i < count; i++) {
    const r = finishedRun(i, start)
    ids.push(r.id)
    const dir = join(runsDir, r.id)
    await mkdir(dir, { recursive: true })
    // One in 2,000 damaged, as a crash or a hand edit leaves it: listed as a corrupt entry.
    const text = i % 2000 === 1999 ? '{"id": "truncated' : `${JSON.stringify(r, null, 2)}\n`
    await writeFile(join(dir, 'run.json'), text)
    if (i % 10 === 3) {
      const meta = {
        version: 1,
        name: `${r.config.name} (kept)`,
        tags: ['baseline', `lr-${i % 30}`],
        notes: 'rerun with more epochs',
        archived: i % 20 === 3,
        updatedAt: at(start),
      }
      await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
    }
  }
  return ids
}

const at = (t: number) => new Date(t).toISOString()

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { ms: performance.now() - t0, value }
}

async function median(rounds: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) times.push((await time(fn)).ms)
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000)
  const cpu = cpus()
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores; Node ${process.version}`)
  const sqlite = loadSqlite()
  if (!sqlite.ok)
    console.log(`better-sqlite3 cannot be loaded (${sqlite.reason}): the index is measured in memory only`)
  const tmp = await makeTempDir('wb-list-bench-')
  const rows: [string, string][] = []
  const row = (what: string, ms: number, note = '') => {
    rows.push([what, `${ms.toFixed(0).padStart(6)} ms${note ? `  ${note}` : ''}`])
    console.log(`  ${what.padEnd(52)} ${rows.at(-1)![1]}`)
  }
  try {
    const built = await time(() => buildStore(tmp.dir, count))
    console.log(`built ${count} runs in ${(built.ms / 1000).toFixed(1)} s; listing them:`)
    const quiet = { onProblem: () => {} }

    const scanStore = new RunStore(tmp.dir, quiet)
    const scan = await time(() => scanStore.scanEntries())
    const scanned = scan.value
    const corrupt = scanned.filter(isCorrupt).length
    if (scanned.length !== count) throw new Error(`the scan listed ${scanned.length} of ${count} runs`)
    row('folder scan, cold (before the index)', scan.ms, `${count} entries, ${corrupt} corrupt`)
    row('folder scan, again', (await time(() => scanStore.scanEntries())).ms)

    const file = join(tmp.dir, RUN_INDEX_FILE)
    const first = new RunStore(tmp.dir, { ...quiet, index: { file } })
    const cold = await time(() => first.listEntries())
    same(cold.value, scanned, 'index cold')
    row('index cold (first open: built from the folders)', cold.ms, `read ${first.index!.lastPass.read}`)

    const second = new RunStore(tmp.dir, { ...quiet, index: { file } })
    const opened = await time(() => second.listEntries())
    same(opened.value, scanned, 'index opened')
    row('index opened by a new process (file present)', opened.ms, `read ${second.index!.lastPass.read}`)

    const warm = await median(5, () => first.listEntries())
    row('index warm (median of 5)', warm, `read ${first.index!.lastPass.read}`)

    // Another process edits 100 runs: 50 records rewritten (atomically, as a trainer does), 50 renamed.
    const other = new RunStore(tmp.dir, quiet)
    const good = scanned.filter((e) => !isCorrupt(e))
    for (let k = 0; k < 100; k++) {
      const id = good[k * Math.floor(good.length / 100)]!.id
      if (k % 2 === 0) await other.update(id, (r) => ({ ...r, checkpointEpoch: r.checkpointEpoch + 1 }))
      else
        await other.writeMeta(id, {
          version: 1,
          name: `renamed ${k}`,
          tags: ['edited'],
          notes: '',
          archived: false,
          updatedAt: at(Date.now()),
        })
    }
    const changed = await time(() => first.listEntries())
    same(changed.value, await scanStore.scanEntries(), 'after 100 changes')
    row('index after 100 runs changed by another process', changed.ms, `read ${first.index!.lastPass.read}`)
    row('index warm again', await median(3, () => first.listEntries()))

    // runs.list as a window calls it: the handler over Workbench.listRuns, then the frame's JSON.
    const wb = await Workbench.open({ dataDir: tmp.dir, readOnly: true, onProblem: () => {} })
    const handlers = createHandlers(wb, { mode: 'browser', dataDir: tmp.dir, examplesDir: tmp.dir })
    const listed = await time(() => handlers['runs.list']())
    row('runs.list handler, first (a fresh workbench)', listed.ms)
    let bytes = 0
    const api = await median(5, async () => {
      bytes = resultFrameJson(1, await handlers['runs.list']()).length
    })
    const handlerOnly = await median(5, () => handlers['runs.list']())
    const plain = await median(3, async () =>
      JSON.stringify({ id: 1, result: await handlers['runs.list']() }),
    )
    row('runs.list warm: handler alone (median of 5)', handlerOnly)
    row('runs.list warm: handler + frame JSON (median of 5)', api, `${(bytes / 1e6).toFixed(1)} MB`)
    row('  the same with plain JSON.stringify (no kept JSON)', plain)
    globalThis.gc?.()
    const heap = process.memoryUsage().heapUsed / 2 ** 20
    console.log(
      `  heap in use with two indexes, a workbench and the kept JSON: ${heap.toFixed(0)} MB${globalThis.gc ? '' : ' (before garbage collection; --expose-gc for after)'}`,
    )
    await wb.close()

    // The alternative: every entry in one JSON file, replaced atomically on each change.
    const jsonFile = join(tmp.dir, 'index', 'runs.json')
    const entries = await first.listEntries()
    const write = await time(() =>
      writeFileAtomic(jsonFile, JSON.stringify(entries.map((e) => ({ fp: 'x', entry: e })))),
    )
    const read = await time(async () => JSON.parse(await readFile(jsonFile, 'utf8')) as unknown[])
    console.log('a single-file index instead of SQLite:')
    row('  read and parse it whole (a new process)', read.ms)
    row('  rewrite it whole (after any change)', write.ms)

    console.log(
      `ratio folder scan / index warm: ${(scan.ms / warm).toFixed(0)}x; target (warm runs.list of ${count}, frame JSON included) 500 ms: ${api < 500 ? 'met' : 'NOT met'} (${api.toFixed(0)} ms)`,
    )
    first.close()
    second.close()
  } finally {
    await tmp.cleanup()
  }
}

function same(a: unknown, b: unknown, what: string): void {
  if (JSON.stringify(a) !== JSON.stringify(b))
    throw new Error(`${what}: the index did not list what the scan lists`)
}

void main()
