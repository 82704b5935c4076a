/**
 * The training task a pool worker runs: one run config, the shared dataset, a progress port. It builds
 * the model and Solver, streams metrics (throttled) and epoch checkpoints to main over the port, polls the
 * port for a cancel request between steps (the loop is synchronous, so messages are read with
 * receiveMessageOnPort), and finishes with the best parameters evaluated on val and test.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { RunConfig } from '../src-shared/config'
import type { LayerCapture } from '../src-shared/layerStats'
import type { MetricEvent, RunError, RunProgress, RunResult } from '../src-shared/runs'
import type { EngineInfo } from '../src-shared/engine-info'
import type { SanityReport } from '../src-shared/sanity'
import { classifyRunFailure } from '../src-shared/runFailure'
import { prepareData, type PreparedData } from './data/prepare'
import type { RawDataset } from './data/types'
import {
  argmaxRows,
  backendInfo,
  DivergenceError,
  FullyConnectedNet,
  Solver,
  ThreeLayerConvNet,
  TwoLayerNet,
  withArena,
  zeros,
  Arena,
  type DType,
  type Model,
  type SolverCheckpoint,
  type Tensor,
} from './engine'
import { estimateTaskMemory } from './taskMemory'

export interface TrainTask {
  runId: string
  /** A validated config with its seed. */
  config: RunConfig & { seed: number }
  raw: RawDataset
  /** The training split's mean image, computed once in main for every worker. */
  mean: Float32Array
  port: MessagePort
  /** The checkpoint to continue from (resume), or null for a fresh start. */
  resume: SolverCheckpoint | null
  /** Minimum ms between metric messages; epoch events are always sent at once. */
  progressIntervalMs?: number
  /**
   * Minimum ms between epoch checkpoints (the last epoch always checkpoints). Checkpointing every short
   * epoch would spend the main thread's time serialising weights; a crash loses at most this much.
   */
  checkpointIntervalMs?: number
  /**
   * Run the sanity checks (sanityTask.ts) before training and post their report first. The caller
   * decides when (Workbench: see core/checks.ts); they never touch the run's random streams.
   */
  sanityChecks?: boolean
  /** Interval captures every this many iterations instead of the measured K (tests); see CaptureOptions. */
  captureEvery?: number
}

export type TrainOutcome =
  { status: 'completed'; result: RunResult } | { status: 'cancelled' } | { status: 'failed'; error: RunError }

/** Worker -> main messages on the task's port. */
export type WorkerMessage =
  | { type: 'started'; engine: EngineInfo; progress: RunProgress }
  | { type: 'metrics'; events: MetricEvent[]; progress: RunProgress }
  | { type: 'checkpoint'; epoch: number; checkpoint: SolverCheckpoint }
  | { type: 'best'; params: Record<string, Tensor> }
  /** First-layer weights at an accuracy check, for the weight mosaic; shape is the image shape (C, H, W). */
  | { type: 'snapshot'; epoch: number; W1: Tensor; shape: [number, number, number] }
  /** The sanity checks' report, before 'started' and any metrics. */
  | { type: 'checks'; report: SanityReport }
  /**
   * Layer captures (issue 15) since the last message, in iteration order, posted right after the
   * 'metrics' message of the same flush. After a resume they start again from the resume point.
   */
  | { type: 'layers'; captures: LayerCapture[] }
  | { type: 'end' }

/** Main -> worker messages. */
export type MainMessage = { type: 'cancel' }

/** The Solver's stream is seeded apart from the model's so that init and minibatches are independent. */
export function solverSeed(seed: number): number {
  return (seed ^ 0x9e3779b9) >>> 0
}

/** `dtype`: training runs in float32 (the default); the sanity checks' gradient check needs float64. */
export function buildModel(
  config: RunConfig & { seed: number },
  data: Pick<PreparedData, 'shape' | 'classNames'>,
  { dtype = 'float32' }: { dtype?: DType } = {},
): Model {
  const inputDim = data.shape[0] * data.shape[1] * data.shape[2]
  const numClasses = data.classNames.length
  const m = config.model
  if (m.kind === 'two-layer') {
    return new TwoLayerNet({
      inputDim,
      numClasses,
      hiddenDim: m.hiddenDim,
      weightScale: m.weightScale,
      reg: m.reg,
      dtype,
      seed: config.seed,
    })
  }
  if (m.kind === 'three-layer-conv') {
    return new ThreeLayerConvNet({
      inputDim: [...data.shape],
      numClasses,
      numFilters: m.numFilters,
      filterSize: m.filterSize,
      hiddenDim: m.hiddenDim,
      weightScale: m.weightScale,
      reg: m.reg,
      dtype,
      seed: config.seed,
    })
  }
  return new FullyConnectedNet({
    inputDim,
    numClasses,
    hiddenDims: m.hiddenDims,
    normalization: m.normalization,
    dropoutKeepRatio: m.dropoutKeepRatio,
    weightScale: m.weightScale,
    reg: m.reg,
    dtype,
    seed: config.seed,
  })
}

