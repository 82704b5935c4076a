import { describe, expect, it } from 'vitest'
import { Arena, withArena } from '../memory'
import { Rng } from '../rng'
import type { Tensor } from '../tensor'
import { randLabels, randn, values } from '../testing'
import { FullyConnectedNet } from './fcNet'
import { TwoLayerNet } from './twoLayerNet'
import type { LossAndGrads } from './types'

/** A deep copy of loss and gradients, since arena buffers are reused by the next step. */
function snapshot(r: LossAndGrads): { loss: number; grads: Record<string, number[]> } {
  return { loss: r.loss, grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, values(g)])) }
}

function data(N: number, D: number, C: number, dtype: 'float32' | 'float64'): [Tensor, Int32Array] {
  const rng = new Rng(11)
  return [randn(rng, [N, D], { dtype }), randLabels(rng, N, C)]
}

describe('loss inside withArena', () => {
  it('TwoLayerNet: the second step allocates nothing and results match a run without an arena', () => {
    const model = new TwoLayerNet({
      inputDim: 20,
      hiddenDim: 30,
      numClasses: 5,
      weightScale: 0.1,
      reg: 0.1,
      seed: 1,
    })
    const [X, y] = data(8, 20, 5, 'float32')
    const outside = snapshot(model.loss(X, y))

    const arena = new Arena()
    const first = withArena(arena, () => snapshot(model.loss(X, y)))
    const bytes = arena.allocatedBytes
    expect(bytes).toBeGreaterThan(0)
    let aliased: LossAndGrads | null = null
    const second = withArena(arena, () => {
      aliased = model.loss(X, y)
      return snapshot(aliased)
    })
    expect(arena.allocatedBytes).toBe(bytes)
    withArena(arena, () => model.loss(X, y))
    expect(arena.allocatedBytes).toBe(bytes)

    expect(first).toEqual(outside)
    expect(second).toEqual(outside)
    // Scores (test mode) inside the arena agree too.
    const scores = values(model.loss(X))
    expect(withArena(arena, () => values(model.loss(X)))).toEqual(scores)
    expect(aliased).not.toBeNull()
  })

  it('FullyConnectedNet with batchnorm and dropout: steady state allocates nothing, same results', () => {
    const make = (): FullyConnectedNet => {
      const m = new FullyConnectedNet({
        hiddenDims: [16, 12],
        inputDim: 10,
        numClasses: 4,
        normalization: 'batchnorm',
        dropoutKeepRatio: 0.7,
        weightScale: 0.1,
        reg: 0.05,
        seed: 3,
      })
      m.rng = new Rng(5)
      return m
    }
    const [X, y] = data(6, 10, 4, 'float32')
    const plain = make()
    const expected = [snapshot(plain.loss(X, y)), snapshot(plain.loss(X, y)), snapshot(plain.loss(X, y))]

    const model = make()
    const arena = new Arena()
    const got = [withArena(arena, () => snapshot(model.loss(X, y)))]
    const bytes = arena.allocatedBytes
    got.push(withArena(arena, () => snapshot(model.loss(X, y))))
    got.push(withArena(arena, () => snapshot(model.loss(X, y))))
    expect(arena.allocatedBytes).toBe(bytes)
    expect(got).toEqual(expected)
    expect(values(model.bnParams[0]!.runningMean!)).toEqual(values(plain.bnParams[0]!.runningMean!))
  })
})
