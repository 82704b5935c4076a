/**
 * A three-layer convolutional network (CS231n assignment 2, cnn.py):
 *   conv - relu - 2x2 max pool - affine - relu - affine - softmax
 * on images of shape (C, H, W). The convolution keeps the spatial size (stride 1, pad (filterSize - 1) / 2
 * rounded down); the pool halves it (rounded down).
 */
import { getBackend } from '../backend'
import { affineBackward, affineForward } from '../layers/affine'
import { convReluPoolBackward, convReluPoolForward, convReluPoolGrads } from '../layers/convSandwich'
import { softmaxLoss } from '../layers/losses'
import { affineReluBackward, affineReluForward } from '../layers/sandwich'
import { addScaled, randn, sumSquares } from '../ops'
import { Rng, randomSeed } from '../rng'
import { formatShape, reshape, scratchUninit, zeros, type DType, type Tensor } from '../tensor'
import { checkModelInputs, checkModelParams } from './inputs'
import { checkModelOptions, checkSeed } from './options'
import { affineReluForwardTapped, tapConvPreactivation } from './tap'
import type { ActivationTap, LossAndGrads, Model } from './types'

export interface ThreeLayerConvNetOptions {
  /** (C, H, W) of one input image. Default [3, 32, 32]. */
  inputDim?: [number, number, number]
  /** F, filters of the convolution. Default 32. */
  numFilters?: number
  /** Side of the square filters. Default 7. */
  filterSize?: number
  /** Units of the hidden affine layer. Default 100. */
  hiddenDim?: number
  /** Default 10. */
  numClasses?: number
  /** Standard deviation of the initial weights. Default 1e-3. */
  weightScale?: number
  /** L2 strength; the loss adds 0.5 * reg * sum(W^2) over W1..W3. Default 0. */
  reg?: number
  dtype?: DType
  /** Seed of the weight initialisation; random (and recorded in `seed`) when absent. */
  seed?: number
}

const KNOWN = [
  'inputDim',
  'numFilters',
  'filterSize',
  'hiddenDim',
  'numClasses',
  'weightScale',
  'reg',
  'dtype',
  'seed',
] as const

const POOL = { poolHeight: 2, poolWidth: 2, stride: 2 }

export class ThreeLayerConvNet implements Model {
  /**
   * W1: (F, C, fs, fs), b1: (F,), W2: (F * Hp * Wp, hidden), b2: (hidden,), W3: (hidden, classes),
   * b3: (classes,), with (Hp, Wp) the pooled image size.
   */
  params: Record<string, Tensor>
  reg: number
  readonly dtype: DType
  readonly inputDim: readonly [number, number, number]
  readonly numFilters: number
  readonly filterSize: number
  readonly hiddenDim: number
  readonly numClasses: number
  readonly seed: number
  /** The convolution's parameters: stride 1, pad floor((filterSize - 1) / 2). */
  readonly convParam: { stride: number; pad: number }
  /** (F, Hp, Wp), the shape of the pooled activations the first affine layer reads. */
  readonly pooledShape: readonly [number, number, number]
  rng: Rng | null = null
  tap: ActivationTap | null = null
  private readonly paramShapes: Record<string, readonly number[]>

