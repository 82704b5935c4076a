import { describe, expect, it } from 'vitest'
import { RunConfigSchema } from '../../../src-shared/config'
import { formFromConfig } from './runForm'
import { DIVERGED_LR_FACTOR, draftFromRun } from './runDraft'

const config = RunConfigSchema.parse({
  name: 'sweep 3/8',
  tags: ['seed', 'sweep:20261201-abc'],
  notes: 'from the coarse search',
  dataset: { name: 'fashion-mnist-small', numTraining: 5000 },
  model: { kind: 'fc', hiddenDims: [100, 50], normalization: 'batchnorm' },
  solver: { updateRule: 'adam', optimConfig: { learningRate: 1e-3, beta1: 0.8 }, numEpochs: 4 },
  seed: 42,
})

describe('draftFromRun', () => {
  it("copies the run's config, without its sweep tag, and leaves the run's config untouched", () => {
    const before = JSON.stringify(config)
    const draft = draftFromRun(config)
    expect(draft).toEqual({ ...config, tags: ['seed'] })
    expect(JSON.stringify(config)).toBe(before)
    // A copy, not the same objects.
    ;(draft.solver as { optimConfig: { learningRate: number } }).optimConfig.learningRate = 1
    expect(config.solver.optimConfig.learningRate).toBe(1e-3)
  })

  it('lowers the learning rate tenfold for a diverged run, to the number one would type', () => {
    const draft = draftFromRun(config, { learningRateFactor: DIVERGED_LR_FACTOR })
    // 1e-3 * 0.1 is 1.0000000000000002e-4 in floating point.
    expect(draft.solver).toMatchObject({
      optimConfig: { learningRate: 1e-4, beta1: 0.8 },
      updateRule: 'adam',
    })
    const form = formFromConfig(draft)
    expect(form.solver.learningRate).toBe('0.0001')
    expect(form.fc.hiddenDims).toBe('100, 50')
    expect(form.seed).toBe('42')
  })

  it('replaces or leaves out the seed and the name', () => {
    const draft = draftFromRun(config, { seed: null, name: null })
    expect('seed' in draft).toBe(false)
    expect('name' in draft).toBe(false)
    expect(draftFromRun(config, { seed: 7, name: 'again' })).toMatchObject({ seed: 7, name: 'again' })
    // Still a valid config input once the form has named it.
    expect(RunConfigSchema.safeParse({ ...draft, name: 'suggested' }).success).toBe(true)
  })
})
