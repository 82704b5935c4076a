/**
 * How much memory one run takes at its peak, from its config and the dataset's facts alone, so that a
 * config that would exhaust the machine is refused before anything is allocated (and the New Run form can
 * show the figure as the user types). Pure: no Node imports.
 *
 * It counts what the engine really allocates for a run, as read from the code and checked against
 * measured peaks (src-main/core/memoryEstimate.calibration.test.ts):
 *
 * - in the run's worker thread (src-worker/train.ts): the parameters, their gradients (the step's scratch
 *   arena), the update rule's state (engine/optim.ts: sgd none, sgdMomentum a velocity, rmsprop a cache,
 *   adam two moments, each the size of the parameters), the Solver's copy of the best parameters, the
 *   activations and backward temporaries of one training batch (the scratch arena of engine/memory.ts:
 *   every layer's outputs, caches and input gradients, batchnorm/layernorm/dropout buffers, the conv
 *   layer's im2col columns), the batch gathered from the shared uint8 images, the accuracy checks'
 *   batches (Solver.checkAccuracy: 100 rows) and the confusion matrix's (200 rows), the split labels and
 *   the loss history;
 * - the messages that carry weights to the main thread: a structured clone copies a weight snapshot, a
 *   checkpoint (parameters, best parameters, update-rule state) and the final best parameters into main,
 *   where each is encoded once more as safetensors (src-main/core/store/safetensors.ts). At the last epoch
 *   all three arrive together, so both copies of all three are alive at once, and the collector has not
 *   necessarily freed the previous epoch's yet;
 * - with `resume`, the checkpoint a run continues from, decoded in main and cloned into the worker, both
 *   held while the run trains;
 * - with `sanityChecks`, the checks that run in the worker first (engine/sanity): float64 models whose
 *   gradient check holds the parameters, two sets of gradients and a copy of them, counted on top of
 *   training because their garbage is still around when training starts;
 * - with layer capture on (the default), the probe of engine/capture: a second arena for one batch with
 *   its gradients, and a copy of the weights;
 * - a constant for the worker thread itself (isolate, Node, engine code, BLAS buffers), measured.
 *
 * The shared uint8 dataset is loaded once per process and read in place by every worker: it is reported
 * apart (`datasetBytes`) so a scheduler counts it once, however many runs use it.
 */
import type { FieldError, RunConfig } from './config'
import { formatBytes } from './byteSize'

/** The dataset as a run sees it: image shape, classes and the resolved split sizes. */
export interface DataFacts {
  /** (C, H, W) of one image. */
  shape: readonly [number, number, number]
  numClasses: number
  numTraining: number
  numValidation: number
  numTest: number
  /** Images in the dataset's training and test files (for `datasetBytes`); default: the splits'. */
  trainImages?: number
  testImages?: number
}

export interface EstimateOptions {
  /**
   * Whether the worker runs the sanity checks before training (src-main/core/checks.ts decides). Default
   * true, which can only over-count.
   */
  sanityChecks?: boolean
  /** Whether the run continues from a checkpoint. Default false. */
  resume?: boolean
}

/** What a part of the memory grows with, hence which field of the config to change to shrink it. */
export type MemoryDriver = 'params' | 'activations' | 'history' | 'overhead'

/** Stable names of the parts, for code and translations (`what` is the English description). */
export type MemoryPartKey =
  | 'worker'
  | 'labels'
  | 'params'
  | 'gradients'
  | 'optimState'
  | 'best'
  | 'messages'
  | 'previousMessages'
  | 'batch'
  | 'checkBatches'
  | 'history'
  | 'metricsGarbage'
  | 'resume'
  | 'sanityModel'
  | 'sanityBatch'
  | 'capture'

export interface MemoryPart {
  key: MemoryPartKey
  what: string
  driver: MemoryDriver
  bytes: number
}

export interface MemoryEstimate {
  /** Peak bytes of the run (its worker and its messages in main), the dataset excluded. */
  bytes: number
  /** What makes up `bytes`, largest first. */
  parts: MemoryPart[]
  /** The kind of part that accounts for most of `bytes`. */
  driver: MemoryDriver
  /** Bytes of the shared uint8 dataset (images and labels), loaded once per process. */
  datasetBytes: number
  /** Trained parameters (values, all tensors). */
  paramCount: number
  numIterations: number
}

const F32 = 4
const F64 = 8

/**
 * A worker thread before it allocates anything for its run: V8 isolate, Node environment, the engine's
 * modules and OpenBLAS's per-thread buffers. Measured as the peak RSS added by a pool thread training a
 * 1-unit net (memoryEstimate.calibration.test.ts): 39-40 MB, the worker running from source through tsx
 * as in the tests and the CLI.
 */
export const WORKER_THREAD_BYTES = 40 * 2 ** 20

