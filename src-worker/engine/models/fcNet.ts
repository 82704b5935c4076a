/**
 * A fully connected network with any number of hidden layers (CS231n assignment 2):
 *   {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax
 * Parameters W1..WL, b1..bL, and gamma1..gamma(L-1), beta1..beta(L-1) when normalised.
 */
import { assertNumberInRange, assertPositiveInt } from '../check'
import { affineBackward, affineForward, type AffineCache } from '../layers/affine'
import {
  batchnormBackwardAlt,
  batchnormForward,
  type BatchnormCache,
  type BnParam,
} from '../layers/batchnorm'
import { dropoutBackward, dropoutForward, type DropoutCache, type DropoutParam } from '../layers/dropout'
import { layernormBackward, layernormForward, type LayernormCache, type LnParam } from '../layers/layernorm'
import { softmaxLoss } from '../layers/losses'
import { reluBackward, reluForward, type ReluCache } from '../layers/relu'
import { addScaled, full, randn, sumSquares } from '../ops'
import { Rng, randomSeed } from '../rng'
import { zeros, type DType, type Tensor } from '../tensor'
import { checkModelInputs, checkModelParams } from './inputs'
import { checkModelOptions, checkSeed } from './options'
import type { ActivationTap, LossAndGrads, Model } from './types'

export type Normalization = 'batchnorm' | 'layernorm'

export interface FullyConnectedNetOptions {
  /** Sizes of the hidden layers, e.g. [100, 100]. May be empty (a softmax classifier). */
  hiddenDims: number[]
  /** D. Default 3072. */
  inputDim?: number
  /** C. Default 10. */
  numClasses?: number
  /** Probability of keeping a hidden unit; 1 disables dropout. Default 1. */
  dropoutKeepRatio?: number
  normalization?: Normalization | null
  /** L2 strength over weights (0.5 * reg * sum W^2). Default 0. */
  reg?: number
  /** Standard deviation of the initial weights. Default 1e-2. */
  weightScale?: number
  dtype?: DType
  /**
   * Seeds the weight initialisation and, as in CS231n, fixes the dropout mask (the same mask on every
   * call, which gradient checks need). A Solver sets `rng`, which then draws a fresh mask per step.
   */
  seed?: number
}

const KNOWN = [
  'hiddenDims',
  'inputDim',
  'numClasses',
  'dropoutKeepRatio',
  'normalization',
  'reg',
  'weightScale',
  'dtype',
  'seed',
] as const

interface HiddenCache {
  fc: AffineCache
  norm: BatchnormCache | LayernormCache | null
  relu: ReluCache
  dropout: DropoutCache | null
}

export class FullyConnectedNet implements Model {
  params: Record<string, Tensor>
  reg: number
  readonly dtype: DType
  readonly numLayers: number
  readonly normalization: Normalization | null
  readonly inputDim: number
  readonly hiddenDims: readonly number[]
  readonly numClasses: number
  readonly seed: number
  /** One per hidden layer when normalization is 'batchnorm' (running statistics live here). */
  readonly bnParams: BnParam[] = []
  /** One per hidden layer when normalization is 'layernorm'. */
  readonly lnParams: LnParam[] = []
  /** Present when dropoutKeepRatio < 1. */
  readonly dropoutParam: DropoutParam | null
  rng: Rng | null = null
  tap: ActivationTap | null = null
  private readonly paramShapes: Record<string, readonly number[]> = {}

  constructor(options: FullyConnectedNetOptions) {
    const fn = 'FullyConnectedNet'
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`${fn}: options must be an object`)
    const {
      hiddenDims,
      inputDim = 3072,
      numClasses = 10,
      dropoutKeepRatio = 1,
      normalization = null,
      reg = 0,
      weightScale = 1e-2,
      dtype = 'float32',
      seed,
    } = options
    checkModelOptions(fn, options, KNOWN, { inputDim, numClasses }, { weightScale, reg, dtype })
    if (!Array.isArray(hiddenDims)) throw new TypeError(`${fn}: hiddenDims must be an array of layer sizes`)
    hiddenDims.forEach((h, i) => assertPositiveInt(h, fn, `hiddenDims[${i}]`))
    assertNumberInRange(dropoutKeepRatio, 0, 1, fn, 'dropoutKeepRatio', { loOpen: true })
    if (normalization !== null && normalization !== 'batchnorm' && normalization !== 'layernorm') {
      throw new TypeError(
        `${fn}: normalization must be 'batchnorm', 'layernorm' or null, got ${String(normalization)}`,
      )
    }
    checkSeed(fn, seed)

    this.dtype = dtype
    this.reg = reg
    this.normalization = normalization
    this.numLayers = hiddenDims.length + 1
    this.inputDim = inputDim
    this.hiddenDims = [...hiddenDims]
    this.numClasses = numClasses
    this.seed = seed ?? randomSeed()
    const rng = new Rng(this.seed)

