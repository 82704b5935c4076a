/**
 * What a run's layer captures (src-shared/layerStats.ts) say about its training, CS231n's "babysitting"
 * read automatically: the update/weight ratio per layer against the ~1e-3 rule of thumb, dead ReLUs,
 * gradients that vanish or explode across depth, batchnorm fed saturating inputs, and a layer whose
 * weights stopped changing while the rest of the net still learns. diagnose() calls it when a run has
 * captures and merges the ratio's verdict with what the loss curve says.
 *
 * Every check uses medians over several captures (a capture is one minibatch) and ignores the first
 * 10% of the run, where a freshly initialised net's ratios and dead units are not yet representative.
 * Thresholds were set on the numpy runs of src-worker/bench/diagnose_numpy.py, whose failures are known
 * by construction (fixture: src-worker/bench/fixtures/diagnose-runs.json): healthy runs sit at ratios
 * 4e-4 to 1e-2, with under 7% dead units and under 0.5% saturated batchnorm outputs.
 */
import type { LayerCapture, LayerRecord, Summary } from './layerStats'

/** CS231n's healthy update/weight ratio. */
export const HEALTHY_RATIO = 1e-3
/** Far above: 30x the healthy ratio on the layer updated the most (healthy runs stay below 1e-2). */
export const HIGH_RATIO = 3e-2
/** Far below: even the layer updated the most moves less than 1e-4 of its weights per step. */
export const LOW_RATIO = 1e-4
/** Below the band: supporting evidence for a loss that barely moved (see diagnose.ts). */
export const BELOW_BAND_RATIO = HEALTHY_RATIO
/** Dead ReLUs: half a hidden layer's units output zero for every row of the batch. */
export const DEAD_FRACTION = 0.5
/** Gradient scale from the second layer to the last below 1/100 (vanishing) or above 10 (exploding). */
export const VANISHING_FACTOR = 1e-2
export const EXPLODING_FACTOR = 10
/** |x_hat| > 3 for a Gaussian: 0.27% of outputs; saturated at 1.5%, more than 5x that. */
export const GAUSSIAN_SATURATED = 0.0027
export const SATURATED_FRACTION = 0.015
/** Stopped learning: the recent ratio below 1/100 of the layer's own earlier ratio. */
export const STOPPED_DROP = 1e-2
/** Captures needed for any verdict. */
export const MIN_CAPTURES = 4
/** Captures the "recent" state is read from. */
const RECENT = 3
const SKIP_FRACTION = 0.1

export type LayerFindingKind =
  'dead-relus' | 'vanishing-gradients' | 'exploding-gradients' | 'saturated-batchnorm' | 'stopped-learning'

export type LayerSuggestion = 'fix-init' | 'lower-lr' | 'normalize-inputs' | 'check-updates'

/**
 * A layer finding. Layers are numbered from 1 in capture order (the records' 'layer1', 'layer2', ...).
 * - dead-relus: layer, deadFraction (recent median), firstDeadFraction (at the first capture), units
 * - vanishing-gradients / exploding-gradients: gradFactor (gradient reaching fromLayer's output over
 *   the one reaching toLayer's), fromLayer, toLayer, perLayer (the geometric factor per layer),
 *   actFactor (activation RMS of the last hidden layer over the first)
 * - saturated-batchnorm: layer, saturatedFraction, gaussianFraction, gammaMean
 * - stopped-learning: layer, recentRatio, earlierRatio, otherRatio (the others' recent median), since
 *   (the first iteration at which its ratio fell below STOPPED_DROP of the earlier one)
 */
export interface LayerFinding {
  kind: LayerFindingKind
  severity: 'warning' | 'error'
  evidence: Record<string, number>
  suggestion: LayerSuggestion
}

/** The update/weight ratio's verdict, for diagnose() to merge with the loss curve's. */
export interface RatioVerdict {
  /** 'high' above HIGH_RATIO, 'low' below LOW_RATIO, 'below-band' below HEALTHY_RATIO, else 'ok'. */
  level: 'high' | 'low' | 'below-band' | 'ok'
  /** The layer updated the most (1-based) and its median ratio. */
  layer: number
  updateRatio: number
  /** Captures the median is over. */
  captures: number
}

