/**
 * `npm run bench`: the seed workload side by side in one run. TwoLayerNet float32 on CIFAR-shaped data
 * (3072 -> 100 -> 10), batch 200, sgd: ms per Solver.step() and s per epoch (49,000 samples) for each
 * available backend, and the same step in numpy written the CS231n way (step_numpy.py), with ratios.
 * Rounds alternate between engines so that load from elsewhere on a shared machine hits both alike.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import {
  Rng,
  Solver,
  TwoLayerNet,
  backendInfo,
  nativeAvailability,
  setBackend,
  tensor,
  zeros,
  type Tensor,
} from '../engine'

const N_TRAIN = 49_000
const BATCH = 200
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5)
const STEPS = { native: 40, ts: 2, numpy: 40 } as const
const STEPS_PER_EPOCH = Math.floor(N_TRAIN / BATCH)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function makeData(): { XTrain: Tensor; yTrain: Int32Array; XVal: Tensor; yVal: Int32Array } {
  const rng = new Rng(0)
  const XTrain = zeros([N_TRAIN, 3072], 'float32')
  // Centred pixel-like values; the distribution does not change the cost of a step.
  for (let i = 0; i < XTrain.data.length; i++) XTrain.data[i] = (rng.nextUint32() >>> 24) - 128
  const yTrain = new Int32Array(N_TRAIN).map(() => rng.int(10))
  const XVal = tensor(XTrain.data.subarray(0, 1000 * 3072), [1000, 3072])
  const yVal = yTrain.slice(0, 1000)
  return { XTrain, yTrain, XVal, yVal }
}

type Engine = { name: string; run: (steps: number) => Promise<number[]>; close?: () => void }

function solverEngine(
  backend: 'native' | 'ts',
  data: ReturnType<typeof makeData>,
): Engine & { solver: Solver } {
  setBackend(backend)
  const model = new TwoLayerNet({
    inputDim: 3072,
    hiddenDim: 100,
    numClasses: 10,
    weightScale: 1e-3,
    seed: 1,
  })
  const solver = new Solver(model, data, {
    updateRule: 'sgd',
    optimConfig: { learningRate: 1e-4 },
    batchSize: BATCH,
    numEpochs: 1,
    seed: 2,
  })
  for (let i = 0; i < 3; i++) solver.step()
  return {
    name: backend,
    solver,
    async run(steps) {
      setBackend(backend)
      const times: number[] = []
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now()
        solver.step()
        times.push(performance.now() - t0)
      }
      return times
    },
  }
}

class NumpyEngine implements Engine {
  private constructor(
    readonly name: string,
    readonly header: { numpy: string; dtype: string; core: string | null; threads: number | null },
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
  ) {}

  static async start(dtype: 'float32' | 'float64'): Promise<NumpyEngine | string> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OPENBLAS_NUM_THREADS: '1',
      BENCH_DTYPE: dtype,
      BENCH_N: String(N_TRAIN),
    }
    // This workplace pins an older OpenBLAS core for old builds; numpy's own OpenBLAS picks its best core
    // when left alone, and the comparison should be with numpy at its best.
    delete env['OPENBLAS_CORETYPE']
    delete env['OPENBLAS_L2_SIZE']
    const proc = spawn('python3', [join(__dirname, 'step_numpy.py')], { env })
    const lines = createInterface({ input: proc.stdout })
    let stderr = ''
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const first = await new Promise<string | null>((resolve) => {
      lines.once('line', resolve)
      proc.once('exit', () => resolve(null))
      proc.once('error', () => resolve(null))
    })
    if (first === null)
      return `numpy unavailable: ${stderr.trim().split('\n').pop() ?? 'python3 did not start'}`
    return new NumpyEngine(`numpy ${dtype}`, JSON.parse(first), proc, lines)
  }

  run(steps: number): Promise<number[]> {
    return new Promise((resolve) => {
      this.lines.once('line', (l) => resolve((JSON.parse(l) as { ms: number[] }).ms))
      this.proc.stdin.write(`run ${steps}\n`)
    })
  }

  close(): void {
    this.proc.stdin.end('quit\n')
  }
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(2)
}

async function main(): Promise<void> {
  console.log(
    `Workbench step benchmark: TwoLayerNet 3072-100-10 float32, batch ${BATCH}, sgd, ${N_TRAIN} samples`,
  )
  console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, node ${process.version}`)
  const native = nativeAvailability()
  setBackend('auto')
  const info = backendInfo()
  if (native.available) {
    console.log(
      `native backend: ${info.library}, core ${info.core} (${info.coreSource}), ${info.blasThreads} BLAS thread(s)`,
    )
  } else {
    console.log(`native backend unavailable: ${native.reason}`)
  }

  const data = makeData()
  const engines: (Engine & { steps: number; times: number[] })[] = []
  let nativeSolver: Solver | null = null
  if (native.available) {
    const e = solverEngine('native', data)
    nativeSolver = e.solver
    engines.push({ ...e, steps: STEPS.native, times: [] })
  }
  engines.push({ ...solverEngine('ts', data), steps: STEPS.ts, times: [] })
  for (const dtype of ['float32', 'float64'] as const) {
    const np = await NumpyEngine.start(dtype)
    if (typeof np === 'string') {
      console.log(np)
      break
    }
    console.log(
      `${np.name}: numpy ${np.header.numpy}, OpenBLAS core ${np.header.core}, ${np.header.threads} thread(s)`,
    )
    engines.push(Object.assign(np, { steps: STEPS.numpy, times: [] as number[] }))
  }

  const arenaBefore = nativeSolver?.arena.allocatedBytes ?? 0
  for (let r = 0; r < ROUNDS; r++) {
    for (const e of engines) e.times.push(...(await e.run(e.steps)))
  }
  const arenaGrowth = (nativeSolver?.arena.allocatedBytes ?? 0) - arenaBefore

  console.log('')
  console.log('engine          ms/step (median)   s/epoch (245 steps)   steps timed')
  const medians = new Map<string, number>()
  for (const e of engines) {
    const m = median(e.times)
    medians.set(e.name, m)
    console.log(
      `${e.name.padEnd(16)}${fmt(m).padStart(15)}   ${((m * STEPS_PER_EPOCH) / 1000).toFixed(2).padStart(19)}   ${String(e.times.length).padStart(11)}`,
    )
    e.close?.()
  }

  if (nativeSolver) {
    // A real epoch through Solver.train(): steps plus the accuracy checks at its start and end.
    setBackend('native')
    const model = new TwoLayerNet({ seed: 1 })
    const solver = new Solver(model, data, {
      optimConfig: { learningRate: 1e-4 },
      batchSize: BATCH,
      numEpochs: 1,
      seed: 3,
    })
    const t0 = performance.now()
    solver.train()
    console.log(
      `\nnative Solver.train(), 1 epoch incl. accuracy checks: ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    )
    console.log(`native scratch allocated during timed steps: ${arenaGrowth} bytes (0 = no per-step buffers)`)
  }

  const np32 = medians.get('numpy float32')
  const np64 = medians.get('numpy float64')
  console.log('')
  for (const name of ['native', 'ts']) {
    const m = medians.get(name)
    if (m === undefined) continue
    if (np32 !== undefined) console.log(`ratio ${name} / numpy float32: ${(m / np32).toFixed(2)}`)
    if (np64 !== undefined) console.log(`ratio ${name} / numpy float64: ${(m / np64).toFixed(2)}`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
