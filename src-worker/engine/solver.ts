/**
 * The training loop, as in CS231n's solver.py: minibatch SGD with a pluggable update rule, per-epoch
 * learning-rate decay, train/val accuracy checks and best-model tracking.
 *
 *   const solver = new Solver(model, { XTrain, yTrain, XVal, yVal }, { updateRule: 'adam', optimConfig: {
 *     learningRate: 1e-3 }, numEpochs: 10, batchSize: 100 })
 *   solver.train()
 *   // model.params now hold the parameters with the best validation accuracy seen
 *
 * Everything random (minibatch draws, accuracy subsampling, the model's dropout masks) comes from one
 * seeded stream, so the same seed repeats a run bit for bit.
 */
import {
  assertMinRank,
  assertNumberInRange,
  assertPositiveInt,
  assertTensor,
  assertFinite,
  NonFiniteError,
} from './check'
import type { LayerCapture } from '../../src-shared/layerStats'
import { LayerCapturer, type PendingCapture } from './capture/layerCapture'
import { CaptureSchedule } from './capture/schedule'
import { Arena, withArena } from './memory'
import type { LossAndGrads, Model } from './models/types'
import {
  optimConfigKeys,
  sgd,
  updateRules,
  type AdamConfig,
  type OptimConfig,
  type RmspropConfig,
  type SgdConfig,
  type SgdMomentumConfig,
  type UpdateRule,
  type UpdateRuleName,
} from './optim'
import { argmaxRows } from './ops'
import { Rng, randomSeed, type RngState } from './rng'
import { isRowSource, tensorRows, type RowSource } from './rows'
import { clone, formatShape, isTensor, scratchUninit, sizeOf, zeros, type Tensor } from './tensor'

export interface SolverData {
  /**
   * (N, d1, ..., dk): a tensor of the model's dtype, or a RowSource (e.g. shared uint8 images minus the
   * mean image, converted a minibatch at a time).
   */
  XTrain: Tensor | RowSource
  /** (N,) labels >= 0 (the model checks the upper bound). */
  yTrain: Int32Array
  /** (M, d1, ..., dk) */
  XVal: Tensor | RowSource
  /** (M,) */
  yVal: Int32Array
}

/** See Solver.checkpoint(). JSON-serialisable except `tensors`. */
export interface SolverCheckpoint {
  /** `params.*`, `buffers.*`, `best.*`, `bestBuffers.*` and `optim.<param>.<state>` tensors. */
  tensors: Record<string, Tensor>
  state: {
    version: 1
    seed: number
    iteration: number
    epoch: number
    bestValAcc: number
    rng: RngState
    modelRng: RngState | null
    /** Numeric update-rule settings per parameter (learningRate after decay, adam's t, ...). */
    optim: Record<string, Record<string, number>>
    lossHistory: number[]
    trainAccHistory: number[]
    valAccHistory: number[]
  }
}

export interface SolverOptions {
  /** A built-in rule by name or an update function; default 'sgd'. */
  updateRule?: UpdateRuleName | UpdateRule
  /**
   * Hyperparameters for the update rule; each parameter gets its own deep copy. Default {}. Typed as the
   * built-in rules' configs so that a misspelt key fails to compile; a custom rule's config may be cast.
   */
  optimConfig?: SgdConfig | SgdMomentumConfig | RmspropConfig | AdamConfig
  /** Factor applied to the learning rate at the end of each epoch, in (0, 1]; default 1. */
  lrDecay?: number
  /** Default 100. */
  batchSize?: number
  /** Default 10. */
  numEpochs?: number
  /** Training examples subsampled for the train accuracy check; default 1000, null for all. */
  numTrainSamples?: number | null
  /** Validation examples subsampled for the val accuracy check; default null (all). */
  numValSamples?: number | null
  /** With `verbose`, print the loss every `printEvery` iterations; default 10. */
  printEvery?: number
  /** Print progress to the console in CS231n's format; default false. */
  verbose?: boolean
  /** Seed of the run's random stream; default a fresh random seed, kept in `solver.seed`. */
  seed?: number
  onEvent?: (e: SolverEvent) => void
  /** Layer capture (issue 15); off when absent. It never changes the run: see capture/layerCapture.ts. */
  capture?: CaptureOptions
  /** Aborting it stops training after the current iteration, like `stop()`. */
  signal?: AbortSignal
}

