import { describe, expect, it } from 'vitest'
import { CaptureSchedule } from './schedule'

describe('CaptureSchedule', () => {
  it('a fixed K captures at the iterations it divides, also after a resume', () => {
    const s = new CaptureSchedule(5, 0.02)
    s.start(7)
    expect([8, 9, 10, 11, 15].map((i) => s.due(i))).toEqual([false, false, true, false, true])
    expect(s.interval()).toBe(5)
  })

  it("'auto' waits for a measured step and capture, then keeps captures under the budget", () => {
    const s = new CaptureSchedule('auto', 0.02)
    s.start(0)
    expect(s.interval()).toBeNull()
    expect(s.due(1)).toBe(false)
    for (let i = 0; i < 10; i++) s.noteStep(10)
    // A cold first capture (100 ms) is replaced by the first warm one (30 ms).
    s.noteCapture(1, 100)
    expect(s.interval()).toBe(Math.ceil(100 / (0.75 * 0.02 * 10)))
    s.noteCapture(700, 30)
    const k = s.interval()!
    expect(k).toBe(Math.ceil(30 / (0.75 * 0.02 * 10)))
    // The amortised cost: one 30 ms capture per K steps of 10 ms is under 2%.
    expect(30 / (k * 10)).toBeLessThan(0.02)
    expect(s.due(700 + k - 1)).toBe(false)
    expect(s.due(700 + k)).toBe(true)
  })

  it("'auto' starts counting from a resume point", () => {
    const s = new CaptureSchedule('auto', 0.02)
    s.start(500)
    for (let i = 0; i < 5; i++) s.noteStep(10)
    s.noteCapture(500, 3)
    // 3 ms / (0.75 * 2% of 10 ms) = 20 steps.
    expect(s.interval()).toBe(20)
    expect(s.due(519)).toBe(false)
    expect(s.due(520)).toBe(true)
  })

  it("'auto' pays for the checks' captures first, and takes no interval captures when they spend the budget", () => {
    // 3 ms captures on 10 ms steps, a check capture every 100 steps: the checks take 0.3% of the 1.5% aimed
    // at, the interval captures the other 1.2%.
    const s = new CaptureSchedule('auto', 0.02, 100)
    s.start(0)
    for (let i = 0; i < 5; i++) s.noteStep(10)
    s.noteCapture(1, 3)
    const k = s.interval()!
    expect(k).toBe(Math.ceil(3 / ((0.75 * 0.02 - 3 / (100 * 10)) * 10)))
    // Per epoch: the check and every K-th step after it, all under the budget.
    const perEpoch = (1 + Math.floor(99 / k)) * 3
    expect(perEpoch / (100 * 10)).toBeLessThan(0.02)
    // Short epochs: a check every 10 steps costs 3% alone, so nothing else is captured.
    const short = new CaptureSchedule('auto', 0.02, 10)
    short.start(0)
    short.noteStep(10)
    short.noteCapture(1, 3)
    expect(short.interval()).toBe(Infinity)
    expect(short.due(1000)).toBe(false)
  })
})
