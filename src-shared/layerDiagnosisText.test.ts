// The wording of the layer findings and of the ratio's evidence on learning-rate findings, both languages.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { curvesFromEvents, diagnose, type Diagnosis } from './diagnose'
import { describeDiagnosis } from './diagnosisText'
import type { LayerCapture } from './layerStats'
import type { MetricEvent, RunStatus } from './runs'

const d = (kind: Diagnosis['kind'], evidence: Record<string, number>, suggestion: Diagnosis['suggestion']) =>
  ({ kind, severity: 'warning', evidence, suggestion }) as Diagnosis

const EXAMPLES: Diagnosis[] = [
  d('lr-too-high', { updateRatio: 0.056, ratioLayer: 2, learningRate: 1 }, 'lower-lr'),
  d('lr-too-high', { reversals: 2, swing: 1.3, updateRatio: 0.081, ratioLayer: 1 }, 'lower-lr'),
  d('lr-too-low', { updateRatio: 3.2e-6, ratioLayer: 2, learningRate: 1e-5 }, 'raise-lr'),
  d(
    'lr-too-low',
    {
      initialLoss: 2.3026,
      finalLoss: 2.3012,
      drop: 0.0006,
      iterations: 240,
      chanceLoss: Math.log(10),
      trainGain: 0.074,
      updateRatio: 4.5e-4,
      ratioLayer: 2,
      learningRate: 3e-3,
    },
    'raise-lr',
  ),
  d('dead-relus', { layer: 1, deadFraction: 0.984, firstDeadFraction: 0.92, units: 64 }, 'fix-init'),
  d('dead-relus', { layer: 2, deadFraction: 0.906, firstDeadFraction: 0, units: 64 }, 'lower-lr'),
  d(
    'vanishing-gradients',
    { gradFactor: 4.6e-8, fromLayer: 2, toLayer: 6, perLayer: 0.034, actFactor: 0.001 },
    'fix-init',
  ),
  d(
    'exploding-gradients',
    { gradFactor: 22.1, fromLayer: 2, toLayer: 6, perLayer: 2.17, actFactor: 68.2 },
    'fix-init',
  ),
  d(
    'saturated-batchnorm',
    { layer: 1, saturatedFraction: 0.031, gaussianFraction: 0.0027, gammaMean: 0.996 },
    'normalize-inputs',
  ),
  d(
    'stopped-learning',
    { layer: 2, recentRatio: 0, earlierRatio: 0.00101, otherRatio: 0.00178, since: 100 },
    'check-updates',
  ),
]

const noGaps = /undefined|—|\$\{|NaN(?! (or|或))/

describe('describeDiagnosis: layer findings', () => {
  it('writes every layer kind and suggestion in both languages, with no placeholder left over', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const ex of EXAMPLES) {
        const text = describeDiagnosis(ex, locale)
        const all = `${text.title} ${text.detail} ${text.suggestion}`
        expect(all, `${locale} ${ex.kind}`).not.toMatch(noGaps)
        if (locale === 'zh-CN') {
          expect(text.title).toMatch(/[\u4e00-\u9fff]{2}/)
          expect(text.detail).toMatch(/[\u4e00-\u9fff]{2}/)
          expect(text.suggestion).toMatch(/[\u4e00-\u9fff]{2}/)
        }
      }
    }
  })

  it('names the layer and its numbers', () => {
    const [ratioHigh, swings, ratioLow, creeping, deadInit, deadLr, vanishing, , saturated, stopped] =
      EXAMPLES
    expect(describeDiagnosis(ratioHigh!, 'en').detail).toBe(
      'Each step changes the weights of layer2 by 0.056 of their size (the update/weight ratio), ' +
        'far above the healthy 1E-3.',
    )
    expect(describeDiagnosis(swings!, 'en').detail).toContain(
      'The update/weight ratio agrees: 0.081 in layer1, far above the healthy 1E-3.',
    )
    expect(describeDiagnosis(ratioLow!, 'en').detail).toContain('changes by only 3.2E-6 of its weights')
    expect(describeDiagnosis(ratioLow!, 'zh-CN').detail).toContain('layer2')
    const slow = describeDiagnosis(creeping!, 'en')
    expect(slow.title).toBe('Learning rate too low')
    expect(slow.detail).toContain('Training accuracy still rose 7.4 points over the last 2 epochs')
    expect(slow.detail).toContain('4.5E-4 in layer2, below the healthy 1E-3')
    expect(describeDiagnosis(creeping!, 'zh-CN').detail).toContain('提高了 7.4 个百分点')
    expect(describeDiagnosis(deadInit!, 'en').detail).toBe(
      '98.4% of the 64 ReLUs of layer1 output zero for every example of the batch, so no gradient flows ' +
        'through them; 92% were dead from the first capture on.',
    )
    expect(describeDiagnosis(deadInit!, 'en').suggestion).toContain('He scaling')
    expect(describeDiagnosis(deadLr!, 'en').detail).toContain('at the first capture only 0% were')
    expect(describeDiagnosis(deadLr!, 'en').suggestion).toContain('Lower the learning rate')
    expect(describeDiagnosis(vanishing!, 'en').detail).toContain(
      'layer2 receives 4.6E-8 of the gradient layer6 does',
    )
    expect(describeDiagnosis(saturated!, 'en').detail).toContain(
      '3.1% of the batch-normalised values of layer1',
    )
    expect(describeDiagnosis(saturated!, 'zh-CN').detail).toContain('高斯分布为 0.3%')
    expect(describeDiagnosis(stopped!, 'en').detail).toBe(
      'The update/weight ratio of layer2 fell to 0, from 1E-3 earlier (since iteration 100), while the ' +
        'other layers still update at 1.8E-3: its weights no longer change.',
    )
  })

  it("words every finding diagnose() makes on the numpy fixture's runs without gaps", () => {
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '../src-worker/bench/fixtures/diagnose-runs.json'), 'utf8'),
    ) as {
      runs: {
        events: MetricEvent[]
        captures: LayerCapture[]
        numClasses: number
        status: RunStatus
        error?: { reason: 'diverged'; iteration: number }
      }[]
    }
    let count = 0
    for (const run of fixture.runs) {
      const findings = diagnose({
        ...curvesFromEvents(run.events),
        numClasses: run.numClasses,
        status: run.status,
        error: run.error ?? null,
        layers: run.captures,
      })
      for (const f of findings) {
        for (const locale of ['en', 'zh-CN'] as const) {
          const t = describeDiagnosis(f, locale)
          expect(`${t.title} ${t.detail} ${t.suggestion}`, `${locale} ${f.kind}`).not.toMatch(noGaps)
          count++
        }
      }
    }
    expect(count).toBeGreaterThan(100)
  })
})
