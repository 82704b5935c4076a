/**
 * `npm run bench:capture`: what layer capture (issue 15) costs. For the three model kinds on CIFAR-shaped
 * data (two-layer 3072-100-10 with fused sgd; fc 3072-100-100-10 with batchnorm, dropout and adam; the
 * CS231n conv net, 32 7x7 filters, hidden 100, fused sgd), in rounds of several plain steps and one
 * capture step (interleaved, so a shared machine's load hits both alike): ms per plain step, ms a capture
 * adds to its step (probe forward/backward, weight copies and diffs, the statistics), the K that 'auto'
 * derives on this machine, and the amortised cost per step: interval captures alone, and with the one
 * check capture an epoch adds (an epoch being 49,000 samples), which the 2% budget covers.
 */
import { FullyConnectedNet, Rng, Solver, ThreeLayerConvNet, TwoLayerNet, tensor, zeros } from '../engine'
import type { Model, SolverOptions, Tensor } from '../engine'
import { machineLines } from './machine'

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 8)
const N_TRAIN = 49_000
const BUDGET = 0.02

function makeData(rows: number): { XTrain: Tensor; yTrain: Int32Array; XVal: Tensor; yVal: Int32Array } {
  const rng = new Rng(0)
  const XTrain = zeros([rows, 3072], 'float32')
  for (let i = 0; i < XTrain.data.length; i++) XTrain.data[i] = ((rng.nextUint32() >>> 24) - 128) / 64
  const yTrain = new Int32Array(rows).map(() => rng.int(10))
  const XVal = tensor(XTrain.data.subarray(0, 100 * 3072), [100, 3072])
  return { XTrain, yTrain, XVal, yVal: yTrain.slice(0, 100) }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

interface Case {
  label: string
  model: () => Model
  options: SolverOptions
  plainPerRound: number
}

const CASES: Case[] = [
  {
    label: 'two-layer 3072-100-10, batch 200, sgd (fused)',
    model: () => new TwoLayerNet({ seed: 1 }),
    options: { updateRule: 'sgd', optimConfig: { learningRate: 1e-4 }, batchSize: 200 },
    plainPerRound: 8,
  },
  {
    label: 'fc 3072-100-100-10 batchnorm + dropout 0.5, batch 200, adam',
    model: () =>
      new FullyConnectedNet({
        hiddenDims: [100, 100],
        normalization: 'batchnorm',
        dropoutKeepRatio: 0.5,
        weightScale: 5e-2,
        seed: 1,
      }),
    options: { updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, batchSize: 200 },
    plainPerRound: 8,
  },
  {
    label: 'conv 3x32x32, 32 7x7 filters, hidden 100, batch 50, sgd (fused)',
    model: () => new ThreeLayerConvNet({ seed: 1 }),
    options: { updateRule: 'sgd', optimConfig: { learningRate: 1e-4 }, batchSize: 50 },
    plainPerRound: 3,
  },
]

function measure(c: Case, data: ReturnType<typeof makeData>) {
  let captures = 0
  const solver = new Solver(c.model(), data, {
    ...c.options,
    numEpochs: 1,
    seed: 2,
    // The budget pays for an epoch's check capture first: an epoch of the 49,000 samples, not of the
    // sample of them this benchmark trains on.
    capture: {
      onCapture: () => void captures++,
      budget: BUDGET,
      checkEvery: Math.floor(N_TRAIN / c.options.batchSize!),
    },
  })
  // Warm-up: allocations of both arenas, JIT.
  for (let i = 0; i < 3; i++) solver.step()
  for (let i = 0; i < 2; i++) solver.step({ capture: 'interval' })
  const plain: number[] = []
  const captured: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < c.plainPerRound; i++) {
      const t0 = performance.now()
      solver.step()
      plain.push(performance.now() - t0)
    }
    const t0 = performance.now()
    solver.step({ capture: 'interval' })
    captured.push(performance.now() - t0)
  }
  const step = median(plain)
  const overhead = Math.max(median(captured) - step, 0)
  const K = solver.captureSchedule!.interval()!
  const perEpoch = Math.floor(N_TRAIN / c.options.batchSize!)
  const intervalShare = Number.isFinite(K) ? overhead / K / step : 0
  // One epoch: perEpoch steps; captures at its check and at every K-th iteration after it.
  const epochShare = (overhead * (1 + Math.floor((perEpoch - 1) / K))) / (perEpoch * step)
  return { step, overhead, K, intervalShare, epochShare, perEpoch, captures }
}

function main(): void {
  console.log(
    `Workbench capture benchmark: cost of per-layer capture, budget ${BUDGET * 100}% of a step, ${ROUNDS} rounds`,
  )
  for (const l of machineLines()) console.log(l)
  const data = makeData(4000)
  console.log('')
  console.log(
    'model'.padEnd(66) +
      'step ms'.padStart(9) +
      'capture +ms'.padStart(13) +
      'x step'.padStart(8) +
      'auto K'.padStart(8) +
      'interval %'.padStart(12) +
      'epoch %'.padStart(9),
  )
  let worst = 0
  for (const c of CASES) {
    const r = measure(c, data)
    worst = Math.max(worst, r.epochShare)
    console.log(
      c.label.padEnd(66) +
        r.step.toFixed(2).padStart(9) +
        r.overhead.toFixed(2).padStart(13) +
        (r.overhead / r.step).toFixed(2).padStart(8) +
        String(r.K).padStart(8) +
        (100 * r.intervalShare).toFixed(2).padStart(12) +
        (100 * r.epochShare).toFixed(2).padStart(9),
    )
  }
  console.log('')
  console.log(
    "capture +ms: median capture step minus median plain step; auto K: the interval the Solver's 'auto' schedule\n" +
      "derived on this run from its own measurements, paying for each epoch's check capture first; interval %:\n" +
      "one capture every K steps, per step; epoch %: all of an epoch's captures (49,000 samples: its check and\n" +
      'every K-th step after it), per step, which the budget covers.',
  )
  console.log(`worst epoch share: ${(100 * worst).toFixed(2)}% (budget ${BUDGET * 100}%)`)
}

main()
