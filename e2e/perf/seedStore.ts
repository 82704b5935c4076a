/**
 * A data folder of many completed runs in sweeps, written straight to disk (run.json, metrics.jsonl,
 * sweeps/<id>.json, in the store's own formats) rather than through RunStore: 1,000 runs of 10,000
 * iterations are 10 million metric lines, which take seconds this way and many minutes one append at a
 * time. Each sweep is a grid of learning rates x seeds, so any 50 runs of it group into 5 learning rates.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SweepRecord } from '../../src-shared/contract'
import type { RunRecord } from '../../src-shared/runs'
import { FASHION_MNIST_CLASSES } from '../../src-worker/data/formats/idx'

const CLASS_NAMES = [...FASHION_MNIST_CLASSES]
/** The grid every sweep searches: 5 learning rates, each with as many seeds as the sweep has room for. */
export const LEARNING_RATES = [3e-4, 6e-4, 1e-3, 2e-3, 4e-3]

export interface StoreSpec {
  runs: number
  iterations: number
  sweeps: number
}

export interface SeededStoreRun {
  id: string
  name: string
  sweepId: string
  learningRate: number
  bestValAcc: number
}

/** Deterministic mulberry32, so every bench run draws the same curves. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
/** A run id for the i-th run (ids sort by creation: one a second from a fixed start). */
function runId(i: number, prefix = ''): string {
  const d = new Date(Date.UTC(2026, 0, 1, 8, 0, 0) + i * 1000)
  const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  return `${prefix}${day}-${time}-${i.toString(36).padStart(6, '0')}`
}

/** metrics.jsonl of one run: a noisy decaying loss (rare spikes) and an epoch event every 50 iterations. */
function metricsText(iterations: number, lr: number, seed: number, finalAcc: number): string {
  const rand = rng(seed)
  const perEpoch = 50
  const floor = 0.25 + rand() * 0.3
  const tau = 800 + rand() * 2500
  const acc = (it: number) => 0.1 + (finalAcc - 0.1) * (1 - Math.exp(-it / (tau * 0.6)))
  const lines: string[] = [`{"type":"epoch","epoch":0,"iteration":0,"trainAcc":0.1,"valAcc":0.1,"lr":${lr}}`]
  for (let it = 1; it <= iterations; it++) {
    const mean = floor + (2.303 - floor) * Math.exp(-it / tau)
    // A cheap noise (sum of two uniforms) is enough for a curve that looks like training.
    const noise = (rand() + rand() - 1) * 0.25
    const spike = rand() < 0.002 ? 1 + rand() * 2 : 0
    const loss = Math.max(0.01, mean * (1 + noise) + spike)
    lines.push(`{"type":"iteration","iteration":${it},"loss":${loss.toFixed(5)}}`)
    if (it % perEpoch === 0) {
      const a = acc(it)
      const train = Math.min(1, a + 0.04 + (rand() - 0.5) * 0.04).toFixed(4)
      const val = Math.min(1, a + (rand() - 0.5) * 0.04).toFixed(4)
      lines.push(
        `{"type":"epoch","epoch":${it / perEpoch},"iteration":${it},"trainAcc":${train},"valAcc":${val},"lr":${lr}}`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}

export function seedStore(dataDir: string, spec: StoreSpec): SeededStoreRun[] {
  const perSweep = Math.ceil(spec.runs / spec.sweeps)
  const batchSize = 20
  const numTrainSamples = 1000
  const numEpochs = Math.ceil(spec.iterations / (numTrainSamples / batchSize))
  const seeded: SeededStoreRun[] = []
  mkdirSync(join(dataDir, 'runs'), { recursive: true })
  mkdirSync(join(dataDir, 'sweeps'), { recursive: true })
  for (let s = 0; s < spec.sweeps; s++) {
    const first = s * perSweep
    const count = Math.min(perSweep, spec.runs - first)
    if (count <= 0) break
    const sweepId = runId(first, 'sweep-')
    const sweepName = `bench sweep ${pad(s + 1)}`
    const hiddenDim = 50 + 25 * (s % 6)
    const seeds = Math.ceil(count / LEARNING_RATES.length)
    const base = {
      tags: ['bench'],
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim, weightScale: 0.001, reg: 0 },
      solver: { updateRule: 'sgd', lrDecay: 0.95, batchSize, numEpochs, numTrainSamples },
    }
    const runIds: string[] = []
    for (let k = 0; k < count; k++) {
      const i = first + k
      const id = runId(i)
      const learningRate = LEARNING_RATES[k % LEARNING_RATES.length]!
      const seed = 1000 + Math.floor(k / LEARNING_RATES.length)
      const rand = rng(7919 * i + 13)
      // Accuracy peaks at the middle learning rate, so sorting by it means something.
      const finalAcc = 0.8 - 0.03 * Math.abs(Math.log2(learningRate / 1e-3)) + rand() * 0.04
      const name = `${sweepName} lr ${learningRate} seed ${seed}`
      const started = new Date(Date.UTC(2026, 0, 1, 9, 0, 0) + i * 61_000)
      const bestValAcc = Math.round((finalAcc + 0.01) * 1e4) / 1e4
      const record: RunRecord = {
        id,
        config: {
          version: 1,
          name,
          tags: ['bench', `sweep:${sweepName}`],
          notes: '',
          dataset: { name: 'fashion-mnist-small' },
          model: { kind: 'two-layer', hiddenDim, weightScale: 0.001, reg: 0 },
          solver: {
            updateRule: 'sgd',
            optimConfig: { learningRate },
            lrDecay: 0.95,
            batchSize,
            numEpochs,
            numTrainSamples,
            numValSamples: null,
          },
          seed,
        } as RunRecord['config'],
        status: 'completed',
        sweepId,
        createdAt: started.toISOString(),
        startedAt: started.toISOString(),
        finishedAt: new Date(started.getTime() + 45_000 + rand() * 30_000).toISOString(),
        progress: { iteration: spec.iterations, numIterations: spec.iterations, epoch: numEpochs, numEpochs },
        result: {
          bestValAcc,
          finalTrainAcc: finalAcc + 0.04,
          finalValAcc: finalAcc,
          valAcc: bestValAcc,
          testAcc: finalAcc,
          confusion: CLASS_NAMES.map((_, a) => CLASS_NAMES.map((__, b) => (a === b ? 80 : 2))),
          classNames: CLASS_NAMES,
        },
        error: null,
        environment: null,
        checkpointEpoch: 0,
        owner: null,
      }
      const dir = join(dataDir, 'runs', id)
      mkdirSync(dir)
      writeFileSync(join(dir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`)
      writeFileSync(join(dir, 'metrics.jsonl'), metricsText(spec.iterations, learningRate, i + 1, finalAcc))
      runIds.push(id)
      seeded.push({ id, name, sweepId, learningRate, bestValAcc })
    }
    const sweep: SweepRecord = {
      version: 1,
      id: sweepId,
      createdAt: new Date(Date.UTC(2026, 0, 1, 8, 0, 0) + first * 1000).toISOString(),
      spec: {
        version: 1,
        name: sweepName,
        base,
        method: 'grid',
        params: {
          'solver.optimConfig.learningRate': { values: LEARNING_RATES },
          seed: { values: Array.from({ length: seeds }, (_, j) => 1000 + j) },
        },
      } as unknown as SweepRecord['spec'],
      runIds,
    }
    writeFileSync(join(dataDir, 'sweeps', `${sweepId}.json`), `${JSON.stringify(sweep, null, 2)}\n`)
  }
  return seeded
}
