/** The two loss checks: initial loss about ln(C) at reg = 0, and a higher loss with reg > 0. */
import { firstRows, fmt, type CheckContext, type Outcome } from './common'
import type { Tensor } from '../tensor'

/** Both checks build fresh float64 models from the same seed: the same init, only reg differs. */
function lossOf(ctx: CheckContext, reg: number, batch: { X: Tensor; y: Int32Array }): number {
  return ctx.makeModel({ dtype: 'float64', reg, dropout: false }).loss(batch.X, batch.y).loss
}

export function initialLossCheck(ctx: CheckContext): Outcome {
  const batch = firstRows(ctx, ctx.options.lossExamples, 'float64')
  const loss = lossOf(ctx, 0, batch)
  const C = ctx.numClasses
  const lnC = Math.log(C)
  const tolerance = ctx.options.lossTolerance * lnC
  const passed = Number.isFinite(loss) && Math.abs(loss - lnC) <= tolerance
  const message = passed
    ? `initial loss ${fmt(loss)} is close to ln(${C}) = ${fmt(lnC)}`
    : `initial loss ${fmt(loss)} is far from ln(${C}) = ${fmt(lnC)} (allowed ±${fmt(tolerance)}): ` +
      (loss > lnC
        ? 'the initial weights are probably too large (lower weightScale)'
        : 'a loss below chance at initialisation means the loss or the labels are wrong')
  return { passed, measured: { loss }, expected: { loss: lnC, tolerance }, message }
}

export function regularizationCheck(ctx: CheckContext): Outcome {
  const batch = firstRows(ctx, ctx.options.lossExamples, 'float64')
  // A config without reg still gets its regularisation path exercised, with a visible strength.
  const reg = ctx.reg > 0 ? ctx.reg : ctx.options.probeReg
  const lossNoReg = lossOf(ctx, 0, batch)
  const lossWithReg = lossOf(ctx, reg, batch)
  const rise = lossWithReg - lossNoReg
  const passed = Number.isFinite(rise) && rise > 0
  const message = passed
    ? // The rise itself: a small reg's shows in neither loss at 4 significant digits (2.303 -> 2.303).
      `reg = ${fmt(reg)} raises the loss by ${fmt(rise)} (${fmt(lossNoReg)} -> ${fmt(lossWithReg)})`
    : `reg = ${fmt(reg)} does not raise the loss (${fmt(lossNoReg)} -> ${fmt(lossWithReg)}): ` +
      (weightsAllZero(ctx)
        ? 'every weight starts at 0 (weightScale 0?), so reg has nothing to penalise: give weightScale > 0'
        : 'the model ignores its regularisation strength')
  return { passed, measured: { lossNoReg, lossWithReg, reg }, expected: { minRise: 0 }, message }
}

/** Weight matrices (W1, W2, ...) that start all zero: reg then adds nothing, whatever the model does. */
function weightsAllZero(ctx: CheckContext): boolean {
  const params = ctx.makeModel({ dtype: 'float64', reg: 0, dropout: false }).params
  const weights = Object.entries(params).filter(([name]) => /^W\d+$/.test(name))
  return weights.length > 0 && weights.every(([, w]) => w.data.every((v) => v === 0))
}
