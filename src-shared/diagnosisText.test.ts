import { describe, expect, it } from 'vitest'
import { diagnose, type Diagnosis } from './diagnose'
import { describeDiagnosis } from './diagnosisText'

const d = (kind: Diagnosis['kind'], evidence: Record<string, number>, suggestion: Diagnosis['suggestion']) =>
  ({ kind, severity: 'warning', evidence, suggestion }) as Diagnosis

/** One finding of each kind and variant, with the evidence keys diagnose() gives it. */
const EXAMPLES: Diagnosis[] = [
  d('diverged', { iteration: 12345, lastLoss: 3.4e37, learningRate: 0.005 }, 'lower-lr'),
  d('diverged', {}, 'lower-lr'),
  d('lr-too-high', { initialLoss: 2.3, finalLoss: 1e9, ratio: 4.3e8, learningRate: 0.1 }, 'lower-lr'),
  d('lr-too-high', { minLoss: 0.61, finalLoss: 2.1, ratio: 3.44 }, 'lower-lr'),
  d('lr-too-high', { reversals: 4, swing: 0.53, learningRate: 0.05 }, 'lower-lr'),
  d(
    'lr-too-low',
    {
      initialLoss: 2.303,
      finalLoss: 2.304,
      drop: -0.0003,
      iterations: 320,
      chanceLoss: Math.log(10),
      learningRate: 1e-7,
    },
    'raise-lr',
  ),
  d(
    'lr-too-low',
    { initialLoss: 2.3, finalLoss: 1.1, drop: 0.52, iterations: 600, rateRatio: 0.97 },
    'raise-lr',
  ),
  d('underfitting', { trainAcc: 0.2805, valAcc: 0.264, chanceAcc: 0.1, gap: 0.0165 }, 'bigger-model'),
  d(
    'overfitting',
    { trainAcc: 0.98, valAcc: 0.628, gap: 0.352, gapGrowth: 0.154, bestValAcc: 0.66, bestEpoch: 31 },
    'more-reg',
  ),
  d(
    'plateau',
    {
      lossChange: -0.012,
      tailIterations: 180,
      valChange: 0.004,
      valEpochs: 3,
      bestValAcc: 0.81,
      learningRate: 1e-3,
    },
    'lr-decay',
  ),
  d('healthy', { initialLoss: 2.23, finalLoss: 0.317, iterations: 320, valAcc: 0.8 }, 'none'),
  // Last, so the positional destructuring below keeps its meaning.
  d('still-improving', { trainAcc: 0.59, valAcc: 0.543, trainGain: 0.16, epochs: 4 }, 'train-longer'),
]

describe('describeDiagnosis', () => {
  it('writes every kind and suggestion in both languages, with no placeholder left over', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const ex of EXAMPLES) {
        const text = describeDiagnosis(ex, locale)
        const all = `${text.title} ${text.detail} ${text.suggestion}`
        expect(text.title, ex.kind).not.toBe('')
        expect(text.detail, ex.kind).not.toBe('')
        expect(text.suggestion, ex.kind).not.toBe('')
        expect(all, `${locale} ${ex.kind}`).not.toMatch(/undefined|—|\$\{|NaN(?! (or|或))/)
        // Chinese text is Chinese: at least a few CJK characters in each part.
        if (locale === 'zh-CN') expect(text.detail).toMatch(/[\u4e00-\u9fff]{2}/)
      }
    }
  })

  it('says a finished run stopped while still improving, with its gain, in both languages', () => {
    const still = EXAMPLES[EXAMPLES.length - 1]!
    expect(describeDiagnosis(still, 'en')).toEqual({
      title: 'Stopped while still improving',
      detail:
        'After 4 epochs training accuracy (59%) and validation accuracy (54.3%) are still low, but ' +
        'training accuracy rose 16 points over the last 2 epochs: the model had not finished learning.',
      suggestion: 'Train for more epochs (or raise the learning rate a little) before judging its capacity.',
    })
    expect(describeDiagnosis(still, 'zh-CN').detail).toContain('最后 2 轮提高了 16 个百分点')
  })

  it('formats the evidence for the locale', () => {
    const [diverged, , exploded, , , barely, , underfit, overfit, plateau] = EXAMPLES
    const en = describeDiagnosis(diverged!, 'en')
    expect(en.title).toBe('Training diverged')
    expect(en.detail).toBe(
      'The loss became NaN or infinite at iteration 12,345. The last finite loss was 3.4E37.',
    )
    expect(en.suggestion).toBe('Lower the learning rate 3–10× (now 5E-3).')
    expect(describeDiagnosis(diverged!, 'zh-CN').detail).toBe(
      '损失在第 12,345 次迭代时变为 NaN 或无穷大。最后一个有限的损失值为 3.4E37。',
    )
    expect(describeDiagnosis(exploded!, 'en').detail).toContain('from 2.3 to 1E9 (4.3E8×)')
    const low = describeDiagnosis(barely!, 'en')
    // A drop of -0.03% is "0% lower", never "-0%".
    expect(low.detail).toBe(
      'The loss barely moved in 320 iterations: 2.3 → 2.3 (0% lower), still near chance, ln C = 2.3.',
    )
    expect(low.suggestion).toBe('Raise the learning rate about 10× (now 1E-7); search it on a log scale.')
    expect(describeDiagnosis(underfit!, 'en').detail).toContain('Training (28.1%) and validation (26.4%)')
    expect(describeDiagnosis(underfit!, 'en').detail).toContain('(1.7 points apart)')
    expect(describeDiagnosis(underfit!, 'zh-CN').detail).toContain('训练准确率（28.1%）与验证准确率（26.4%）')
    expect(describeDiagnosis(overfit!, 'en').detail).toContain('35.2 points above validation (62.8%)')
    expect(describeDiagnosis(overfit!, 'zh-CN').detail).toContain('最佳验证准确率：第 31 轮的 66%')
    expect(describeDiagnosis(plateau!, 'en').detail).toContain('changed by only -1.2%')
  })

  it('words what diagnose() finds without gaps', () => {
    const flat = Array.from({ length: 200 }, (_, i) => ({ iteration: i + 1, loss: Math.log(10) }))
    const epochs = [0, 1, 2, 3].map((epoch) => ({ epoch, trainAcc: 0.1, valAcc: 0.1, lr: 1e-7 }))
    const [finding] = diagnose({ losses: flat, epochs, numClasses: 10, status: 'completed' })
    expect(finding!.kind).toBe('lr-too-low')
    const text = describeDiagnosis(finding!, 'en')
    expect(`${text.detail} ${text.suggestion}`).not.toContain('—')
    expect(text.suggestion).toContain('1E-7')
  })
})
