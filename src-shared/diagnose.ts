/**
 * "What's wrong?": CS231n's "Debug the training" advice, automated. Reads a run's loss and accuracy
 * curves (complete or still growing) and names what looks wrong, with the numbers behind each finding and
 * what to try next. Pure and synchronous: the run page recomputes it on every metrics update, the exported
 * report calls it once.
 *
 * Result: `[]` means "not enough data to judge yet" (fewer than MIN_LOSSES finite losses and no failure);
 * otherwise the findings, most severe first, or a single `healthy` note when every check ran and passed.
 *
 * Losses are per-minibatch, so every loss check works on robust summaries: medians of WINDOWS equal
 * chunks of the curve, medians of the first and last few points, and a least-squares slope of log(loss).
 * Accuracy checks skip the check after the first iteration (epoch 0) and wait for MIN_EPOCHS epochs.
 *
 * With the run's layer captures (`layers`, optional) the findings of src-shared/layerDiagnose.ts join in,
 * and the update/weight ratio becomes evidence for or against a learning-rate verdict of the curve.
 */
import {
  layerEvidence,
  type LayerFindingKind,
  type LayerSuggestion,
  type RatioVerdict,
} from './layerDiagnose'
import type { LayerCapture } from './layerStats'
import type { MetricEvent, RunError, RunStatus } from './runs'

export type DiagnosisKind =
  | 'diverged'
  | 'lr-too-high'
  | 'lr-too-low'
  | 'underfitting'
  | 'still-improving'
  | 'overfitting'
  | 'plateau'
  | 'healthy'
  | LayerFindingKind
export type Severity = 'info' | 'warning' | 'error'
export type SuggestionKind =
  | 'lower-lr'
  | 'raise-lr'
  | 'bigger-model'
  | 'train-longer'
  | 'more-reg'
  | 'lr-decay'
  | 'none'
  | LayerSuggestion

/**
 * One finding. Evidence keys (all optional except where the check always measures them):
 * - diverged: iteration, lastLoss, learningRate
 * - lr-too-high: exploding -> initialLoss, finalLoss, ratio; rising -> minLoss, finalLoss, ratio;
 *   oscillating -> reversals, swing (mean relative size of the reversing swings); all -> learningRate
 * - lr-too-low: initialLoss, finalLoss, drop (fraction), iterations, chanceLoss (barely moved) or
 *   rateRatio (falling linearly: end-of-run rate / average rate), learningRate; trainGain when the
 *   accuracy crept up while the loss barely moved
 * - lr-too-high and lr-too-low with layer captures: updateRatio (median over the captures of the layer
 *   updated the most) and ratioLayer (its number, from 1); a finding from the ratio alone has only these
 *   and learningRate
 * - the layer findings: see LayerFinding in layerDiagnose.ts
 * - underfitting: trainAcc, valAcc, chanceAcc, gap
 * - still-improving (a finished run whose accuracy was low but still climbing): trainAcc, valAcc,
 *   trainGain (over the last 2 epochs), epochs
 * - overfitting: trainAcc, valAcc, gap, gapGrowth, bestValAcc, bestEpoch
 * - plateau: lossChange (relative, over the last TAIL of iterations), tailIterations, valChange (mean
 *   of the last valEpochs checks minus the valEpochs before), valEpochs, bestValAcc, learningRate
 * - healthy: initialLoss, finalLoss, iterations, valAcc
 */
export interface Diagnosis {
  kind: DiagnosisKind
  severity: Severity
  evidence: Record<string, number>
  suggestion: SuggestionKind
}

export interface LossPoint {
  iteration: number
  loss: number
}

export interface EpochPoint {
  epoch: number
  trainAcc: number
  valAcc: number
  lr: number | null
}

