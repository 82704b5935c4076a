// The layer findings on hand-made captures: each threshold, and the cases that must stay quiet.
import { describe, expect, it } from 'vitest'
import { diagnose, type EpochPoint, type LossPoint } from './diagnose'
import {
  DEAD_FRACTION,
  HIGH_RATIO,
  layerEvidence,
  LOW_RATIO,
  MIN_CAPTURES,
  SATURATED_FRACTION,
} from './layerDiagnose'
import { tensorStats, type LayerCapture, type LayerRecord } from './layerStats'

type LayerSpec = Partial<Omit<LayerRecord, 'grad'>> & { ratio?: number; act?: number; grad?: number }

/** A layer record whose weights are 1s, with the ratio, activation RMS and gradient RMS asked for. */
function layer(i: number, spec: LayerSpec = {}): LayerRecord {
  const { ratio = 1e-3, act = 1, grad = 1e-2, ...rest } = spec
  const shape = [64, 64]
  const n = 64 * 64
  const ones = tensorStats(new Float64Array(16).fill(1))
  return {
    name: `layer${i + 1}`,
    kind: 'affine',
    param: `W${i + 1}`,
    shape,
    weight: ones,
    grad: { ...tensorStats([grad]), summary: { mean: 0, std: grad, min: -grad, max: grad, n, nonFinite: 0 } },
    weightNorm: 64,
    gradNorm: grad * 64,
    updateNorm: ratio * 64,
    updateRatio: ratio,
    postact: { ...ones, summary: { mean: act, std: 0, min: act, max: act, n: 64, nonFinite: 0 } },
    deadFraction: 0,
    zeroFraction: 0.5,
    ...rest,
  }
}

function captures(count: number, layersAt: (k: number) => LayerRecord[]): LayerCapture[] {
  return Array.from({ length: count }, (_, k) => ({
    iteration: (k + 1) * 20,
    epoch: k,
    reason: 'interval' as const,
    learningRate: 0.01,
    layers: layersAt(k),
  }))
}

const three = (spec: (i: number, k: number) => LayerSpec = () => ({})) =>
  captures(10, (k) => [0, 1, 2].map((i) => layer(i, spec(i, k))))

