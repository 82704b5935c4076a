/**
 * Layer capture (issue 15): per-layer statistics of one training step, taken without changing the run.
 *
 * On a capture step the Solver calls `probe(X, y)` before its normal step: the probe saves what a forward
 * pass in train mode mutates (batchnorm running statistics, the dropout stream), runs the model's
 * loss(X, y) on the same minibatch with an ActivationTap in a scratch arena of its own, reads the
 * activations and gradients, copies the weights, and puts the saved state back. The normal step (fused
 * sgd or any update rule) then runs exactly as it would have without capture (the same minibatch, the same
 * dropout mask, the same running statistics, the same arena), and `finish()` diffs the weights against the
 * copies: the update the rule in use actually applied, lr included. Nothing the probe did reaches the step.
 */
import type { FilterStats, LayerRecord, NormStats, TensorStats } from '../../../src-shared/layerStats'
import { NonFiniteError } from '../check'
import { Arena, withArena } from '../memory'
import type { LossAndGrads, Model } from '../models/types'
import type { FloatArray, Tensor } from '../tensor'
import { diffNorm2, fastTensorStats, norm2, reluPairStats, summaryOf } from './stats'

/** |x_hat| above this counts as saturated (NormStats.saturatedFraction). */
export const SATURATION = 3

/** How a model's parameters map to layers: W1..WL in order from the input. */
export interface LayerSpec {
  name: string
  kind: 'affine' | 'conv'
  param: string
  /** Followed by a ReLU (every layer but the scores); its pre-activation comes from the tap. */
  hidden: boolean
  /** Batchnorm's parameter and buffer names, when the layer has one. */
  norm: { gamma: string; beta: string; runningMean: string; runningVar: string } | null
}

export function layerSpecs(model: Model): LayerSpec[] {
  const params = model.params
  const buffers = model.buffers?.() ?? {}
  const weights = Object.keys(params)
    .filter((k) => /^W\d+$/.test(k))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
  return weights.map((param, i) => {
    const l = param.slice(1)
    const names = {
      gamma: `gamma${l}`,
      beta: `beta${l}`,
      runningMean: `bn${l}.runningMean`,
      runningVar: `bn${l}.runningVar`,
    }
    const hasNorm = names.gamma in params && names.runningMean in buffers && names.runningVar in buffers
    return {
      name: `layer${l}`,
      kind: params[param]!.shape.length === 4 ? 'conv' : 'affine',
      param,
      hidden: i < weights.length - 1,
      norm: hasNorm ? names : null,
    }
  })
}

/** What the probe measured, waiting for the step's update. */
export interface PendingCapture {
  records: LayerRecord[]
  /** Per layer, the batch's saturated fraction (the rest of NormStats is read after the step). */
  saturated: (number | null)[]
}

export class LayerCapturer {
  readonly specs: LayerSpec[]
  /** The probe's scratch: the training arena must see the same allocations with capture on or off. */
  readonly arena = new Arena()
  private readonly before: FloatArray[]

  constructor(private readonly model: Model) {
    this.specs = layerSpecs(model)
    this.before = this.specs.map((s) => model.params[s.param]!.data.slice())
  }

  /**
   * Runs the probe on the step's minibatch and leaves the model as it found it. Null when the probe's loss
   * is not finite: the step that follows reports the divergence.
   */
  probe(X: Tensor, y: Int32Array): PendingCapture | null {
    const model = this.model
    const rngState = model.rng?.getState() ?? null
    const buffers = Object.values(model.buffers?.() ?? {})
    const savedBuffers = buffers.map((b) => b.data.slice())
    const taps: { pre: Tensor; xhat: Tensor | null }[] = []
    let result: LossAndGrads | null = null
    model.tap = (index, pre, xhat) => {
      taps[index] = { pre, xhat }
    }
    try {
      result = withArena(this.arena, () => model.loss(X, y))
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e
    } finally {
      model.tap = null
      if (rngState) model.rng!.setState(rngState)
      buffers.forEach((b, i) => b.data.set(savedBuffers[i]!))
    }
    if (result === null || !Number.isFinite(result.loss)) return null

    const records: LayerRecord[] = []
    const saturated: (number | null)[] = []
    let hiddenIndex = 0
    this.specs.forEach((spec, i) => {
      const w = model.params[spec.param]!
      const dw = result.grads[spec.param]!
      this.before[i]!.set(w.data)
      const weightNorm = norm2(w.data)
      const record: LayerRecord = {
        name: spec.name,
        kind: spec.kind,
        param: spec.param,
        shape: [...w.shape],
        weight: fastTensorStats(w.data),
        grad: fastTensorStats(dw.data),
        weightNorm,
        gradNorm: norm2(dw.data),
        updateNorm: 0,
        updateRatio: 0,
      }
      let sat: number | null = null
      const tap = spec.hidden ? taps[hiddenIndex++] : undefined
      if (tap) {
        const { filterZeroFraction, ...act } = activationStats(tap.pre)
        Object.assign(record, act)
        if (tap.xhat) sat = saturatedFraction(tap.xhat.data)
        if (spec.kind === 'conv' && filterZeroFraction) record.filters = filterStats(w, filterZeroFraction)
      }
      records.push(record)
      saturated.push(sat)
    })
    return { records, saturated }
  }