export interface DiagnoseInput {
  /** Minibatch losses in iteration order (metrics.jsonl's iteration events fit as they are). */
  losses: readonly LossPoint[]
  /** Accuracy checks in epoch order, epoch 0 (after the first iteration) included or not. */
  epochs: readonly EpochPoint[]
  numClasses: number
  status: RunStatus
  error?: Pick<RunError, 'reason' | 'iteration'> | null
  /** Where a live run is; without it a running run is judged on its data alone. */
  progress?: { iteration: number; numIterations: number } | null
  /** The run's layer captures (runs.layers), when it has any. */
  layers?: readonly LayerCapture[] | null
}

/** Loss checks need this many finite losses: 10 windows of 5 points each give stable medians. */
export const MIN_LOSSES = 50
/** The loss-shape checks for a too-low rate and a plateau need more: early curves all look linear. */
const MIN_LOSSES_SHAPE = 100
/** Accuracy checks need this many epochs: after one or two, every run is still "underfitting". */
export const MIN_EPOCHS = 3
const WINDOWS = 10
/** Exploding: the end of the curve 10x above both its start and chance. */
const EXPLODE_RATIO = 10
/** Rising: the last window 1.5x above the lowest window, and by at least 10% of chance loss. */
const RISE_RATIO = 1.5
const RISE_MIN_ABS = 0.1
/** Oscillating: a swing between windows counts when it exceeds 20% of the lower window (+2% of chance). */
const SWING_REL = 0.2
const SWING_ABS = 0.02
const MIN_REVERSALS = 2
/** Barely moved: less than 10% below the start, which was within 25% of chance loss ln(C). */
const BARELY_MOVED = 0.1
const NEAR_CHANCE = 0.25
/** ... unless train accuracy got 10% of the way from chance to 100% anyway (see learnedAnyway). */
const ABOVE_CHANCE = 0.1
/**
 * Linear: over the last 30% the loss still falls at >= 0.6 of its average rate. For an exponential decay
 * over x time constants that ratio is (e^-0.7x - e^-x) / (0.3 (1 - e^-x)): 0.6 means x < 1.25, a curve
 * nowhere near levelling off; a straight line gives 1, healthy Fashion-MNIST runs measured 0.2-0.35.
 */
const LINEAR_RATE_RATIO = 0.6
/**
 * A partial run is judged "still falling linearly" only after half its iterations: the first part of a
 * healthy but slowish curve is nearly straight too, and only its end shows the bend.
 */
const LINEAR_MIN_FRACTION = 0.5
/** Underfitting: train accuracy below 60% of the way from chance to 100%, and val within 5 points. */
const UNDERFIT_NORM_ACC = 0.6
const CLOSE_GAP = 0.05
/** A live run still gaining 3 points of train accuracy over 2 epochs is not judged underfitting yet. */
const STILL_LEARNING = 0.03
/** Overfitting: train 10 points above val, the gap 3 points wider than in the first third of epochs. */
const OVERFIT_GAP = 0.1
const GAP_GROWTH = 0.03
/** ... a warning when the gap reaches 20 points or val fell 2 points below its best. */
const OVERFIT_WARN_GAP = 0.2
const VAL_DROP = 0.02
/** Plateau: the last 30% of iterations change the loss by < 5%, after it fell >= 20% overall. */
const TAIL = 0.3
const FLAT_LOSS = 0.05
const PLATEAU_MIN_DROP = 0.2
/** ... and val accuracy over the last third of the checks < 1 point above the third before. */
const FLAT_VAL = 0.01
const MIN_EPOCHS_PLATEAU = 4
/** ... and not when the training set is (nearly) memorised: there is nothing left to gain there. */
const CONVERGED_TRAIN_ACC = 0.99

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 }