export interface LayerEvidence {
  findings: LayerFinding[]
  ratio: RatioVerdict | null
}

export function layerEvidence(all: readonly LayerCapture[]): LayerEvidence {
  // A resumed run replays the iterations after its checkpoint and captures them again: the later
  // capture of an iteration is the one training continued from.
  const byIteration = new Map<number, LayerCapture>()
  for (const c of all) byIteration.set(c.iteration, c)
  const captures = [...byIteration.values()].sort((a, b) => a.iteration - b.iteration)
  if (captures.length < MIN_CAPTURES) return { findings: [], ratio: null }
  const last = captures[captures.length - 1]!.iteration
  const settled = captures.filter((c) => c.iteration > SKIP_FRACTION * last)
  const body = settled.length >= MIN_CAPTURES - 1 ? settled : captures.slice(1)
  const recent = body.slice(-RECENT)
  const layerCount = Math.min(...captures.map((c) => c.layers.length))
  if (layerCount === 0) return { findings: [], ratio: null }

  const findings: LayerFinding[] = []
  const depth = depthFinding(captures, layerCount)
  if (depth) findings.push(depth)
  const dead = depth?.kind === 'vanishing-gradients' ? null : deadFinding(captures[0]!, recent, layerCount)
  if (dead) findings.push(dead)
  const saturated = saturatedFinding(recent, layerCount)
  if (saturated) findings.push(saturated)
  const stopped = stoppedFinding(body, layerCount)
  if (stopped) findings.push(stopped)
  return { findings, ratio: ratioVerdict(body, layerCount) }
}

function ratioVerdict(body: LayerCapture[], layerCount: number): RatioVerdict {
  let layer = 0
  let best = -Infinity
  for (let i = 0; i < layerCount; i++) {
    const r = median(body.map((c) => c.layers[i]!.updateRatio).filter(Number.isFinite))
    if (r > best) {
      best = r
      layer = i
    }
  }
  const level =
    best > HIGH_RATIO ? 'high' : best < LOW_RATIO ? 'low' : best < BELOW_BAND_RATIO ? 'below-band' : 'ok'
  return { level, layer: layer + 1, updateRatio: best, captures: body.length }
}

function deadFinding(first: LayerCapture, recent: LayerCapture[], layerCount: number): LayerFinding | null {
  let worst: { i: number; dead: number } | null = null
  for (let i = 0; i < layerCount; i++) {
    const fractions = recent.map((c) => c.layers[i]!.deadFraction).filter(isNumber)
    if (fractions.length === 0) continue
    const dead = median(fractions)
    if (dead >= DEAD_FRACTION && (worst === null || dead > worst.dead)) worst = { i, dead }
  }
  if (!worst) return null
  const rec = first.layers[worst.i]!
  const firstDead = rec.deadFraction ?? 0
  return {
    kind: 'dead-relus',
    severity: worst.dead >= 0.9 ? 'error' : 'warning',
    evidence: {
      layer: worst.i + 1,
      deadFraction: worst.dead,
      firstDeadFraction: firstDead,
      units: rec.shape[rec.shape.length - 1] ?? 0,
    },
    // Dead from the start: the init (or a bias) put them there; dead later: steps too big knocked them out.
    suggestion: firstDead >= DEAD_FRACTION ? 'fix-init' : 'lower-lr',
  }
}

/**
 * Gradients across depth. A layer's weight gradient is dW = A^T delta (its input times the gradient
 * reaching its output), so rms(dW) / rms(A) tracks the size of delta; the ratio of that between the second
 * layer and the last is how much the backward pass shrank or grew the gradient over the layers between.
 * Affine layers only: a conv's dW also sums over positions, which this scale does not correct for.
 */