  /** Completes the records after the step: the update each weight got, and batchnorm's state after it. */
  finish(pending: PendingCapture): LayerRecord[] {
    const params = this.model.params
    const buffers = this.model.buffers?.() ?? {}
    this.specs.forEach((spec, i) => {
      const record = pending.records[i]!
      const after = params[spec.param]!.data
      const before = this.before[i]!
      record.updateNorm = diffNorm2(after, before)
      record.updateRatio = record.weightNorm > 0 ? record.updateNorm / record.weightNorm : 0
      if (record.filters) {
        const F = record.shape[0]!
        const K = before.length / F
        record.filters.updateRatio = record.filters.weightNorm.map((wn, f) =>
          wn > 0 ? diffNorm2(after, before, f * K, K) / wn : 0,
        )
      }
      if (spec.norm) {
        const norm: NormStats = {
          gamma: summaryOf(params[spec.norm.gamma]!.data),
          beta: summaryOf(params[spec.norm.beta]!.data),
          runningMean: summaryOf(buffers[spec.norm.runningMean]!.data),
          runningVar: summaryOf(buffers[spec.norm.runningVar]!.data),
          saturatedFraction: pending.saturated[i] ?? 0,
        }
        record.norm = norm
      }
    })
    return pending.records
  }
}

/**
 * Pre- and post-ReLU statistics of a hidden layer from its pre-activation (N, units...): post = max(pre,
 * 0), so a post-ReLU output is zero exactly where pre <= 0. A unit (a column: an affine layer's neuron, or
 * one (filter, position) of a conv layer's output) is dead on the batch when it is zero on every row.
 * For a conv layer (N, F, Ho, Wo), `filterZeroFraction` is each filter's share of zero outputs.
 */
export function activationStats(pre: Tensor): {
  preact: TensorStats
  postact: TensorStats
  deadFraction: number
  zeroFraction: number
  filterZeroFraction?: number[]
} {
  const d = pre.data
  const N = pre.shape[0]!
  const units = N > 0 ? d.length / N : 0
  // Row by row (the memory order), counting each unit's zeros.
  const perUnit = new Int32Array(units)
  for (let i = 0; i < N; i++) {
    const o = i * units
    for (let j = 0; j < units; j++) if (d[o + j]! <= 0) perUnit[j]!++
  }
  let zeros = 0
  let dead = 0
  for (let j = 0; j < units; j++) {
    zeros += perUnit[j]!
    if (perUnit[j] === N) dead++
  }
  const { pre: preact, post: postact } = reluPairStats(d)
  const out = {
    preact,
    postact,
    deadFraction: units > 0 ? dead / units : 0,
    zeroFraction: d.length > 0 ? zeros / d.length : 0,
  }
  if (pre.shape.length !== 4) return out
  // A filter's zeros are its units' zeros summed over its positions.
  const F = pre.shape[1]!
  const P = units / F
  const filterZeroFraction: number[] = []
  for (let f = 0; f < F; f++) {
    let z = 0
    for (let q = 0; q < P; q++) z += perUnit[f * P + q]!
    filterZeroFraction.push(N * P > 0 ? z / (N * P) : 0)
  }
  return { ...out, filterZeroFraction }
}

export function saturatedFraction(xhat: FloatArray): number {
  let n = 0
  for (let i = 0; i < xhat.length; i++) if (Math.abs(xhat[i]!) > SATURATION) n++
  return xhat.length > 0 ? n / xhat.length : 0
}

/** Per filter of W (F, C, HH, WW): its norm, with the zero fractions activationStats counted. */
export function filterStats(w: Tensor, zeroFraction: number[]): FilterStats {
  const F = w.shape[0]!
  const K = w.data.length / F
  const weightNorm = Array.from({ length: F }, (_, f) => norm2(w.data, f * K, K))
  return { weightNorm, updateRatio: new Array<number>(F).fill(0), zeroFraction }
}
