/**
 * Which hyperparameter of a sweep mattered for its best validation accuracy: a seeded random forest
 * (randomForest.ts) is fitted to the runs, and each param's importance is its fANOVA main effect, the
 * share of the accuracy's variance that the param explains on its own. The main effect is the forest's
 * partial dependence on the param (the forest averaged over the runs with the param set to each of its
 * values), whose variance over the param's values, divided by the accuracy's variance, is the share.
 * Alongside: Spearman's and Pearson's correlation for numeric params (log params in log space) and each
 * value's mean for categorical ones. Pure and deterministic: the same runs give the same panel.
 */
import { pearson, spearman } from './correlation'
import { fitForest, predictTree, type Forest } from './randomForest'
import { getPath, isPlainObject } from './paths'
import type { RunRecord } from './runs'
import { formatParamValue, mulberry32, type SweepSpec } from './sweep'

/** Fewer finished runs than this say nothing reliable about any param. */
export const IMPORTANCE_MIN_RUNS = 8
/** And at least this many per varied param: a forest on fewer rows ranks noise as high as the cause. */
export const IMPORTANCE_RUNS_PER_PARAM = 3
/** Below this out-of-bag R², the params predict the accuracy hardly better than its mean does. */
export const IMPORTANCE_WEAK_FIT = 0.1
export const IMPORTANCE_TREES = 100
const SEED = 231
/** Partial dependence is averaged over at most this many runs and evaluated at this many values. */
const MAX_BACKGROUND = 100
const MAX_GRID = 32
/** Numeric choices spanning this ratio or more (1e-4, 1e-3, 1e-2) are read in log space. */
const LOG_CHOICE_RATIO = 100

export type ParamScale = 'log' | 'linear' | 'category'

export interface CategoryMean {
  value: unknown
  label: string
  /** Mean best validation accuracy of the runs that used it, and how many did. */
  mean: number
  runs: number
}

export interface ParamImportance {
  path: string
  scale: ParamScale
  /** Distinct values among the runs analysed. */
  distinct: number
  /** The main effect's share of the accuracy's variance, in [0, 1]; null when not computed. */
  importance: number | null
  /** Numeric params: rank correlation with the accuracy, and Pearson's r (of log10 values on log scale). */
  spearman: number | null
  pearson: number | null
  /** Categorical params: each value's mean accuracy, best first. */
  categories: CategoryMean[]
}

export type ImportanceStatus = 'ok' | 'tooFewRuns' | 'noVaried' | 'noSpread'

export interface SweepImportance {
  status: ImportanceStatus
  /** Runs in the analysis: the completed ones with a result, plus the diverged ones. */
  used: number
  completed: number
  /** Diverged runs count as the worst accuracy of the completed ones (`worst`): their params did it. */
  diverged: number
  worst: number | null
  /** Left out: failed for another reason (a crash, memory, the dataset) or completed without a result. */
  failed: number
  /** Left out: queued, running, cancelled or interrupted. */
  unfinished: number
  /** Left out: the run's config has no usable value for a swept param. */
  noValue: number
  /** The runs the analysis needs: max(IMPORTANCE_MIN_RUNS, IMPORTANCE_RUNS_PER_PARAM per varied param). */
  needed: number
  /** Varied params by importance, most important first; then those that took one value. */
  params: ParamImportance[]
  /** The accuracy's variance the main effects leave: interactions between params and run-to-run noise. */
  rest: number | null
  /** Out-of-bag R² of the forest: how well the params predict the accuracy of runs a tree did not see. */
  fit: number | null
  trees: number
}

/** JSON with sorted keys: a choice matches however its keys are ordered. */
function keyOf(v: unknown): string {
  const sortKeys = (_k: string, x: unknown): unknown =>
    isPlainObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x
  return JSON.stringify(v, sortKeys) ?? String(v)
}

function scaleOf(spec: SweepSpec, path: string): ParamScale {
  const p = spec.params[path]!
  if (!('values' in p)) return p.scale === 'log' ? 'log' : 'linear'
  const nums = p.values
  if (!nums.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) return 'category'
  const min = Math.min(...nums)
  return min > 0 && Math.max(...nums) / min >= LOG_CHOICE_RATIO ? 'log' : 'linear'
}