/**
 * Bytes per iteration of the loss history while a checkpoint is written: the Solver's array of doubles
 * (8, with up to 1.5x growth slack), the copy in the checkpoint's state (8), its structured clone (9 a
 * value) and the array it becomes in main (a boxed number and its slot, 24), the pretty JSON of
 * last.state.json (about 27 characters a loss, twice while the string is built) and its UTF-8 buffer
 * (27); and the previous checkpoint's main-thread copies (24 + 54 + 27), which on a busy machine were
 * measured still uncollected when the next one arrived.
 */
export const HISTORY_BYTES_PER_ITERATION = 12 + 8 + 9 + 24 + 2 * 27 + 27 + (24 + 2 * 27 + 27)

/**
 * Garbage of the metrics stream (every iteration's event cloned into main, turned into a JSON line, then
 * dropped): V8 collects it in bulk, so the heaps grow with the iterations until a full collection, about
 * 1 KB an iteration up to some 64 MB (measured on runs of 20k to 1.2M iterations).
 */
export const METRICS_GARBAGE_PER_ITERATION = 1024
export const METRICS_GARBAGE_MAX = 64 * 2 ** 20

/** Rows per accuracy-check batch (Solver.checkAccuracy's default) and per confusion-matrix batch. */
const CHECK_ROWS = 100
const CONFUSION_ROWS = 200

/**
 * Value counts of one model as the engine builds it: parameters and the float32 buffers of its passes.
 * Exported so that tests hold them against the engine's own models and arenas.
 */
export interface ModelLayout {
  params: number
  /** Values of W1, which every accuracy check sends to main as the weight-mosaic snapshot. */
  firstLayer: number
  /** Batchnorm running statistics (kept twice: live and with the best parameters). */
  buffers: number
  /** Float32 values in the training step's arena for a batch of n, gradients excluded. */
  train(n: number): number
  /** Float32 values of a test-time pass over n rows (Solver.evalArena), the gathered input rows included. */
  evaluate(n: number): number
}

export function modelLayout(config: RunConfig, data: Pick<DataFacts, 'shape' | 'numClasses'>): ModelLayout {
  const [C, H, W] = data.shape
  const D = C * H * W
  const K = data.numClasses
  const m = config.model
  if (m.kind === 'three-layer-conv') {
    // threeLayerConvNet.ts: conv (stride 1, pad floor((fs - 1) / 2)) - 2x2 max pool - affine - affine.
    const fs = m.filterSize
    const pad = Math.floor((fs - 1) / 2)
    const Ho = H + 2 * pad - fs + 1
    const Wo = W + 2 * pad - fs + 1
    const F = m.numFilters
    const convOut = F * Math.max(Ho, 0) * Math.max(Wo, 0)
    const cols = C * fs * fs * Math.max(Ho, 0) * Math.max(Wo, 0)
    const pooled = F * Math.floor(Math.max(Ho, 0) / 2) * Math.floor(Math.max(Wo, 0) / 2)
    const hd = m.hiddenDim
    return {
      params: F * C * fs * fs + F + pooled * hd + hd + hd * K + K,
      firstLayer: F * C * fs * fs,
      buffers: 0,
      // Forward: conv out (bias-free), im2col columns, pool out (bias and relu applied in place, from a
      // per-value copy of the bias), hidden (affine and relu in one buffer), scores. Backward: dscores,
      // the hidden layer's dx and relu dx, the pooled layer's dx and relu dx, the pool's dx (the conv
      // output's size), the bias gradient's per-position sums, the filter gradient as the transposed GEMM
      // writes it, and the columns again (recomputed). The fused sgd step (Model.sgdStep) takes less.
      train: (n) =>
        n * (2 * convOut + 3 * pooled + 3 * hd + 2 * K) + 2 * cols + pooled + convOut + F * C * fs * fs,
      evaluate: (n) => n * (D + convOut + pooled + hd + K) + cols + pooled,
    }
  }
  const hidden = m.kind === 'two-layer' ? [m.hiddenDim] : m.hiddenDims
  const norm = m.kind === 'fc' && m.normalization !== null ? 1 : 0
  const drop = m.kind === 'fc' && m.dropoutKeepRatio < 1 ? 1 : 0
  const sandwich = m.kind === 'two-layer' ? 1 : 0
  const dims = [D, ...hidden, K]
  let params = 0
  for (let l = 1; l < dims.length; l++) params += dims[l - 1]! * dims[l]! + dims[l]!
  const units = hidden.reduce((a, b) => a + b, 0)
  params += 2 * norm * units
  return {
    params,
    firstLayer: D * dims[1]!,
    buffers: m.kind === 'fc' && m.normalization === 'batchnorm' ? 2 * units : 0,
    // Per hidden layer of h units: forward affine out, relu out, [norm xhat and out], [dropout mask and
    // out]; backward relu dx, [norm dx], [dropout dx] and the next affine layer's dx (h). Scores, dscores.
    // The two-layer net's affine-relu sandwich applies the relu in the affine layer's buffer: one fewer.
    train: (n) => n * ((4 - sandwich + 3 * norm + 3 * drop) * units + 2 * K),
    // Test time: affine out, relu out and the norm's two per layer; dropout passes its input through.
    evaluate: (n) => n * (D + (2 - sandwich + 2 * norm) * units + K),
  }
}

