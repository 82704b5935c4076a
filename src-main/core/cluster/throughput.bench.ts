/**
 * Throughput of the cluster against the local pool on the same sweep, on this machine: the sweep trained
 * by the local pool (as many threads as cores), then sent to 1, 2 and 3 `workbench worker` processes
 * (one run at a time each) through a Redis started here. Prints wall time, runs per minute and
 * iterations per second for each.
 *
 *   npx tsx src-main/core/cluster/throughput.bench.ts [runs=6] [epochs=4]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunConfigInput } from '../../../src-shared/config'
import { appRoot } from '../appPaths'
import { clusterExecutor } from '../executors/redis'
import { Workbench, type WorkbenchOptions } from '../workbench'
import { parseRedisUrl } from './connection'
import { testRedis } from './testing/redisServer'

const runs = Number(process.argv[2] ?? 6)
const epochs = Number(process.argv[3] ?? 4)

const base: RunConfigInput = {
  name: 'bench',
  dataset: { name: 'fashion-mnist-small', numTraining: 5000, numValidation: 200, numTest: 200 },
  model: { kind: 'fc', hiddenDims: [256, 128] },
  solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 100, numEpochs: epochs },
  seed: 3,
}
const spec = {
  version: 1,
  name: 'throughput',
  method: 'grid',
  base,
  params: { seed: { values: Array.from({ length: runs }, (_, i) => i + 1) } },
}

async function sweepOnce(
  options: Partial<WorkbenchOptions>,
  trainOn: 'local' | 'cluster',
): Promise<{ s: number; iterations: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wb-bench-'))
  const wb = await Workbench.open({ dataDir, ...options })
  try {
    if (trainOn === 'cluster') {
      for (let i = 0; wb.cluster!.capacity === 0; i++) {
        if (i > 600) throw new Error('no worker registered in 60 s')
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const t = performance.now()
    const { runs: created } = await wb.createSweep(spec, { trainOn })
    await wb.whenIdle()
    const s = (performance.now() - t) / 1000
    let iterations = 0
    for (const r of created) {
      const done = await wb.getRun(r.id)
      if (done.status !== 'completed') throw new Error(`run ${r.id} ${done.status}`)
      iterations += done.progress.iteration
    }
    return { s, iterations }
  } finally {
    await wb.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

function startWorkers(n: number, url: string, queue: string, dirs: string[]): ChildProcess[] {
  return Array.from({ length: n }, (_, i) =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(appRoot(), 'src-main/cli/main.ts'),
        'worker',
        '--redis',
        url,
        '--queue',
        queue,
        '--concurrency',
        '1',
        '--data-dir',
        dirs[i]!,
      ],
      { stdio: 'ignore' },
    ),
  )
}

async function main(): Promise<void> {
  const redis = await testRedis()
  if (!redis) {
    console.log('skipped: no Redis (redis-server not on PATH and $WORKBENCH_TEST_REDIS not set)')
    return
  }
  const parsed = parseRedisUrl(redis.url)
  if (!parsed.ok) throw new Error(parsed.message)
  const rows: { setup: string; s: number; iterations: number }[] = []
  try {
    const cores = availableParallelism()
    rows.push({ setup: `local pool, ${cores} threads`, ...(await sweepOnce({ maxThreads: cores }, 'local')) })
    for (const n of [1, 2, 3]) {
      const queue = `bench${randomBytes(3).toString('hex')}`
      const dirs = await Promise.all(Array.from({ length: n }, () => mkdtemp(join(tmpdir(), 'wb-bench-w-'))))
      const workers = startWorkers(n, redis.url, queue, dirs)
      try {
        const r = await sweepOnce(
          { maxThreads: 1, cluster: clusterExecutor({ address: parsed.value, queue, reconcileMs: 500 }) },
          'cluster',
        )
        rows.push({ setup: `${n} worker process${n > 1 ? 'es' : ''}`, ...r })
      } finally {
        for (const w of workers) w.kill('SIGTERM')
        await Promise.all(
          workers.map((w) => new Promise((res) => (w.exitCode !== null ? res(null) : w.once('exit', res)))),
        )
        await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
      }
    }
  } finally {
    await redis.stop()
  }
  console.log(
    `\n${runs} runs x ${epochs} epochs (fc 256-128, adam, batch 100, 5000 images), ${availableParallelism()} cores`,
  )
  console.log('| setup | wall s | runs/min | it/s |')
  console.log('| --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.setup} | ${r.s.toFixed(1)} | ${((runs / r.s) * 60).toFixed(1)} | ${(r.iterations / r.s).toFixed(0)} |`,
    )
  }
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
