/**
 * `npm run bench`: the seed workload side by side in one run. TwoLayerNet float32 on CIFAR-shaped data
 * (3072 -> 100 -> 10), batch 200, sgd: ms per Solver.step() and s per epoch (49,000 samples) for each
 * available backend, and the same step in numpy written the CS231n way (step_numpy.py), with ratios.
 *
 * Every engine runs in its own process (OpenBLAS fixes its core when it loads, so a second core needs a
 * second process) and answers `run K` with K step times. Rounds alternate between engines so that load
 * from elsewhere on a shared machine hits them alike.
 */
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { engineLabel, median, runRounds, startAll, type ChildSpec } from './sideBySide'
import { Rng, Solver, TwoLayerNet, backendInfo, setBackend, tensor, zeros, type Tensor } from '../engine'
import { referenceIsaEnv } from './cores'
import { machineLines } from './machine'

const N_TRAIN = 49_000
const BATCH = 200
const STEPS_PER_EPOCH = Math.floor(N_TRAIN / BATCH)
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5)

function makeData(): { XTrain: Tensor; yTrain: Int32Array; XVal: Tensor; yVal: Int32Array } {
  const rng = new Rng(0)
  const XTrain = zeros([N_TRAIN, 3072], 'float32')
  // Centred pixel-like values; the distribution does not change the cost of a step.
  for (let i = 0; i < XTrain.data.length; i++) XTrain.data[i] = (rng.nextUint32() >>> 24) - 128
  const yTrain = new Int32Array(N_TRAIN).map(() => rng.int(10))
  const XVal = tensor(XTrain.data.subarray(0, 1000 * 3072), [1000, 3072])
  return { XTrain, yTrain, XVal, yVal: yTrain.slice(0, 1000) }
}

/** Child mode: one engine of ours, driven over stdin/stdout. */
function serve(backend: 'native' | 'ts'): void {
  setBackend(backend)
  const data = makeData()
  const opts = { optimConfig: { learningRate: 1e-4 }, batchSize: BATCH, numEpochs: 1 } as const
  const solver = new Solver(new TwoLayerNet({ seed: 1 }), data, { ...opts, seed: 2 })
  for (let i = 0; i < 3; i++) solver.step()
  console.log(JSON.stringify({ label: engineLabel() }))
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const [cmd, arg] = line.split(' ')
    if (cmd === 'run') {
      const before = solver.arena.allocatedBytes
      const ms: number[] = []
      const cpu: number[] = []
      for (let i = 0; i < Number(arg); i++) {
        const c0 = process.cpuUsage()
        const t0 = performance.now()
        solver.step()
        ms.push(performance.now() - t0)
        const c = process.cpuUsage(c0)
        cpu.push((c.user + c.system) / 1000)
      }
      console.log(JSON.stringify({ ms, cpu, allocated: solver.arena.allocatedBytes - before }))
    } else if (cmd === 'epoch') {
      // A real epoch through Solver.train(): its steps plus the accuracy checks at start and end.
      const s = new Solver(new TwoLayerNet({ seed: 1 }), data, { ...opts, seed: 3 })
      const t0 = performance.now()
      s.train()
      console.log(JSON.stringify({ s: (performance.now() - t0) / 1000 }))
    } else {
      process.exit(0)
    }
  })
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(2)
}

async function main(): Promise<void> {
  console.log(
    `Workbench step benchmark: TwoLayerNet 3072-100-10 float32, batch ${BATCH}, sgd, ${N_TRAIN} samples`,
  )
  for (const l of machineLines()) console.log(l)
  const self = [...process.execArgv, __filename, '--serve']
  // Every engine on the engine's OpenBLAS core, so that the ratios compare the code around the GEMMs.
  const core = backendInfo().core ?? undefined
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' }
  if (core) env['OPENBLAS_CORETYPE'] = core
  const specs: ChildSpec[] = [['native', 40, process.execPath, [...self, 'native'], env]]
  specs.push(['ts', 2, process.execPath, [...self, 'ts'], { ...env, WORKBENCH_BACKEND: 'ts' }])
  // numpy on the engine's core and its instruction set (see cores.ts).
  const numpyEnv = { ...env, ...referenceIsaEnv(core), BENCH_N: String(N_TRAIN), BENCH_DTYPE: 'float32' }
  // glibc returns every freed multi-megabyte temporary to the kernel and faults it in again on the next
  // step; on virtual machines those page faults can cost more than the GEMMs. A high mmap threshold keeps
  // numpy's temporaries in the heap: numpy as fast as it gets here, the fair reference for a ratio.
  const noChurn = { MALLOC_MMAP_THRESHOLD_: String(2 ** 28), MALLOC_TRIM_THRESHOLD_: String(2 ** 28) }
  for (const [name, extra] of [
    ['numpy cs231n', {}],
    ['numpy cs231n tuned', noChurn],
    // The same step written lean (no first-layer dx, in-place work): the floor of a numpy step.
    ['numpy lean tuned', { ...noChurn, BENCH_STYLE: 'lean' }],
  ] as const) {
    specs.push([
      name,
      40,
      process.env['BENCH_NUMPY_PYTHON'] ?? 'python3',
      [join(__dirname, 'step_numpy.py')],
      { ...numpyEnv, ...extra },
    ])
  }

  const children = await startAll(
    specs,
    (header) => `numpy ${header['numpy']}, OpenBLAS core ${header['core']}, ${header['threads']} thread(s)`,
    20,
  )
  await runRounds(children, ROUNDS)

  console.log('')
  console.log(
    'engine               ms/step wall   ms/step cpu   s/epoch cpu (245 steps)   steps   scratch bytes allocated',
  )
  const wall = new Map<string, number>()
  const cpu = new Map<string, number>()
  for (const c of children) {
    const m = median(c.times)
    const mc = c.cpu.length ? median(c.cpu) : NaN
    wall.set(c.name, m)
    cpu.set(c.name, mc)
    const alloc = c.name.startsWith('numpy') ? '-' : String(c.allocated)
    console.log(
      `${c.name.padEnd(20)} ${fmt(m).padStart(12)}   ${fmt(mc).padStart(11)}   ` +
        `${((mc * STEPS_PER_EPOCH) / 1000).toFixed(2).padStart(23)}   ${String(c.times.length).padStart(5)}   ${alloc.padStart(23)}`,
    )
  }
  for (const c of children) {
    if (c.name !== 'native') continue
    const res = await c.ask('epoch')
    console.log(
      `${c.name}: Solver.train(), 1 epoch incl. accuracy checks: ${(res['s'] as number).toFixed(2)} s wall`,
    )
  }
  for (const c of children) c.close()

  console.log('')
  for (const name of ['native', 'ts']) {
    for (const ref of ['numpy lean tuned', 'numpy cs231n tuned', 'numpy cs231n']) {
      const [a, b, aw, bw] = [cpu.get(name), cpu.get(ref), wall.get(name), wall.get(ref)]
      if (a === undefined || b === undefined || aw === undefined || bw === undefined) continue
      const target = name === 'native' && ref === 'numpy lean tuned' ? a / b <= 1.05 : null
      console.log(
        `ratio ${name} / ${ref}: ${(a / b).toFixed(2)} cpu, ${(aw / bw).toFixed(2)} wall` +
          (target === null ? '' : ` (target <= 1.05 cpu: ${target ? 'met' : 'NOT met'})`),
      )
    }
  }
}

if (process.argv[2] === '--serve') serve(process.argv[3] === 'ts' ? 'ts' : 'native')
else
  main().catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
