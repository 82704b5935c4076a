/**
 * The sanity checks of a run config, worker side: the model comes from the same buildModel that trains
 * the run (any model kind), the examples from the run's own training split. Runs as a pool task of its
 * own (`workbench check`, the New Run form) and as the first phase of a training task (train.ts).
 */
import type { RunConfig } from '../src-shared/config'
import type { SanityReport } from '../src-shared/sanity'
import { prepareData, type PreparedData } from './data/prepare'
import type { RawDataset } from './data/types'
import { runSanityChecks, type SanityOptions } from './engine/sanity'
import { buildModel } from './train'

export interface SanityTask {
  /** A validated config with its seed. */
  config: RunConfig & { seed: number }
  raw: RawDataset
  /** The training split's mean image (main computes it once per dataset and split). */
  mean: Float32Array
  /** Check settings (tests use smaller ones); default DEFAULT_SANITY_OPTIONS. */
  options?: Partial<SanityOptions>
}

export function sanityChecksFor(
  config: RunConfig & { seed: number },
  data: PreparedData,
  source: SanityReport['source'],
  options: Partial<SanityOptions> = {},
): SanityReport {
  const report = runSanityChecks({
    makeModel: ({ dtype, reg, dropout }) => buildModel(withReg(config, reg, dropout), data, { dtype }),
    X: data.XTrain,
    y: data.yTrain,
    numClasses: data.classNames.length,
    reg: config.model.reg,
    solver: { updateRule: config.solver.updateRule, optimConfig: config.solver.optimConfig },
    seed: config.seed,
    options,
  })
  return { ...report, source }
}

/**
 * The config with another reg and, when asked, without dropout. Every model kind has a reg; dropout is a
 * field of the kinds that have it, so it is switched off by field rather than by kind.
 */
function withReg(config: RunConfig & { seed: number }, reg: number, dropout: boolean): typeof config {
  const model = { ...config.model, reg }
  if (!dropout && 'dropoutKeepRatio' in model) model.dropoutKeepRatio = 1
  return { ...config, model }
}

/** The pool task behind `Workbench.check`. */
export function sanityTask(task: SanityTask): SanityReport {
  const data = prepareData(task.raw, task.config.dataset, { mean: task.mean })
  return sanityChecksFor(task.config, data, 'request', task.options)
}
