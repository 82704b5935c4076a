// The sanity checks over real models on synthetic data: each passes on a correct model and fails on the
// mistakes it exists to catch (a wrong gradient, a too-large init, an ignored reg, an untrainable setup).
import { describe, expect, it } from 'vitest'
import type { SanityCheckName, SanityReport } from '../../../src-shared/sanity'
import { FullyConnectedNet } from '../models/fcNet'
import { ThreeLayerConvNet } from '../models/threeLayerConvNet'
import { TwoLayerNet } from '../models/twoLayerNet'
import type { LossAndGrads, Model } from '../models/types'
import { Rng } from '../rng'
import { zeros, type Tensor } from '../tensor'
import { runSanityChecks, type ModelFactory, type SanityInput } from './index'

const D = 3 * 8 * 8
const C = 10

/** 100 unit-variance examples with random labels: fitting 50 of them takes memorisation. */
function data(): { X: Tensor; y: Int32Array } {
  const rng = new Rng(11)
  const X = zeros([100, 3, 8, 8], 'float32')
  for (let i = 0; i < X.data.length; i++) X.data[i] = rng.normal()
  return { X, y: Int32Array.from({ length: 100 }, () => rng.int(C)) }
}

function input(makeModel: ModelFactory, over: Partial<SanityInput> = {}): SanityInput {
  return {
    makeModel,
    ...data(),
    numClasses: C,
    reg: 0,
    // Unit-variance inputs need a larger step than CS231n's 1e-3 on pixel values.
    solver: { updateRule: 'sgd', optimConfig: { learningRate: 0.1 } },
    seed: 5,
    ...over,
  }
}

const twoLayer =
  (weightScale = 1e-2): ModelFactory =>
  ({ dtype, reg }) =>
    new TwoLayerNet({ inputDim: D, hiddenDim: 50, numClasses: C, weightScale, reg, dtype, seed: 1 })

const fcBatchnorm =
  (dropoutKeepRatio = 1): ModelFactory =>
  ({ dtype, reg, dropout }) =>
    new FullyConnectedNet({
      inputDim: D,
      numClasses: C,
      hiddenDims: [40, 30],
      normalization: 'batchnorm',
      dropoutKeepRatio: dropout ? dropoutKeepRatio : 1,
      weightScale: 5e-2,
      reg,
      dtype,
      seed: 2,
    })

function check(report: Omit<SanityReport, 'source'>, name: SanityCheckName) {
  const c = report.checks.find((x) => x.name === name)
  if (!c) throw new Error(`no ${name} check in the report`)
  return c
}

/** A real model whose analytic gradient of one parameter is off by 10%. */
function brokenGradient(inner: ModelFactory, param: string): ModelFactory {
  return (o) => {
    const m = inner(o)
    const wrapped = {
      get params() {
        return m.params
      },
      dtype: m.dtype,
      loss(X: Tensor, y?: Int32Array) {
        if (y === undefined) return m.loss(X)
        const r: LossAndGrads = m.loss(X, y)
        const g = r.grads[param]!
        for (let i = 0; i < g.data.length; i++) g.data[i]! *= 1.1
        return r
      },
    }
    return wrapped as Model
  }
}

/** A real model whose loss has the L2 term but whose gradient forgets it (dW without reg * W). */
function gradientWithoutReg(inner: ModelFactory): ModelFactory {
  return (o) => {
    const m = inner(o)
    return {
      get params() {
        return m.params
      },
      dtype: m.dtype,
      loss(X: Tensor, y?: Int32Array) {
        if (y === undefined) return m.loss(X)
        const r: LossAndGrads = m.loss(X, y)
        for (const [name, g] of Object.entries(r.grads)) {
          if (!name.startsWith('W')) continue
          const w = m.params[name]!.data
          for (let i = 0; i < g.data.length; i++) g.data[i]! -= o.reg * w[i]!
        }
        return r
      },
    } as Model
  }
}

