/**
 * Overfit a tiny subset (CS231n: "train your model on 50 examples, you should reach 100% training
 * accuracy"): a model that cannot memorise 50 examples with the configured update rule and learning rate
 * has a bug, too little capacity or a learning rate far off, and will not learn the full set either.
 */
import { DivergenceError, Solver } from '../solver'
import { firstRows, fmt, type CheckContext, type Outcome } from './common'

export function overfitCheck(ctx: CheckContext): Outcome {
  const o = ctx.options
  const { X, y } = firstRows(ctx, o.overfitExamples, 'float32')
  const examples = y.length
  const model = ctx.makeModel({ dtype: 'float32', reg: 0, dropout: false })
  let trainAcc = 0
  let epochs = 0
  let outOfTime = false
  const deadline = performance.now() + o.overfitMaxMs
  const solver: Solver = new Solver(
    model,
    { XTrain: X, yTrain: y, XVal: X, yVal: y },
    {
      updateRule: ctx.solver.updateRule,
      optimConfig: definedOnly(ctx.solver.optimConfig),
      // No decay: with two steps per epoch a per-epoch decay would shrink the step long before the end.
      lrDecay: 1,
      batchSize: Math.min(o.overfitBatchSize, examples),
      numEpochs: o.overfitMaxEpochs,
      numTrainSamples: null,
      numValSamples: null,
      // Its own seed: the run's minibatch and dropout streams are never touched.
      seed: (ctx.seed ^ 0xbb67ae85) >>> 0,
      onEvent: (e) => {
        if (e.type === 'iteration') {
          if (performance.now() > deadline) {
            outOfTime = true
            solver.stop()
          }
          return
        }
        trainAcc = e.trainAcc
        epochs = e.epoch
        if (e.trainAcc >= 1) solver.stop()
      },
    },
  )
  const measured = (): Record<string, number> => ({ trainAcc, epochs, examples })
  const expected = { trainAcc: 1, maxEpochs: o.overfitMaxEpochs }
  try {
    solver.train()
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e
    const message = `the loss diverged at iteration ${e.iteration} while overfitting ${examples} examples: lower the learning rate`
    return { passed: false, measured: measured(), expected, message }
  }
  const passed = trainAcc >= 1
  const message = passed
    ? `reached 100% train accuracy on ${examples} examples in ${epochs} epochs (reg and dropout off)`
    : `reached only ${fmt(trainAcc * 100)}% train accuracy on ${examples} examples in ${epochs} epochs` +
      (outOfTime ? ` (stopped after ${fmt(o.overfitMaxMs / 1000)} s)` : '') +
      ': try a larger learning rate or model, or look for a bug in the backward pass'
  return { passed, measured: measured(), expected, message }
}

/** The schema leaves unset optimiser fields undefined; the update rules want them absent. */
function definedOnly(c: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[k] = v
  return out
}