export function diagnose(input: DiagnoseInput): Diagnosis[] {
  const C = Math.max(2, Math.floor(input.numClasses) || 2)
  const chanceLoss = Math.log(C)
  const lr = lastLearningRate(input.epochs)
  const withLr = (e: Record<string, number>): Record<string, number> =>
    lr === undefined ? e : { ...e, learningRate: lr }
  const layers = input.layers && input.layers.length > 0 ? layerEvidence(input.layers) : null
  const layerFound: Diagnosis[] = layers?.findings.map((f) => ({ ...f, evidence: { ...f.evidence } })) ?? []
  const ratio = layers?.ratio ?? null
  const sorted = (ds: Diagnosis[]): Diagnosis[] =>
    ds.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])

  // A failure or a non-finite loss says it all: whatever the curve did before led there.
  const bad = input.losses.find((p) => !Number.isFinite(p.loss))
  const finite = input.losses.filter((p) => Number.isFinite(p.loss))
  if (bad || (input.status === 'failed' && input.error?.reason === 'diverged')) {
    const evidence: Record<string, number> = {}
    const iteration = input.error?.iteration ?? bad?.iteration
    if (iteration !== undefined) evidence['iteration'] = iteration
    const before = bad ? finite.filter((p) => p.iteration < bad.iteration) : finite
    if (before.length > 0) evidence['lastLoss'] = before[before.length - 1]!.loss
    return sorted([
      { kind: 'diverged', severity: 'error', evidence: withLr(evidence), suggestion: 'lower-lr' },
      ...layerFound,
    ])
  }

  const losses = finite.map((p) => p.loss)
  const n = losses.length
  // Exploding needs few points: a loss 10x above chance is unambiguous, and such runs fail quickly.
  if (n >= 10) {
    const k = Math.max(5, Math.floor(n / WINDOWS))
    const head = median(losses.slice(0, k))
    const tail = median(losses.slice(n - k))
    if (tail > EXPLODE_RATIO * Math.max(head, chanceLoss)) {
      const evidence = { initialLoss: head, finalLoss: tail, ratio: tail / head, ...ratioOf(ratio, 'high') }
      return sorted([
        { kind: 'lr-too-high', severity: 'error', evidence: withLr(evidence), suggestion: 'lower-lr' },
        ...layerFound,
      ])
    }
  }

  const live = input.status === 'running'
  // How much of its planned training a run has done: a cancelled run is as partial as a live one.
  const fraction =
    input.status !== 'completed' && input.progress?.numIterations
      ? input.progress.iteration / input.progress.numIterations
      : 1
  const shape = n >= MIN_LOSSES ? lossShape(losses) : null
  const iterations = n > 0 ? finite[n - 1]!.iteration : 0

  const epochs = input.epochs.filter((e) => e.epoch >= 1)
  const E = epochs.length
  const trainGain = E >= MIN_EPOCHS ? epochs[E - 1]!.trainAcc - epochs[E - 3]!.trainAcc : 0
  const stillLearning = trainGain >= STILL_LEARNING
  // Tiny updates with dead or vanishing units are the init's doing: a larger rate would not fix them.
  const initProblem = layerFound.some(
    (d) => d.kind === 'vanishing-gradients' || (d.kind === 'dead-relus' && d.suggestion === 'fix-init'),
  )
  const explainsTinyUpdates = layerFound.some(
    (d) => d.kind === 'vanishing-gradients' || d.kind === 'dead-relus' || d.kind === 'stopped-learning',
  )
  // What the ratio says when there are captures: below the band supports "too low", in or above it
  // speaks against it (a loss held up by regularisation, not by small steps).
  const ratioSaysSlow = ratio !== null && (ratio.level === 'low' || ratio.level === 'below-band')
  const ratioSaysFine = ratio !== null && !ratioSaysSlow

  let high: Diagnosis | null = null
  let low: Diagnosis | null = null
  if (shape) {
    const { m, initial, final } = shape
    const min = Math.min(...m)
    const reversals = countReversals(m, chanceLoss)
    if (final >= RISE_RATIO * min && final - min >= RISE_MIN_ABS * chanceLoss) {
      const evidence = { minLoss: min, finalLoss: final, ratio: final / min, ...ratioOf(ratio, 'high') }
      high = finding('lr-too-high', 'warning', withLr(evidence), 'lower-lr')
    } else if (reversals.count >= MIN_REVERSALS) {
      const evidence = { reversals: reversals.count, swing: reversals.swing, ...ratioOf(ratio, 'high') }
      high = finding('lr-too-high', 'warning', withLr(evidence), 'lower-lr')
    } else {
      const drop = (initial - final) / initial
      const nearChance = Math.abs(initial - chanceLoss) <= NEAR_CHANCE * chanceLoss
      // Least-squares slopes over the whole run and over its last 30%: a fit uses every point, where
      // differences of a few medians are dominated by noise on short curves.
      const avgRate = -slope(losses)
      const endRate = -slope(losses.slice(Math.floor(n * (1 - TAIL))))
      const linear =
        n >= MIN_LOSSES_SHAPE &&
        fraction >= LINEAR_MIN_FRACTION &&
        drop >= BARELY_MOVED &&
        avgRate > 0 &&
        endRate / avgRate >= LINEAR_RATE_RATIO
      const barely = drop < BARELY_MOVED && nearChance
      // Accuracy above chance with a loss still near ln(C): regularisation may hold the loss up (then
      // accuracy has stopped rising and the updates are not small), or the steps are small and accuracy
      // creeps up while the loss has barely begun to fall: CS231n's "loss barely changing: learning rate
      // probably too low". Captures settle it with the update/weight ratio; without them, whether
      // accuracy is still climbing does.
      const learned = learnedAnyway(input.epochs, C)
      const creeping = learned && (ratio ? ratioSaysSlow : stillLearning && !live)
      if (barely && (!learned || creeping)) {
        const evidence: Record<string, number> = {
          initialLoss: initial,
          finalLoss: final,
          drop,
          iterations,
          chanceLoss,
        }
        if (learned) evidence['trainGain'] = trainGain
        low = finding('lr-too-low', 'warning', withLr({ ...evidence, ...ratioOf(ratio, 'low') }), 'raise-lr')
      } else if (linear && !ratioSaysFine) {
        const evidence = {
          initialLoss: initial,
          finalLoss: final,
          drop,
          iterations,
          rateRatio: endRate / avgRate,
          ...ratioOf(ratio, 'low'),
        }
        low = finding('lr-too-low', 'warning', withLr(evidence), 'raise-lr')
      }
    }
  }
  // The ratio alone: far outside the band, whatever the curve shows so far.
  if (!high && ratio?.level === 'high') {
    high = finding('lr-too-high', 'warning', withLr(ratioOf(ratio, 'high')), 'lower-lr')
  }
  if (!high && !low && ratio?.level === 'low' && !explainsTinyUpdates) {
    low = finding('lr-too-low', 'warning', withLr(ratioOf(ratio, 'low')), 'raise-lr')
  }
  if (low && initProblem) low = null
  const found: Diagnosis[] = []
  if (high) found.push(high)
  if (low) found.push(low)
  found.push(...layerFound)
  // An optimiser or layer problem explains low accuracy and flat curves better than capacity or schedule.
  const lrProblem = found.length > 0

  if (E >= MIN_EPOCHS) {
    const gaps = epochs.map((e) => e.trainAcc - e.valAcc)
    const trainAcc = mean(epochs.slice(-2).map((e) => e.trainAcc))
    const valAcc = mean(epochs.slice(-2).map((e) => e.valAcc))
    const gap = mean(gaps.slice(-2))
    const gapGrowth = gap - mean(gaps.slice(0, Math.ceil(E / 3)))
    const best = epochs.reduce((a, b) => (b.valAcc > a.valAcc ? b : a))
    const chanceAcc = 1 / C
    const normTrain = (trainAcc - chanceAcc) / (1 - chanceAcc)

    if (gap >= OVERFIT_GAP && gapGrowth >= GAP_GROWTH) {
      const valFell = best.valAcc - epochs[E - 1]!.valAcc >= VAL_DROP
      found.push({
        kind: 'overfitting',
        severity: gap >= OVERFIT_WARN_GAP || valFell ? 'warning' : 'info',
        evidence: { trainAcc, valAcc, gap, gapGrowth, bestValAcc: best.valAcc, bestEpoch: best.epoch },
        suggestion: 'more-reg',
      })
    }
    if (!lrProblem && normTrain < UNDERFIT_NORM_ACC && gap < CLOSE_GAP) {
      // Low accuracy that was still climbing when training stopped says "not done", not "too small":
      // a live run is left alone, a finished one is told to train longer before growing the model.
      if (!stillLearning) {
        found.push({
          kind: 'underfitting',
          severity: 'warning',
          evidence: { trainAcc, valAcc, chanceAcc, gap },
          suggestion: 'bigger-model',
        })
      } else if (!live) {
        found.push({
          kind: 'still-improving',
          severity: 'info',
          evidence: { trainAcc, valAcc, trainGain, epochs: epochs[E - 1]!.epoch },
          suggestion: 'train-longer',
        })
      }
    }

    // A rate too high for this stage is what a plateau usually is (hence "decay the learning rate"): the
    // ratio saying so without the curve agreeing does not rule the plateau out.
    const plateauAllowed =
      !found.some((d) => d.kind !== 'overfitting' && !(d === high && ratioOnly(d))) && E >= MIN_EPOCHS_PLATEAU
    if (plateauAllowed && shape && n >= MIN_LOSSES_SHAPE && trainAcc < CONVERGED_TRAIN_ACC) {
      const tailStart = Math.floor(n * (1 - TAIL))
      const lossChange = relativeLogChange(losses.slice(tailStart))
      const dropped = (shape.initial - shape.final) / shape.initial >= PLATEAU_MIN_DROP
      // Val is flat when the mean of the last third of the checks is within a point of the third before:
      // a mean, since single checks on a validation split wobble by about as much.
      const third = Math.max(2, Math.floor(E / 3))
      const vals = epochs.map((e) => e.valAcc)
      const valChange = mean(vals.slice(E - third)) - mean(vals.slice(Math.max(0, E - 2 * third), E - third))
      if (dropped && Math.abs(lossChange) < FLAT_LOSS && valChange < FLAT_VAL) {
        const evidence = {
          lossChange,
          tailIterations: iterations - finite[tailStart]!.iteration,
          valChange,
          valEpochs: third,
          bestValAcc: best.valAcc,
        }
        found.push({ kind: 'plateau', severity: 'info', evidence: withLr(evidence), suggestion: 'lr-decay' })
      }
    }
  }

  if (found.length === 0 && shape) {
    const evidence: Record<string, number> = {
      initialLoss: shape.initial,
      finalLoss: shape.final,
      iterations,
    }
    if (E > 0) evidence['valAcc'] = epochs[E - 1]!.valAcc
    return [{ kind: 'healthy', severity: 'info', evidence, suggestion: 'none' }]
  }
  return sorted(found)
}

