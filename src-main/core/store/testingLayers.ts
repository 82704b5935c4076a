/**
 * Test helpers for layer captures: plausible LayerCapture objects built with tensorStats (the
 * specification of a capture's statistics, src-shared/layerStats.ts), without the engine. Deterministic:
 * the same arguments give the same capture. Not used in production.
 */
import { tensorStats, type LayerCapture, type LayerRecord } from '../../../src-shared/layerStats'

/** A small seeded generator (mulberry32) with normal draws (Box-Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

const norm = (v: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!
  return Math.sqrt(s)
}

export interface CaptureOptions {
  /** The update/weight ratio of each layer (default 1e-3 for every layer). */
  ratios?: number[]
  /** Layers; default 2 (a two-layer net), the last one the scores. */
  layers?: number
  reason?: LayerCapture['reason']
  epoch?: number
  learningRate?: number
  seed?: number
}

/** A capture at `iteration` whose layers' update/weight ratios are `ratios` (exactly, up to rounding). */
export function makeCapture(iteration: number, options: CaptureOptions = {}): LayerCapture {
  const count = options.ratios?.length ?? options.layers ?? 2
  const next = gaussian((options.seed ?? 1) * 7919 + iteration)
  const layers: LayerRecord[] = []
  for (let l = 0; l < count; l++) {
    const fanIn = 12
    const fanOut = 8
    const W = Float64Array.from({ length: fanIn * fanOut }, () => next() * 0.05)
    const dW = Float64Array.from({ length: fanIn * fanOut }, () => next() * 0.01)
    const ratio = options.ratios?.[l] ?? 1e-3
    const weightNorm = norm(W)
    const last = l === count - 1
    const pre = Float64Array.from({ length: 64 }, () => next())
    const post = pre.map((x) => Math.max(0, x))
    layers.push({
      name: `layer${l + 1}`,
      kind: 'affine',
      param: `W${l + 1}`,
      shape: [fanIn, fanOut],
      weight: tensorStats(W),
      grad: tensorStats(dW),
      weightNorm,
      gradNorm: norm(dW),
      updateNorm: ratio * weightNorm,
      updateRatio: ratio,
      ...(last
        ? {}
        : {
            preact: tensorStats(pre),
            postact: tensorStats(post),
            deadFraction: 0,
            zeroFraction: post.filter((x) => x === 0).length / post.length,
          }),
    })
  }
  return {
    iteration,
    epoch: options.epoch ?? 0,
    reason: options.reason ?? 'interval',
    learningRate: options.learningRate ?? 1e-3,
    layers,
  }
}

/** The lines of a layers.jsonl holding `captures`. */
export function layersText(captures: LayerCapture[]): string {
  return captures.map((c) => `${JSON.stringify(c)}\n`).join('')
}
