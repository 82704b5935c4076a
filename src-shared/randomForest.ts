/**
 * A small seeded random forest of regression trees (CART, squared error), enough to ask which
 * hyperparameter of a sweep explains its accuracy (paramImportance.ts). Written here rather than taken
 * from `ml-random-forest` 2.1: its trees (ml-cart) re-partition the rows for every candidate threshold,
 * O(n^2) per feature and node (4.5 s for a 1,000-run sweep of 3 params on the 2-core VM, on the UI
 * thread), and it draws features once per tree rather than at every split. These trees sort each
 * feature once per tree and keep it sorted through the splits, O(n) per feature and level.
 */
import { mulberry32 } from './sweep'

export interface ForestOptions {
  /** Number of trees; default 100. */
  trees?: number
  /** Features tried at each split; default all (bagging only, as fANOVA's forests). */
  maxFeatures?: number
  /** Fewest training rows in a leaf; default 2. */
  minLeaf?: number
  maxDepth?: number
  /** Bootstrap sample size per tree; default the number of rows, capped at 1,000 (big sweeps). */
  maxSamples?: number
  seed?: number
}

/** One tree as flat arrays: node i splits on feature[i] at threshold[i], or is a leaf when feature[i] < 0. */
export interface Tree {
  feature: Int32Array
  threshold: Float64Array
  left: Int32Array
  right: Int32Array
  value: Float64Array
  /** Training rows (bootstrap draws) that reached each node. */
  count: Int32Array
}

export interface Forest {
  trees: Tree[]
  /** The rows each tree trained on (its bootstrap sample), for out-of-bag estimates. */
  inBag: Set<number>[]
  features: number
}

const DEFAULTS = { trees: 100, minLeaf: 2, maxDepth: 32, maxSamples: 1000, seed: 231 }

function checkData(x: readonly (readonly number[])[], y: readonly number[]): number {
  if (x.length === 0) throw new RangeError('a forest needs at least one row')
  if (x.length !== y.length) throw new RangeError(`${x.length} rows but ${y.length} targets`)
  const d = x[0]!.length
  x.forEach((row, i) => {
    if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} features, not ${d}`)
    if (!row.every(Number.isFinite)) throw new RangeError(`row ${i} has a value that is not a finite number`)
  })
  if (!y.every(Number.isFinite)) throw new RangeError('every target must be a finite number')
  return d
}

export function fitForest(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: ForestOptions = {},
): Forest {
  const d = checkData(x, y)
  const o = { ...DEFAULTS, ...options }
  const mtry = Math.max(1, Math.min(d, Math.floor(options.maxFeatures ?? d)))
  const rand = mulberry32(o.seed)
  const n = x.length
  const m = Math.max(1, Math.min(n, Math.floor(o.maxSamples)))
  const cols = Array.from({ length: d }, (_, j) => Float64Array.from(x, (row) => row[j]!))
  const target = Float64Array.from(y)
  const trees: Tree[] = []
  const inBag: Set<number>[] = []
  for (let t = 0; t < o.trees; t++) {
    const rows = Array.from({ length: m }, () => Math.floor(rand() * n))
    trees.push(growTree(cols, target, rows, { mtry, minLeaf: o.minLeaf, maxDepth: o.maxDepth, rand }))
    inBag.push(new Set(rows))
  }
  return { trees, inBag, features: d }
}

interface GrowOptions {
  mtry: number
  minLeaf: number
  maxDepth: number
  rand: () => number
}

function growTree(cols: Float64Array[], y: Float64Array, rows: number[], o: GrowOptions): Tree {
  const feature: number[] = []
  const threshold: number[] = []
  const left: number[] = []
  const right: number[] = []
  const value: number[] = []
  const count: number[] = []
  const d = cols.length
  const m = rows.length
  // The bootstrap sample by position (a row drawn twice is two positions), each feature's positions
  // sorted once; a split partitions every feature's segment stably, so each stays sorted (O(d m) a level).
  const xs = cols.map((col) => Float64Array.from(rows, (r) => col[r]!))
  const ys = Float64Array.from(rows, (r) => y[r]!)
  const sorted = xs.map((col) => {
    const idx = Array.from({ length: m }, (_, p) => p)
    idx.sort((a, b) => col[a]! - col[b]!)
    return Int32Array.from(idx)
  })
  const goesLeft = new Uint8Array(m)
  const buffer = new Int32Array(m)
  const order = Array.from({ length: d }, (_, j) => j)

  const grow = (start: number, end: number, depth: number): number => {
    const node = feature.length
    const n = end - start
    const any = sorted[0]!
    let total = 0
    for (let q = start; q < end; q++) total += ys[any[q]!]!
    feature.push(-1)
    threshold.push(0)
    left.push(-1)
    right.push(-1)
    value.push(total / n)
    count.push(n)
    if (depth >= o.maxDepth || n < 2 * o.minLeaf) return node

    // A fresh random subset of features per split (a Fisher-Yates prefix).
    for (let k = 0; k < o.mtry; k++) {
      const r = k + Math.floor(o.rand() * (d - k))
      ;[order[k], order[r]] = [order[r]!, order[k]!]
    }
    let bestGain = 1e-12 * n
    let bestFeature = -1
    let bestThreshold = 0
    let bestLeft = 0
    // Reduction in squared error of a split: sL^2/nL + sR^2/nR - s^2/n.
    const base = (total * total) / n
    for (let k = 0; k < o.mtry; k++) {
      const j = order[k]!
      const col = xs[j]!
      const idx = sorted[j]!
      let leftSum = 0
      for (let q = start; q < end - 1; q++) {
        leftSum += ys[idx[q]!]!
        const nl = q - start + 1
        if (nl < o.minLeaf || n - nl < o.minLeaf) continue
        const a = col[idx[q]!]!
        const b = col[idx[q + 1]!]!
        if (a === b) continue
        const rs = total - leftSum
        const gain = (leftSum * leftSum) / nl + (rs * rs) / (n - nl) - base
        if (gain > bestGain) {
          bestGain = gain
          bestFeature = j
          bestThreshold = a + (b - a) / 2
          bestLeft = nl
        }
      }
    }
    if (bestFeature < 0) return node
    const col = xs[bestFeature]!
    for (let q = start; q < end; q++) {
      const p = sorted[0]![q]!
      goesLeft[p] = col[p]! <= bestThreshold ? 1 : 0
    }
    for (const idx of sorted) {
      let l = start
      let r = 0
      for (let q = start; q < end; q++) {
        const p = idx[q]!
        if (goesLeft[p]) idx[l++] = p
        else buffer[r++] = p
      }
      idx.set(buffer.subarray(0, r), l)
    }
    feature[node] = bestFeature
    threshold[node] = bestThreshold
    left[node] = grow(start, start + bestLeft, depth + 1)
    right[node] = grow(start + bestLeft, end, depth + 1)
    return node
  }

  grow(0, m, 0)
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    count: Int32Array.from(count),
  }
}

export function predictTree(tree: Tree, row: ArrayLike<number>): number {
  let node = 0
  while (tree.feature[node]! >= 0) {
    node = row[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!
  }
  return tree.value[node]!
}

export function predictForest(forest: Forest, row: ArrayLike<number>): number {
  let sum = 0
  for (const tree of forest.trees) sum += predictTree(tree, row)
  return sum / forest.trees.length
}
