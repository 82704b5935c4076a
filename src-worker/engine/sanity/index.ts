/**
 * Sanity checks of a model before a long run (CS231n's practice, assignments 1 and 2):
 *
 *   initial-loss    with small random weights and reg = 0 the softmax loss is about ln(C)
 *   regularization  the same init with reg > 0 has a higher loss
 *   gradient        analytic gradients match centred differences (float64, sparse random entries), at
 *                   the configured reg and, when that is 0, at reg 0.7 as well
 *   overfit         the model reaches 100% train accuracy on 50 examples within a bounded number of epochs
 *
 * Pure over the Model interface: a factory builds fresh models (same seed, so the same init) in the
 * dtype and with the reg each check needs. No caller's random stream is touched: every model, solver
 * and index sample is seeded from `seed` and lives only inside its check.
 */
import {
  SANITY_REPORT_VERSION,
  type SanityCheckName,
  type SanityCheckResult,
  type SanityReport,
} from '../../../src-shared/sanity'
import { isRowSource, tensorRows, type RowSource } from '../rows'
import type { Tensor } from '../tensor'
import type { CheckContext, ModelFactory, OverfitSolverOptions, Outcome, SanityOptions } from './common'
import { gradientCheck } from './gradient'
import { initialLossCheck, regularizationCheck } from './loss'
import { overfitCheck } from './overfit'

export type { ModelFactory, OverfitSolverOptions, SanityModelOptions, SanityOptions } from './common'

export interface SanityInput {
  makeModel: ModelFactory
  /** Training examples (N, d1, ..., dk) and their labels; the checks read the first rows only. */
  X: Tensor | RowSource
  y: Int32Array
  numClasses: number
  /** The configured regularisation strength (0 is fine). */
  reg: number
  solver: OverfitSolverOptions
  /** Seeds the entry samples and the overfit solver (models are seeded by the factory). */
  seed: number
  options?: Partial<SanityOptions>
}

export const DEFAULT_SANITY_OPTIONS: SanityOptions = {
  lossExamples: 100,
  // ln(10) = 2.30 ± 0.35: small-init nets land within a few hundredths; weights 10x too large do not.
  lossTolerance: 0.15,
  probeReg: 1,
  gradExamples: 8,
  gradChecksPerParam: 10,
  // float64 centred differences agree to 1e-7 or better; a wrong backward pass is off by 1e-2 or more.
  gradTolerance: 1e-5,
  gradProbeReg: 0.7,
  overfitExamples: 50,
  overfitBatchSize: 25,
  overfitMaxEpochs: 200,
  overfitMaxMs: 20_000,
}

const CHECKS: [SanityCheckName, (ctx: CheckContext) => Outcome][] = [
  ['initial-loss', initialLossCheck],
  ['regularization', regularizationCheck],
  ['gradient', gradientCheck],
  ['overfit', overfitCheck],
]

/** Runs every check; one that throws fails with the error's message instead of ending the report. */
export function runSanityChecks(input: SanityInput): Omit<SanityReport, 'source'> {
  const options = { ...DEFAULT_SANITY_OPTIONS, ...input.options }
  const rows = isRowSource(input.X) ? input.X : tensorRows(input.X)
  const ctx: CheckContext = { ...input, rows, options }
  const started = performance.now()
  const checks = CHECKS.map(([name, fn]) => timed(name, () => fn(ctx)))
  return {
    version: SANITY_REPORT_VERSION,
    passed: checks.every((c) => c.passed),
    seed: input.seed,
    ranAt: new Date().toISOString(),
    ms: Math.round(performance.now() - started),
    checks,
  }
}

function timed(name: SanityCheckName, fn: () => Outcome): SanityCheckResult {
  const t0 = performance.now()
  let out: Outcome
  try {
    out = fn()
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    out = { passed: false, measured: {}, expected: {}, message: `the check could not run: ${why}` }
  }
  return { name, ...finite(out), ms: Math.round(performance.now() - t0) }
}

/** NaN and Infinity do not survive JSON (run.json, IPC): they travel as null, "not a finite number". */
function finite(o: Outcome): Outcome {
  const clean = (r: Record<string, number | null>): Record<string, number | null> =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v !== null && Number.isFinite(v) ? v : null]))
  return {
    ...o,
    measured: clean(o.measured),
    expected: clean(o.expected),
    ...(o.params
      ? {
          params: o.params.map((p) => ({
            ...p,
            relError: p.relError !== null && Number.isFinite(p.relError) ? p.relError : null,
          })),
        }
      : {}),
  }
}