/**
 * First-layer weights as the mosaic reads them: W1 (D, units) row-major with each unit an image of `shape`.
 * Fully connected nets give their W1 itself (no copy); a conv net's filters (F, C, HH, WW) are transposed
 * into (C * HH * WW, F), one tile per filter of shape (C, HH, WW).
 */
export function mosaicWeights(
  model: Model,
  imageShape: [number, number, number],
): { W1: Tensor; shape: [number, number, number] } {
  const W1 = model.params['W1']!
  if (!(model instanceof ThreeLayerConvNet)) return { W1, shape: imageShape }
  const [F, C, HH, WW] = W1.shape as [number, number, number, number]
  const D = C * HH * WW
  const t = zeros([D, F], W1.dtype)
  for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) t.data[d * F + f] = W1.data[f * D + d]!
  return { W1: t, shape: [C, HH, WW] }
}

/**
 * Tensors in buffers of their own, for a transfer list. Posting the live tensors would copy each twice,
 * once here and once more in the main thread as it decodes the message; copying here and transferring
 * leaves main no copying to do, and main's thread is the one every run's messages share.
 */
export function ownCopies(tensors: Tensor[]): Tensor[] {
  return tensors.map((t) => ({ shape: [...t.shape], dtype: t.dtype, data: t.data.slice() }))
}

function copyRecord(r: Record<string, Tensor>): { record: Record<string, Tensor>; buffers: ArrayBuffer[] } {
  const names = Object.keys(r)
  const copies = ownCopies(names.map((k) => r[k]!))
  return {
    record: Object.fromEntries(names.map((k, i) => [k, copies[i]!])),
    buffers: copies.map((t) => t.data.buffer as ArrayBuffer),
  }
}

/** Test-split confusion matrix, confusion[true][predicted], with the model's current parameters. */
function confusionMatrix(model: Model, data: PreparedData, batchSize = 200): number[][] {
  const C = data.classNames.length
  const counts = Array.from({ length: C }, () => new Array<number>(C).fill(0))
  const n = data.XTest.shape[0]!
  const rowShape = data.XTest.shape.slice(1)
  const D = rowShape.reduce((a, b) => a * b, 1)
  const arena = new Arena()
  const idx = new Int32Array(batchSize)
  const x = new Float32Array(batchSize * D)
  for (let start = 0; start < n; start += batchSize) {
    const bs = Math.min(batchSize, n - start)
    for (let b = 0; b < bs; b++) idx[b] = start + b
    data.XTest.readRows(idx, bs, x)
    const X = { shape: [bs, ...rowShape], data: x.subarray(0, bs * D), dtype: 'float32' as const }
    const pred = withArena(arena, () => argmaxRows(model.loss(X)))
    for (let b = 0; b < bs; b++) counts[data.yTest[start + b]!]![pred[b]!]!++
  }
  return counts
}

/** Where a task is, for the message of a failure: what it was doing, its last iteration. */
interface TaskState {
  during: string
  iteration: number
  /** Sends the metrics not yet sent (set once training has begun). */
  flush: (() => void) | null
}

/**
 * Trains the task's run. An allocation that fails (a tensor too large for V8, a copy the allocator cannot
 * make) ends this run as failed with reason 'memory' instead of escaping as a crash; the thread goes on.
 */
export function train(task: TrainTask): TrainOutcome {
  const state: TaskState = { during: 'preparing the data', iteration: 0, flush: null }
  try {
    return trainRun(task, state)
  } catch (e) {
    let estimateBytes: number | undefined
    try {
      estimateBytes = estimateTaskMemory(task).bytes
    } catch {
      // The message goes without the estimate rather than the run without its reason.
    }
    const error = classifyRunFailure(e, { during: state.during, iteration: state.iteration, estimateBytes })
    if (!error) throw e
    try {
      state.flush?.()
    } catch {
      // Posting may need memory too; the curve so far is a nicety next to the run's reason.
    }
    return { status: 'failed', error }
  }
}