/** A learning-rate finding that only the captures' update/weight ratio made. */
function ratioOnly(d: Diagnosis): boolean {
  return Object.keys(d.evidence).every(
    (k) => k === 'updateRatio' || k === 'ratioLayer' || k === 'learningRate',
  )
}

/** The ratio's evidence for a finding in `direction`, when the captures agree with it. */
function ratioOf(ratio: RatioVerdict | null, direction: 'high' | 'low'): Record<string, number> {
  if (!ratio) return {}
  const agrees =
    direction === 'high' ? ratio.level === 'high' : ratio.level === 'low' || ratio.level === 'below-band'
  return agrees ? { updateRatio: ratio.updateRatio, ratioLayer: ratio.layer } : {}
}

function finding(
  kind: DiagnosisKind,
  severity: Severity,
  evidence: Record<string, number>,
  suggestion: SuggestionKind,
): Diagnosis {
  return { kind, severity, evidence, suggestion }
}

/**
 * Losses and epochs from metrics.jsonl events, honouring resumes the way the run page does (a resume
 * drops what came after the checkpoint, since training replays it).
 */
export function curvesFromEvents(events: readonly MetricEvent[]): Pick<DiagnoseInput, 'losses' | 'epochs'> {
  const losses: LossPoint[] = []
  const epochs: EpochPoint[] = []
  for (const e of events) {
    if (e.type === 'iteration') {
      if (losses.length === 0 || e.iteration > losses[losses.length - 1]!.iteration)
        losses.push({ iteration: e.iteration, loss: e.loss })
    } else if (e.type === 'epoch') {
      if (epochs.length === 0 || e.epoch > epochs[epochs.length - 1]!.epoch)
        epochs.push({ epoch: e.epoch, trainAcc: e.trainAcc, valAcc: e.valAcc, lr: e.lr })
    } else {
      while (losses.length > 0 && losses[losses.length - 1]!.iteration > e.fromIteration) losses.pop()
      while (epochs.length > 0 && epochs[epochs.length - 1]!.epoch > e.fromEpoch) epochs.pop()
    }
  }
  return { losses, epochs }
}

