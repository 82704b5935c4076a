// The memory estimate held against measured peaks: each config trains a few steps plus accuracy checks
// through the real Workbench (pool, worker, checkpoint and snapshot writes) in a child process of its own
// on synthetic data, and the kernel's high-water mark of its RSS (reset after the dataset is loaded) must
// lie within a stated factor of the estimate. Every config stays under about 420 MB (layer capture, on by
// default, adds a second batch of activations to the activation-heavy ones), so the machine is
// safe. Linux only: the peak comes from /proc/self/clear_refs and VmHWM.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { formatBytes } from '../../src-shared/byteSize'
import { parseRunConfig, type RunConfigInput } from '../../src-shared/config'
import { estimateRunMemory } from '../../src-shared/memoryEstimate'
import type { MemoryChildInput, MemoryChildOutput } from './testing/memory-child'

const run = promisify(execFile)

/** The estimate may exceed the measured peak by 60% (a budget errs safe) and fall short of it by 20%. */
const LOW = 0.8
const HIGH = 1.6
/** Processes per config: the peak is the highest of them. */
const SAMPLES = 2

interface Case {
  label: string
  /** Synthetic IDX images of rows x cols: `train` and `test` of them. */
  images: MemoryChildInput['dataset']
  config: RunConfigInput
  checks?: boolean
  /** Measure a resume: train until the first epoch's checkpoint, cancel, then resume in a new process. */
  resume?: boolean
}

const ds = (numTraining: number, numValidation: number, numTest: number) => ({
  name: 'synth',
  numTraining,
  numValidation,
  numTest,
})

const CASES: Case[] = [
  {
    label: 'worker thread alone (two-layer, 1 unit)',
    images: { rows: 8, cols: 8, train: 2000, test: 500 },
    config: {
      name: 'c',
      dataset: ds(1000, 100, 100),
      model: { kind: 'two-layer', hiddenDim: 1 },
      solver: { batchSize: 1, numEpochs: 1 },
    },
  },
  {
    label: 'two-layer 4096-900, sgd (parameters)',
    images: { rows: 64, cols: 64, train: 400, test: 200 },
    config: {
      name: 'c',
      dataset: ds(100, 100, 100),
      model: { kind: 'two-layer', hiddenDim: 900 },
      solver: { batchSize: 50, numEpochs: 2 },
    },
  },
  {
    label: 'two-layer 64-512, batch 16384 (activations)',
    images: { rows: 8, cols: 8, train: 20000, test: 500 },
    config: {
      name: 'c',
      dataset: ds(16384, 1000, 500),
      model: { kind: 'two-layer', hiddenDim: 512 },
      solver: { batchSize: 16384, numEpochs: 2 },
    },
  },
  {
    label: 'two-layer 1024-2048, adam',
    images: { rows: 32, cols: 32, train: 1000, test: 300 },
    config: {
      name: 'c',
      dataset: ds(400, 200, 300),
      model: { kind: 'two-layer', hiddenDim: 2048 },
      solver: { updateRule: 'adam', batchSize: 200, numEpochs: 2 },
    },
  },
  {
    label: 'fc 256-1280-1280, batchnorm, dropout, adam',
    images: { rows: 16, cols: 16, train: 1000, test: 300 },
    config: {
      name: 'c',
      dataset: ds(512, 200, 300),
      model: { kind: 'fc', hiddenDims: [1280, 1280], normalization: 'batchnorm', dropoutKeepRatio: 0.5 },
      solver: { updateRule: 'adam', batchSize: 256, numEpochs: 2 },
    },
  },
  {
    label: 'fc 64-512-512, batchnorm, dropout, momentum, batch 4096',
    images: { rows: 8, cols: 8, train: 6000, test: 300 },
    config: {
      name: 'c',
      dataset: ds(4096, 500, 300),
      model: { kind: 'fc', hiddenDims: [512, 512], normalization: 'batchnorm', dropoutKeepRatio: 0.8 },
      solver: { updateRule: 'sgdMomentum', batchSize: 4096, numEpochs: 2 },
    },
  },
  {
    label: 'fc 256-1024x3, layernorm, rmsprop, batch 1024',
    images: { rows: 16, cols: 16, train: 3000, test: 300 },
    config: {
      name: 'c',
      dataset: ds(2048, 300, 300),
      model: { kind: 'fc', hiddenDims: [1024, 1024, 1024], normalization: 'layernorm' },
      solver: { updateRule: 'rmsprop', batchSize: 1024, numEpochs: 2 },
    },
  },
  {
    label: 'three-layer conv 28x28, 32 7x7 filters, batch 200',
    images: { rows: 28, cols: 28, train: 1000, test: 300 },
    config: {
      name: 'c',
      dataset: ds(400, 200, 300),
      model: { kind: 'three-layer-conv' },
      solver: { batchSize: 200, numEpochs: 2 },
    },
  },
  {
    label: 'three-layer conv 32x32, 64 5x5 filters, hidden 96, adam',
    images: { rows: 32, cols: 32, train: 600, test: 300 },
    config: {
      name: 'c',
      dataset: ds(100, 100, 100),
      model: { kind: 'three-layer-conv', numFilters: 64, filterSize: 5, hiddenDim: 96 },
      solver: { updateRule: 'adam', batchSize: 50, numEpochs: 2 },
    },
  },
  {
    label: 'two-layer 4096-448, sanity checks first',
    images: { rows: 64, cols: 64, train: 400, test: 200 },
    checks: true,
    config: {
      name: 'c',
      dataset: ds(100, 100, 100),
      model: { kind: 'two-layer', hiddenDim: 448 },
      solver: { batchSize: 50, numEpochs: 2 },
    },
  },
  {
    label: 'two-layer 4096-512, momentum, resumed',
    images: { rows: 64, cols: 64, train: 600, test: 200 },
    resume: true,
    config: {
      name: 'c',
      dataset: ds(200, 200, 200),
      model: { kind: 'two-layer', hiddenDim: 512 },
      solver: { updateRule: 'sgdMomentum', optimConfig: { learningRate: 1e-6 }, batchSize: 20, numEpochs: 3 },
    },
  },
  {
    label: 'two-layer 4-1, 200k iterations (loss history)',
    images: { rows: 2, cols: 2, train: 201000, test: 100 },
    config: {
      name: 'c',
      dataset: ds(200000, 1000, 100),
      model: { kind: 'two-layer', hiddenDim: 1 },
      solver: { batchSize: 1, numEpochs: 1 },
    },
  },
]

