/**
 * `npm run bench:conv`: ThreeLayerConvNet (CS231n defaults: 32 filters 7x7, hidden 100, 10 classes) on
 * CIFAR-shaped data, float32, batch 50, sgd: ms per Solver.step() (minibatch draw + forward + backward +
 * update) in the engine and in PyTorch on the CPU with one thread (conv_torch.py, same architecture), side
 * by side in one run, with the ratio ours / torch.
 *
 * Each engine runs in its own process and answers `run K` with K step times; rounds alternate between
 * them so that load from elsewhere on a shared machine hits them alike.
 */
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { engineLabel, median, runRounds, startAll, type ChildSpec } from './sideBySide'
import { Solver, ThreeLayerConvNet, backendInfo, setBackend } from '../engine'
import { referenceIsaEnv } from './cores'
import { machineLines } from './machine'
import { convData } from './workloads'

const N_TRAIN = 1000
const BATCH = 50
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6)
const STEPS = Number(process.env['BENCH_STEPS'] ?? 10)

/** Child mode: the engine, driven over stdin/stdout. */
function serve(backend: 'native' | 'ts'): void {
  setBackend(backend)
  const { XTrain, yTrain } = convData(N_TRAIN)
  const model = new ThreeLayerConvNet({ seed: 1 })
  const solver = new Solver(
    model,
    { XTrain, yTrain, XVal: XTrain, yVal: yTrain },
    { optimConfig: { learningRate: 1e-6 }, batchSize: BATCH, numEpochs: 1, seed: 2 },
  )
  for (let i = 0; i < 3; i++) solver.step()
  console.log(JSON.stringify({ label: engineLabel() }))
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const [cmd, arg] = line.split(' ')
    if (cmd !== 'run') process.exit(0)
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
  })
}

async function main(): Promise<void> {
  console.log(
    `Workbench conv benchmark: ThreeLayerConvNet 3x32x32, 32 filters 7x7, hidden 100, float32, batch ${BATCH}, sgd`,
  )
  for (const l of machineLines()) console.log(l)
  const self = [...process.execArgv, __filename, '--serve']
  const specs: ChildSpec[] = [['native', STEPS, process.execPath, [...self, 'native'], process.env]]
  const userCore = process.env['OPENBLAS_CORETYPE']
  if (userCore) {
    // The environment pins a core; also show what the engine picks from the CPU's features.
    const noCore: NodeJS.ProcessEnv = { ...process.env }
    delete noCore['OPENBLAS_CORETYPE']
    specs.push(['native (own pick)', STEPS, process.execPath, [...self, 'native'], noCore])
  }
  if (process.env['BENCH_TS']) {
    specs.push(['ts', 1, process.execPath, [...self, 'ts'], { ...process.env, WORKBENCH_BACKEND: 'ts' }])
  }
  const python = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3'
  // torch on the engine's OpenBLAS core, one thread, and held to that core's instruction set: its
  // convolutions go through oneDNN, which otherwise picks AVX-512 kernels from the CPU's flags whatever
  // the BLAS core, and a pinned AVX2 core stands for a CPU that has no AVX-512 (a Zen 3, say).
  const torchEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    BENCH_N: String(N_TRAIN),
  }
  const core = backendInfo().core
  const caps = referenceIsaEnv(core)
  if (core) torchEnv['OPENBLAS_CORETYPE'] = core
  specs.push(['torch cpu', STEPS, python, [join(__dirname, 'conv_torch.py')], { ...torchEnv, ...caps }])
  if (userCore) {
    // The engine's own pick against torch's own: nothing pinned, nothing held back.
    const own: NodeJS.ProcessEnv = { ...torchEnv }
    delete own['OPENBLAS_CORETYPE']
    specs.push(['torch (own pick)', STEPS, python, [join(__dirname, 'conv_torch.py')], own])
  }
  const children = await startAll(
    specs,
    (header) =>
      `torch ${header['torch']}, ${header['threads']} thread(s), oneDNN ${header['mkldnn'] ? 'on' : 'off'}`,
    18,
  )
  if (!children.some((c) => c.name === 'torch cpu')) console.log('(torch skipped: see the line above)')
  if (userCore) console.log(`(OPENBLAS_CORETYPE=${userCore} is set here: 'native' respects it)`)
  if (Object.keys(caps).length > 0) {
    console.log(
      `('torch cpu' is held to core ${core}'s instructions: ${Object.entries(caps)
        .filter(([k]) => k !== 'NPY_DISABLE_CPU_FEATURES')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')})`,
    )
  }

  await runRounds(children, ROUNDS)
  for (const c of children) c.close()

  console.log('')
  console.log('engine             ms/step cpu   ms/step wall   min wall   steps   scratch bytes allocated')
  const cpu = new Map<string, number[]>()
  const wall = new Map<string, number>()
  for (const c of children) {
    cpu.set(c.name, c.cpu)
    wall.set(c.name, median(c.times))
    const alloc = c.name.startsWith('torch') ? '-' : String(c.allocated)
    console.log(
      `${c.name.padEnd(18)} ${median(c.cpu).toFixed(1).padStart(11)}   ${median(c.times).toFixed(1).padStart(12)}   ` +
        `${Math.min(...c.times)
          .toFixed(1)
          .padStart(8)}   ${String(c.times.length).padStart(5)}   ${alloc.padStart(23)}`,
    )
  }
  console.log('')
  // Each engine against the torch on the same instructions: the pinned core against torch held to it,
  // the engine's own pick against torch's.
  const pairs: [string, string][] = [
    ['native', 'torch cpu'],
    ['native (own pick)', cpu.has('torch (own pick)') ? 'torch (own pick)' : 'torch cpu'],
    ['ts', 'torch cpu'],
  ]
  for (const [name, ref] of pairs) {
    const m = cpu.get(name)
    const torch = cpu.get(ref)
    if (m === undefined || torch === undefined) continue
    // The spread: the ratio of each round's median step (rounds ran side by side).
    const per = Array.from({ length: ROUNDS }, (_, r) => {
      const a = m.slice(r * STEPS, (r + 1) * STEPS)
      const b = torch.slice(r * STEPS, (r + 1) * STEPS)
      return median(a) / median(b)
    })
    const ratio = median(m) / median(torch)
    console.log(
      `ratio ${name} / ${ref}: ${ratio.toFixed(2)} cpu (rounds ${Math.min(...per).toFixed(2)}-${Math.max(...per).toFixed(2)}), ` +
        `${(wall.get(name)! / wall.get(ref)!).toFixed(2)} wall; target <= 0.9: ${ratio <= 0.9 ? 'met' : 'NOT met'}`,
    )
  }
}

const i = process.argv.indexOf('--serve')
if (i >= 0) serve(process.argv[i + 1] === 'ts' ? 'ts' : 'native')
else
  main().catch((e: unknown) => {
    console.error(e)
    process.exit(1)
  })