/** Per-parameter state of each update rule (optim.ts), in units of the parameters' size. */
const OPTIM_STATE: Record<RunConfig['solver']['updateRule'], number> = {
  sgd: 0,
  sgdMomentum: 1,
  rmsprop: 1,
  adam: 2,
}

export function numIterationsOf(config: RunConfig, numTraining: number): number {
  const s = config.solver
  return s.numEpochs * Math.max(Math.floor(numTraining / s.batchSize), 1)
}

/** The peak memory of one run of `config` on a dataset with `data`'s facts (see the file comment). */
export function estimateRunMemory(
  config: RunConfig,
  data: DataFacts,
  options: EstimateOptions = {},
): MemoryEstimate {
  const { sanityChecks = true, resume = false } = options
  const L = modelLayout(config, data)
  const [C, H, W] = data.shape
  const D = C * H * W
  const N = config.solver.batchSize
  const k = OPTIM_STATE[config.solver.updateRule]
  const P = L.params * F32
  const B = L.buffers * F32
  const W1 = L.firstLayer * F32
  const iterations = numIterationsOf(config, data.numTraining)
  const opt = config.solver.updateRule
  const checkpoint = (2 + k) * P + 2 * B
  const evalRows = Math.min(CHECK_ROWS, Math.max(data.numTraining, data.numValidation, data.numTest))
  const confusionRows = Math.min(CONFUSION_ROWS, data.numTest)

  const common: MemoryPart[] = [
    { key: 'worker', what: 'worker thread', driver: 'overhead', bytes: WORKER_THREAD_BYTES },
    {
      key: 'labels',
      what: 'split labels and mean image',
      driver: 'overhead',
      bytes: 4 * (data.numTraining + data.numValidation + data.numTest) + 2 * F32 * D,
    },
  ]
  const training: MemoryPart[] = [
    ...common,
    { key: 'params', what: 'parameters', driver: 'params', bytes: P + B },
    { key: 'gradients', what: 'gradients', driver: 'params', bytes: P },
    { key: 'optimState', what: `${opt} state`, driver: 'params', bytes: k * P },
    { key: 'best', what: 'best parameters', driver: 'params', bytes: P + B },
    {
      // Snapshot, checkpoint and best parameters, each cloned into main and encoded there.
      key: 'messages',
      what: 'weights sent to the main thread (snapshot, checkpoint, best)',
      driver: 'params',
      bytes: 2 * (W1 + checkpoint + P),
    },
    {
      // The collector frees the previous epoch's copies in bulk, not necessarily before the last arrive.
      key: 'previousMessages',
      what: "the previous epoch's copies, awaiting collection",
      driver: 'params',
      bytes: 2 * (W1 + (config.solver.numEpochs > 1 ? checkpoint : 0)),
    },
    {
      key: 'batch',
      what: `activations for batch ${N}`,
      driver: 'activations',
      bytes: F32 * (L.train(N) + N * D) + 8 * N,
    },
    {
      key: 'checkBatches',
      what: 'accuracy-check batches',
      driver: 'activations',
      bytes: F32 * (L.evaluate(evalRows) + L.evaluate(confusionRows) + confusionRows * D),
    },
    {
      key: 'history',
      what: `loss history of ${iterations} iterations`,
      driver: 'history',
      bytes: HISTORY_BYTES_PER_ITERATION * iterations,
    },
    {
      key: 'metricsGarbage',
      what: 'metrics stream (garbage awaiting collection)',
      driver: 'history',
      bytes: Math.min(METRICS_GARBAGE_PER_ITERATION * iterations, METRICS_GARBAGE_MAX),
    },
  ]
  if (config.captureLayers !== false) {
    // engine/capture: the probe's own arena (a full loss() pass with its gradients, plus the unfused
    // pre-activations it taps) and the copies of the weights it diffs after the step.
    training.push({
      key: 'capture',
      what: 'layer capture (probe pass, its gradients, weight copies)',
      driver: 'activations',
      bytes: F32 * (L.train(N) + 2 * L.params),
    })
  }
  if (resume) {
    training.push({
      key: 'resume',
      what: 'checkpoint resumed from (main and worker)',
      driver: 'params',
      bytes: 2 * checkpoint,
    })
  }
  if (sanityChecks && !resume) {
    // The checks run first in the same worker, and what they leave is garbage the collector has not
    // necessarily freed when training allocates (measured: the peak of a checked run is about the sum).
    training.push(
      {
        // gradient.ts: the float64 model, its gradients, their copy and the arena's gradients.
        key: 'sanityModel',
        what: 'sanity checks (float64 model and gradients)',
        driver: 'params',
        bytes: 4 * L.params * F64,
      },
      // loss.ts: the loss checks' full passes over 100 rows, in float64 and outside any arena.
      {
        key: 'sanityBatch',
        what: 'sanity checks (float64 batch)',
        driver: 'activations',
        bytes: F64 * L.train(CHECK_ROWS),
      },
    )
  }
  const parts = training.filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes)
  const byDriver = new Map<MemoryDriver, number>()
  for (const p of parts) byDriver.set(p.driver, (byDriver.get(p.driver) ?? 0) + p.bytes)
  const driver = [...byDriver.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0]
  const trainImages = data.trainImages ?? data.numTraining + data.numValidation
  const testImages = data.testImages ?? data.numTest
  return {
    bytes: parts.reduce((a, p) => a + p.bytes, 0),
    parts,
    driver,
    datasetBytes: (trainImages + testImages) * (D + 1),
    paramCount: L.params,
    numIterations: iterations,
  }
}