    const dims = [inputDim, ...hiddenDims, numClasses]
    this.params = {}
    for (let l = 1; l <= this.numLayers; l++) {
      this.params[`W${l}`] = randn([dims[l - 1]!, dims[l]!], weightScale, rng, dtype)
      this.params[`b${l}`] = zeros([dims[l]!], dtype)
      this.paramShapes[`W${l}`] = [dims[l - 1]!, dims[l]!]
      this.paramShapes[`b${l}`] = [dims[l]!]
      if (normalization !== null && l < this.numLayers) {
        this.params[`gamma${l}`] = full([dims[l]!], 1, dtype)
        this.params[`beta${l}`] = zeros([dims[l]!], dtype)
        this.paramShapes[`gamma${l}`] = [dims[l]!]
        this.paramShapes[`beta${l}`] = [dims[l]!]
        if (normalization === 'batchnorm') this.bnParams.push({ mode: 'train' })
        else this.lnParams.push({})
      }
    }
    this.dropoutParam =
      dropoutKeepRatio < 1
        ? { mode: 'train', p: dropoutKeepRatio, ...(seed !== undefined ? { seed } : {}) }
        : null
  }

  /** Batchnorm running statistics as `bn{l}.runningMean` / `bn{l}.runningVar` (created on first use). */
  buffers(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {}
    this.bnParams.forEach((bn, i) => {
      const D = this.params[`gamma${i + 1}`]!.shape[0]!
      bn.runningMean ??= zeros([D], this.dtype)
      bn.runningVar ??= zeros([D], this.dtype)
      out[`bn${i + 1}.runningMean`] = bn.runningMean
      out[`bn${i + 1}.runningVar`] = bn.runningVar
    })
    return out
  }

  /** X: (N, d1, ..., dk) -> scores (N, C) in test mode; with y: (N,) -> loss and gradients (train mode). */
  loss(X: Tensor): Tensor
  loss(X: Tensor, y: Int32Array): LossAndGrads
  loss(X: Tensor, y?: Int32Array): Tensor | LossAndGrads {
    checkModelInputs('FullyConnectedNet.loss', X, y, this.inputDim, this.numClasses, this.dtype)
    checkModelParams('FullyConnectedNet.loss', this.params, this.paramShapes, this.dtype)
    const mode = y === undefined ? 'test' : 'train'
    for (const bn of this.bnParams) bn.mode = mode
    if (this.dropoutParam) {
      this.dropoutParam.mode = mode
      this.dropoutParam.rng = this.rng
    }
    const p = this.params
    const L = this.numLayers

    const caches: HiddenCache[] = []
    let h = X
    for (let l = 1; l < L; l++) {
      const [a, fc] = affineForward(h, p[`W${l}`]!, p[`b${l}`]!)
      let z = a
      let norm: HiddenCache['norm'] = null
      if (this.normalization === 'batchnorm') {
        ;[z, norm] = batchnormForward(a, p[`gamma${l}`]!, p[`beta${l}`]!, this.bnParams[l - 1]!)
      } else if (this.normalization === 'layernorm') {
        ;[z, norm] = layernormForward(a, p[`gamma${l}`]!, p[`beta${l}`]!, this.lnParams[l - 1]!)
      }
      if (mode === 'train') {
        this.tap?.(l - 1, z, this.normalization === 'batchnorm' ? (norm as BatchnormCache).xhat : null)
      }
      const [r, relu] = reluForward(z)
      let dropout: DropoutCache | null = null
      h = r
      if (this.dropoutParam) [h, dropout] = dropoutForward(r, this.dropoutParam)
      caches.push({ fc, norm, relu, dropout })
    }
    const [scores, lastCache] = affineForward(h, p[`W${L}`]!, p[`b${L}`]!)
    if (y === undefined) return scores

    const [dataLoss, dscores] = softmaxLoss(scores, y)
    const grads: Record<string, Tensor> = {}
    let regLoss = 0
    let [dh, dW, db] = affineBackward(dscores, lastCache, { dx: L > 1 })
    grads[`W${L}`] = dW
    grads[`b${L}`] = db
    for (let l = L - 1; l >= 1; l--) {
      const c = caches[l - 1]!
      let d = dh!
      if (c.dropout) d = dropoutBackward(d, c.dropout)
      d = reluBackward(d, c.relu)
      if (c.norm !== null) {
        const [dz, dgamma, dbeta] =
          this.normalization === 'batchnorm'
            ? batchnormBackwardAlt(d, c.norm as BatchnormCache)
            : layernormBackward(d, c.norm as LayernormCache)
        grads[`gamma${l}`] = dgamma
        grads[`beta${l}`] = dbeta
        d = dz
      }
      // The first layer's input gradient is never used: skip its GEMM.
      ;[dh, dW, db] = affineBackward(d, c.fc, { dx: l > 1 })
      grads[`W${l}`] = dW
      grads[`b${l}`] = db
    }
    if (this.reg > 0) {
      for (let l = 1; l <= L; l++) {
        const W = p[`W${l}`]!
        regLoss += sumSquares(W)
        addScaled(grads[`W${l}`]!, this.reg, W)
      }
    }
    return { loss: dataLoss + 0.5 * this.reg * regLoss, grads }
  }
}
