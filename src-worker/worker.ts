// The piscina task module: every task trains one run (see train.ts); the named task `sanity` runs a
// config's sanity checks on their own (sanityTask.ts). Kept tiny so the bundle entry and the development
// bootstrap (dev-worker.cjs) point at the same code.
import type { SanityReport } from '../src-shared/sanity'
import { prepareData } from './data/prepare'
import { sanityChecksFor, sanityTask, type SanityTask } from './sanityTask'
import { train, type TrainOutcome, type TrainTask, type WorkerMessage } from './train'

export default function task(t: TrainTask): TrainOutcome {
  try {
    if (t.sanityChecks) checksFirst(t)
    return train(t)
  } finally {
    // Port messages arrive in order, so once main sees 'end' it has every message the task sent; the
    // task's result travels on piscina's own channel and may overtake them.
    t.port.postMessage({ type: 'end' } satisfies WorkerMessage)
    t.port.close()
  }
}

/** Checks as the first phase of a run: posted before training's first message, so main stores them first. */
function checksFirst(t: TrainTask): void {
  let report: SanityReport
  try {
    const data = prepareData(t.raw, t.config.dataset, { mean: t.mean })
    report = sanityChecksFor(t.config, data, 'worker')
  } catch {
    // The checks are advice: whatever stopped them (a bad split) stops training too, which reports it.
    return
  }
  t.port.postMessage({ type: 'checks', report } satisfies WorkerMessage)
}

export function sanity(t: SanityTask): SanityReport {
  return sanityTask(t)
}
