/**
 * `npx tsx src-worker/bench/profile.ts [w1|w2|conv]`: where an epoch (w1, w2: bench:epochs' workloads) or
 * 20 conv steps (bench:conv's) go. Every backend call is timed (process CPU time, so a shared machine's
 * other users do not count) and grouped by kernel and shape; what is left of the run's CPU time is
 * JavaScript (the models, the solver, the arena). Timing each call costs a little, so the total is a bit
 * above bench:epochs' figure; the shares are what this is for.
 */
import { Solver, ThreeLayerConvNet, TwoLayerNet, getBackend } from '../engine'
import type { Backend } from '../engine/backend'
import { machineLines } from './machine'
import { FASHION, convData, epochData } from './workloads'
const which = (process.argv[2] ?? 'w1') as 'w1' | 'w2' | 'conv'

const cpuMs = (): number => {
  const c = process.cpuUsage()
  return (c.user + c.system) / 1000
}

/** Wraps every kernel of the backend in place; returns the table of ms and calls per kernel and shape. */
function instrument(b: Backend): Map<string, { ms: number; calls: number }> {
  const table = new Map<string, { ms: number; calls: number }>()
  const target = b as unknown as Record<string, unknown>
  for (const name of Object.keys(target)) {
    const f = target[name]
    if (typeof f !== 'function') continue
    target[name] = (...args: unknown[]) => {
      // GEMMs by shape and orientation; the rest by name.
      const key =
        name === 'gemm'
          ? `gemm ${args[0] ? 'T' : 'N'}${args[1] ? 'T' : 'N'} ${args[2]}x${args[3]}x${args[4]}`
          : name
      const t0 = cpuMs()
      const r = (f as (...a: unknown[]) => unknown)(...args)
      const e = table.get(key) ?? { ms: 0, calls: 0 }
      e.ms += cpuMs() - t0
      e.calls++
      table.set(key, e)
      return r
    }
  }
  return table
}

async function workload(): Promise<{ solver: Solver; label: string }> {
  if (which === 'conv') {
    const { XTrain, yTrain } = convData(1000)
    const solver = new Solver(
      new ThreeLayerConvNet({ seed: 1 }),
      { XTrain, yTrain, XVal: XTrain, yVal: yTrain },
      { optimConfig: { learningRate: 1e-6 }, batchSize: 50, numEpochs: 1, seed: 2 },
    )
    return { solver, label: 'ThreeLayerConvNet, batch 50, 20 steps' }
  }
  const data = await epochData(which)
  if (!data) throw new Error(`${FASHION} not found (apt-get install dataset-fashion-mnist)`)
  const D = which === 'w1' ? 784 : 3072
  const model = new TwoLayerNet({ inputDim: D, hiddenDim: 100, reg: 0.01, weightScale: 1e-3, seed: 1 })
  const solver = new Solver(model, data, {
    updateRule: 'sgd',
    optimConfig: { learningRate: 1e-3 },
    lrDecay: 0.95,
    batchSize: 200,
    numEpochs: 1,
    seed: 2,
  })
  return { solver, label: `${which}: ${D}-100-10, batch 200, one epoch with its accuracy checks` }
}

async function main(): Promise<void> {
  for (const l of machineLines()) console.log(l)
  const { solver, label } = await workload()
  // Warm up (JIT, arena) before timing, then time the run itself.
  for (let i = 0; i < 5; i++) solver.step()
  const table = instrument(getBackend())
  const t0 = cpuMs()
  if (which === 'conv') for (let i = 0; i < 20; i++) solver.step()
  else solver.train()
  const total = cpuMs() - t0
  const rows = [...table.entries()].sort((a, b) => b[1].ms - a[1].ms)
  const kernels = rows.reduce((a, [, v]) => a + v.ms, 0)
  console.log(`\n${label}: ${total.toFixed(1)} ms CPU\n`)
  console.log('kernel (shape M x N x K)            ms   share   calls   us/call')
  for (const [k, v] of [...rows, ['JavaScript and the rest', { ms: total - kernels, calls: 0 }] as const]) {
    console.log(
      `${k.padEnd(32)} ${v.ms.toFixed(1).padStart(7)}  ${((100 * v.ms) / total).toFixed(1).padStart(5)}%  ` +
        `${String(v.calls || '').padStart(6)}  ${v.calls ? ((1000 * v.ms) / v.calls).toFixed(1).padStart(8) : ''}`,
    )
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