export interface CaptureOptions {
  /** Receives each capture, right after its step (before the step's 'iteration' event). */
  onCapture: (capture: LayerCapture) => void
  /**
   * Interval captures between the accuracy checks (which always capture): every `every` iterations, or
   * 'auto' (the default) with K measured on the run so that they cost `budget` of the training time.
   */
  every?: number | 'auto'
  /**
   * For 'auto': the share of training time all captures may take, the accuracy checks' own included;
   * default 0.02.
   */
  budget?: number
  /**
   * For 'auto': steps between the accuracy checks' captures that the budget pays for first; default an
   * epoch of this Solver's data (a benchmark on a sample of the data gives the full epoch's).
   */
  checkEvery?: number
}

/** Sent after every iteration. `iteration` counts from 1. */
export interface IterationEvent {
  type: 'iteration'
  iteration: number
  numIterations: number
  loss: number
}

/**
 * Sent after each accuracy check: after the first iteration (epoch 0), at each epoch end and after the
 * last iteration. `lr` is the learning rate for the iterations that follow (already decayed), null when a
 * custom update rule keeps no `learningRate`.
 */
export interface EpochEvent {
  type: 'epoch'
  epoch: number
  trainAcc: number
  valAcc: number
  lr: number | null
}

export type SolverEvent = IterationEvent | EpochEvent

/** Thrown by `step()`/`train()` when the loss is NaN or infinite; parameters are left as before the step. */
export class DivergenceError extends Error {
  constructor(
    readonly iteration: number,
    readonly loss: number,
    readonly learningRate: number | null,
  ) {
    const lr = learningRate === null ? '' : ` with learning rate ${learningRate}`
    super(
      `Solver: loss diverged at iteration ${iteration}${lr}: ${whatTheLossBecame(loss)}; try a lower learning rate`,
    )
    this.name = 'DivergenceError'
  }
}

/**
 * A diverged loss in words. A softmax or SVM loss is never negative, so -Infinity (like NaN) means the
 * float32 arithmetic itself broke down: scores overflowed to infinity and infinities were subtracted.
 */
function whatTheLossBecame(loss: number): string {
  if (Number.isNaN(loss))
    return 'the loss became NaN (not a number): the scores overflowed and the arithmetic broke down'
  if (loss === Infinity)
    return 'the loss became infinite: the correct classes got probability 0 (scores too large)'
  if (loss === -Infinity) {
    return 'the loss came out as -Infinity, which a softmax or SVM loss can never be: the scores overflowed float32 and the arithmetic broke down'
  }
  return `the loss became ${loss}`
}

const OPTION_KEYS = [
  'updateRule',
  'optimConfig',
  'lrDecay',
  'batchSize',
  'numEpochs',
  'numTrainSamples',
  'numValSamples',
  'printEvery',
  'verbose',
  'seed',
  'onEvent',
  'capture',
  'signal',
] as const

const DATA_KEYS = ['XTrain', 'yTrain', 'XVal', 'yVal'] as const

export class Solver {
  readonly model: Model
  readonly data: SolverData
  /** The seed the run's random stream started from: pass it back as `seed` to repeat the run. */
  readonly seed: number
  readonly updateRule: UpdateRule
  readonly lrDecay: number
  readonly batchSize: number
  readonly numEpochs: number
  readonly numTrainSamples: number | null
  readonly numValSamples: number | null
  readonly printEvery: number
  readonly verbose: boolean

  /** Epochs completed. */
  epoch = 0
  /** Iterations (steps) completed by train(); a resumed or continued train() starts from here. */
  iteration = 0
  bestValAcc = 0
  /** Copies of the parameters at the best validation accuracy so far (empty before the first check). */
  bestParams: Record<string, Tensor> = {}
  /**
   * The model's buffers (batchnorm running statistics) at the best validation accuracy: restored with the
   * best parameters, since those parameters were scored with these statistics, not the final ones.
   */
  bestBuffers: Record<string, Tensor> = {}
  lossHistory: number[] = []
  trainAccHistory: number[] = []
  valAccHistory: number[] = []
  /** The update rule's config and state, one per parameter name. */
  optimConfigs: Record<string, OptimConfig> = {}
  /** Whether the last `train()` ended early through `stop()` or the abort signal. */
  stopped = false

  /** Scratch buffers of training steps; exposed so tests can check steady-state steps allocate nothing. */
  readonly arena = new Arena()
  /**
   * Scratch buffers of accuracy checks. Kept apart from `arena` because test-time passes make other
   * allocations than training steps: sharing one arena would reallocate both at every epoch.
   */
  readonly evalArena = new Arena()