  constructor(options: ThreeLayerConvNetOptions = {}) {
    const fn = 'ThreeLayerConvNet'
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`${fn}: options must be an object`)
    const {
      inputDim = [3, 32, 32],
      numFilters = 32,
      filterSize = 7,
      hiddenDim = 100,
      numClasses = 10,
      weightScale = 1e-3,
      reg = 0,
      dtype = 'float32',
      seed = randomSeed(),
    } = options
    if (!Array.isArray(inputDim) || inputDim.length !== 3) {
      throw new TypeError(`${fn}: inputDim must be [C, H, W], got ${JSON.stringify(inputDim)}`)
    }
    const [C, H, W] = inputDim
    checkModelOptions(
      fn,
      options,
      KNOWN,
      { 'inputDim[0]': C, 'inputDim[1]': H, 'inputDim[2]': W, numFilters, filterSize, hiddenDim, numClasses },
      { weightScale, reg, dtype },
    )
    checkSeed(fn, seed)
    const pad = Math.floor((filterSize - 1) / 2)
    // Stride 1: Ho = H + 2 pad - fs + 1 (H for odd filter sizes, H - 1 for even ones).
    const Ho = H + 2 * pad - filterSize + 1
    const Wo = W + 2 * pad - filterSize + 1
    if (Ho < 2 || Wo < 2) {
      throw new RangeError(
        `${fn}: a ${filterSize}x${filterSize} filter on ${H}x${W} images leaves ${Ho}x${Wo}, too small for 2x2 pooling`,
      )
    }
    const Hp = Math.floor(Ho / 2)
    const Wp = Math.floor(Wo / 2)
    this.dtype = dtype
    this.reg = reg
    this.inputDim = [C, H, W]
    this.numFilters = numFilters
    this.filterSize = filterSize
    this.hiddenDim = hiddenDim
    this.numClasses = numClasses
    this.seed = seed
    this.convParam = { stride: 1, pad }
    this.pooledShape = [numFilters, Hp, Wp]
    const D2 = numFilters * Hp * Wp
    this.paramShapes = {
      W1: [numFilters, C, filterSize, filterSize],
      b1: [numFilters],
      W2: [D2, hiddenDim],
      b2: [hiddenDim],
      W3: [hiddenDim, numClasses],
      b3: [numClasses],
    }
    const rng = new Rng(seed)
    this.params = {
      W1: randn([numFilters, C, filterSize, filterSize], weightScale, rng, dtype),
      b1: zeros([numFilters], dtype),
      W2: randn([D2, hiddenDim], weightScale, rng, dtype),
      b2: zeros([hiddenDim], dtype),
      W3: randn([hiddenDim, numClasses], weightScale, rng, dtype),
      b3: zeros([numClasses], dtype),
    }
  }

  /**
   * X: (N, C, H, W), or (N, C * H * W) rows as the Solver feeds them (viewed as images without a copy)
   * -> scores (N, classes); with y: (N,) -> loss and gradients.
   */
  loss(X: Tensor): Tensor
  loss(X: Tensor, y: Int32Array): LossAndGrads
  loss(X: Tensor, y?: Int32Array): Tensor | LossAndGrads {
    const images = this.checkInputs('ThreeLayerConvNet.loss', X, y)
    const { W1, b1, W2, b2, W3, b3 } = this.params as Record<'W1' | 'b1' | 'W2' | 'b2' | 'W3' | 'b3', Tensor>
    const tap = y === undefined ? null : this.tap
    const [pooled, cache1] = convReluPoolForward(images, W1, b1, this.convParam, POOL)
    if (tap) tapConvPreactivation(cache1.pool.x, b1, tap, 0)
    const [hidden, cache2] = affineReluForwardTapped(pooled, W2, b2, tap, 1)
    const [scores, cache3] = affineForward(hidden, W3, b3)
    if (y === undefined) return scores

    const [dataLoss, dscores] = softmaxLoss(scores, y)
    const reg = this.reg
    const loss =
      reg > 0 ? dataLoss + 0.5 * reg * (sumSquares(W1) + sumSquares(W2) + sumSquares(W3)) : dataLoss
    const [dhidden, dW3, db3] = affineBackward(dscores, cache3)
    const [dpooled, dW2, db2] = affineReluBackward(dhidden, cache2)
    // The input gradient of the first layer is never used: skip its GEMM and col2im.
    const [, dW1, db1] = convReluPoolBackward(dpooled, cache1, { dx: false })
    if (reg > 0) {
      addScaled(dW1, reg, W1)
      addScaled(dW2, reg, W2)
      addScaled(dW3, reg, W3)
    }
    return { loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2, W3: dW3, b3: db3 } }
  }

  /**
   * See Model.sgdStep: loss(X, y) and an sgd update, the affine layers' weight gradients folded into their
   * update GEMMs and the filters updated straight from their (small) transposed gradient.
   */
  sgdStep(X: Tensor, y: Int32Array, lr: Readonly<Record<string, number>>): number {
    const images = this.checkInputs('ThreeLayerConvNet.sgdStep', X, y)
    const { W1, b1, W2, b2, W3, b3 } = this.params as Record<'W1' | 'b1' | 'W2' | 'b2' | 'W3' | 'b3', Tensor>
    const [pooled, cache1] = convReluPoolForward(images, W1, b1, this.convParam, POOL)
    const [hidden] = affineReluForward(pooled, W2, b2)
    const [scores] = affineForward(hidden, W3, b3)
    const [dataLoss, dscores] = softmaxLoss(scores, y)
    const reg = this.reg
    const loss =
      reg > 0 ? dataLoss + 0.5 * reg * (sumSquares(W1) + sumSquares(W2) + sumSquares(W3)) : dataLoss
    if (!Number.isFinite(loss)) return loss

    const { gemm, colSums, reluBackward, axpy } = getBackend()
    const N = X.shape[0]!
    const [D2, Hd] = W2.shape as [number, number]
    const Cl = this.numClasses
    const dt = this.dtype
    const db3 = scratchUninit([Cl], dt).data
    colSums(dscores.data, N, Cl, db3)
    const dh = scratchUninit([N, Hd], dt).data
    gemm(false, true, N, Hd, Cl, 1, dscores.data, Cl, W3.data, Cl, 0, dh, Hd)
    const db2 = scratchUninit([Hd], dt).data
    reluBackward(dh, hidden.data, N, Hd, dh, db2)
    // Each layer's input gradient before its weights change, then w := (1 - lr reg) w - lr x^T dout.
    const dpooled = scratchUninit(pooled.shape, dt)
    gemm(false, true, N, D2, Hd, 1, dh, Hd, W2.data, Hd, 0, dpooled.data, D2)
    const [l1, l2, l3] = [lr['W1']!, lr['W2']!, lr['W3']!]
    gemm(true, false, Hd, Cl, N, -l3, hidden.data, Hd, dscores.data, Cl, 1 - l3 * reg, W3.data, Cl)
    gemm(true, false, D2, Hd, N, -l2, pooled.data, D2, dh, Hd, 1 - l2 * reg, W2.data, Hd)
    const { dwT, db: db1 } = convReluPoolGrads(dpooled, cache1, { dx: false })
    const w1 = W1.data
    const F = W1.shape[0]!
    const K = w1.length / F
    const keep = 1 - l1 * reg
    for (let f = 0; f < F; f++) {
      for (let k = 0; k < K; k++) w1[f * K + k] = keep * w1[f * K + k]! - l1 * dwT[k * F + f]!
    }
    axpy(F, -lr['b1']!, db1.data, b1.data)
    axpy(Hd, -lr['b2']!, db2, b2.data)
    axpy(Cl, -lr['b3']!, db3, b3.data)
    return loss
  }

  /** Checks X, y and the parameters; X as (N, C, H, W) images (a view of (N, C*H*W) rows). */
  private checkInputs(fn: string, X: Tensor, y: Int32Array | undefined): Tensor {
    const [C, H, W] = this.inputDim
    checkModelInputs(fn, X, y, C * H * W, this.numClasses, this.dtype)
    // Only (N, C*H*W) rows have no layout to check: (N, H, W, C) has as many values per row, in another order.
    if (
      X.shape.length !== 2 &&
      !(X.shape.length === 4 && X.shape[1] === C && X.shape[2] === H && X.shape[3] === W)
    ) {
      throw new RangeError(
        `${fn}: X ${formatShape(X.shape)} must be (N, ${C}, ${H}, ${W}) images or (N, ${C * H * W}) rows`,
      )
    }
    checkModelParams(fn, this.params, this.paramShapes, this.dtype)
    return reshape(X, [X.shape[0]!, C, H, W])
  }
}
