// A training worker for memory.bench.ts: trains TwoLayerNet on the shared uint8 dataset it is handed.
import { parentPort, workerData } from 'node:worker_threads'
import { Solver, TwoLayerNet } from '../engine'
import { prepareData } from '../data/prepare'
import type { RawDataset } from '../data/types'

const { raw, mean, steps, seed } = workerData as {
  raw: RawDataset
  mean: Float32Array
  steps: number
  seed: number
}
const data = prepareData(raw, {}, { mean })
const solver = new Solver(new TwoLayerNet({ seed }), data, {
  optimConfig: { learningRate: 1e-4 },
  batchSize: 200,
  seed,
})
for (let i = 0; i < steps; i++) solver.step()
parentPort!.postMessage({
  loss: solver.lossHistory.at(-1),
  shared: raw.train.images.buffer instanceof SharedArrayBuffer,
})
