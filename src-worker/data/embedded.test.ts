// The embedded default dataset: it trains the seed's network offline, and it is what its script makes.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Solver, TwoLayerNet } from '../engine'
import { loadDataset } from './load'
import { DEBIAN_FASHION_MNIST, EMBEDDED_DIR, makeEmbedded } from './make-embedded'
import { prepareData } from './prepare'

const haveDebian = existsSync(DEBIAN_FASHION_MNIST)
// CI installs dataset-fashion-mnist, so there a missing package is a failure, not a skip.
const skipRebuild = !haveDebian && !process.env['CI']
if (skipRebuild)
  console.warn(`skipped: ${DEBIAN_FASHION_MNIST} missing (apt-get install dataset-fashion-mnist)`)

describe('embedded default dataset (resources/datasets/fashion-mnist-small)', () => {
  it('loads as Fashion-MNIST: 6000 + 1000 images of (1, 28, 28), ten named classes, a few MB', async () => {
    const raw = await loadDataset(EMBEDDED_DIR)
    expect(raw.format).toBe('idx')
    expect(raw.shape).toEqual([1, 28, 28])
    expect(raw.train.count).toBe(6000)
    expect(raw.test.count).toBe(1000)
    expect(raw.classNames[0]).toBe('T-shirt/top')
    expect(raw.classNames[9]).toBe('Ankle boot')
    let bytes = 0
    for (const f of await readdir(EMBEDDED_DIR)) bytes += (await readFile(join(EMBEDDED_DIR, f))).length
    expect(bytes).toBeLessThan(4 * 2 ** 20)
    expect(await readFile(join(EMBEDDED_DIR, 'LICENSE'), 'utf8')).toMatch(/MIT License.*Zalando SE/)
  })

  it("trains the seed's two-layer net (hidden 50, sgd 1e-3, decay 0.95, batch 100, 10 epochs) past 80% val", async () => {
    const data = prepareData(await loadDataset(EMBEDDED_DIR))
    const model = new TwoLayerNet({ inputDim: 784, hiddenDim: 50, seed: 1 })
    const solver = new Solver(model, data, {
      updateRule: 'sgd',
      optimConfig: { learningRate: 1e-3 },
      lrDecay: 0.95,
      batchSize: 100,
      numEpochs: 10,
      seed: 2,
    })
    solver.train()
    expect(solver.bestValAcc).toBeGreaterThan(0.8)
    expect(solver.checkAccuracy(data.XTest, data.yTest)).toBeGreaterThan(0.78)
  })

  it.skipIf(skipRebuild)('is byte for byte what make-embedded.ts makes from the Debian package', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'wb-embedded-')), 'fashion-mnist-small')
    try {
      await makeEmbedded(DEBIAN_FASHION_MNIST, out)
      const names = (await readdir(out)).sort()
      expect(names).toEqual((await readdir(EMBEDDED_DIR)).sort())
      // Digests, not toEqual on megabyte buffers (element-wise deep equality takes seconds).
      const digest = async (dir: string, f: string): Promise<string> =>
        createHash('sha256')
          .update(await readFile(join(dir, f)))
          .digest('hex')
      for (const f of names) expect(await digest(out, f), f).toBe(await digest(EMBEDDED_DIR, f))
    } finally {
      await rm(join(out, '..'), { recursive: true, force: true })
    }
  })
})
