import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { astype, type Tensor } from '../tensor'
import { maxAbsDiff, randLabels, randn } from '../testing'
import { FullyConnectedNet } from './fcNet'
import { TwoLayerNet } from './twoLayerNet'
import type { Model } from './types'

/** Gives `m64` exactly the float32 model's parameters, widened to float64. */
function copyParams(m32: Model, m64: Model): void {
  for (const [k, v] of Object.entries(m32.params)) m64.params[k] = astype(v, 'float64')
}

function compare(m32: Model, m64: Model, X32: Tensor, y: Int32Array): void {
  copyParams(m32, m64)
  const r32 = m32.loss(X32, y)
  const r64 = m64.loss(astype(X32, 'float64'), y)
  expect(Math.abs(r32.loss - r64.loss) / r64.loss).toBeLessThan(1e-5)
  for (const [k, g64] of Object.entries(r64.grads)) {
    const g32 = r32.grads[k]!
    expect(g32.dtype).toBe('float32')
    // Floored: a bias before batchnorm has an exactly zero gradient, which float32 resolves as ~1e-8 noise.
    const scale = Math.max(1e-3, maxAbsDiff(g64.data, new Float64Array(g64.data.length)))
    expect(maxAbsDiff(g32.data, g64.data) / scale, k).toBeLessThan(1e-4)
  }
  const s32 = m32.loss(X32)
  const s64 = m64.loss(astype(X32, 'float64'))
  expect(maxAbsDiff(s32.data, s64.data)).toBeLessThan(1e-4)
}

describe('float32 models agree with float64 models on the same parameters', () => {
  const rng = new Rng(21)
  const X = randn(rng, [16, 24], { dtype: 'float32' })
  const y = randLabels(rng, 16, 6)

  it('TwoLayerNet', () => {
    const opts = { inputDim: 24, hiddenDim: 32, numClasses: 6, weightScale: 0.2, reg: 0.3, seed: 4 }
    compare(new TwoLayerNet(opts), new TwoLayerNet({ ...opts, dtype: 'float64' }), X, y)
  })

  for (const normalization of [null, 'batchnorm', 'layernorm'] as const) {
    it(`FullyConnectedNet (${normalization ?? 'no'} normalization, dropout 0.8)`, () => {
      const opts = {
        hiddenDims: [32, 20],
        inputDim: 24,
        numClasses: 6,
        weightScale: 0.2,
        reg: 0.1,
        normalization,
        dropoutKeepRatio: 0.8,
        seed: 4,
      }
      compare(new FullyConnectedNet(opts), new FullyConnectedNet({ ...opts, dtype: 'float64' }), X, y)
    })
  }
})
