// A separate process that trains one run through the real Workbench (pool, worker, checkpoint writes) on
// a synthetic IDX dataset and prints its peak memory: the memory calibration test compares it with the
// estimate. Run with --expose-gc; Linux only (the peak is the kernel's high-water mark of the RSS, reset
// through /proc/self/clear_refs after the dataset is loaded).
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { idxImages, idxLabels } from '../datasets/testing'
import { Workbench } from '../workbench'

export interface MemoryChildInput {
  dir: string
  /** Synthetic IDX images of rows x cols, `train` and `test` of them. */
  dataset: { rows: number; cols: number; train: number; test: number }
  config: unknown
  checks: boolean
  /**
   * 'fresh' (default) trains the config and measures; 'interrupt' trains it unmeasured and cancels it
   * after its first epoch checkpoint, printing its id; 'resume' measures resuming run `runId` (the same
   * `dir` as the interrupting call).
   */
  mode?: 'fresh' | 'interrupt' | 'resume'
  runId?: string
}

export interface MemoryChildOutput {
  status: string
  error: unknown
  /** RSS when the run was queued (dataset loaded, garbage collected). */
  baseRss: number
  /** High-water mark of the RSS from then until the run ended. */
  peakRss: number
  /** Bytes of the loaded dataset. */
  datasetBytes: number
  /** The epoch a resumed run continued from (null for a fresh run). */
  resumedFromEpoch: number | null
}

function statusKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))
  if (!m) throw new Error(`no ${field} in /proc/self/status`)
  return Number(m[1]) * 1024
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]!) as MemoryChildInput
  const builtin = join(input.dir, 'builtin', 'synth')
  const mode = input.mode ?? 'fresh'
  if (mode !== 'resume') {
    await mkdir(builtin, { recursive: true })
    const { rows, cols, train, test } = input.dataset
    await writeFile(join(builtin, 'train-images-idx3-ubyte'), idxImages(train, rows, cols, 7))
    await writeFile(join(builtin, 'train-labels-idx1-ubyte'), idxLabels(train))
    await writeFile(join(builtin, 't10k-images-idx3-ubyte'), idxImages(test, rows, cols, 11))
    await writeFile(join(builtin, 't10k-labels-idx1-ubyte'), idxLabels(test))
  }
  const wb = await Workbench.open({
    dataDir: join(input.dir, 'data'),
    builtinDatasetsDir: join(input.dir, 'builtin'),
    maxThreads: 1,
    progressIntervalMs: 50,
    // Every epoch end checkpoints: the worst case for the messages' copies, and a short run has one.
    workerFile: join(__dirname, 'checkpoint-every-epoch-worker.cjs'),
    checksBeforeTraining: input.checks ? 'always' : 'never',
  })
  if (mode === 'interrupt') {
    const run = await wb.createRun(input.config)
    wb.subscribe((e) => {
      // The worker posts an epoch's checkpoint right after its metrics, and main writes it before ending.
      const epochEnded = e.type === 'metrics' && e.events.some((x) => x.type === 'epoch' && x.epoch >= 1)
      if (epochEnded) void wb.cancel(run.id).catch(() => undefined)
    })
    await wb.whenIdle()
    const done = await wb.getRun(run.id)
    await wb.close()
    console.log(JSON.stringify({ id: run.id, status: done.status, checkpointEpoch: done.checkpointEpoch }))
    return
  }
  const raw = await wb.datasets.load('synth')
  const datasetBytes =
    raw.train.images.byteLength +
    raw.train.labels.byteLength +
    raw.test.images.byteLength +
    raw.test.labels.byteLength
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run with --expose-gc')
  gc()
  await new Promise((r) => setTimeout(r, 100))
  gc()
  const baseRss = statusKb('VmRSS')
  writeFileSync('/proc/self/clear_refs', '5')
  const run = mode === 'resume' ? await wb.resume(input.runId!) : await wb.createRun(input.config)
  await wb.whenIdle()
  const peakRss = statusKb('VmHWM')
  const done = await wb.getRun(run.id)
  const resumed = (await wb.readMetrics(run.id)).find((e) => e.type === 'resume')
  await wb.close()
  const out: MemoryChildOutput = {
    status: done.status,
    error: done.error,
    baseRss,
    peakRss,
    datasetBytes,
    resumedFromEpoch: resumed?.type === 'resume' ? resumed.fromEpoch : null,
  }
  console.log(JSON.stringify(out))
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
