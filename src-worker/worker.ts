// The piscina task module: every task trains one run (see train.ts). Kept tiny so the bundle entry and
// the development bootstrap (dev-worker.cjs) point at the same code.
import { train, type TrainOutcome, type TrainTask, type WorkerMessage } from './train'

export default function task(t: TrainTask): TrainOutcome {
  try {
    return train(t)
  } finally {
    // Port messages arrive in order, so once main sees 'end' it has every message the task sent; the
    // task's result travels on piscina's own channel and may overtake them.
    t.port.postMessage({ type: 'end' } satisfies WorkerMessage)
    t.port.close()
  }
}