  private readonly rng: Rng
  private readonly paramNames: string[]
  private readonly onEvent: ((e: SolverEvent) => void) | undefined
  private readonly onCapture: ((c: LayerCapture) => void) | null = null
  /** The probe and the interval schedule, when capture is on. */
  readonly capturer: LayerCapturer | null = null
  readonly captureSchedule: CaptureSchedule | null = null
  private readonly signal: AbortSignal | undefined
  private stopRequested = false
  /** (batchSize, d1, ..., dk), allocated once and refilled by every step. */
  private readonly xBatch: Tensor
  private readonly yBatch: Int32Array
  private readonly batchRows: Int32Array
  private readonly trainRows: RowSource

  constructor(model: Model, data: SolverData, options: SolverOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `Solver: options must be an object, got ${options === null ? 'null' : typeof options}`,
      )
    }
    assertKeys(options, OPTION_KEYS, 'option')
    const {
      updateRule = 'sgd',
      optimConfig = {},
      lrDecay = 1,
      batchSize = 100,
      numEpochs = 10,
      numTrainSamples = 1000,
      numValSamples = null,
      printEvery = 10,
      verbose = false,
      seed = randomSeed(),
      onEvent,
      capture,
      signal,
    } = options

    const rule = resolveUpdateRule(updateRule)
    checkOptimConfig(optimConfig, rule.name)
    assertNumberInRange(lrDecay, 0, 1, 'Solver', 'lrDecay', { loOpen: true })
    assertPositiveInt(batchSize, 'Solver', 'batchSize')
    assertPositiveInt(numEpochs, 'Solver', 'numEpochs')
    for (const [name, v] of [
      ['numTrainSamples', numTrainSamples],
      ['numValSamples', numValSamples],
    ] as const) {
      if (v !== null) assertPositiveInt(v, 'Solver', `${name} (or null for all)`)
    }
    assertPositiveInt(printEvery, 'Solver', 'printEvery')
    if (typeof verbose !== 'boolean') {
      throw new TypeError(`Solver: verbose must be a boolean, got ${String(verbose)}`)
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Solver: seed must be an integer in [0, 2^32), got ${String(seed)}`)
    }
    if (onEvent !== undefined && typeof onEvent !== 'function') {
      throw new TypeError(`Solver: onEvent must be a function, got ${typeof onEvent}`)
    }
    if (signal !== undefined && typeof (signal as { aborted?: unknown })?.aborted !== 'boolean') {
      throw new TypeError('Solver: signal must be an AbortSignal')
    }
    if (capture !== undefined) checkCaptureOptions(capture)

    checkModel(model)
    checkData(data, model)

    this.model = model
    this.data = data
    this.seed = seed
    this.updateRule = rule.fn
    this.lrDecay = lrDecay
    this.batchSize = batchSize
    this.numEpochs = numEpochs
    this.numTrainSamples = numTrainSamples
    this.numValSamples = numValSamples
    this.printEvery = printEvery
    this.verbose = verbose
    this.onEvent = onEvent
    this.signal = signal

    this.rng = new Rng(seed)
    // The model draws its dropout masks from its own fork, so they are reproducible from the seed yet
    // do not shift the minibatch stream when dropout is switched on or off.
    model.rng = this.rng.fork()

    this.paramNames = Object.keys(model.params)
    for (const k of this.paramNames) this.optimConfigs[k] = structuredClone(optimConfig)
    if (capture) {
      this.onCapture = capture.onCapture
      this.capturer = new LayerCapturer(model)
      this.captureSchedule = new CaptureSchedule(
        capture.every ?? 'auto',
        capture.budget ?? 0.02,
        capture.checkEvery ?? Math.max(Math.floor(data.XTrain.shape[0]! / batchSize), 1),
      )
    }

    this.trainRows = isRowSource(data.XTrain) ? data.XTrain : tensorRows(data.XTrain)
    this.xBatch = zeros([batchSize, ...data.XTrain.shape.slice(1)], model.dtype)
    this.yBatch = new Int32Array(batchSize)
    this.batchRows = new Int32Array(batchSize)
  }

  /** Ask `train()` to return after the current iteration (best parameters are still restored). */
  stop(): void {
    this.stopRequested = true
  }

  /**
   * Draws a minibatch of `batchSize` training rows, with replacement like np.random.choice, into the
   * reused batch buffers (uint8 sources are converted to floats here, one minibatch at a time).
   * Returns X: (batchSize, d1, ..., dk), y: (batchSize,), valid until the next call.
   */
  private sampleBatch(): { X: Tensor; y: Int32Array } {
    const { yTrain } = this.data
    const n = this.trainRows.shape[0]!
    for (let b = 0; b < this.batchSize; b++) {
      const i = this.rng.int(n)
      this.batchRows[b] = i
      this.yBatch[b] = yTrain[i]!
    }
    this.trainRows.readRows(this.batchRows, this.batchSize, this.xBatch.data)
    return { X: this.xBatch, y: this.yBatch }
  }

  /**
   * One gradient update on a fresh minibatch. Returns the minibatch loss (also pushed to `lossHistory`).
   * Throws a DivergenceError, without touching the parameters, when the loss is not finite.
   * With `capture` (and the `capture` option), the step is also a layer capture, delivered to onCapture
   * as iteration `this.iteration + 1` (train() decides which steps capture; learningRate 0 when a custom
   * rule keeps none). The step itself is the same either way.
   */
  step(options: { capture?: LayerCapture['reason'] } = {}): number {
    const t0 = performance.now()
    const { X, y } = this.sampleBatch()
    let captureMs = 0
    let pending: PendingCapture | null = null
    const learningRate = this.learningRate()
    if (options.capture && this.capturer) {
      const c0 = performance.now()
      pending = this.capturer.probe(X, y)
      captureMs += performance.now() - c0
    }
    const loss = this.update(X, y)
    if (pending && this.capturer) {
      const c0 = performance.now()
      const layers = this.capturer.finish(pending)
      const iteration = this.iteration + 1
      const epoch = this.epoch + (iteration % this.iterationsPerEpoch() === 0 ? 1 : 0)
      const reason = options.capture!
      captureMs += performance.now() - c0
      this.captureSchedule?.noteCapture(iteration, captureMs)
      this.onCapture?.({ iteration, epoch, reason, learningRate: learningRate ?? 0, layers })
    }
    this.captureSchedule?.noteStep(performance.now() - t0 - captureMs)
    return loss
  }

  private iterationsPerEpoch(): number {
    return Math.max(Math.floor(this.data.XTrain.shape[0]! / this.batchSize), 1)
  }

  /** The step proper on the drawn minibatch: fused sgd, or loss() and the update rule. */
  private update(X: Tensor, y: Int32Array): number {
    const fusedRates = this.fusedSgdRates()
    // Gradients live in the arena until the next step: they are consumed by the updates below first.
    let result: LossAndGrads | number
    try {
      result = withArena(this.arena, () =>
        fusedRates ? this.model.sgdStep!(X, y, fusedRates) : this.model.loss(X, y),
      )
    } catch (e) {
      // The data was checked finite at construction, so NaN or Inf scores mean the weights blew up.
      if (e instanceof NonFiniteError)
        throw new DivergenceError(this.lossHistory.length + 1, e.value, this.learningRate())
      throw e
    }
    if (typeof result === 'number') {
      // The fused step has updated the parameters already, unless the loss was not finite.
      if (!Number.isFinite(result)) {
        throw new DivergenceError(this.lossHistory.length + 1, result, this.learningRate())
      }
      this.lossHistory.push(result)
      return result
    }
    const { loss, grads } = result
    if (typeof loss !== 'number' || !Number.isFinite(loss)) {
      throw new DivergenceError(this.lossHistory.length + 1, loss, this.learningRate())
    }
    this.lossHistory.push(loss)
    for (const k of this.paramNames) {
      const w = this.model.params[k]
      const dw = grads[k]
      if (w === undefined) throw new Error(`Solver.step: model.params no longer has parameter '${k}'`)
      if (dw === undefined) {
        throw new Error(`Solver.step: model.loss returned no gradient for parameter '${k}'`)
      }
      this.optimConfigs[k] = this.updateRule(w, dw, this.optimConfigs[k])
    }
    return loss
  }

  /**
   * The learning rates of a fused sgd step (Model.sgdStep), or null when the step must go through
   * loss() and the update rule: another rule, a custom function, or a model without the fused step.
   * Fills in and checks the learning rate exactly as sgd() would.
   */
  private fusedSgdRates(): Record<string, number> | null {
    if (this.updateRule !== sgd || typeof this.model.sgdStep !== 'function') return null
    const rates: Record<string, number> = {}
    for (const k of this.paramNames) {
      const config = this.optimConfigs[k]!
      const lr = (config.learningRate ??= 1e-2)
      if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0 || Object.keys(config).length !== 1) {
        // Let sgd() itself report what is wrong with this config.
        return null
      }
      rates[k] = lr
    }
    return rates
  }

  /**
   * Fraction of rows whose highest score is the label. X: (N, d1, ..., dk), y: (N,).
   * When `numSamples` is given and N > numSamples, scores a random subsample of numSamples rows drawn
   * with replacement (as CS231n does). Runs the model's test-time pass `batchSize` rows at a time.
   */
  checkAccuracy(
    X: Tensor | RowSource,
    y: Int32Array,
    numSamples: number | null = null,
    batchSize = 100,
  ): number {
    const fn = 'Solver.checkAccuracy'
    const source = isRowSource(X) ? X : null
    if (!source) {
      assertTensor(X, fn, 'X')
      assertMinRank(X, 2, fn, 'X')
      if (X.dtype !== this.model.dtype) {
        throw new TypeError(`${fn}: X is ${X.dtype} but the model is ${this.model.dtype}`)
      }
    } else if (X.shape.length < 2) {
      throw new RangeError(`${fn}: X must have at least 2 dimensions, got ${formatShape(X.shape)}`)
    }
    const n = X.shape[0]!
    if (!(y instanceof Int32Array) || y.length !== n) {
      throw new RangeError(
        `${fn}: y must be an Int32Array with one label per row of X ${formatShape(X.shape)}`,
      )
    }
    if (numSamples !== null && numSamples !== undefined) assertPositiveInt(numSamples, fn, 'numSamples')
    assertPositiveInt(batchSize, fn, 'batchSize')
    if (n === 0) throw new RangeError(`${fn}: X ${formatShape(X.shape)} has no rows`)

    let rows: Int32Array | null = null
    let count = n
    if (numSamples != null && n > numSamples) {
      rows = new Int32Array(numSamples)
      for (let i = 0; i < numSamples; i++) rows[i] = this.rng.int(n)
      count = numSamples
    }
    const rowSize = sizeOf(X.shape) / n
    const rest = X.shape.slice(1)
    const dtype = this.model.dtype
    const batchIdx = source ? new Int32Array(batchSize) : null
    const tensorX = source ? null : (X as Tensor)
    let correct = 0
    for (let start = 0; start < count; start += batchSize) {
      const bs = Math.min(batchSize, count - start)
      correct += withArena(this.evalArena, () => {
        let xb: Tensor
        if (source) {
          for (let b = 0; b < bs; b++) batchIdx![b] = rows ? rows[start + b]! : start + b
          xb = scratchUninit([bs, ...rest], dtype)
          source.readRows(batchIdx!, bs, xb.data)
        } else if (rows) {
          xb = scratchUninit([bs, ...rest], dtype)
          for (let b = 0; b < bs; b++) {
            const i = rows[start + b]!
            xb.data.set(tensorX!.data.subarray(i * rowSize, (i + 1) * rowSize), b * rowSize)
          }
        } else {
          // Contiguous rows: a view, no copy.
          xb = {
            shape: [bs, ...rest],
            data: tensorX!.data.subarray(start * rowSize, (start + bs) * rowSize),
            dtype,
          }
        }
        const scores = this.model.loss(xb)
        if (!scores || scores.shape?.length !== 2 || scores.shape[0] !== bs) {
          const got = scores?.shape ? formatShape(scores.shape) : String(scores)
          throw new RangeError(`${fn}: model.loss(X) must return scores of shape (${bs}, C), got ${got}`)
        }
        // argmaxRows: the first maximum wins ties, like np.argmax.
        const pred = argmaxRows(scores)
        let hits = 0
        for (let b = 0; b < bs; b++) if (pred[b] === y[rows ? rows[start + b]! : start + b]) hits++
        return hits
      })
    }
    return correct / count
  }

  /**
   * Runs numEpochs * max(floor(N / batchSize), 1) iterations, checking accuracy after the first
   * iteration, at each epoch end and after the last one. Returns normally when stopped early (`stopped`
   * is then true); throws a DivergenceError if the loss stops being finite. Either way the model is left
   * holding the best parameters seen.
   */
  train(): this {
    const iterationsPerEpoch = this.iterationsPerEpoch()
    const numIterations = this.numEpochs * iterationsPerEpoch
    this.stopped = false
    this.captureSchedule?.start(this.iteration)
    try {
      for (let t = this.iteration; t < numIterations; t++) {
        if (this.stopRequested || this.signal?.aborted) {
          this.stopped = true
          break
        }
        let capture: LayerCapture['reason'] | undefined
        if (this.captureSchedule) {
          const checks = t === 0 || t === numIterations - 1 || (t + 1) % iterationsPerEpoch === 0
          if (checks) capture = 'check'
          else if (this.captureSchedule.due(t + 1)) capture = 'interval'
        }
        const loss = this.step(capture ? { capture } : {})
        this.iteration = t + 1
        if (this.verbose && t % this.printEvery === 0) {
          console.log(`(Iteration ${t + 1} / ${numIterations}) loss: ${loss.toFixed(6)}`)
        }
        this.onEvent?.({ type: 'iteration', iteration: t + 1, numIterations, loss })

        const epochEnd = (t + 1) % iterationsPerEpoch === 0
        if (epochEnd) {
          this.epoch += 1
          for (const k of this.paramNames) {
            const config = this.optimConfigs[k]!
            if (typeof config.learningRate === 'number') config.learningRate *= this.lrDecay
          }
        }
        if (t === 0 || t === numIterations - 1 || epochEnd) this.recordAccuracy()
      }
    } finally {
      // A stop request is consumed by the run it stopped, so train() can be called again to continue.
      this.stopRequested = false
      this.restoreBestParams()
    }
    return this
  }

  /**
   * Everything a resumed run needs to continue bit for bit: tensors (parameters, buffers such as batchnorm
   * running statistics, update-rule state, best parameters) and plain state (counters, random streams,
   * learning rates, histories). The tensors are the live ones: copy or serialise them before the next step.
   */
  checkpoint(): SolverCheckpoint {
    const tensors: Record<string, Tensor> = {}
    for (const [k, t] of Object.entries(this.model.params)) tensors[`params.${k}`] = t
    for (const [k, t] of Object.entries(this.model.buffers?.() ?? {})) tensors[`buffers.${k}`] = t
    for (const [k, t] of Object.entries(this.bestParams)) tensors[`best.${k}`] = t
    for (const [k, t] of Object.entries(this.bestBuffers)) tensors[`bestBuffers.${k}`] = t
    const optim: Record<string, Record<string, number>> = {}
    for (const [k, config] of Object.entries(this.optimConfigs)) {
      optim[k] = {}
      for (const [key, v] of Object.entries(config)) {
        if (isTensor(v)) tensors[`optim.${k}.${key}`] = v
        else if (typeof v === 'number') optim[k][key] = v
      }
    }
    return {
      tensors,
      state: {
        version: 1,
        seed: this.seed,
        iteration: this.iteration,
        epoch: this.epoch,
        bestValAcc: this.bestValAcc,
        rng: this.rng.getState(),
        modelRng: this.model.rng?.getState() ?? null,
        optim,
        lossHistory: [...this.lossHistory],
        trainAccHistory: [...this.trainAccHistory],
        valAccHistory: [...this.valAccHistory],
      },
    }
  }

  /** Puts the solver and its model back where `checkpoint()` was taken (same model and data shapes). */
  restore(ckpt: SolverCheckpoint): void {
    const fn = 'Solver.restore'
    const { tensors, state } = ckpt
    if (state?.version !== 1) throw new TypeError(`${fn}: unknown checkpoint state version ${state?.version}`)
    const copyInto = (name: string, target: Tensor): void => {
      const src = tensors[name]
      if (!src) throw new RangeError(`${fn}: the checkpoint has no tensor '${name}'`)
      if (src.data.length !== target.data.length) {
        throw new RangeError(
          `${fn}: tensor '${name}' has ${src.data.length} values, the model's has ${target.data.length}`,
        )
      }
      target.data.set(src.data)
    }
    for (const [k, p] of Object.entries(this.model.params)) copyInto(`params.${k}`, p)
    for (const [k, b] of Object.entries(this.model.buffers?.() ?? {})) copyInto(`buffers.${k}`, b)
    this.bestParams = {}
    for (const k of this.paramNames) {
      const best = tensors[`best.${k}`]
      if (best) this.bestParams[k] = clone(best)
    }
    this.bestBuffers = {}
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith('bestBuffers.')) this.bestBuffers[name.slice('bestBuffers.'.length)] = clone(t)
    }
    for (const k of this.paramNames) {
      const config: Record<string, unknown> = { ...(state.optim[k] ?? {}) }
      for (const [name, t] of Object.entries(tensors)) {
        const prefix = `optim.${k}.`
        if (name.startsWith(prefix)) config[name.slice(prefix.length)] = clone(t)
      }
      this.optimConfigs[k] = config as OptimConfig
    }
    this.iteration = state.iteration
    this.epoch = state.epoch
    this.bestValAcc = state.bestValAcc
    this.rng.setState(state.rng)
    if (state.modelRng && this.model.rng) this.model.rng.setState(state.modelRng)
    this.lossHistory = [...state.lossHistory]
    this.trainAccHistory = [...state.trainAccHistory]
    this.valAccHistory = [...state.valAccHistory]
  }

  private recordAccuracy(): void {
    const { XTrain, yTrain, XVal, yVal } = this.data
    const trainAcc = this.checkAccuracy(XTrain, yTrain, this.numTrainSamples)
    const valAcc = this.checkAccuracy(XVal, yVal, this.numValSamples)
    this.trainAccHistory.push(trainAcc)
    this.valAccHistory.push(valAcc)
    // The first check always records: with bestValAcc starting at 0, a model at 0% would otherwise leave
    // no best parameters to restore.
    if (valAcc > this.bestValAcc || Object.keys(this.bestParams).length === 0) {
      this.bestValAcc = valAcc
      for (const k of this.paramNames) {
        const p = this.model.params[k]!
        const kept = this.bestParams[k]
        if (kept && kept.data.length === p.data.length && kept.dtype === p.dtype) kept.data.set(p.data)
        else this.bestParams[k] = clone(p)
      }
      for (const [k, b] of Object.entries(this.model.buffers?.() ?? {})) {
        const kept = this.bestBuffers[k]
        if (kept && kept.data.length === b.data.length) kept.data.set(b.data)
        else this.bestBuffers[k] = clone(b)
      }
    }
    if (this.verbose) {
      console.log(
        `(Epoch ${this.epoch} / ${this.numEpochs}) ` +
          `train acc: ${trainAcc.toFixed(6)}; val_acc: ${valAcc.toFixed(6)}`,
      )
    }
    this.onEvent?.({ type: 'epoch', epoch: this.epoch, trainAcc, valAcc, lr: this.learningRate() })
  }

  /** Copies the best parameters into the model's own tensors, so references to them stay valid. */
  private restoreBestParams(): void {
    for (const [k, best] of Object.entries(this.bestParams)) {
      const p = this.model.params[k]
      if (p && p.data.length === best.data.length && p.dtype === best.dtype) p.data.set(best.data)
      else this.model.params[k] = clone(best)
    }
    const buffers = this.model.buffers?.() ?? {}
    for (const [k, best] of Object.entries(this.bestBuffers)) {
      const b = buffers[k]
      if (b && b.data.length === best.data.length) b.data.set(best.data)
    }
  }

  /** The current learning rate (the same for every parameter), null if the rule keeps none. */
  private learningRate(): number | null {
    const first = this.paramNames[0]
    const lr = first === undefined ? undefined : this.optimConfigs[first]?.learningRate
    return typeof lr === 'number' ? lr : null
  }
}

