/**
 * The seed's default two-layer run (hidden 50, sgd lr 1e-3, lr decay 0.95, batch 100, 10 epochs) on the
 * full Fashion-MNIST from Debian's dataset-fashion-mnist package (59,000 / 1,000 / 10,000 split): time per
 * epoch, validation accuracy per epoch and the final test accuracy.
 *   npx tsx src-worker/bench/fashion.bench.ts [datasetDir]
 */
import { existsSync } from 'node:fs'
import { loadDataset } from '../data/load'
import { prepareData } from '../data/prepare'
import { Solver, TwoLayerNet, backendInfo } from '../engine'

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist'
  if (!existsSync(dir)) {
    console.log(`skipped: ${dir} not found (apt-get install dataset-fashion-mnist)`)
    return
  }
  let t0 = performance.now()
  const raw = await loadDataset(dir, { kind: 'fashion-mnist' })
  const loadS = (performance.now() - t0) / 1000
  t0 = performance.now()
  const data = prepareData(raw)
  const prepS = (performance.now() - t0) / 1000
  const info = backendInfo()
  console.log(
    `Fashion-MNIST from ${dir}: ${raw.train.count} + ${raw.test.count} images, loaded in ${loadS.toFixed(2)} s, ` +
      `split ${JSON.stringify(data.splits)} and mean in ${prepS.toFixed(2)} s`,
  )
  console.log(
    `engine: ${info.backend} ${info.library ?? ''} core ${info.core ?? '-'} (${info.coreSource ?? '-'})`,
  )

  const model = new TwoLayerNet({ inputDim: 784, hiddenDim: 50, seed: 1 })
  let last = performance.now()
  const epochTimes: number[] = []
  const solver = new Solver(model, data, {
    updateRule: 'sgd',
    optimConfig: { learningRate: 1e-3 },
    lrDecay: 0.95,
    batchSize: 100,
    numEpochs: 10,
    seed: 2,
    onEvent: (e) => {
      if (e.type !== 'epoch' || e.epoch === 0) return
      const now = performance.now()
      epochTimes.push((now - last) / 1000)
      console.log(
        `epoch ${String(e.epoch).padStart(2)}: ${((now - last) / 1000).toFixed(2)} s, ` +
          `train acc ${e.trainAcc.toFixed(3)}, val acc ${e.valAcc.toFixed(3)}`,
      )
      last = now
    },
  })
  t0 = performance.now()
  last = t0
  solver.train()
  const total = (performance.now() - t0) / 1000
  const testAcc = solver.checkAccuracy(data.XTest, data.yTest)
  const mean = epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length
  console.log(
    `10 epochs in ${total.toFixed(1)} s (${mean.toFixed(2)} s per epoch of ${data.splits.numTraining} images, ` +
      `accuracy checks included); best val acc ${solver.bestValAcc.toFixed(3)}, test acc ${testAcc.toFixed(4)}`,
  )
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