describe('runSanityChecks', () => {
  it('passes every check on a correct TwoLayerNet and reports the numbers', () => {
    const r = runSanityChecks(input(twoLayer()))
    expect(r.checks.map((c) => [c.name, c.passed, c.message])).toEqual(
      r.checks.map((c) => [c.name, true, c.message]),
    )
    expect(r.passed).toBe(true)
    expect(r.seed).toBe(5)
    const loss = check(r, 'initial-loss')
    expect(loss.expected.loss).toBeCloseTo(Math.log(10), 12)
    expect(Math.abs(loss.measured.loss! - Math.log(10))).toBeLessThan(0.1)
    const reg = check(r, 'regularization')
    expect(reg.measured.reg).toBe(1)
    expect(reg.measured.lossWithReg!).toBeGreaterThan(reg.measured.lossNoReg!)
    const grad = check(r, 'gradient')
    expect(grad.params!.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2'])
    // Sparse for the big matrices, complete for the small vectors.
    expect(grad.params!.map((p) => p.checked)).toEqual([10, 10, 10, 10])
    expect(grad.measured.worstRelError!).toBeLessThan(1e-6)
    const overfit = check(r, 'overfit')
    expect(overfit.measured).toMatchObject({ trainAcc: 1, examples: 50 })
    expect(overfit.measured.epochs!).toBeLessThanOrEqual(200)
  })

  it('passes every check on a FullyConnectedNet with batchnorm and dropout', () => {
    const r = runSanityChecks(
      input(fcBatchnorm(0.7), { solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-2 } } }),
    )
    expect(r.checks.filter((c) => !c.passed).map((c) => c.message)).toEqual([])
    expect(check(r, 'gradient').params!.map((p) => p.name)).toEqual([
      'W1',
      'b1',
      'gamma1',
      'beta1',
      'W2',
      'b2',
      'gamma2',
      'beta2',
      'W3',
      'b3',
    ])
  })

  it('passes every check on a ThreeLayerConvNet fed (N, C, H, W) images, and catches a wrong dW1', () => {
    const conv: ModelFactory = ({ dtype, reg }) =>
      new ThreeLayerConvNet({
        inputDim: [3, 8, 8],
        numFilters: 4,
        filterSize: 3,
        hiddenDim: 20,
        numClasses: C,
        weightScale: 1e-2,
        reg,
        dtype,
        seed: 3,
      })
    const adam = { solver: { updateRule: 'adam' as const, optimConfig: { learningRate: 1e-2 } } }
    const r = runSanityChecks(input(conv, { ...adam, reg: 1e-3 }))
    expect(r.checks.filter((c) => !c.passed).map((c) => c.message)).toEqual([])
    expect(check(r, 'gradient').params!.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3'])
    const broken = runSanityChecks(
      input(brokenGradient(conv, 'W1'), { ...adam, options: { overfitMaxEpochs: 1 } }),
    )
    expect(
      check(broken, 'gradient')
        .params!.filter((p) => !p.passed)
        .map((p) => p.name),
    ).toEqual(['W1'])
  })

  it('uses the configured reg for the regularisation check when there is one', () => {
    const r = runSanityChecks(input(twoLayer(), { reg: 0.25 }))
    expect(check(r, 'regularization').measured.reg).toBe(0.25)
    expect(check(r, 'gradient').passed).toBe(true)
  })

  it('shows the rise of a small configured reg, which 4 digits of each loss would hide', () => {
    const reg = check(runSanityChecks(input(twoLayer(), { reg: 1e-4 })), 'regularization')
    expect(reg.passed).toBe(true)
    const rise = reg.measured.lossWithReg! - reg.measured.lossNoReg!
    expect(rise).toBeLessThan(1e-3)
    expect(reg.message).toMatch(/^reg = 1\.00e-4 raises the loss by \d\.\d+e-\d+ \(2\.303 -> 2\.303\)$/)
  })

  it.each(['W2', 'b1'])('fails the gradient check naming %s when its gradient is wrong', (param) => {
    const r = runSanityChecks(input(brokenGradient(twoLayer(), param)))
    const grad = check(r, 'gradient')
    expect(grad.passed).toBe(false)
    expect(r.passed).toBe(false)
    expect(grad.params!.filter((p) => !p.passed).map((p) => p.name)).toEqual([param])
    expect(grad.message).toContain(`wrong gradient for ${param}`)
    // 10% off: a relative error near 0.05, thousands of times the tolerance.
    expect(grad.measured.worstRelError!).toBeGreaterThan(1e-3)
  })

  it('catches a broken gradient in a batchnorm net too (gamma)', () => {
    const r = runSanityChecks(input(brokenGradient(fcBatchnorm(), 'gamma2')))
    expect(
      check(r, 'gradient')
        .params!.filter((p) => !p.passed)
        .map((p) => p.name),
    ).toEqual(['gamma2'])
  })

  it('fails the initial-loss check when weightScale is far too large', () => {
    const r = runSanityChecks(input(twoLayer(10)))
    const loss = check(r, 'initial-loss')
    expect(loss.passed).toBe(false)
    expect(loss.measured.loss!).toBeGreaterThan(10)
    expect(loss.message).toMatch(/far from ln\(10\) = 2\.303.*weightScale/)
  })

  it('fails the regularisation check for a model that ignores reg', () => {
    const r = runSanityChecks(input(({ dtype }) => twoLayer()({ dtype, reg: 0, dropout: false })))
    expect(check(r, 'regularization')).toMatchObject({ passed: false })
    expect(check(r, 'regularization').message).toContain('ignores its regularisation')
  })

  it('blames all-zero initial weights, not the model, when weightScale is 0', () => {
    const r = runSanityChecks(input(twoLayer(0)))
    const c = check(r, 'regularization')
    expect(c.passed).toBe(false)
    expect(c.message).toContain('every weight starts at 0 (weightScale 0?)')
  })

  it('fails the overfit check when the learning rate cannot fit 50 examples in time', () => {
    const r = runSanityChecks(
      input(twoLayer(), {
        solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e-7 } },
        options: { overfitMaxEpochs: 10 },
      }),
    )
    const overfit = check(r, 'overfit')
    expect(overfit.passed).toBe(false)
    expect(overfit.measured.epochs).toBe(10)
    expect(overfit.measured.trainAcc!).toBeLessThan(1)
    expect(overfit.expected).toEqual({ trainAcc: 1, maxEpochs: 10 })
  })

  it('reports a divergence while overfitting as a failure with advice', () => {
    const r = runSanityChecks(
      input(twoLayer(), { solver: { updateRule: 'sgd', optimConfig: { learningRate: 1e6 } } }),
    )
    expect(check(r, 'overfit').message).toMatch(/diverged.*lower the learning rate/)
  })

  it('turns a check that throws into a failed result and still runs the others', () => {
    let calls = 0
    const flaky: ModelFactory = (o) => {
      calls++
      // The gradient check is the only float64 model with the configured reg... and dropout on.
      if (o.dropout) throw new RangeError('no float64 kernels here')
      return twoLayer()(o)
    }
    const r = runSanityChecks(input(flaky))
    expect(check(r, 'gradient')).toMatchObject({
      passed: false,
      measured: {},
      message: 'the check could not run: no float64 kernels here',
    })
    expect(check(r, 'overfit').passed).toBe(true)
    expect(calls).toBe(5)
  })

  it('reports NaN as null so that the report survives JSON', () => {
    const nan: ModelFactory = (o) => {
      const m = twoLayer()(o)
      return {
        params: m.params,
        dtype: m.dtype,
        loss: (X: Tensor, y?: Int32Array) => (y ? { ...m.loss(X, y), loss: NaN } : m.loss(X)),
      } as Model
    }
    const r = runSanityChecks(input(nan))
    const loss = check(r, 'initial-loss')
    expect(loss).toMatchObject({ passed: false, measured: { loss: null } })
    expect(check(r, 'gradient').params!.every((p) => p.relError === null && !p.passed)).toBe(true)
    expect(JSON.parse(JSON.stringify(r))).toEqual(r)
  })

  it('is deterministic for a seed', () => {
    const strip = (r: Omit<SanityReport, 'source'>) =>
      r.checks.map(({ name, passed, measured, params }) => ({ name, passed, measured, params }))
    expect(strip(runSanityChecks(input(fcBatchnorm(0.8))))).toEqual(
      strip(runSanityChecks(input(fcBatchnorm(0.8)))),
    )
  })

  describe('the gradient at a reg > 0 (CS231n checks at 0 and 0.7)', () => {
    it('checks the same entries at reg 0 and 0.7 when the config has no reg', () => {
      const grad = check(runSanityChecks(input(twoLayer())), 'gradient')
      expect(grad.passed).toBe(true)
      expect(grad.measured).toMatchObject({ probeReg: 0.7 })
      expect(grad.message).toMatch(/agree at reg 0 and 0\.7/)
      expect(grad.params!.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2'])
      for (const p of grad.params!) expect([0, 0.7]).toContain(p.reg)
    })

    it('catches a gradient that lacks the regularisation term although the config has reg 0', () => {
      const r = runSanityChecks(input(gradientWithoutReg(twoLayer())))
      const grad = check(r, 'gradient')
      expect(grad.passed).toBe(false)
      expect(r.passed).toBe(false)
      const failed = grad.params!.filter((p) => !p.passed)
      expect(failed.map((p) => [p.name, p.reg])).toEqual([
        ['W1', 0.7],
        ['W2', 0.7],
      ])
      expect(grad.params!.filter((p) => p.passed).map((p) => p.name)).toEqual(['b1', 'b2'])
      expect(grad.message).toMatch(/wrong gradient for W1 \(relative error .* at reg 0\.7\)/)
      expect(grad.message).toContain('It agrees at reg 0: the regularisation term of the gradient is missing')
      // The other checks do not see it: the loss has its reg term, and reg 0 trains as configured.
      expect(check(r, 'regularization').passed).toBe(true)
      expect(check(r, 'initial-loss').passed).toBe(true)
    })

    it('a batchnorm net without the reg gradient is caught too', () => {
      const r = runSanityChecks(input(gradientWithoutReg(fcBatchnorm())))
      const failed = check(r, 'gradient').params!.filter((p) => !p.passed)
      expect(failed.map((p) => p.name)).toEqual(['W1', 'W2', 'W3'])
    })

    it('checks a configured reg as configured, once', () => {
      let models = 0
      const counting: ModelFactory = (o) => {
        if (o.dtype === 'float64' && o.dropout) models++
        return twoLayer()(o)
      }
      const grad = check(runSanityChecks(input(counting, { reg: 0.1 })), 'gradient')
      expect(grad.passed).toBe(true)
      expect(grad.measured).toEqual({ worstRelError: grad.measured.worstRelError })
      expect(grad.params!.every((p) => p.reg === 0.1)).toBe(true)
      expect(models).toBe(1)
      // ... and catches the missing term there as well.
      expect(
        check(runSanityChecks(input(gradientWithoutReg(twoLayer()), { reg: 0.1 })), 'gradient').passed,
      ).toBe(false)
    })
  })
})