function checkCaptureOptions(capture: CaptureOptions): void {
  if (typeof capture !== 'object' || capture === null || typeof capture.onCapture !== 'function') {
    throw new TypeError('Solver: capture must be an object with an onCapture function')
  }
  assertKeys(capture, ['onCapture', 'every', 'budget', 'checkEvery'], 'capture option')
  const { every, budget, checkEvery } = capture
  if (every !== undefined && every !== 'auto') assertPositiveInt(every, 'Solver', "capture.every (or 'auto')")
  if (budget !== undefined) assertNumberInRange(budget, 0, 1, 'Solver', 'capture.budget', { loOpen: true })
  if (checkEvery !== undefined) assertPositiveInt(checkEvery, 'Solver', 'capture.checkEvery')
}

function assertKeys(obj: object, known: readonly string[], what: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) {
      const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
      const hint = camel !== k && known.includes(camel) ? ` (did you mean '${camel}'?)` : ''
      throw new TypeError(`Solver: unknown ${what} '${k}'${hint}; expected one of ${known.join(', ')}`)
    }
  }
}

function resolveUpdateRule(rule: unknown): { fn: UpdateRule; name: UpdateRuleName | null } {
  if (typeof rule === 'function') return { fn: rule as UpdateRule, name: null }
  if (typeof rule === 'string' && Object.hasOwn(updateRules, rule)) {
    const name = rule as UpdateRuleName
    return { fn: updateRules[name], name }
  }
  const names = Object.keys(updateRules)
  const camel = typeof rule === 'string' ? rule.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : ''
  const hint = names.includes(camel) ? ` (did you mean '${camel}'?)` : ''
  throw new TypeError(
    `Solver: unknown updateRule ${JSON.stringify(rule) ?? String(rule)}${hint}; expected one of ` +
      `${names.join(', ')} or an update function`,
  )
}

