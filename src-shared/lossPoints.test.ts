import { describe, expect, it } from 'vitest'
import { addLoss, emptyLossPoints, truncateLoss, type LossPoints } from './lossPoints'

function fold(n: number, cap: number, loss: (i: number) => number, order?: number[]): LossPoints {
  const p = emptyLossPoints()
  for (const i of order ?? Array.from({ length: n }, (_, k) => k + 1)) addLoss(p, cap, i, loss(i), 1000 + i)
  return p
}

/** A seeded shuffle, so the test is the same every run. */
function shuffled(n: number, seed = 7): number[] {
  const a = Array.from({ length: n }, (_, k) => k + 1)
  let s = seed
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

describe('addLoss', () => {
  it('keeps every iteration exactly while there are no more than the cap', () => {
    const p = fold(100, 100, (i) => 1 / i)
    expect(p.bucket).toBe(1)
    expect(p.iterations).toEqual(Array.from({ length: 100 }, (_, k) => k + 1))
    expect(p.losses).toEqual(p.iterations.map((i) => 1 / i))
    expect(p.lossMin).toEqual(p.losses)
    expect(p.lossMax).toEqual(p.losses)
    expect(p.counts.every((c) => c === 1)).toBe(true)
    expect(p.times).toEqual(p.iterations.map((i) => 1000 + i))
  })

  it('past the cap, folds buckets of a power of two with their mean, min and max; a spike survives', () => {
    const n = 100_000
    const spike = 54_321
    const loss = (i: number): number => (i === spike ? 50 : 2 + Math.sin(i))
    const p = fold(n, 1000, loss)
    expect(p.iterations.length).toBeLessThanOrEqual(1000)
    expect(p.iterations.length).toBeGreaterThan(500)
    expect(p.bucket).toBe(128)
    expect(p.counts.reduce((a, b) => a + b, 0)).toBe(n)
    // Each point: the iterations i with floor(i / 128) = k, drawn at the last of them.
    for (let j = 0; j < p.iterations.length; j++) {
      const k = Math.floor(p.iterations[j]! / p.bucket)
      const members = Array.from({ length: p.bucket }, (_, m) => k * p.bucket + m).filter(
        (i) => i >= 1 && i <= n,
      )
      expect(p.iterations[j]).toBe(members.at(-1))
      expect(p.counts[j]).toBe(members.length)
      const values = members.map(loss)
      expect(p.losses[j]).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9)
      expect(p.lossMin[j]).toBe(Math.min(...values))
      expect(p.lossMax[j]).toBe(Math.max(...values))
      expect(p.times[j]).toBe(1000 + members.at(-1)!)
    }
    expect(Math.max(...p.lossMax)).toBe(50)
    expect(p.iterations[p.iterations.length - 1]).toBe(n)
  })

  it('gives the same points whatever order the iterations come in', () => {
    const loss = (i: number): number => Math.cos(i / 10)
    const inOrder = fold(5000, 300, loss)
    const anyOrder = fold(5000, 300, loss, shuffled(5000))
    expect(anyOrder.bucket).toBe(inOrder.bucket)
    expect(anyOrder.iterations).toEqual(inOrder.iterations)
    expect(anyOrder.counts).toEqual(inOrder.counts)
    expect(anyOrder.lossMin).toEqual(inOrder.lossMin)
    expect(anyOrder.lossMax).toEqual(inOrder.lossMax)
    expect(anyOrder.times).toEqual(inOrder.times)
    anyOrder.losses.forEach((m, j) => expect(m).toBeCloseTo(inOrder.losses[j]!, 12))
  })

  it('a non-finite loss makes its point a gap (NaN mean) but not its min and max', () => {
    const p = fold(8, 2, (i) => (i === 7 ? NaN : i))
    expect(p.bucket).toBe(8)
    // Bucket 0 holds iterations 1..7, the 7th diverged; bucket 1 holds iteration 8.
    expect(p.losses[0]).toBeNaN()
    expect([p.lossMin[0], p.lossMax[0], p.counts[0]]).toEqual([1, 6, 7])
    expect([p.losses[1], p.lossMin[1], p.lossMax[1], p.counts[1]]).toEqual([8, 8, 8, 1])
    const q = fold(8, 1, (i) => (i === 7 ? Infinity : i))
    expect(q.losses).toHaveLength(1)
    expect(q.losses[0]).toBeNaN()
    expect([q.lossMin[0], q.lossMax[0], q.counts[0]]).toEqual([1, 8, 8])
  })

  it('never holds more points than the cap, however long it runs', () => {
    const p = emptyLossPoints()
    let most = 0
    for (let i = 1; i <= 200_000; i++) {
      addLoss(p, 64, i, 1)
      most = Math.max(most, p.iterations.length)
    }
    expect(most).toBe(64)
    expect(p.iterations.length).toBeGreaterThan(32)
  })
})

describe('truncateLoss', () => {
  it('drops the points past an iteration, exactly while each point is one iteration', () => {
    const p = fold(10, 100, (i) => i)
    expect(truncateLoss(p, 6)).toBe(true)
    expect(p.iterations).toEqual([1, 2, 3, 4, 5, 6])
    expect(p.counts).toHaveLength(6)
  })

  it('says so when a bucket holds iterations on both sides of the cut', () => {
    const p = fold(1000, 10, (i) => i)
    expect(p.bucket).toBe(128)
    // 256 is the first iteration of a bucket: the cut falls between buckets.
    expect(truncateLoss(p, 255)).toBe(true)
    expect(p.iterations.at(-1)).toBe(255)
    expect(truncateLoss(p, 200)).toBe(false)
    expect(p.iterations.at(-1)).toBe(127)
  })
})
