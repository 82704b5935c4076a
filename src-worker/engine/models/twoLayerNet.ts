/**
 * A two-layer fully connected network with ReLU and softmax loss (CS231n assignment 1/2):
 *   affine - relu - affine - softmax
 * Input dimension D, hidden dimension H, C classes; batches of N.
 */
import { getBackend } from '../backend'
import { affineBackward, affineForward } from '../layers/affine'
import { softmaxLoss } from '../layers/losses'
import { affineReluBackward, affineReluForward } from '../layers/sandwich'
import { addScaled, randn, sumSquares } from '../ops'
import { Rng, randomSeed } from '../rng'
import { scratchUninit, zeros, type DType, type Tensor } from '../tensor'
import { checkModelInputs, checkModelParams } from './inputs'
import { checkModelOptions, checkSeed } from './options'
import { affineReluForwardTapped } from './tap'
import type { ActivationTap, LossAndGrads, Model } from './types'

export interface TwoLayerNetOptions {
  /** D, values per input row. Default 3072 (32x32x3). */
  inputDim?: number
  /** H. Default 100. */
  hiddenDim?: number
  /** C. Default 10. */
  numClasses?: number
  /** Standard deviation of the initial weights. Default 1e-3. */
  weightScale?: number
  /** L2 strength; the loss adds 0.5 * reg * sum(W^2) over weights (not biases). Default 0. */
  reg?: number
  dtype?: DType
  /** Seed of the weight initialisation; random (and recorded in `seed`) when absent. */
  seed?: number
}

const KNOWN = ['inputDim', 'hiddenDim', 'numClasses', 'weightScale', 'reg', 'dtype', 'seed'] as const

export class TwoLayerNet implements Model {
  /** W1: (D, H), b1: (H,), W2: (H, C), b2: (C,). */
  params: Record<string, Tensor>
  reg: number
  readonly dtype: DType
  readonly inputDim: number
  readonly hiddenDim: number
  readonly numClasses: number
  readonly seed: number
  rng: Rng | null = null
  tap: ActivationTap | null = null
  private readonly paramShapes: Record<string, readonly number[]>

  constructor(options: TwoLayerNetOptions = {}) {
    const fn = 'TwoLayerNet'
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`${fn}: options must be an object`)
    const {
      inputDim = 3072,
      hiddenDim = 100,
      numClasses = 10,
      weightScale = 1e-3,
      reg = 0,
      dtype = 'float32',
      seed = randomSeed(),
    } = options
    checkModelOptions(fn, options, KNOWN, { inputDim, hiddenDim, numClasses }, { weightScale, reg, dtype })
    checkSeed(fn, seed)
    this.dtype = dtype
    this.reg = reg
    this.inputDim = inputDim
    this.hiddenDim = hiddenDim
    this.numClasses = numClasses
    this.paramShapes = {
      W1: [inputDim, hiddenDim],
      b1: [hiddenDim],
      W2: [hiddenDim, numClasses],
      b2: [numClasses],
    }
    this.seed = seed
    const rng = new Rng(seed)
    this.params = {
      W1: randn([inputDim, hiddenDim], weightScale, rng, dtype),
      b1: zeros([hiddenDim], dtype),
      W2: randn([hiddenDim, numClasses], weightScale, rng, dtype),
      b2: zeros([numClasses], dtype),
    }
  }

  /** X: (N, d1, ..., dk) with D values per row -> scores (N, C); with y: (N,) -> loss and gradients. */
  loss(X: Tensor): Tensor
  loss(X: Tensor, y: Int32Array): LossAndGrads
  loss(X: Tensor, y?: Int32Array): Tensor | LossAndGrads {
    checkModelInputs('TwoLayerNet.loss', X, y, this.inputDim, this.numClasses, this.dtype)
    checkModelParams('TwoLayerNet.loss', this.params, this.paramShapes, this.dtype)
    const { W1, b1, W2, b2 } = this.params as Record<'W1' | 'b1' | 'W2' | 'b2', Tensor>
    const [hidden, cache1] = affineReluForwardTapped(X, W1, b1, y === undefined ? null : this.tap, 0)
    const [scores, cache2] = affineForward(hidden, W2, b2)
    if (y === undefined) return scores

    const [dataLoss, dscores] = softmaxLoss(scores, y)
    const reg = this.reg
    const loss = reg > 0 ? dataLoss + 0.5 * reg * (sumSquares(W1) + sumSquares(W2)) : dataLoss
    const [dhidden, dW2, db2] = affineBackward(dscores, cache2)
    // The input gradient of the first layer is never used: skip its GEMM.
    const [, dW1, db1] = affineReluBackward(dhidden, cache1, { dx: false })
    if (reg > 0) {
      addScaled(dW1, reg, W1)
      addScaled(dW2, reg, W2)
    }
    return { loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2 } }
  }

  /** See Model.sgdStep: loss(X, y) and an sgd update, with the weight gradients folded into the update GEMMs. */
  sgdStep(X: Tensor, y: Int32Array, lr: Readonly<Record<string, number>>): number {
    checkModelInputs('TwoLayerNet.sgdStep', X, y, this.inputDim, this.numClasses, this.dtype)
    checkModelParams('TwoLayerNet.sgdStep', this.params, this.paramShapes, this.dtype)
    const { W1, b1, W2, b2 } = this.params as Record<'W1' | 'b1' | 'W2' | 'b2', Tensor>
    const [hidden] = affineReluForward(X, W1, b1)
    const [scores] = affineForward(hidden, W2, b2)
    const [dataLoss, dscores] = softmaxLoss(scores, y)
    const reg = this.reg
    const loss = reg > 0 ? dataLoss + 0.5 * reg * (sumSquares(W1) + sumSquares(W2)) : dataLoss
    if (!Number.isFinite(loss)) return loss

    const { gemm, colSums, reluBackward, axpy } = getBackend()
    const [N, D, H, C] = [X.shape[0]!, this.inputDim, this.hiddenDim, this.numClasses]
    const db2 = scratchUninit([C], this.dtype).data
    colSums(dscores.data, N, C, db2)
    // dhidden from W2 before W2 changes; then the relu mask and db1 in place.
    const dh = scratchUninit([N, H], this.dtype).data
    gemm(false, true, N, H, C, 1, dscores.data, C, W2.data, C, 0, dh, H)
    const db1 = scratchUninit([H], this.dtype).data
    reluBackward(dh, hidden.data, N, H, dh, db1)
    const [l1, l2, lb1, lb2] = [lr['W1']!, lr['W2']!, lr['b1']!, lr['b2']!]
    // w - lr (x^T dout + reg w) = (1 - lr reg) w - lr x^T dout: one GEMM per weight matrix.
    gemm(true, false, H, C, N, -l2, hidden.data, H, dscores.data, C, 1 - l2 * reg, W2.data, C)
    gemm(true, false, D, H, N, -l1, X.data, D, dh, H, 1 - l1 * reg, W1.data, H)
    axpy(H, -lb1, db1, b1.data)
    axpy(C, -lb2, db2, b2.data)
    return loss
  }
}