const CHILD = join(__dirname, 'testing', 'memory-child.ts')

async function child(input: MemoryChildInput): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', CHILD, JSON.stringify(input)],
    { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 },
  )
  return stdout.trim().split('\n').at(-1)!
}

const measurable = process.platform === 'linux' && existsSync('/proc/self/clear_refs')
if (!measurable) {
  console.warn(
    'memory calibration skipped: it reads peak RSS through /proc/self/clear_refs and VmHWM (Linux only)',
  )
}

const table: string[] = []
afterAll(() => {
  if (table.length === 0) return
  console.log(['config | estimate | measured | ratio', '--- | --- | --- | ---', ...table].join('\n'))
})

describe.skipIf(!measurable)('the memory estimate against measured peaks', () => {
  it.each(CASES)(
    '$label',
    async (c) => {
      const parsed = parseRunConfig(c.config)
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
      const config = parsed.value
      const d = config.dataset
      const estimate = estimateRunMemory(
        config,
        {
          shape: [1, c.images.rows, c.images.cols],
          numClasses: 10,
          numTraining: d.numTraining!,
          numValidation: d.numValidation!,
          numTest: d.numTest!,
          trainImages: c.images.train,
          testImages: c.images.test,
        },
        { sanityChecks: c.checks === true, resume: c.resume === true },
      )
      const dir = await mkdtemp(join(tmpdir(), 'wb-memory-'))
      try {
        const base: Omit<MemoryChildInput, 'dir'> = {
          dataset: c.images,
          config: c.config,
          checks: c.checks === true,
        }
        // The collector decides when the sanity checks' and the previous epoch's garbage goes, so one
        // process's peak varies by tens of MB: the estimate is held against the worst of SAMPLES.
        let measured = 0
        for (let sample = 0; sample < SAMPLES; sample++) {
          // Each process in a data folder of its own.
          const input: MemoryChildInput = { ...base, dir: join(dir, `sample-${sample}`) }
          await mkdir(input.dir)
          let out: MemoryChildOutput
          if (c.resume) {
            const first = JSON.parse(await child({ ...input, mode: 'interrupt' })) as {
              id: string
              status: string
            }
            expect(first.status).toBe('cancelled')
            out = JSON.parse(await child({ ...input, mode: 'resume', runId: first.id })) as MemoryChildOutput
            expect(out.resumedFromEpoch).toBe(1)
          } else {
            out = JSON.parse(await child(input)) as MemoryChildOutput
          }
          expect(out.error).toBeNull()
          expect(out.status).toBe('completed')
          // The dataset is loaded before the baseline: the estimate leaves it out as well.
          expect(out.datasetBytes).toBe(estimate.datasetBytes)
          measured = Math.max(measured, out.peakRss - out.baseRss)
        }
        const ratio = estimate.bytes / measured
        table.push(
          `${c.label} | ${formatBytes(estimate.bytes)} | ${formatBytes(measured)} | ${ratio.toFixed(2)}`,
        )
        expect(estimate.bytes).toBeLessThan(420 * 2 ** 20)
        expect(ratio).toBeGreaterThanOrEqual(LOW)
        expect(ratio).toBeLessThanOrEqual(HIGH)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
    120_000,
  )
})
