import { describe, expect, it } from 'vitest'
import { colorFor, colorScaleFor, rampColor, RAMP, valueLabel } from './colorScale'
import { SERIES_COLORS } from '../../../src-shared/palette'

describe('colorScaleFor', () => {
  it('puts learning rates spanning decades on a log scale: the geometric middle gets the middle colour', () => {
    const scale = colorScaleFor([1e-4, 1e-3, 1e-2])
    expect(scale).toMatchObject({ kind: 'numeric', min: 1e-4, max: 1e-2, log: true })
    expect(colorFor(scale, 1e-4)).toBe(RAMP[0])
    expect(colorFor(scale, 1e-2)).toBe(RAMP[RAMP.length - 1])
    expect(colorFor(scale, 1e-3)).toBe(rampColor(0.5))
    if (scale.kind !== 'numeric') throw new Error('numeric expected')
    expect(scale.ticks.map((t) => t.label)).toEqual(['1e-4', '1e-3', '0.01'])
    expect(scale.ticks.map((t) => t.at)).toEqual([0, 0.5, 1])
  })

  it('keeps values within a decade, or including zero, linear', () => {
    const hidden = colorScaleFor([50, 100, 150])
    expect(hidden).toMatchObject({ kind: 'numeric', log: false })
    expect(colorFor(hidden, 100)).toBe(rampColor(0.5))
    // reg = 0 cannot go on a log axis.
    expect(colorScaleFor([0, 1e-3, 1e-1])).toMatchObject({ kind: 'numeric', log: false })
  })

  it('gives categories palette colours in order of appearance, repeats the same colour', () => {
    const scale = colorScaleFor(['adam', 'sgd', 'adam', undefined])
    expect(scale).toEqual({
      kind: 'categorical',
      categories: [
        { label: 'adam', color: SERIES_COLORS[0] },
        { label: 'sgd', color: SERIES_COLORS[1] },
        { label: '—', color: SERIES_COLORS[2] },
      ],
    })
    expect(colorFor(scale, 'sgd')).toBe(SERIES_COLORS[1])
    // Arrays (hidden layer sizes) are categories too, by their JSON.
    const dims = colorScaleFor([[100, 100], [200]])
    expect(dims.kind).toBe('categorical')
    expect(colorFor(dims, [200])).toBe(SERIES_COLORS[1])
  })

  it('interpolates the ramp between stops and clamps outside [0, 1]', () => {
    expect(rampColor(-1)).toBe(RAMP[0])
    expect(rampColor(2)).toBe(RAMP[RAMP.length - 1])
    expect(rampColor(NaN)).toBe(RAMP[0])
    // Halfway between the first two stops, channel by channel.
    const a = [0x0d, 0x08, 0x87]
    const b = [0x5b, 0x02, 0xa3]
    const mid = a.map((x, i) => Math.round(x + (b[i]! - x) / 2))
    expect(rampColor(0.5 / (RAMP.length - 1))).toBe(
      `#${mid.map((x) => x.toString(16).padStart(2, '0')).join('')}`,
    )
  })

  it('labels values for legends and tables', () => {
    expect(valueLabel(undefined)).toBe('—')
    expect(valueLabel(null)).toBe('null')
    expect(valueLabel(5e-4)).toBe('5e-4')
    expect(valueLabel([100, 100])).toBe('[100,100]')
  })
})
