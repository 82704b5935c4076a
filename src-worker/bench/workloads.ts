/**
 * The benchmarks' workloads, shared by the side-by-side benchmarks and profile.ts:
 *   W1: full Fashion-MNIST (59,000 / 1,000 / 10,000), as the app loads and prepares it;
 *   W2: 49,000 + 1,000 CIFAR-shaped standard-normal float rows (seeded);
 *   conv: 1,000 CIFAR-shaped images of integers in [-128, 128) (seeded).
 */
import { existsSync } from 'node:fs'
import { loadDataset } from '../data/load'
import { prepareData } from '../data/prepare'
import { Rng, tensor, zeros, type Tensor } from '../engine'
import type { SolverData } from '../engine/solver'

export const FASHION = process.env['BENCH_FASHION_DIR'] ?? '/usr/share/datasets/fashion-mnist'

export type EpochWorkload = 'w1' | 'w2'

/** W1 or W2's data (with W1's test split); null when Fashion-MNIST is not installed. */
export async function epochData(
  w: EpochWorkload,
): Promise<(SolverData & { XTest?: SolverData['XTrain']; yTest?: Int32Array }) | null> {
  if (w === 'w1') {
    if (!existsSync(FASHION)) return null
    return prepareData(await loadDataset(FASHION, { kind: 'fashion-mnist' }))
  }
  const rng = new Rng(0)
  const all = zeros([50_000, 3072], 'float32')
  for (let i = 0; i < all.data.length; i++) all.data[i] = rng.normal()
  const y = new Int32Array(50_000).map(() => rng.int(10))
  return {
    XTrain: tensor(all.data.subarray(0, 49_000 * 3072), [49_000, 3072]),
    yTrain: y.subarray(0, 49_000),
    XVal: tensor(all.data.subarray(49_000 * 3072), [1000, 3072]),
    yVal: y.subarray(49_000),
  }
}

/** The conv benchmark's training set: `rows` images of 3x32x32 as float32 rows, and their labels. */
export function convData(rows: number): { XTrain: Tensor; yTrain: Int32Array } {
  const rng = new Rng(0)
  const XTrain = zeros([rows, 3 * 32 * 32], 'float32')
  for (let i = 0; i < XTrain.data.length; i++) XTrain.data[i] = (rng.nextUint32() >>> 24) - 128
  const yTrain = new Int32Array(rows).map(() => rng.int(10))
  return { XTrain, yTrain }
}
