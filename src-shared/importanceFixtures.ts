/**
 * Synthetic sweeps whose answer is known, for the importance tests (unit, view and e2e): the spec is
 * expanded as a real sweep is, and each run's best validation accuracy is a given function of its
 * params plus seeded noise, so which param drives it is decided by the test.
 */
import type { RunRecord, RunStatus } from './runs'
import { expandSweep, mulberry32, type SweepSpec, type SweepSpecInput } from './sweep'
import { getPath } from './paths'

export interface SyntheticSweep {
  spec: SweepSpec
  runs: RunRecord[]
}

export interface SyntheticOptions {
  /** Best validation accuracy from the run's param values (by path); clipped to [0, 1]. */
  accuracy: (values: Record<string, unknown>) => number
  /** Standard deviation of the gaussian run-to-run noise added to it; default 0. */
  noise?: number
  /** Runs whose accuracy falls below this diverged instead (status failed, reason diverged). */
  divergeBelow?: number
  /** Status of a run by its index, for runs left unfinished or failed otherwise; default completed. */
  status?: (index: number) => RunStatus
  seed?: number
  /** The sweep's id, stored on each run. */
  sweepId?: string
  /** When the runs were created (ids follow it, one second apart). */
  start?: Date
}

export const SYNTHETIC_BASE = {
  dataset: { name: 'fashion-mnist-small' },
  model: { kind: 'two-layer', hiddenDim: 50, weightScale: 0.001 },
  solver: { updateRule: 'sgd', lrDecay: 0.95, batchSize: 100, numEpochs: 5 },
} as const

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** A run id of the store's form, `20261126-194501-ab12cd`, from a time and an index. */
export function syntheticRunId(at: Date, index: number): string {
  const day = `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`
  return `${day}-${time}-${index.toString(36).padStart(6, '0')}`
}

/** The spec without a base (SYNTHETIC_BASE is used) and with params as written. */
export type SyntheticSpec = Omit<SweepSpecInput, 'base' | 'params'> & {
  base?: Record<string, unknown>
  params: Record<string, unknown>
}

export function syntheticSweep(input: SyntheticSpec, options: SyntheticOptions): SyntheticSweep {
  const expanded = expandSweep({ ...input, base: input.base ?? SYNTHETIC_BASE })
  if (!expanded.ok) throw new Error(`bad synthetic sweep: ${JSON.stringify(expanded.errors)}`)
  const { spec, configs } = expanded.value
  // Not the seed random search draws the params with: the noise would then be a function of them.
  const rand = mulberry32(((options.seed ?? 7) ^ 0x5eed1234) >>> 0)
  const start = options.start ?? new Date(Date.UTC(2026, 10, 26, 12, 0, 0))
  const paths = Object.keys(spec.params)
  const runs = configs.map((config, i): RunRecord => {
    const values = Object.fromEntries(paths.map((p) => [p, getPath(config, p)]))
    const raw = options.accuracy(values) + (options.noise ?? 0) * gaussian(rand)
    const acc = Math.min(1, Math.max(0, raw))
    const at = new Date(start.getTime() + i * 1000)
    const status = options.status?.(i) ?? 'completed'
    const diverged =
      status === 'completed' && options.divergeBelow !== undefined && acc < options.divergeBelow
    const done = status === 'completed' && !diverged
    const epochs = config.solver.numEpochs
    return {
      id: syntheticRunId(at, i),
      config,
      status: diverged ? 'failed' : status,
      sweepId: options.sweepId ?? null,
      createdAt: at.toISOString(),
      startedAt: status === 'queued' ? null : at.toISOString(),
      finishedAt:
        done || diverged || status === 'failed' ? new Date(at.getTime() + 60_000).toISOString() : null,
      progress: {
        iteration: done ? epochs * 54 : 0,
        numIterations: epochs * 54,
        epoch: done ? epochs : 0,
        numEpochs: epochs,
      },
      result: done
        ? {
            bestValAcc: acc,
            finalTrainAcc: Math.min(1, acc + 0.03),
            finalValAcc: acc,
            valAcc: acc,
            testAcc: Math.max(0, acc - 0.01),
            confusion: [],
            classNames: [],
          }
        : null,
      error: diverged
        ? { reason: 'diverged', message: 'the loss became NaN', iteration: 12, lossValue: 'NaN' }
        : status === 'failed'
          ? { reason: 'crashed', message: 'the worker stopped' }
          : null,
      environment: null,
      checkpointEpoch: 0,
    }
  })
  return { spec, runs }
}
