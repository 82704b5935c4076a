import { describe, expect, it } from 'vitest'
import { fitForest, predictForest, predictTree } from './randomForest'
import { mulberry32 } from './sweep'

function data(n: number, seed: number, f: (x: number[]) => number): { x: number[][]; y: number[] } {
  const rand = mulberry32(seed)
  const x = Array.from({ length: n }, () => [rand(), rand()])
  return { x, y: x.map(f) }
}

describe('randomForest', () => {
  it('learns a step in the feature that has it and ignores the other', () => {
    const { x, y } = data(200, 1, ([a]) => (a! < 0.5 ? 0.2 : 0.8))
    const forest = fitForest(x, y, { trees: 30 })
    expect(predictForest(forest, [0.2, 0.9])).toBeCloseTo(0.2, 2)
    expect(predictForest(forest, [0.8, 0.1])).toBeCloseTo(0.8, 2)
    // Every root splits on the step, near 0.5.
    for (const tree of forest.trees) {
      expect(tree.feature[0]).toBe(0)
      expect(Math.abs(tree.threshold[0]! - 0.5)).toBeLessThan(0.05)
    }
  })

  it('fits a smooth curve closely', () => {
    const { x, y } = data(400, 2, ([a, b]) => Math.sin(6 * a!) + 0.1 * b!)
    const forest = fitForest(x, y, { trees: 50 })
    const test = data(50, 3, ([a, b]) => Math.sin(6 * a!) + 0.1 * b!)
    const mse = test.x.reduce((s, row, i) => s + (predictForest(forest, row) - test.y[i]!) ** 2, 0) / 50
    expect(mse).toBeLessThan(0.01)
  })

  it('is deterministic for a seed and differs between seeds', () => {
    const { x, y } = data(60, 4, ([a, b]) => a! * b!)
    const a = fitForest(x, y, { trees: 10, seed: 5 })
    const b = fitForest(x, y, { trees: 10, seed: 5 })
    const c = fitForest(x, y, { trees: 10, seed: 6 })
    expect(b.trees).toEqual(a.trees)
    expect(c.trees).not.toEqual(a.trees)
    expect(a.inBag.map((s) => [...s])).toEqual(b.inBag.map((s) => [...s]))
  })

  it('keeps at least minLeaf training rows in every leaf and stops at maxDepth', () => {
    const { x, y } = data(100, 7, ([a]) => a!)
    const leaves = (minLeaf: number, maxDepth?: number) => {
      const forest = fitForest(x, y, { trees: 5, minLeaf, maxDepth, maxSamples: 80 })
      return forest.trees.map((tree) => {
        expect(tree.count[0]).toBe(80)
        const depth = new Map<number, number>([[0, 0]])
        const out: { count: number; depth: number }[] = []
        for (let node = 0; node < tree.feature.length; node++) {
          if (tree.feature[node]! < 0) {
            out.push({ count: tree.count[node]!, depth: depth.get(node)! })
            continue
          }
          const l = tree.left[node]!
          const r = tree.right[node]!
          expect(tree.count[l]! + tree.count[r]!).toBe(tree.count[node])
          depth.set(l, depth.get(node)! + 1).set(r, depth.get(node)! + 1)
        }
        return out
      })
    }
    for (const tree of leaves(10)) {
      expect(Math.min(...tree.map((l) => l.count))).toBeGreaterThanOrEqual(10)
      expect(tree.length).toBeGreaterThan(2)
    }
    for (const tree of leaves(1, 3)) {
      expect(Math.max(...tree.map((l) => l.depth))).toBe(3)
      expect(tree.length).toBeLessThanOrEqual(8)
    }
  })

  it('a constant target or too few rows make single-leaf trees', () => {
    const forest = fitForest(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0.5, 0.5, 0.5],
      { trees: 3 },
    )
    for (const tree of forest.trees) expect(tree.feature[0]).toBe(-1)
    expect(predictTree(forest.trees[0]!, [9, 9])).toBe(0.5)
    const one = fitForest([[1]], [0.3], { trees: 2 })
    expect(predictForest(one, [0])).toBe(0.3)
  })

  it('names what is wrong with its input', () => {
    expect(() => fitForest([], [])).toThrow('at least one row')
    expect(() => fitForest([[1], [2]], [1])).toThrow('2 rows but 1 targets')
    expect(() => fitForest([[1, 2], [3]], [1, 2])).toThrow('row 1 has 1 features, not 2')
    expect(() => fitForest([[1], [NaN]], [1, 2])).toThrow('row 1 has a value that is not a finite number')
    expect(() => fitForest([[1], [2]], [1, Infinity])).toThrow('every target must be a finite number')
  })
})
