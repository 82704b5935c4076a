// The app's sanity checks (the pool task behind `workbench check` and a run's first phase) check the
// gradient at a reg > 0 as well when the config has none, for every model kind the app builds.
import { beforeAll, describe, expect, it } from 'vitest'
import { parseRunConfig, type RunConfig } from '../src-shared/config'
import type { SanityCheckResult } from '../src-shared/sanity'
import { loadDataset } from './data/load'
import { EMBEDDED_DIR } from './data/make-embedded'
import { prepareData, type PreparedData } from './data/prepare'
import { sanityChecksFor } from './sanityTask'

let data: PreparedData
beforeAll(async () => {
  const raw = await loadDataset(EMBEDDED_DIR)
  data = prepareData(raw, { numTraining: 200, numValidation: 50, numTest: 10 })
})

function config(model: Record<string, unknown>): RunConfig & { seed: number } {
  const r = parseRunConfig({
    name: 'sanity',
    dataset: { name: 'fashion-mnist-small' },
    model,
    solver: { optimConfig: { learningRate: 1e-3 } },
    seed: 4,
  })
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value as RunConfig & { seed: number }
}

// Small and fast: the overfit check is not what these tests are about.
const OPTIONS = { overfitMaxEpochs: 1, gradChecksPerParam: 3 }

function gradient(model: Record<string, unknown>): SanityCheckResult {
  const report = sanityChecksFor(config(model), data, 'request', OPTIONS)
  expect(report.source).toBe('request')
  return report.checks.find((c) => c.name === 'gradient')!
}

describe('sanityChecksFor: the gradient at reg 0 and at 0.7', () => {
  it.each([
    ['two-layer', { kind: 'two-layer', hiddenDim: 10 }],
    [
      'fc with batchnorm and dropout',
      { kind: 'fc', hiddenDims: [12, 8], normalization: 'batchnorm', dropoutKeepRatio: 0.8 },
    ],
    ['three-layer-conv', { kind: 'three-layer-conv', numFilters: 2, filterSize: 3, hiddenDim: 8 }],
  ])('%s with reg 0: checked at 0 and at 0.7, and passes', (_, model) => {
    const g = gradient(model)
    expect(g.passed, g.message).toBe(true)
    expect(g.measured['probeReg']).toBe(0.7)
    expect(g.message).toContain('at reg 0 and 0.7')
    for (const p of g.params!) expect([0, 0.7]).toContain(p.reg)
  })

  it('a configured reg is checked as configured, with no probe', () => {
    const g = gradient({ kind: 'two-layer', hiddenDim: 10, reg: 0.05 })
    expect(g.passed, g.message).toBe(true)
    expect(g.measured['probeReg']).toBeUndefined()
    expect(g.params!.every((p) => p.reg === 0.05)).toBe(true)
  })
})
