/**
 * How long a dataset job holds main's event loop (where the app answers the UI and forwards training
 * progress; training itself runs in worker threads): the longest stall and the 99th percentile while
 * (1) downloading and md5-checking a 64 MB file from a local server at full speed, and (2) loading a
 * CIFAR-10-sized python folder (6 batches of 10,000 images), as the end of a CIFAR-10 import or download
 * does to check the files. The local server runs in this process: its writes count too.
 *
 *   npx tsx src-main/core/datasets/mainThread.bench.ts
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { join } from 'node:path'
import { writeCifarPython } from '../../../src-worker/data/fixtures'
import { loadDataset } from '../../../src-worker/data/load'
import type { RawDataset } from '../../../src-worker/data/types'
import { downloadDataset } from './download'
import { makeTempDir, pseudoRandomBytes, startServer, testSource } from './testing'

async function lagOf(what: string, fn: () => Promise<unknown>): Promise<void> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  h.enable()
  const t0 = performance.now()
  await fn()
  const ms = performance.now() - t0
  h.disable()
  const max = h.max / 1e6
  const p99 = h.percentile(99) / 1e6
  console.log(
    `${what}: ${ms.toFixed(0)} ms, event loop stalled at most ${max.toFixed(0)} ms (p99 ${p99.toFixed(0)} ms)`,
  )
}

async function main(): Promise<void> {
  const tmp = await makeTempDir('wb-bench-main-')
  try {
    const big = { 'big.bin': pseudoRandomBytes(64 * 2 ** 20, 3) }
    const server = await startServer(big)
    const tiny: RawDataset = {
      format: 'idx',
      shape: [1, 1, 1],
      classNames: ['a'],
      train: { images: new Uint8Array(1), labels: new Uint8Array(1), count: 1 },
      test: { images: new Uint8Array(1), labels: new Uint8Array(1), count: 1 },
      files: [],
    }
    await lagOf('download + md5 of 64 MB', () =>
      downloadDataset(testSource('big', server.url, big), join(tmp.dir, 'datasets'), {
        loader: async () => tiny,
      }),
    )
    await server.close()

    const cifar = join(tmp.dir, 'cifar-10-batches-py')
    await writeCifarPython(cifar, { perBatch: 10_000, testCount: 10_000 })
    await lagOf('load of a CIFAR-10-sized python folder', () => loadDataset(cifar))
  } finally {
    await tmp.cleanup()
  }
}

void main()