// ---- robust summaries ----

interface LossShape {
  /** Medians of WINDOWS equal chunks. */
  m: number[]
  /** Median of the first and of the last few losses (5, or 5% of the run). */
  initial: number
  final: number
}

function lossShape(losses: number[]): LossShape {
  const n = losses.length
  const m = Array.from({ length: WINDOWS }, (_, i) =>
    median(losses.slice(Math.floor((i * n) / WINDOWS), Math.floor(((i + 1) * n) / WINDOWS))),
  )
  const k = Math.max(5, Math.floor(n / 20))
  return { m, initial: median(losses.slice(0, k)), final: median(losses.slice(n - k)) }
}

/**
 * Direction changes between window medians where both swings are large: a decaying curve has none and a
 * flat noisy one has only small ones (window medians of >= 5 points are far steadier than single losses).
 */
function countReversals(m: number[], chanceLoss: number): { count: number; swing: number } {
  const big = (i: number): number => {
    const d = m[i + 1]! - m[i]!
    return Math.abs(d) >= SWING_REL * Math.min(m[i]!, m[i + 1]!) + SWING_ABS * chanceLoss ? Math.sign(d) : 0
  }
  let count = 0
  let swing = 0
  for (let i = 1; i < m.length - 1; i++) {
    const a = big(i - 1)
    const b = big(i)
    if (a !== 0 && b !== 0 && a !== b) {
      count++
      swing += Math.abs(m[i + 1]! - m[i]!) / Math.min(m[i]!, m[i + 1]!)
    }
  }
  return { count, swing: count > 0 ? swing / count : 0 }
}