/** The number a tree splits on: log10 on log scale; categories get their code later. */
function numericValue(scale: ParamScale, v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null
  if (scale === 'log') return v > 0 ? Math.log10(v) : null
  return v
}

interface Row {
  values: unknown[]
  acc: number
}

function variance(xs: readonly number[]): number {
  if (xs.length === 0) return 0
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return xs.reduce((a, b) => a + (b - m) * (b - m), 0) / xs.length
}

export function sweepImportance(spec: SweepSpec, runs: readonly RunRecord[]): SweepImportance {
  const paths = Object.keys(spec.params)
  const scales = paths.map((p) => scaleOf(spec, p))
  // Sorted by id, so the forest sees the same rows in the same order whatever order they were listed in.
  const sorted = [...runs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const completed: RunRecord[] = []
  const diverged: RunRecord[] = []
  let failed = 0
  let unfinished = 0
  for (const r of sorted) {
    if (r.status === 'completed') {
      if (r.result && Number.isFinite(r.result.bestValAcc)) completed.push(r)
      else failed++
    } else if (r.status === 'failed') {
      if (r.error?.reason === 'diverged') diverged.push(r)
      else failed++
    } else unfinished++
  }
  const accs = completed.map((r) => r.result!.bestValAcc)
  const worst = accs.length > 0 ? Math.min(...accs) : null

  let noValue = 0
  const rows: Row[] = []
  const members = worst === null ? completed : [...completed, ...diverged]
  for (const r of members) {
    const values = paths.map((p) => getPath(r.config, p))
    if (values.some((v, j) => scales[j] !== 'category' && numericValue(scales[j]!, v) === null)) {
      noValue++
      continue
    }
    rows.push({ values, acc: r.status === 'completed' ? r.result!.bestValAcc : worst! })
  }

  const distinct = paths.map((_, j) => new Set(rows.map((r) => keyOf(r.values[j]))).size)
  const varied = distinct.filter((n) => n >= 2).length
  const needed = Math.max(IMPORTANCE_MIN_RUNS, IMPORTANCE_RUNS_PER_PARAM * Math.max(1, varied))
  const y = rows.map((r) => r.acc)
  // Accuracies that differ by less than a millionth (rounding) are the same accuracy.
  const status: ImportanceStatus =
    rows.length < needed ? 'tooFewRuns' : varied === 0 ? 'noVaried' : variance(y) < 1e-12 ? 'noSpread' : 'ok'

  const base = {
    status,
    used: rows.length,
    completed: completed.length,
    diverged: diverged.length,
    worst,
    failed,
    unfinished,
    noValue,
    needed,
    trees: IMPORTANCE_TREES,
  }
  const blank = (j: number): ParamImportance => ({
    path: paths[j]!,
    scale: scales[j]!,
    distinct: distinct[j]!,
    importance: null,
    spearman: null,
    pearson: null,
    categories: [],
  })
  if (status !== 'ok') return { ...base, params: paths.map((_, j) => blank(j)), rest: null, fit: null }

  const encoded = encode(rows, scales)
  const variedIdx = paths.map((_, j) => j).filter((j) => distinct[j]! >= 2)
  const x = encoded.x.map((row) => variedIdx.map((j) => row[j]!))
  const forest = fitForest(x, y, { trees: IMPORTANCE_TREES, seed: SEED })
  const totalVar = variance(y)
  const shares = mainEffects(forest, x, variedIdx.length).map((v) => Math.min(1, v / totalVar))

  const params = paths.map((_, j): ParamImportance => {
    const p = blank(j)
    const k = variedIdx.indexOf(j)
    if (k < 0) return p
    p.importance = shares[k]!
    if (scales[j] === 'category') p.categories = categoryMeans(rows, j)
    else {
      const xs = encoded.x.map((row) => row[j]!)
      p.spearman = spearman(xs, y)
      p.pearson = pearson(xs, y)
    }
    return p
  })
  params.sort((a, b) => (b.importance ?? -1) - (a.importance ?? -1))
  const sum = shares.reduce((a, b) => a + b, 0)
  return {
    ...base,
    params,
    rest: Math.max(0, 1 - sum),
    fit: oobR2(forest, x, y),
  }
}

/**
 * Numbers for the trees: numeric params as they are (log10 on log scale), categories by the rank of
 * their mean accuracy, which lets one threshold split them as well as any grouping (Breiman's ordering).
 */
function encode(rows: Row[], scales: ParamScale[]): { x: number[][] } {
  const codes = scales.map((s, j) => {
    if (s !== 'category') return null
    const means = categoryMeans(rows, j)
    return new Map(means.map((m, i) => [keyOf(m.value), means.length - 1 - i]))
  })
  return {
    x: rows.map((r) =>
      r.values.map((v, j) => {
        const c = codes[j]
        return c ? c.get(keyOf(v))! : numericValue(scales[j]!, v)!
      }),
    ),
  }
}

function categoryMeans(rows: Row[], j: number): CategoryMean[] {
  const by = new Map<string, { value: unknown; sum: number; n: number }>()
  for (const r of rows) {
    const k = keyOf(r.values[j])
    const e = by.get(k) ?? { value: r.values[j], sum: 0, n: 0 }
    e.sum += r.acc
    e.n++
    by.set(k, e)
  }
  return [...by.entries()]
    .map(([k, e]) => ({ k, value: e.value, label: formatParamValue(e.value), mean: e.sum / e.n, runs: e.n }))
    .sort((a, b) => b.mean - a.mean || (a.k < b.k ? -1 : 1))
    .map(({ value, label, mean, runs }) => ({ value, label, mean, runs }))
}

/**
 * Each feature's main-effect variance: the forest's partial dependence on it, evaluated at its observed
 * values (weighted by how often each was used, the sweep's own distribution), averaged over the runs.
 */
function mainEffects(forest: Forest, x: number[][], d: number): number[] {
  const rand = mulberry32(SEED + 1)
  const background = x.length <= MAX_BACKGROUND ? x : sample(x, MAX_BACKGROUND, rand)
  return Array.from({ length: d }, (_, j) => {
    const grid = gridOf(x.map((row) => row[j]!))
    const effect = grid.map(({ value }) => {
      let sum = 0
      const row = new Float64Array(d)
      for (const b of background) {
        row.set(b)
        row[j] = value
        for (const tree of forest.trees) sum += predictTree(tree, row)
      }
      return sum / (background.length * forest.trees.length)
    })
    const mean = grid.reduce((a, g, i) => a + g.weight * effect[i]!, 0)
    return grid.reduce((a, g, i) => a + g.weight * (effect[i]! - mean) ** 2, 0)
  })
}

/** The distinct values with their frequencies; many values are thinned to quantiles of equal weight. */
function gridOf(values: number[]): { value: number; weight: number }[] {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  if (counts.size <= MAX_GRID) {
    return [...counts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([value, n]) => ({ value, weight: n / values.length }))
  }
  const s = [...values].sort((a, b) => a - b)
  return Array.from({ length: MAX_GRID }, (_, i) => ({
    value: s[Math.min(s.length - 1, Math.floor(((i + 0.5) / MAX_GRID) * s.length))]!,
    weight: 1 / MAX_GRID,
  }))
}

function sample<T>(xs: T[], k: number, rand: () => number): T[] {
  const copy = [...xs]
  for (let i = 0; i < k; i++) {
    const r = i + Math.floor(rand() * (copy.length - i))
    ;[copy[i], copy[r]] = [copy[r]!, copy[i]!]
  }
  return copy.slice(0, k)
}

/** R² of each run's prediction by the trees that did not train on it; null when every tree saw every run. */
function oobR2(forest: Forest, x: number[][], y: number[]): number | null {
  let sse = 0
  let n = 0
  const mean = y.reduce((a, b) => a + b, 0) / y.length
  let sst = 0
  x.forEach((row, i) => {
    let sum = 0
    let k = 0
    forest.trees.forEach((tree, t) => {
      if (forest.inBag[t]!.has(i)) return
      sum += predictTree(tree, row)
      k++
    })
    if (k === 0) return
    sse += (y[i]! - sum / k) ** 2
    sst += (y[i]! - mean) ** 2
    n++
  })
  return n === 0 || sst <= 0 ? null : 1 - sse / sst
}