/**
 * The field to change when a run does not fit, with a message that gives the estimate and the budget
 * (`this net needs about 48 GB for batch 65536, mostly ...; the budget is 12 GB`); null when
 * `estimate.bytes` (plus `datasetBytes` unless the dataset is already loaded) fits in `budgetBytes`.
 * It compares with the whole budget: whether a run fits next to the runs training now is the
 * scheduler's question (memoryBudget.ts fitsNextTo), answered by waiting, not by refusing.
 */
export function fieldErrorFor(
  estimate: MemoryEstimate,
  budgetBytes: number,
  config: RunConfig,
  { datasetLoaded = false }: { datasetLoaded?: boolean } = {},
): FieldError | null {
  const dataset = datasetLoaded ? 0 : estimate.datasetBytes
  if (estimate.bytes + dataset <= budgetBytes) return null
  const budget = `the budget is ${formatBytes(budgetBytes)}`
  if (dataset > estimate.bytes) {
    return {
      path: 'dataset.name',
      message: `the dataset '${config.dataset.name}' takes about ${formatBytes(dataset)} in memory; ${budget}`,
    }
  }
  const rule = config.solver.updateRule
  const state = OPTIM_STATE[rule] > 0 ? `${rule} state, ` : ''
  // The dataset is in the figure when it is in the comparison: a total under the budget would puzzle.
  const total = estimate.bytes + dataset
  const withData = dataset >= 0.05 * total ? ` with its ${formatBytes(dataset)} dataset` : ''
  const needs = `this net needs about ${formatBytes(total)}${withData} for batch ${config.solver.batchSize}`
  const why = (() => {
    switch (estimate.driver) {
      case 'params':
        return `mostly its ${countText(estimate.paramCount)} parameters and their copies (gradients, ${state}best, checkpoints)`
      case 'activations':
        return 'mostly the activations of each training batch'
      case 'history':
        return `mostly the loss history of ${countText(estimate.numIterations)} iterations`
      default:
        return 'mostly fixed costs'
    }
  })()
  return { path: drivingField(estimate, config), message: `${needs}, ${why}; ${budget}` }
}

/** The config field that shrinks the driving part the most. */
function drivingField(estimate: MemoryEstimate, config: RunConfig): string {
  const m = config.model
  if (estimate.driver === 'history') return 'solver.numEpochs'
  if (estimate.driver === 'activations') {
    // The checks' batches have a fixed number of rows: only a smaller conv layer shrinks them.
    const bytesOf = (key: MemoryPartKey): number => estimate.parts.find((p) => p.key === key)?.bytes ?? 0
    const fixed = bytesOf('checkBatches') + bytesOf('sanityBatch')
    if (fixed > bytesOf('batch') && m.kind === 'three-layer-conv') return 'model.numFilters'
    return 'solver.batchSize'
  }
  if (m.kind === 'fc') return 'model.hiddenDims'
  if (m.kind === 'two-layer') return 'model.hiddenDim'
  // The conv net's parameters are mostly W2, (numFilters * pooled pixels) x hiddenDim: either field
  // shrinks it; the one that is larger relative to its default is the one that was turned up.
  return m.numFilters / 32 >= m.hiddenDim / 100 ? 'model.numFilters' : 'model.hiddenDim'
}

/** 992M, 12.6M, 4,096. */
function countText(n: number): string {
  if (n >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`
  return n.toLocaleString('en-US')
}
