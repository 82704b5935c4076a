/** For the report tests: runs made by hand (no training), shaped as the store returns them. */
import type { MosaicData } from '../../../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../../../src-shared/runs'
import type { RunInput } from './render'

const CLASSES = [
  'T-shirt',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Boot',
]

export interface FakeRunOptions {
  learningRate?: number
  iterations?: number
  /** Loss at iteration i (1-based); default a decaying curve from ln 10. */
  loss?: (i: number) => number
  status?: RunRecord['status']
  error?: RunRecord['error']
  notes?: string
  activeMs?: number
  mosaic?: boolean
}

export function fakeRun(index: number, name: string, o: FakeRunOptions = {}): RunInput {
  const iterations = o.iterations ?? 200
  const perEpoch = 50
  const started = new Date(Date.UTC(2026, 10, 26, 10, 0, index))
  const record: RunRecord = {
    id: `20261126-100000-r${String(index).padStart(5, '0')}`,
    config: {
      version: 1,
      name,
      tags: [],
      notes: o.notes ?? '',
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: 50, weightScale: 0.001, reg: 0 },
      solver: {
        updateRule: 'sgd',
        optimConfig: { learningRate: o.learningRate ?? 1e-3 },
        lrDecay: 0.95,
        batchSize: 100,
        numEpochs: iterations / perEpoch,
        numTrainSamples: 5000,
        numValSamples: null,
      },
      seed: 1000 + index,
    } as unknown as RunRecord['config'],
    status: o.status ?? 'completed',
    sweepId: null,
    createdAt: started.toISOString(),
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + 65_000).toISOString(),
    progress: {
      iteration: iterations,
      numIterations: iterations,
      epoch: iterations / perEpoch,
      numEpochs: 4,
    },
    result:
      (o.status ?? 'completed') === 'completed'
        ? {
            bestValAcc: 0.8,
            finalTrainAcc: 0.84,
            finalValAcc: 0.79,
            valAcc: 0.8,
            testAcc: 0.78,
            confusion: CLASSES.map((_, i) => CLASSES.map((__, j) => (i === j ? 8 : 0))),
            classNames: CLASSES,
          }
        : null,
    error: o.error ?? null,
    environment: null,
    checkpointEpoch: 0,
    ...(o.activeMs !== undefined ? { activeMs: o.activeMs, attemptStartedAt: null } : {}),
  }
  const loss = o.loss ?? ((i: number) => 0.4 + 1.9 * Math.exp(-i / 60) + 0.05 * Math.sin(i * 1.7 + index))
  const metrics: MetricEvent[] = []
  for (let i = 1; i <= iterations; i++) {
    metrics.push({ type: 'iteration', iteration: i, loss: loss(i) })
    if (i % perEpoch === 0) {
      const acc = 0.1 + 0.7 * (1 - Math.exp(-i / 80))
      metrics.push({
        type: 'epoch',
        epoch: i / perEpoch,
        iteration: i,
        trainAcc: acc + 0.03,
        valAcc: acc,
        lr: 1e-3,
      })
    }
  }
  return { record, metrics, mosaic: o.mosaic ? fakeMosaic(index) : null }
}

/** 16 hidden units of 28x28 weights: a small picture per run. */
function fakeMosaic(seed: number): MosaicData {
  const units = 16
  const d = 28 * 28
  const w = new Float32Array(d * units)
  for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * 0.37 + seed)
  return {
    epochs: [4],
    damagedEpochs: [],
    epoch: 4,
    shape: [1, 28, 28],
    units,
    weights: Buffer.from(w.buffer).toString('base64'),
  }
}