/** exp(slope * span) - 1 for a least-squares line through log(loss): the fitted relative change. */
function relativeLogChange(losses: number[]): number {
  if (losses.length < 2) return 0
  return Math.expm1(slope(losses.map((l) => Math.log(Math.max(l, 1e-12)))) * (losses.length - 1))
}

/** The least-squares slope of ys against their index. */
function slope(ys: number[]): number {
  const n = ys.length
  if (n < 2) return 0
  const xMean = (n - 1) / 2
  const yMean = mean(ys)
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (ys[i]! - yMean)
    sxx += (i - xMean) ** 2
  }
  return sxy / sxx
}

/**
 * Whether training accuracy rose clearly above chance even though the loss barely moved: then a large
 * regularization term, not the step size, holds the loss up (the underfitting check speaks to that).
 */
function learnedAnyway(epochs: readonly EpochPoint[], C: number): boolean {
  const last = epochs[epochs.length - 1]
  return last !== undefined && last.epoch >= 1 && (last.trainAcc - 1 / C) / (1 - 1 / C) >= ABOVE_CHANCE
}

function lastLearningRate(epochs: readonly EpochPoint[]): number | undefined {
  for (let i = epochs.length - 1; i >= 0; i--) {
    const lr = epochs[i]!.lr
    if (lr !== null && Number.isFinite(lr)) return lr
  }
  return undefined
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}
