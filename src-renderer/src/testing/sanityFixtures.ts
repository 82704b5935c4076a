/** Sanity-check reports for renderer tests, shaped like the engine's (src-worker/engine/sanity). */
import type { SanityReport } from '../../../src-shared/sanity'

/** A report where every check passed, or the initial-loss check failed (weights too large). */
export function sanityReport({ badInit = false, seed = 4242 } = {}): SanityReport {
  const loss = badInit ? 57.31 : 2.3051
  return {
    version: 1,
    passed: !badInit,
    seed,
    ranAt: '2026-11-26T12:00:00.000Z',
    ms: 850,
    source: 'request',
    checks: [
      {
        name: 'initial-loss',
        passed: !badInit,
        measured: { loss },
        expected: { loss: Math.log(10), tolerance: 0.15 * Math.log(10) },
        message: `initial loss ${loss}`,
        ms: 10,
      },
      {
        name: 'regularization',
        passed: true,
        measured: { lossNoReg: loss, lossWithReg: loss + 0.02, reg: 1 },
        expected: { minRise: 0 },
        message: 'reg raises the loss',
        ms: 20,
      },
      {
        name: 'gradient',
        passed: true,
        measured: { worstRelError: 3.1e-8 },
        expected: { maxRelError: 1e-5 },
        message: 'gradients agree',
        params: [
          { name: 'W1', checked: 10, relError: 3.1e-8, passed: true },
          { name: 'b1', checked: 10, relError: 1e-9, passed: true },
        ],
        ms: 30,
      },
      {
        name: 'overfit',
        passed: true,
        measured: { trainAcc: 1, epochs: 39, examples: 50 },
        expected: { trainAcc: 1, maxEpochs: 200 },
        message: 'reached 100%',
        ms: 400,
      },
    ],
  }
}
