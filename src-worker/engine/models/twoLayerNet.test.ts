import { describe, expect, it } from 'vitest'
import { Rng } from '../rng'
import { astype, tensor, zeros, type Tensor } from '../tensor'
import { lin, modelGradErrors, randn, values } from '../testing'
import { TwoLayerNet } from './twoLayerNet'

const [N, D, H, C] = [3, 5, 50, 7]

/** The CS231n FullyConnectedNets notebook's TwoLayerNet test setup: linspace params and inputs. */
function notebookModel(reg = 0): TwoLayerNet {
  const model = new TwoLayerNet({
    inputDim: D,
    hiddenDim: H,
    numClasses: C,
    weightScale: 1e-3,
    reg,
    dtype: 'float64',
    seed: 0,
  })
  model.params['W1'] = lin(-0.7, 0.3, [D, H])
  model.params['b1'] = lin(-0.1, 0.9, [H])
  model.params['W2'] = lin(-0.3, 0.4, [H, C])
  model.params['b2'] = lin(-0.9, 0.1, [C])
  return model
}

/** X = np.linspace(-5.5, 4.5, N * D).reshape(D, N).T, laid out row-major. */
function notebookX(): Tensor {
  const t = lin(-5.5, 4.5, [D, N])
  const x = zeros([N, D], 'float64')
  for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) x.data[i * D + j] = t.data[j * N + i]!
  return x
}
const y = Int32Array.from([0, 5, 1])

function std(t: Tensor): number {
  const v = values(t)
  const m = v.reduce((a, b) => a + b, 0) / v.length
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)
}

describe('TwoLayerNet (CS231n notebook test)', () => {
  it('initialises weights with std weightScale and zero biases', () => {
    const model = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, weightScale: 1e-3, seed: 1 })
    expect(Math.abs(std(model.params['W1']!) - 1e-3)).toBeLessThan(1e-3 / 10)
    expect(Math.abs(std(model.params['W2']!) - 1e-3)).toBeLessThan(1e-3 / 10)
    expect(values(model.params['b1']!)).toEqual(new Array(H).fill(0))
    expect(values(model.params['b2']!)).toEqual(new Array(C).fill(0))
    expect(model.params['W1']!.shape).toEqual([D, H])
    expect(model.params['W2']!.shape).toEqual([H, C])
    expect(model.params['W1']!.dtype).toBe('float32')
  })

  it('uses the documented defaults (3072 -> 100 -> 10, std 1e-3, float32)', () => {
    const model = new TwoLayerNet({ seed: 5 })
    expect(model.params['W1']!.shape).toEqual([3072, 100])
    expect(model.params['W2']!.shape).toEqual([100, 10])
    expect(Math.abs(std(model.params['W1']!) - 1e-3)).toBeLessThan(1e-5)
    expect(model.reg).toBe(0)
    expect(model.dtype).toBe('float32')
  })

  it('returns the notebook scores from loss(X)', () => {
    const scores = notebookModel().loss(notebookX())
    expect(scores.shape).toEqual([N, C])
    // numpy; the notebook's correct_scores to 8 digits.
    const want = [
      11.531651082430411, 12.291734395625888, 13.051817708821353, 13.811901022016835, 14.571984335212306,
      15.332067648407788, 16.092150961603263, 12.057690976760085, 12.746141052133215, 13.434591127506339,
      14.123041202879465, 14.81149127825259, 15.499941353625719, 16.18839142899884, 12.583730871089754,
      13.200547708640531, 13.817364546191309, 14.434181383742082, 15.050998221292861, 15.667815058843631,
      16.28463189639442,
    ]
    let diff = 0
    values(scores).forEach((v, i) => (diff += Math.abs(v - want[i]!)))
    expect(diff).toBeLessThan(1e-10)
  })

  it('returns the notebook losses with reg = 0 and reg = 1.0 (reg is mutable)', () => {
    const model = notebookModel()
    const X = notebookX()
    expect(Math.abs(model.loss(X, y).loss - 3.4702243556)).toBeLessThan(1e-10)
    model.reg = 1.0
    expect(Math.abs(model.loss(X, y).loss - 26.5948426952)).toBeLessThan(1e-10)
    model.reg = 0
    expect(Math.abs(model.loss(X, y).loss - 3.4702243556)).toBeLessThan(1e-10)
  })

  for (const reg of [0, 0.7]) {
    it(`passes a float64 gradient check with reg = ${reg} (< 1e-6)`, () => {
      const errors = modelGradErrors(notebookModel(reg), notebookX(), y)
      expect(Object.keys(errors).sort()).toEqual(['W1', 'W2', 'b1', 'b2'])
      for (const [name, e] of Object.entries(errors)) expect(e.rel, name).toBeLessThan(1e-6)
    })
  }

  it('passes a gradient check from a random init with weightScale 1e-1 (< 1e-6)', () => {
    const rng = new Rng(3)
    const model = new TwoLayerNet({
      inputDim: D,
      hiddenDim: 10,
      numClasses: C,
      weightScale: 1e-1,
      reg: 0.3,
      dtype: 'float64',
      seed: 3,
    })
    const errors = modelGradErrors(model, randn(rng, [4, D]), Int32Array.from([0, 6, 2, 2]))
    for (const [name, e] of Object.entries(errors)) expect(e.rel, name).toBeLessThan(1e-6)
  })

  it('honours a replaced parameter', () => {
    const model = notebookModel()
    const X = notebookX()
    const before = values(model.loss(X))
    model.params['b2'] = tensor(new Array(C).fill(0), [C], 'float64')
    const after = values(model.loss(X))
    const b2 = values(lin(-0.9, 0.1, [C]))
    after.forEach((v, k) => expect(v).toBeCloseTo(before[k]! - b2[k % C]!, 12))
  })

  it('accepts X with more than two dimensions', () => {
    const model = new TwoLayerNet({ inputDim: 12, hiddenDim: 4, numClasses: 3, dtype: 'float64', seed: 1 })
    const X = randn(new Rng(1), [2, 3, 4])
    expect(model.loss(X).shape).toEqual([2, 3])
  })

  it('initialises reproducibly from a seed', () => {
    const a = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, seed: 42 })
    const b = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, seed: 42 })
    const c = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, seed: 43 })
    expect(a.seed).toBe(42)
    expect(values(b.params['W1']!)).toEqual(values(a.params['W1']!))
    expect(values(b.params['W2']!)).toEqual(values(a.params['W2']!))
    expect(values(c.params['W1']!)).not.toEqual(values(a.params['W1']!))
    // Without a seed one is drawn and recorded, so the run can be repeated.
    const d = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C })
    const e = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, seed: d.seed })
    expect(values(e.params['W1']!)).toEqual(values(d.params['W1']!))
  })
})