function depthFinding(captures: LayerCapture[], layerCount: number): LayerFinding | null {
  if (layerCount < 3) return null
  if (!captures.every((c) => c.layers.slice(0, layerCount).every((l) => l.kind === 'affine'))) return null
  const factors: number[] = []
  const acts: number[] = []
  for (const c of captures) {
    const f = deltaScale(c.layers, 1) / deltaScale(c.layers, layerCount - 1)
    if (Number.isFinite(f) && f > 0) factors.push(f)
    const firstAct = c.layers[0]!.postact
    const lastAct = c.layers[layerCount - 2]!.postact
    if (firstAct && lastAct) {
      const a = rms(lastAct.summary) / rms(firstAct.summary)
      if (Number.isFinite(a)) acts.push(a)
    }
  }
  // A few captures must be usable: once the gradient is exactly zero everywhere (every unit of a layer
  // dead, say) the scale cannot be read, but the captures before it still show how it got there.
  if (factors.length < MIN_CAPTURES - 1) return null
  const gradFactor = median(factors)
  const vanishing = gradFactor < VANISHING_FACTOR
  if (!vanishing && gradFactor <= EXPLODING_FACTOR) return null
  const evidence: Record<string, number> = {
    gradFactor,
    fromLayer: 2,
    toLayer: layerCount,
    perLayer: gradFactor ** (1 / (layerCount - 2)),
  }
  if (acts.length > 0) evidence['actFactor'] = median(acts)
  return {
    kind: vanishing ? 'vanishing-gradients' : 'exploding-gradients',
    severity: 'warning',
    evidence,
    suggestion: 'fix-init',
  }
}

/** rms(dW_i) / rms(input of layer i) for i >= 1: the input is layer i-1's post-ReLU output. */
function deltaScale(layers: LayerRecord[], i: number): number {
  const input = layers[i - 1]!.postact
  const l = layers[i]!
  const n = l.grad.summary.n || l.shape.reduce((a, b) => a * b, 1)
  if (!input || n === 0) return NaN
  return l.gradNorm / Math.sqrt(n) / rms(input.summary)
}

function saturatedFinding(recent: LayerCapture[], layerCount: number): LayerFinding | null {
  let worst: { i: number; sat: number; gamma: number } | null = null
  for (let i = 0; i < layerCount; i++) {
    const norms = recent.map((c) => c.layers[i]!.norm).filter((n) => n !== undefined)
    if (norms.length === 0) continue
    const sat = median(norms.map((n) => n.saturatedFraction))
    if (sat >= SATURATED_FRACTION && (worst === null || sat > worst.sat))
      worst = { i, sat, gamma: norms[norms.length - 1]!.gamma.mean }
  }
  if (!worst) return null
  return {
    kind: 'saturated-batchnorm',
    severity: 'warning',
    evidence: {
      layer: worst.i + 1,
      saturatedFraction: worst.sat,
      gaussianFraction: GAUSSIAN_SATURATED,
      gammaMean: worst.gamma,
    },
    suggestion: 'normalize-inputs',
  }
}

function stoppedFinding(body: LayerCapture[], layerCount: number): LayerFinding | null {
  if (body.length < 2 * RECENT || layerCount < 2) return null
  const half = body.slice(0, Math.ceil(body.length / 2))
  const recent = body.slice(-RECENT)
  const ratios = (cs: LayerCapture[], i: number): number[] =>
    cs.map((c) => c.layers[i]!.updateRatio).filter(Number.isFinite)
  const recentOf = Array.from({ length: layerCount }, (_, i) => median(ratios(recent, i)))
  let found: LayerFinding | null = null
  for (let i = 0; i < layerCount; i++) {
    const earlier = median(ratios(half, i))
    const now = recentOf[i]!
    const others = median(recentOf.filter((_, j) => j !== i))
    // The others must still learn at a ratio the stopped layer no longer reaches, or it is the whole net.
    if (!(earlier > 0) || now >= STOPPED_DROP * earlier || now >= STOPPED_DROP * others) continue
    const dropAt = body.find(
      (c, k) => k > 0 && body.slice(k).every((d) => d.layers[i]!.updateRatio < STOPPED_DROP * earlier),
    )
    if (!found || now / earlier < found.evidence['recentRatio']! / found.evidence['earlierRatio']!)
      found = {
        kind: 'stopped-learning',
        severity: 'warning',
        evidence: {
          layer: i + 1,
          recentRatio: now,
          earlierRatio: earlier,
          otherRatio: others,
          ...(dropAt ? { since: dropAt.iteration } : {}),
        },
        suggestion: 'check-updates',
      }
  }
  return found
}

function rms(s: Summary): number {
  return Math.sqrt(s.mean * s.mean + s.std * s.std)
}

function isNumber(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v)
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2
}
