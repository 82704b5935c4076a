/**
 * Layer captures as the worker writes them (src-shared/layerStats.ts), built with `tensorStats` from
 * seeded values so every histogram and summary is what the specification gives for them. Used by the
 * component and store tests and by e2e/browser/layers.spec.ts (no test framework imported here).
 */
import { tensorStats, type LayerCapture, type LayerRecord } from '../../../src-shared/layerStats'

/** mulberry32: a small seeded generator, so fixtures are the same on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** n draws of N(0, std^2) (Box-Muller). */
export function gaussian(n: number, std: number, rand: () => number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12)
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
  }
  return out
}

const norm2 = (v: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!
  return Math.sqrt(s)
}

export interface LayerSpec {
  name: string
  kind?: 'affine' | 'conv'
  shape: number[]
  weightStd: number
  gradStd: number
  /** The update/weight ratio the record states (its updateNorm follows from it). */
  ratio: number
  /** Fraction of dead ReLUs; the last (scores) layer has none and no activations. */
  dead?: number
  scores?: boolean
  /** Per-filter statistics for a conv layer, this many filters. */
  filters?: number
  /** Batchnorm state. */
  norm?: boolean
}

/** One layer's record with statistics of seeded values of the given spreads. */
export function layerRecord(spec: LayerSpec, seed: number): LayerRecord {
  const rand = seeded(seed)
  const size = spec.shape.reduce((a, b) => a * b, 1)
  const w = gaussian(size, spec.weightStd, rand)
  const g = gaussian(size, spec.gradStd, rand)
  const weightNorm = norm2(w)
  const record: LayerRecord = {
    name: spec.name,
    kind: spec.kind ?? 'affine',
    param: `W${spec.name.replace(/\D/g, '') || '1'}`,
    shape: spec.shape,
    weight: tensorStats(w),
    grad: tensorStats(g),
    weightNorm,
    gradNorm: norm2(g),
    updateNorm: spec.ratio * weightNorm,
    updateRatio: spec.ratio,
  }
  if (!spec.scores) {
    const pre = gaussian(400, 0.5, rand)
    const dead = spec.dead ?? 0
    // A dead unit's outputs are zero for the whole batch: the post-ReLU histogram's centre bin grows.
    const post = pre.map((x, i) => (i < dead * pre.length || x < 0 ? 0 : x))
    record.preact = tensorStats(pre)
    record.postact = tensorStats(post)
    record.deadFraction = dead
    record.zeroFraction = post.filter((x) => x === 0).length / post.length
  }
  if (spec.filters) {
    const f = spec.filters
    record.filters = {
      weightNorm: Array.from({ length: f }, (_, i) => (weightNorm / Math.sqrt(f)) * (0.5 + i / f)),
      updateRatio: Array.from({ length: f }, (_, i) => spec.ratio * 10 ** (i / f - 0.5)),
      zeroFraction: Array.from({ length: f }, (_, i) => (i % 4) / 4),
    }
  }
  if (spec.norm) {
    const s = (mean: number, std: number) => ({
      mean,
      std,
      min: mean - 2 * std,
      max: mean + 2 * std,
      n: 100,
      nonFinite: 0,
    })
    record.norm = {
      gamma: s(1, 0.05),
      beta: s(0.01, 0.02),
      runningMean: s(0.2, 0.1),
      runningVar: s(0.9, 0.2),
      saturatedFraction: 0.015,
    }
  }
  return record
}

export function capture(
  iteration: number,
  layers: LayerRecord[],
  reason: LayerCapture['reason'] = 'interval',
): LayerCapture {
  return { iteration, epoch: Math.floor(iteration / 100), reason, learningRate: 1e-3, layers }
}

/**
 * A two-layer net's captures at `iterations`: layer1 (hidden, ReLU) learning at a healthy ratio that
 * slowly falls and a growing dead fraction, layer2 (scores) at a ratio far above 1e-3.
 */
export function twoLayerCaptures(iterations: number[], seed = 1): LayerCapture[] {
  return iterations.map((it, i) =>
    capture(
      it,
      [
        layerRecord(
          {
            name: 'layer1',
            shape: [784, 50],
            weightStd: 1e-3 * (1 + i / 10),
            gradStd: 1e-4,
            ratio: 1e-3 / (1 + i),
            dead: 0.05 * i,
          },
          seed * 1000 + i * 2,
        ),
        layerRecord(
          { name: 'layer2', shape: [50, 10], weightStd: 1e-2, gradStd: 1e-3, ratio: 3e-2, scores: true },
          seed * 1000 + i * 2 + 1,
        ),
      ],
      i % 2 === 0 ? 'check' : 'interval',
    ),
  )
}

/** A small conv net's captures: a conv layer with filters and batchnorm, then the scores layer. */
export function convCaptures(iterations: number[], seed = 1): LayerCapture[] {
  return iterations.map((it, i) =>
    capture(it, [
      layerRecord(
        {
          name: 'layer1',
          kind: 'conv',
          shape: [8, 1, 3, 3],
          weightStd: 1e-2,
          gradStd: 1e-3,
          ratio: 2e-3,
          dead: 0.1,
          filters: 8,
          norm: true,
        },
        seed * 1000 + i * 2,
      ),
      layerRecord(
        { name: 'layer2', shape: [200, 10], weightStd: 1e-2, gradStd: 1e-3, ratio: 1e-3, scores: true },
        seed * 1000 + i * 2 + 1,
      ),
    ]),
  )
}

/** The layers.jsonl of these captures, one per line. */
export function layersJsonl(captures: LayerCapture[]): string {
  return captures.map((c) => JSON.stringify(c)).join('\n') + '\n'
}