/** Catches typos and bad learning rates before training instead of at the first step. */
function checkOptimConfig(config: unknown, rule: UpdateRuleName | null): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError(
      `Solver: optimConfig must be an object, got ${config === null ? 'null' : typeof config}`,
    )
  }
  if (rule !== null) {
    const known: readonly string[] = optimConfigKeys[rule]
    for (const k of Object.keys(config)) {
      if (!known.includes(k)) {
        throw new TypeError(
          `Solver: unknown optimConfig key '${k}' for updateRule '${rule}'; ` +
            `expected one of ${known.join(', ')}`,
        )
      }
    }
  }
  const lr = (config as OptimConfig).learningRate
  if (lr !== undefined && (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)) {
    throw new RangeError(`Solver: optimConfig.learningRate must be a finite number >= 0, got ${String(lr)}`)
  }
}

function checkModel(model: Model): void {
  if (typeof model !== 'object' || model === null || typeof model.loss !== 'function') {
    throw new TypeError('Solver: model must have a loss(X, y?) method')
  }
  if (model.dtype !== 'float32' && model.dtype !== 'float64') {
    throw new TypeError(`Solver: model.dtype must be 'float32' or 'float64', got ${String(model.dtype)}`)
  }
  const params = model.params
  if (typeof params !== 'object' || params === null || Object.keys(params).length === 0) {
    throw new TypeError('Solver: model.params must hold at least one parameter tensor')
  }
  for (const [k, p] of Object.entries(params)) {
    assertTensor(p, 'Solver', `model.params.${k}`)
    if (p.dtype !== model.dtype) {
      throw new TypeError(`Solver: model.params.${k} is ${p.dtype} but model.dtype is ${model.dtype}`)
    }
  }
}

