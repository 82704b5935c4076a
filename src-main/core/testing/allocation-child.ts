// A separate process for the allocation-failure test, started under a cap on its address space
// (`ulimit -v`, so that no allocation here can take real memory from the machine): a pool trains one run
// whose first weight matrix the allocator cannot give (4 GB) next to a small one, and prints both
// outcomes. Run with --jitless: V8 then reserves no WebAssembly guard regions, which a cap refuses.
import { TrainingPool } from '../pool'
import { syntheticDataset, trainTask } from './poolTasks'

async function main(): Promise<void> {
  // The cap must hold, or the test would take 4 GB for real: refuse to go on without it.
  try {
    new Float32Array(2 ** 30)
    console.log(JSON.stringify({ capped: false }))
    return
  } catch {
    // As intended: the allocator refuses 4 GB.
  }
  const pool = new TrainingPool({ maxThreads: 2 })
  const big = syntheticDataset(128, 128, 40, 20)
  const small = syntheticDataset(8, 8, 400, 100)
  const tooBig = trainTask(big, {
    name: 'too-big',
    dataset: { name: 'synth', numTraining: 20, numValidation: 10, numTest: 10 },
    // W1: 16384 x 65536 float32 values, 4 GB: under V8's length limit, over what the allocator may give.
    model: { kind: 'two-layer', hiddenDim: 65536 },
    solver: { batchSize: 10, numEpochs: 1 },
  })
  const fine = trainTask(small, {
    name: 'fine',
    model: { kind: 'two-layer', hiddenDim: 10 },
    solver: { batchSize: 50, numEpochs: 2 },
  })
  const [a, b] = await Promise.all([pool.run(tooBig, () => {}).done, pool.run(fine, () => {}).done])
  const again = await pool.run(fine, () => {}).done
  await pool.destroy()
  console.log(JSON.stringify({ capped: true, tooBig: a, fine: b.status, again: again.status }))
}

void main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
