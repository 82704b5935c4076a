/**
 * Seeds a data folder with completed runs straight through the core's RunStore: `iterations` noisy,
 * decaying losses each (a CS231n-style curve with occasional spikes), plus one epoch event per epoch.
 */
import { RunStore, newRunId } from '../../src-main/core/store/runStore'
import type { RunRecord } from '../../src-shared/runs'
import { FASHION_MNIST_CLASSES } from '../../src-worker/data/formats/idx'

const CLASS_NAMES = [...FASHION_MNIST_CLASSES]

export interface SeededRun {
  id: string
  name: string
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

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}

export async function seedRuns(dataDir: string, count: number, iterations: number): Promise<SeededRun[]> {
  const store = new RunStore(dataDir, { metricsFlushIntervalMs: 60_000 })
  const batchSize = 20
  const numTrainSamples = 1000
  const perEpoch = numTrainSamples / batchSize
  const numEpochs = Math.ceil(iterations / perEpoch)
  const seeded: SeededRun[] = []
  for (let r = 0; r < count; r++) {
    const rand = rng(1234 + r)
    const id = newRunId(new Date(Date.UTC(2026, 0, 1, 12, 0, r)))
    const name = `bench seeded ${String(r + 1).padStart(2, '0')}`
    const lr = 1e-3 * (0.5 + rand() * 2)
    const floor = 0.25 + rand() * 0.3
    const tau = 800 + rand() * 2500
    const finalAcc = 0.78 + rand() * 0.1
    const started = new Date(Date.UTC(2026, 0, 1, 12, 1, r))
    const record: RunRecord = {
      id,
      config: {
        version: 1,
        name,
        tags: ['bench'],
        notes: 'Seeded by e2e/perf/ui.bench.ts.',
        dataset: { name: 'fashion-mnist-small' },
        model: { kind: 'two-layer', hiddenDim: 50, weightScale: 0.001, reg: 0 },
        solver: {
          updateRule: 'sgd',
          optimConfig: { learningRate: lr },
          lrDecay: 0.95,
          batchSize,
          numEpochs,
          numTrainSamples,
          numValSamples: null,
        },
        seed: 1000 + r,
      } as RunRecord['config'],
      status: 'completed',
      sweepId: null,
      createdAt: started.toISOString(),
      startedAt: started.toISOString(),
      finishedAt: new Date(started.getTime() + 60_000).toISOString(),
      progress: { iteration: iterations, numIterations: iterations, epoch: numEpochs, numEpochs },
      result: {
        bestValAcc: finalAcc + 0.01,
        finalTrainAcc: finalAcc + 0.04,
        finalValAcc: finalAcc,
        valAcc: finalAcc + 0.01,
        testAcc: finalAcc,
        confusion: CLASS_NAMES.map((_, i) => CLASS_NAMES.map((__, j) => (i === j ? 80 : 2))),
        classNames: CLASS_NAMES,
      },
      error: null,
      environment: null,
      checkpointEpoch: 0,
      owner: null,
    }
    await store.create(record)
    const log = store.metricsLog(id)
    const acc = (it: number) => 0.1 + (finalAcc - 0.1) * (1 - Math.exp(-it / (tau * 0.6)))
    log.append({ type: 'epoch', epoch: 0, iteration: 0, trainAcc: 0.1, valAcc: 0.1, lr })
    for (let it = 1; it <= iterations; it++) {
      const mean = floor + (2.303 - floor) * Math.exp(-it / tau)
      const spike = rand() < 0.002 ? 1 + rand() * 2 : 0
      // The last loss is distinct per run, so the detail page's last-loss readout tells runs apart.
      const loss =
        it === iterations
          ? 0.3 + r * 0.01 + 0.001
          : Math.max(0.01, mean * (1 + 0.12 * gaussian(rand)) + spike)
      log.append({ type: 'iteration', iteration: it, loss })
      if (it % perEpoch === 0) {
        const epoch = it / perEpoch
        log.append({
          type: 'epoch',
          epoch,
          iteration: it,
          trainAcc: Math.min(1, acc(it) + 0.04 + 0.02 * gaussian(rand)),
          valAcc: Math.min(1, acc(it) + 0.02 * gaussian(rand)),
          lr: lr * 0.95 ** epoch,
        })
      }
    }
    await log.close()
    seeded.push({ id, name })
  }
  return seeded
}
