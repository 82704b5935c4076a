/**
 * A run on the page through src-shared/diagnose.ts: its record plus the live series from stores/runs.ts
 * turned into diagnose()'s input. Shared by the run page's panel and the compare view, so both judge a
 * run the same way.
 */
import {
  diagnose,
  type DiagnoseInput,
  type Diagnosis,
  type EpochPoint,
  type LossPoint,
} from '../../../src-shared/diagnose'
import type { LayerCapture } from '../../../src-shared/layerStats'
import type { RunRecord } from '../../../src-shared/runs'
import type { RunSeries } from '../stores/runs'

/**
 * Chance level depends on the class count: the result knows it once the run is done; before that, the
 * dataset list does if some view loaded it (`datasetClasses`); ten (CIFAR-10, Fashion-MNIST) otherwise.
 */
export function classCount(run: RunRecord, datasetClasses?: number): number {
  return run.result?.classNames.length || datasetClasses || 10
}

export function diagnoseInput(
  run: RunRecord,
  series: RunSeries | null,
  numClasses: number,
  layers?: readonly LayerCapture[],
): DiagnoseInput {
  const s = series
  const losses: LossPoint[] = s ? s.iterations.map((iteration, i) => ({ iteration, loss: s.losses[i]! })) : []
  const epochs: EpochPoint[] = s
    ? s.epochs.map((epoch, i) => ({
        epoch,
        trainAcc: s.trainAcc[i]!,
        valAcc: s.valAcc[i]!,
        lr: s.lr[i] ?? null,
      }))
    : []
  return {
    losses,
    epochs,
    numClasses,
    status: run.status,
    error: run.error,
    progress: run.progress,
    layers: layers ?? null,
  }
}

/**
 * The run's findings as diagnose() orders them: `[]` while there is too little to judge. With the run's
 * layer captures the update/weight ratio and the layer findings join in.
 */
export function diagnoseRun(
  run: RunRecord,
  series: RunSeries | null,
  datasetClasses?: number,
  layers?: readonly LayerCapture[],
): Diagnosis[] {
  return diagnose(diagnoseInput(run, series, classCount(run, datasetClasses), layers))
}