describe('layerEvidence', () => {
  it('needs a few captures before it says anything', () => {
    const few = three(() => ({ ratio: 1, deadFraction: 1 })).slice(0, MIN_CAPTURES - 1)
    expect(layerEvidence(few)).toEqual({ findings: [], ratio: null })
  })

  it("counts a resumed run's replayed captures once, the later of each iteration", () => {
    const frozen = three((i, k) => ({ ratio: i === 1 && k >= 4 ? 0 : 1e-3 }))
    // Replayed from iteration 100 on after a resume, this time with the layer still learning: the replay
    // is what training continued from.
    const replay = three().filter((c) => c.iteration >= 100)
    expect(layerEvidence(frozen).findings.map((f) => f.kind)).toEqual(['stopped-learning'])
    expect(layerEvidence([...frozen, ...replay]).findings).toEqual([])
    expect(layerEvidence([...frozen, ...replay]).ratio!.captures).toBe(9)
  })

  it('reads the ratio of the layer updated the most, ignoring the first 10% of the run', () => {
    const caps = three((i, k) => ({ ratio: k === 0 ? 10 : [2e-3, 5e-3, 1e-3][i] }))
    expect(layerEvidence(caps).ratio).toMatchObject({ level: 'ok', layer: 2, updateRatio: 5e-3 })
    const high = three((i) => ({ ratio: i === 2 ? 2 * HIGH_RATIO : 1e-3 }))
    expect(layerEvidence(high).ratio).toMatchObject({ level: 'high', layer: 3 })
    const low = three(() => ({ ratio: LOW_RATIO / 3 }))
    expect(layerEvidence(low).ratio!.level).toBe('low')
    const below = three(() => ({ ratio: 5e-4 }))
    expect(layerEvidence(below).ratio!.level).toBe('below-band')
  })

  it('finds dead ReLUs at half a layer, and tells the init from the learning rate', () => {
    const justUnder = three((i) => ({ deadFraction: i === 1 ? DEAD_FRACTION - 0.01 : 0 }))
    expect(layerEvidence(justUnder).findings).toEqual([])
    const fromStart = three((i) => ({ deadFraction: i === 1 ? 0.95 : 0 }))
    expect(layerEvidence(fromStart).findings).toEqual([
      {
        kind: 'dead-relus',
        severity: 'error',
        evidence: { layer: 2, deadFraction: 0.95, firstDeadFraction: 0.95, units: 64 },
        suggestion: 'fix-init',
      },
    ])
    const later = three((i, k) => ({ deadFraction: i === 0 && k >= 5 ? 0.6 : 0 }))
    expect(layerEvidence(later).findings[0]).toMatchObject({ severity: 'warning', suggestion: 'lower-lr' })
  })

  it('measures the gradient across depth as rms(dW) / rms(input), from the second layer to the last', () => {
    // Layer i's input RMS is 1, its gradient RMS g_i: the gradient reaching its output scales as g_i.
    const shrinking = three((i) => ({ grad: [1e-2, 1e-6, 1e-3][i] }))
    const [v] = layerEvidence(shrinking).findings
    expect(v).toMatchObject({ kind: 'vanishing-gradients', suggestion: 'fix-init' })
    expect(v!.evidence['gradFactor']).toBeCloseTo(1e-3, 9)
    expect(v!.evidence['perLayer']).toBeCloseTo(1e-3, 9)
    expect(layerEvidence(three((i) => ({ grad: [1e-2, 1, 1e-2][i] }))).findings[0]!.kind).toBe(
      'exploding-gradients',
    )
    // Halving per layer is no finding; neither is a two-layer net, nor a net with conv layers.
    expect(layerEvidence(three((i) => ({ grad: [1, 0.5, 1][i] }))).findings).toEqual([])
    const two = captures(10, () => [layer(0, { grad: 1 }), layer(1, { grad: 1e-9 })])
    expect(layerEvidence(two).findings).toEqual([])
    const conv = three((i) => ({ grad: [1e-2, 1e-6, 1e-3][i], kind: i === 0 ? 'conv' : 'affine' }))
    expect(layerEvidence(conv).findings).toEqual([])
  })

  it('finds saturated batchnorm above 1.5% of the outputs beyond 3 standard deviations', () => {
    const norm = (saturatedFraction: number) => {
      const s = { mean: 1, std: 0, min: 1, max: 1, n: 64, nonFinite: 0 }
      return { gamma: s, beta: s, runningMean: s, runningVar: s, saturatedFraction }
    }
    expect(layerEvidence(three((i) => (i === 0 ? { norm: norm(0.004) } : {}))).findings).toEqual([])
    const [f] = layerEvidence(three((i) => (i === 1 ? { norm: norm(2 * SATURATED_FRACTION) } : {}))).findings
    expect(f).toMatchObject({ kind: 'saturated-batchnorm', evidence: { layer: 2, saturatedFraction: 0.03 } })
  })

  it('finds a layer that stopped while the others learn, not a whole net slowing down', () => {
    const frozen = three((i, k) => ({ ratio: i === 1 && k >= 4 ? 0 : 1e-3 }))
    const [f] = layerEvidence(frozen).findings
    expect(f).toMatchObject({ kind: 'stopped-learning', evidence: { layer: 2, recentRatio: 0, since: 100 } })
    const allSlow = three((i, k) => ({ ratio: k >= 4 ? 1e-7 : 1e-3 }))
    expect(layerEvidence(allSlow).findings).toEqual([])
  })
})

describe('diagnose with captures', () => {
  // A healthy curve: an exponential decay with a little noise, accuracy rising and levelling off.
  const losses: LossPoint[] = Array.from({ length: 200 }, (_, i) => ({
    iteration: i + 1,
    loss: 0.3 + 2 * Math.exp(-i / 30) + 0.01 * Math.sin(i * 7.1),
  }))
  const epochs: EpochPoint[] = [0, 1, 2, 3, 4, 5].map((epoch) => ({
    epoch,
    trainAcc: 0.9 - 0.5 * Math.exp(-epoch),
    valAcc: 0.88 - 0.5 * Math.exp(-epoch),
    lr: 0.5,
  }))
  const base = { losses, epochs, numClasses: 10, status: 'completed' as const }

  it('leaves a healthy run healthy when its ratio is in the band', () => {
    expect(diagnose({ ...base, layers: three() }).map((d) => d.kind)).toEqual(['healthy'])
    expect(diagnose({ ...base, layers: [] }).map((d) => d.kind)).toEqual(['healthy'])
  })

  it('says "learning rate too high" from the ratio alone, naming the layer', () => {
    const d = diagnose({ ...base, layers: three((i) => ({ ratio: i === 0 ? 0.2 : 1e-3 })) })
    expect(d).toEqual([
      {
        kind: 'lr-too-high',
        severity: 'warning',
        evidence: { updateRatio: 0.2, ratioLayer: 1, learningRate: 0.5 },
        suggestion: 'lower-lr',
      },
    ])
  })

  it('adds the layer findings to a diverged run', () => {
    const bad = [...losses.slice(0, 60), { iteration: 61, loss: NaN }]
    const d = diagnose({ ...base, losses: bad, layers: three((i) => ({ grad: [1e-2, 1, 1e-2][i] })) })
    expect(d.map((x) => x.kind)).toEqual(['diverged', 'exploding-gradients'])
  })
})