describe('TwoLayerNet argument checks', () => {
  const small = (): TwoLayerNet =>
    new TwoLayerNet({ inputDim: 4, hiddenDim: 3, numClasses: 2, dtype: 'float64', seed: 1 })

  it('rejects unknown options and bad values', () => {
    expect(() => new TwoLayerNet({ hidenDim: 5 } as never)).toThrow(
      "TwoLayerNet: unknown option 'hidenDim'; expected one of inputDim, hiddenDim",
    )
    expect(() => new TwoLayerNet({ dtype: 'float16' as never })).toThrow(
      "TwoLayerNet: dtype must be 'float32' or 'float64', got float16",
    )
    expect(() => new TwoLayerNet({ hiddenDim: 0 })).toThrow(
      'TwoLayerNet: hiddenDim must be a positive integer, got 0',
    )
    expect(() => new TwoLayerNet({ inputDim: 2.5 })).toThrow(
      'TwoLayerNet: inputDim must be a positive integer, got 2.5',
    )
    expect(() => new TwoLayerNet({ reg: -1 })).toThrow(
      'TwoLayerNet: reg must be a number in [0, Infinity], got -1',
    )
    expect(() => new TwoLayerNet({ weightScale: NaN })).toThrow('TwoLayerNet: weightScale must be a number')
    expect(() => new TwoLayerNet({ seed: 1.5 })).toThrow(
      'TwoLayerNet: seed must be an integer in [0, 4294967295], got 1.5',
    )
    expect(() => new TwoLayerNet(null as never)).toThrow('TwoLayerNet: options must be an object')
  })

  it('rejects X of the wrong size or dtype and bad labels', () => {
    const model = small()
    expect(() => model.loss(zeros([2, 5], 'float64'))).toThrow(
      'TwoLayerNet.loss: X (2, 5) has 5 values per row, but inputDim is 4',
    )
    expect(() => model.loss(zeros([0, 5], 'float64'))).toThrow(
      'TwoLayerNet.loss: X (0, 5) has 5 values per row, but inputDim is 4',
    )
    expect(model.loss(zeros([0, 2, 2], 'float64')).shape).toEqual([0, 2])
    expect(() => model.loss(zeros([2, 4], 'float32'))).toThrow(
      'TwoLayerNet.loss: X is float32 but the model is float64',
    )
    expect(() => model.loss(zeros([2, 4], 'float64'), Int32Array.from([0, 2]))).toThrow(
      'TwoLayerNet.loss: y[1] = 2 is out of range [0, 2)',
    )
    expect(() => model.loss(zeros([2, 4], 'float64'), Int32Array.from([0]))).toThrow(
      'TwoLayerNet.loss: y has 1 labels for 2 rows',
    )
    expect(() => model.loss(zeros([2, 4], 'float64'), [0, 1] as never)).toThrow('y must be an Int32Array')
  })

  it('rejects params that are unknown, missing, mis-shaped or of another dtype', () => {
    const X = zeros([2, 4], 'float64')
    let model = small()
    model.params['W3'] = zeros([3, 2], 'float64')
    expect(() => model.loss(X)).toThrow("TwoLayerNet.loss: unknown param 'W3'; expected W1, b1, W2, b2")
    model = small()
    delete model.params['b1']
    expect(() => model.loss(X)).toThrow('TwoLayerNet.loss: params.b1 is missing')
    model = small()
    model.params['W2'] = zeros([2, 3], 'float64')
    expect(() => model.loss(X)).toThrow('TwoLayerNet.loss: params.W2 must have shape (3, 2), got (2, 3)')
    model = small()
    model.params['W1'] = astype(model.params['W1']!, 'float32')
    expect(() => model.loss(X)).toThrow('TwoLayerNet.loss: params.W1 is float32 but the model is float64')
  })
})