function trainRun(task: TrainTask, state: TaskState): TrainOutcome {
  const { config, port } = task
  const interval = task.progressIntervalMs ?? 200
  const checkpointInterval = task.checkpointIntervalMs ?? 5000
  let lastCheckpoint = Date.now()
  const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer)
  const data = prepareData(task.raw, config.dataset, { mean: task.mean })
  state.during = 'building the model'
  const model = buildModel(config, data)
  const s = config.solver
  const progress: RunProgress = { iteration: 0, numIterations: 0, epoch: 0, numEpochs: s.numEpochs }
  progress.numIterations = s.numEpochs * Math.max(Math.floor(data.splits.numTraining / s.batchSize), 1)

  let pending: MetricEvent[] = []
  let captures: LayerCapture[] = []
  let lastSent = 0
  const flush = (): void => {
    if (pending.length === 0 && captures.length === 0) return
    if (pending.length > 0) post({ type: 'metrics', events: pending, progress: { ...progress } })
    if (captures.length > 0) post({ type: 'layers', captures })
    pending = []
    captures = []
    lastSent = Date.now()
  }
  state.flush = flush
  let cancelled = false
  let lastSnapshot = -1
  state.during = 'setting up the solver'
  const solver: Solver = new Solver(model, data, {
    updateRule: s.updateRule,
    optimConfig: { ...s.optimConfig },
    lrDecay: s.lrDecay,
    batchSize: s.batchSize,
    numEpochs: s.numEpochs,
    numTrainSamples: s.numTrainSamples,
    numValSamples: s.numValSamples,
    seed: solverSeed(config.seed),
    ...(config.captureLayers === false
      ? {}
      : {
          capture: {
            onCapture: (c: LayerCapture) => void captures.push(c),
            every: task.captureEvery ?? 'auto',
          },
        }),
    onEvent: (e) => {
      if (e.type === 'iteration') {
        progress.iteration = e.iteration
        state.iteration = e.iteration
        pending.push({ type: 'iteration', iteration: e.iteration, loss: e.loss, t: Date.now() })
        const msg = receiveMessageOnPort(port)?.message as MainMessage | undefined
        if (msg?.type === 'cancel') {
          cancelled = true
          solver.stop()
        }
        if (Date.now() - lastSent >= interval) flush()
        return
      }
      progress.epoch = e.epoch
      pending.push({
        type: 'epoch',
        epoch: e.epoch,
        iteration: progress.iteration,
        trainAcc: e.trainAcc,
        valAcc: e.valAcc,
        lr: e.lr,
      })
      flush()
      if (e.epoch !== lastSnapshot) {
        state.during = 'sending a weight snapshot to the main thread'
        const { W1, shape } = mosaicWeights(model, data.shape)
        const [W1Copy] = ownCopies([W1])
        post({ type: 'snapshot', epoch: e.epoch, W1: W1Copy!, shape }, [W1Copy!.data.buffer as ArrayBuffer])
        lastSnapshot = e.epoch
      }
      // Epoch ends (not the first check, nor the last iteration's extra one) are the resume points.
      const atEpochEnd =
        e.epoch > 0 && solver.iteration === solver.epoch * (progress.numIterations / s.numEpochs)
      const due = Date.now() - lastCheckpoint >= checkpointInterval || e.epoch === s.numEpochs
      if (atEpochEnd && due) {
        state.during = 'sending a checkpoint to the main thread'
        const ckpt = solver.checkpoint()
        const copies = copyRecord(ckpt.tensors)
        post(
          { type: 'checkpoint', epoch: e.epoch, checkpoint: { tensors: copies.record, state: ckpt.state } },
          copies.buffers,
        )
        lastCheckpoint = Date.now()
      }
      state.during = 'training'
    },
  })
  if (task.resume) {
    state.during = 'restoring the checkpoint'
    solver.restore(task.resume)
    progress.iteration = solver.iteration
    progress.epoch = solver.epoch
  }
  post({ type: 'started', engine: backendInfo(), progress: { ...progress } })

  state.during = 'training'
  try {
    solver.train()
  } catch (e) {
    flush()
    if (e instanceof DivergenceError) {
      const lossValue = Number.isNaN(e.loss) ? 'NaN' : e.loss > 0 ? 'Infinity' : '-Infinity'
      const error: RunError = { reason: 'diverged', message: e.message, iteration: e.iteration, lossValue }
      if (e.learningRate !== null) error.learningRate = e.learningRate
      return { status: 'failed', error }
    }
    throw e
  }
  flush()
  if (cancelled) return { status: 'cancelled' }

  // The model holds the best parameters now: the seed's "Test your model!".
  state.during = 'sending the best parameters to the main thread'
  const best = copyRecord(model.params)
  post({ type: 'best', params: best.record }, best.buffers)
  state.during = 'evaluating the best parameters'
  const valAcc = solver.checkAccuracy(data.XVal, data.yVal)
  const testAcc = solver.checkAccuracy(data.XTest, data.yTest)
  return {
    status: 'completed',
    result: {
      bestValAcc: solver.bestValAcc,
      finalTrainAcc: solver.trainAccHistory.at(-1) ?? 0,
      finalValAcc: solver.valAccHistory.at(-1) ?? 0,
      valAcc,
      testAcc,
      confusion: confusionMatrix(model, data),
      classNames: data.classNames,
    },
  }
}
