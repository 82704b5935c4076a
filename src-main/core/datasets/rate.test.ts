import { describe, expect, it } from 'vitest'
import { RateMeter } from './rate'

describe('RateMeter', () => {
  it('measures bytes per second over its window, not before it spans enough time', () => {
    const m = new RateMeter(5000, 500)
    m.add(0, 1_000_000) // resumed bytes: where counting starts, not a speed
    expect(m.rate()).toBeNull()
    m.add(400, 1_400_000)
    expect(m.rate()).toBeNull()
    m.add(1000, 2_000_000)
    expect(m.rate()).toBe(1_000_000)
    // Old samples leave the window: the speed is the recent one.
    m.add(7000, 2_600_000)
    m.add(8000, 2_700_000)
    expect(m.rate()).toBe(100_000)
  })

  it('starts over when the total goes back (a restarted file)', () => {
    const m = new RateMeter()
    m.add(0, 500)
    m.add(1000, 1500)
    m.add(1500, 0)
    expect(m.rate()).toBeNull()
    m.add(2500, 2000)
    expect(m.rate()).toBe(2000)
  })
})
