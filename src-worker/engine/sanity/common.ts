/** What every sanity check gets, and small helpers they share. */
import type { SanityCheckResult } from '../../../src-shared/sanity'
import type { UpdateRuleName } from '../optim'
import type { Model } from '../models/types'
import type { RowSource } from '../rows'
import type { DType, Tensor } from '../tensor'

export interface SanityModelOptions {
  dtype: DType
  reg: number
  /**
   * Whether the model keeps its configured dropout. Off for the loss and overfit checks (dropout is
   * regularisation, which CS231n turns off to overfit); on for the gradient check, which needs the
   * factory to fix the mask (a seeded model without a Solver-set rng draws the same mask every call).
   */
  dropout: boolean
}

/** Builds a fresh model; called several times, it must initialise identically for the same options. */
export type ModelFactory = (options: SanityModelOptions) => Model

/** The configured update rule, for the overfit check (the learning rate is the configured one). */
export interface OverfitSolverOptions {
  updateRule: UpdateRuleName
  optimConfig: Record<string, number | undefined>
}

export interface SanityOptions {
  /** Examples for the loss checks. */
  lossExamples: number
  /** |loss - ln(C)| allowed, as a fraction of ln(C). */
  lossTolerance: number
  /** reg used by the regularisation check when the config has none. */
  probeReg: number
  /** Rows of the gradient check's batch (batchnorm needs at least 2). */
  gradExamples: number
  /** Entries checked per parameter (CS231n's grad_check_sparse: 10). */
  gradChecksPerParam: number
  /** Worst relative error allowed per parameter. */
  gradTolerance: number
  /** reg the gradient is also checked at when the config has none (CS231n checks at 0 and 0.7). */
  gradProbeReg: number
  overfitExamples: number
  overfitBatchSize: number
  overfitMaxEpochs: number
  /** Wall-clock bound of the overfit check (a big conv net on the TypeScript kernels is slow). */
  overfitMaxMs: number
}

export interface CheckContext {
  makeModel: ModelFactory
  rows: RowSource
  y: Int32Array
  numClasses: number
  reg: number
  solver: OverfitSolverOptions
  seed: number
  options: SanityOptions
}

export type Outcome = Omit<SanityCheckResult, 'name' | 'ms'>

/** The first n rows (or all, if fewer) as a fresh tensor of `dtype`, with their labels. */
export function firstRows(ctx: CheckContext, n: number, dtype: DType): { X: Tensor; y: Int32Array } {
  const count = Math.min(n, ctx.rows.shape[0]!)
  if (count < 1) throw new RangeError('no training examples to check with')
  const rowShape = ctx.rows.shape.slice(1)
  const size = rowShape.reduce((a, b) => a * b, 1)
  const data = dtype === 'float64' ? new Float64Array(count * size) : new Float32Array(count * size)
  ctx.rows.readRows(
    Int32Array.from({ length: count }, (_, i) => i),
    count,
    data,
  )
  return { X: { shape: [count, ...rowShape], data, dtype }, y: ctx.y.slice(0, count) }
}

/** A number for messages: 4 significant digits, exponent form for tiny or huge values. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)))
}