function checkData(data: SolverData, model: Model): void {
  if (typeof data !== 'object' || data === null) throw new TypeError('Solver: data must be an object')
  // Other keys (XTest, yTest, the mean, class names) may ride along, as in CS231n's data dict.
  for (const k of DATA_KEYS) {
    if ((data as unknown as Record<string, unknown>)[k] === undefined) {
      const snake = k.replace(/^([Xy])/, '$1_').replace(/([A-Z][a-z]+)$/, (m) => m.toLowerCase())
      const hint = snake in data ? ` (found '${snake}': keys are camelCase here)` : ''
      throw new TypeError(`Solver: data.${k} is missing${hint}; data needs ${DATA_KEYS.join(', ')}`)
    }
  }
  const xt = checkSplit(data.XTrain, data.yTrain, 'XTrain', 'yTrain', model)
  const xv = checkSplit(data.XVal, data.yVal, 'XVal', 'yVal', model)
  const a = xt.shape.slice(1)
  const b = xv.shape.slice(1)
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new RangeError(
      `Solver: data.XTrain ${formatShape(xt.shape)} and data.XVal ${formatShape(xv.shape)} ` +
        'must agree in every dimension after the first',
    )
  }
}

function checkSplit(
  X: unknown,
  y: unknown,
  xName: string,
  yName: string,
  model: Model,
): { shape: readonly number[] } {
  const rowSource = isRowSource(X)
  if (!rowSource) assertTensor(X, 'Solver', `data.${xName}`)
  const shape = (X as Tensor | RowSource).shape
  if (shape.length < 2) {
    throw new RangeError(`Solver: data.${xName} must have at least 2 dimensions, got ${formatShape(shape)}`)
  }
  const n = shape[0]!
  if (n === 0 || sizeOf(shape) === 0) {
    throw new RangeError(`Solver: data.${xName} ${formatShape(shape)} has no data`)
  }
  if (!rowSource) {
    const t = X as Tensor
    if (t.dtype !== model.dtype) {
      throw new TypeError(
        `Solver: data.${xName} is ${t.dtype} but the model is ${model.dtype}; ` +
          `convert it with astype(${xName}, '${model.dtype}')`,
      )
    }
    // Once here rather than per step: a NaN pixel would otherwise surface as a "diverged" run.
    assertFinite(t, 'Solver', `data.${xName}`)
  }
  if (!(y instanceof Int32Array)) {
    throw new TypeError(`Solver: data.${yName} must be an Int32Array of labels`)
  }
  if (y.length !== n) {
    throw new RangeError(`Solver: data.${yName} has ${y.length} labels for the ${n} rows of data.${xName}`)
  }
  for (let i = 0; i < n; i++) {
    if (y[i]! < 0) throw new RangeError(`Solver: data.${yName}[${i}] = ${y[i]}; labels must be >= 0`)
  }
  return { shape }
}
