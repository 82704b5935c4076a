/**
 * Resident memory of 1 vs 4 training workers on CIFAR-shaped data (50,000 + 10,000 uint8 images of
 * 3x32x32, 184 MB). The dataset lives once, in SharedArrayBuffers, and every worker reads it in place, so
 * four workers should cost little more than one. Each configuration runs in a fresh process; RSS is
 * sampled while the workers train.
 *   npx tsx src-worker/bench/memory.bench.ts
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { meanImage } from '../data/prepare'
import { sharedBytes, type RawDataset } from '../data/types'
import { Rng } from '../engine'

const STEPS = Number(process.env['BENCH_STEPS'] ?? 150)

function cifarShaped(): RawDataset {
  const rng = new Rng(0)
  const split = (n: number) => {
    const images = sharedBytes(n * 3072)
    for (let i = 0; i < images.length; i += 4) {
      const r = rng.nextUint32()
      images[i] = r & 255
      images[i + 1] = (r >>> 8) & 255
      images[i + 2] = (r >>> 16) & 255
      images[i + 3] = r >>> 24
    }
    const labels = sharedBytes(n)
    for (let i = 0; i < n; i++) labels[i] = rng.int(10)
    return { images, labels, count: n }
  }
  return {
    format: 'cifar10-binary',
    shape: [3, 32, 32],
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
    train: split(50_000),
    test: split(10_000),
    files: [],
  }
}

async function child(workers: number): Promise<void> {
  const raw = cifarShaped()
  const mean = meanImage(raw.train.images, 49_000, 3072)
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  const t0 = performance.now()
  const results = await Promise.all(
    Array.from(
      { length: workers },
      (_, k) =>
        new Promise<{ loss: number; shared: boolean }>((resolve, reject) => {
          // A TypeScript worker: register tsx's CommonJS hook in the thread, then load the file.
          const file = join(__dirname, 'memory.worker.ts')
          const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)})`, {
            eval: true,
            workerData: { raw, mean, steps: STEPS, seed: k + 1 },
          })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  const seconds = (performance.now() - t0) / 1000
  console.log(
    JSON.stringify({
      workers,
      datasetMB: (raw.train.images.length + raw.test.images.length) / 2 ** 20,
      rssBeforeMB: before / 2 ** 20,
      peakRssMB: peak / 2 ** 20,
      stepsPerSecond: (workers * STEPS) / seconds,
      shared: results.every((r) => r.shared),
    }),
  )
}

function main(): void {
  console.log(`Memory of training workers sharing one uint8 CIFAR-shaped dataset (${STEPS} steps each)`)
  const rows: Record<string, number | boolean>[] = []
  for (const workers of [1, 4]) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', String(workers)], {
      encoding: 'utf8',
      env: { ...process.env, WORKBENCH_BLAS_THREADS: '1' },
    })
    if (r.status !== 0) throw new Error(`child with ${workers} workers failed: ${r.stderr}`)
    const row = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | boolean>
    rows.push(row)
    console.log(
      `${workers} worker(s): dataset ${(row['datasetMB'] as number).toFixed(0)} MB shared=${row['shared']}, ` +
        `RSS before training ${(row['rssBeforeMB'] as number).toFixed(0)} MB, ` +
        `peak while training ${(row['peakRssMB'] as number).toFixed(0)} MB, ` +
        `${(row['stepsPerSecond'] as number).toFixed(0)} steps/s in total`,
    )
  }
  const ratio = (rows[1]!['peakRssMB'] as number) / (rows[0]!['peakRssMB'] as number)
  console.log(`peak RSS 4 workers / 1 worker: ${ratio.toFixed(2)} (target <= 1.3)`)
}

if (process.argv[2] === '--child') void child(Number(process.argv[3]))
else main()
