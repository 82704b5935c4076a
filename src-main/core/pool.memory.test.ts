// A run that does not fit in memory fails alone, named, with reason 'memory', while another run in the
// same pool completes and the pool goes on serving. Nothing here takes real memory from the machine: V8
// refuses the first run's tensor before allocating, the second run's heap is capped at 64 MB, and the
// third test runs in a child process whose address space is capped.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { TrainingPool } from './pool'
import { syntheticDataset, trainTask } from './testing/poolTasks'

const pools: TrainingPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()))
})

function pool(options: ConstructorParameters<typeof TrainingPool>[0]): TrainingPool {
  const p = new TrainingPool(options)
  pools.push(p)
  return p
}

const small = syntheticDataset(8, 8, 400, 100)
const fine = trainTask(small, {
  name: 'fine',
  model: { kind: 'two-layer', hiddenDim: 10 },
  solver: { batchSize: 50, numEpochs: 2 },
})

/** V8 refuses a typed array over 2^35 bytes at once, without asking the allocator (checked, not assumed). */
function v8RefusesAtOnce(): boolean {
  try {
    new Float32Array(2 ** 34)
    return false
  } catch (e) {
    return e instanceof RangeError && /Invalid typed array length/.test(e.message)
  }
}

describe('a run that runs out of memory fails alone', () => {
  it.skipIf(!v8RefusesAtOnce())(
    'a weight matrix beyond V8 typed-array limit: the run fails on memory, naming what and the estimate',
    async () => {
      const p = pool({ maxThreads: 2 })
      // 512 x 512 images, 65536 hidden units: W1 holds 2^34 float32 values (64 GB).
      const huge = trainTask(syntheticDataset(512, 512, 20, 10), {
        name: 'huge',
        dataset: { name: 'synth', numTraining: 10, numValidation: 5, numTest: 5 },
        model: { kind: 'two-layer', hiddenDim: 65536 },
        solver: { batchSize: 5, numEpochs: 1 },
      })
      const [failed, done] = await Promise.all([p.run(huge, () => {}).done, p.run(fine, () => {}).done])
      expect(failed).toEqual({
        status: 'failed',
        error: {
          reason: 'memory',
          message: expect.stringMatching(
            /^out of memory while building the model: an allocation failed \(Invalid typed array length: 17179869184\); this run needs about \d+ GB by estimate\./,
          ) as unknown,
          iteration: 0,
        },
      })
      expect(done.status).toBe('completed')
      // Both threads serve on.
      const again = await Promise.all([p.run(fine, () => {}).done, p.run(fine, () => {}).done])
      expect(again.map((o) => o.status)).toEqual(['completed', 'completed'])
    },
  )

  it('a worker thread past its heap limit is stopped and its run fails on memory; the others go on', async () => {
    const p = pool({
      maxThreads: 2,
      filename: join(__dirname, 'testing', 'heap-hog-worker.cjs'),
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    })
    const hog = { ...fine, runId: 'hog', config: { ...fine.config, name: 'hog' } }
    const [failed, done] = await Promise.all([p.run(hog, () => {}).done, p.run(fine, () => {}).done])
    expect(failed.status).toBe('failed')
    if (failed.status !== 'failed') return
    expect(failed.error.reason).toBe('memory')
    expect(failed.error.message).toMatch(
      /^out of memory: its worker thread reached its JavaScript heap limit and was stopped; this run needs about \d+ MB by estimate\./,
    )
    expect(done.status).toBe('completed')
    // The pool replaced the stopped thread.
    const again = await Promise.all([p.run(fine, () => {}).done, p.run(fine, () => {}).done])
    expect(again.map((o) => o.status)).toEqual(['completed', 'completed'])
  })

  it('gives each worker thread a heap limit of its own by default', () => {
    const p = pool({ maxThreads: 1 })
    expect(
      (p as unknown as { piscina: { options: { resourceLimits: unknown } } }).piscina.options.resourceLimits,
    ).toEqual({ maxOldGenerationSizeMb: 2048 })
  })
})

describe('an allocation the allocator refuses', () => {
  const capped = process.platform === 'linux' || process.platform === 'darwin'
  if (!capped)
    console.warn('allocation-failure test skipped: it caps a child process with ulimit -v (POSIX sh)')

  it.skipIf(!capped)(
    'in a process whose address space is capped: that run fails on memory, the other completes',
    async () => {
      const child = join(__dirname, 'testing', 'allocation-child.ts')
      // 3 GB of address space: Node, the pool and a small run fit; the 4 GB weight matrix does not.
      const { stdout } = await promisify(execFile)('/bin/sh', [
        '-c',
        `ulimit -v 3000000 && exec "${process.execPath}" --jitless --import tsx "${child}"`,
      ])
      const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        capped: boolean
        tooBig?: { status: string; error: { reason: string; message: string } }
        fine?: string
        again?: string
      }
      expect(out.capped).toBe(true)
      expect(out.tooBig?.status).toBe('failed')
      expect(out.tooBig?.error.reason).toBe('memory')
      expect(out.tooBig?.error.message).toMatch(
        /^out of memory while building the model: an allocation failed \(Array buffer allocation failed\); this run needs about \d+ GB by estimate\./,
      )
      expect(out.fine).toBe('completed')
      expect(out.again).toBe('completed')
    },
  )
})
