/**
 * Sanity checks of a run config before (or as the first phase of) training, the CS231n way: the initial
 * loss is about ln(C), regularisation raises the loss, the analytic gradient matches a numerical one,
 * and the model can overfit a tiny subset. Shared by the engine (which measures), the core and CLI (which
 * run and store them) and the renderer (which shows them).
 */

export const SANITY_REPORT_VERSION = 1

export const SANITY_CHECKS = ['initial-loss', 'regularization', 'gradient', 'overfit'] as const
export type SanityCheckName = (typeof SANITY_CHECKS)[number]

/** The gradient check of one parameter: sparse random entries, the worst relative error among them. */
export interface ParamGradCheck {
  name: string
  /** Entries compared (all of them for small parameters). */
  checked: number
  /**
   * Worst relative error |num - analytic| / max(|num| + |analytic|, floor) over the checked entries;
   * null when it is not a finite number (NaN or infinite losses).
   */
  relError: number | null
  passed: boolean
  /**
   * The reg this entry's error was measured at (the worst of them): the gradient is checked at the
   * configured reg and, when that is 0, at a probe reg > 0 too, so that a missing regularisation term
   * is caught. Absent in reports written before the probe.
   */
  reg?: number
}

/**
 * One check. `measured` and `expected` hold plain numbers under fixed keys per check, so that every front
 * end can format them in its own language; `message` is the engine's English summary. null stands for a
 * value that is not a finite number (a NaN loss), which JSON cannot carry.
 *
 *   initial-loss    measured {loss}                         expected {loss: ln(C), tolerance}
 *   regularization  measured {lossNoReg, lossWithReg, reg}  expected {minRise}
 *   gradient        measured {worstRelError, probeReg?}     expected {maxRelError}   (+ params)
 *   overfit         measured {trainAcc, epochs, examples}   expected {trainAcc, maxEpochs}
 */
export interface SanityCheckResult {
  name: SanityCheckName
  passed: boolean
  measured: Record<string, number | null>
  expected: Record<string, number | null>
  message: string
  /** Gradient check only: one entry per parameter, in the model's order. */
  params?: ParamGradCheck[]
  /** Wall-clock time of this check. */
  ms: number
}

export interface SanityReport {
  version: typeof SANITY_REPORT_VERSION
  /** Every check passed. */
  passed: boolean
  /** The seed the model was initialised with (a config without one gets one here, recorded). */
  seed: number
  /** ISO time the checks finished. */
  ranAt: string
  /** Total wall-clock time. */
  ms: number
  /** Where they ran: 'request' (checks.run, `workbench check`) or 'worker' (first phase of a run). */
  source: 'request' | 'worker'
  checks: SanityCheckResult[]
}
