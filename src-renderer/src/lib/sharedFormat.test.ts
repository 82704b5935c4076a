import { describe, expect, it } from 'vitest'
import { formatDuration as sharedDuration } from '../../../src-shared/durationFormat'
import { formatHyper as sharedHyper } from '../../../src-shared/hyperFormat'
import { formatDuration, formatHyper } from './format'

describe('the UI and the reports format alike', () => {
  it('uses the shared duration and hyperparameter formatters, not copies of them', () => {
    expect(formatDuration).toBe(sharedDuration)
    expect(formatHyper).toBe(sharedHyper)
  })
})
