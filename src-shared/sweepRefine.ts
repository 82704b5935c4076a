/**
 * Coarse-to-fine search, as CS231n teaches it: after a coarse sweep, look where the best runs landed, warn
 * when the best sits at the edge of a range (the optimum may lie beyond it), and draft a finer random sweep
 * around the best runs.
 */
import { cloneData, getPath, isPlainObject } from './paths'
import type { RunRecord } from './runs'
import {
  deriveSweepSeed,
  formatParamValue,
  SWEEP_TAG_PREFIX,
  type ParamSpec,
  type RangeParam,
  type SweepSpec,
} from './sweep'

export interface EdgeWarning {
  path: string
  edge: 'min' | 'max'
  value: number
  message: string
}

export interface RefineOptions {
  topK?: number
  samples?: number
}

/** The share of a range, at each end, in which the best value counts as being at the edge. */
const EDGE_FRACTION = 0.1
/** Padding around the top runs' values, as a share of the old width: they are a sample, not the optimum. */
const PAD_FRACTION = 0.25
/** How far past an edge holding the best run the refined range reaches, as a share of the old width. */
const EXTEND_FRACTION = 0.5
const DEFAULT_SAMPLES = 8
const MAX_NAME = 64 - SWEEP_TAG_PREFIX.length

/** Completed runs, best first; runs without a result have nothing to rank them by. */
function ranked(runs: RunRecord[]): RunRecord[] {
  return runs
    .filter((r) => r.result !== null && Number.isFinite(r.result.bestValAcc))
    .sort((a, b) => (b.result?.bestValAcc ?? 0) - (a.result?.bestValAcc ?? 0))
}

function rangesOf(spec: SweepSpec): [string, RangeParam][] {
  return Object.entries(spec.params).filter((e): e is [string, RangeParam] => !('values' in e[1]))
}

/** Position along the range; log ranges are measured in log space, where random search samples them. */
function toSpace(p: RangeParam, x: number): number {
  return p.scale === 'log' ? Math.log10(x) : x
}

function fromSpace(p: RangeParam, y: number): number {
  return p.scale === 'log' ? 10 ** y : y
}

/** The top runs' numeric values at `path`, best first; runs that did not set it are skipped. */
function topValues(sorted: RunRecord[], path: string, p: RangeParam, topK: number): number[] {
  const values: number[] = []
  for (const r of sorted) {
    const v = getPath(r.config, path)
    if (typeof v !== 'number' || !Number.isFinite(v) || (p.scale === 'log' && v <= 0)) continue
    values.push(v)
    if (values.length >= topK) break
  }
  return values
}

function edgeOf(p: RangeParam, v: number): 'min' | 'max' | null {
  const width = toSpace(p, p.max) - toSpace(p, p.min)
  if (!(width > 0)) return null
  const t = (toSpace(p, v) - toSpace(p, p.min)) / width
  if (t <= EDGE_FRACTION) return 'min'
  if (t >= 1 - EDGE_FRACTION) return 'max'
  return null
}

/** Range params whose best run lies in the outer tenth of the searched range. */
export function edgeWarnings(spec: SweepSpec, runs: RunRecord[], topK = 3): EdgeWarning[] {
  const sorted = ranked(runs)
  const k = Math.max(1, Math.floor(topK))
  const warnings: EdgeWarning[] = []
  for (const [path, p] of rangesOf(spec)) {
    const values = topValues(sorted, path, p, k)
    const best = values[0]
    if (best === undefined) continue
    const edge = edgeOf(p, best)
    if (edge === null) continue
    const there = values.filter((v) => edgeOf(p, v) === edge).length
    const also = there > 1 ? ` (as are ${there} of the top ${values.length})` : ''
    const where = edge === 'max' ? 'top' : 'bottom'
    const range = `[${formatParamValue(p.min)}, ${formatParamValue(p.max)}]`
    const message = `${path}: the best run used ${formatParamValue(best)}, at the ${where} of the searched range ${range}${also}; widen the range`
    warnings.push({ path, edge, value: best, message })
  }
  return warnings
}

/** Three significant digits keep the drafted spec readable; the bounds are a guide, not a measurement. */
const tidy = (x: number): number => Number(x.toPrecision(3))

function refineRange(p: RangeParam, values: number[]): RangeParam {
  const best = values[0]
  const oldLo = toSpace(p, p.min)
  const oldHi = toSpace(p, p.max)
  const width = oldHi - oldLo
  if (best === undefined || !(width > 0))
    return { min: p.min, max: p.max, scale: p.scale, integer: p.integer }
  // Values from outside the range (another sweep's runs) are read as its nearest end.
  const ys = values.map((v) => Math.min(oldHi, Math.max(oldLo, toSpace(p, v))))
  const edge = edgeOf(p, best)
  let lo = Math.max(oldLo, Math.min(...ys) - PAD_FRACTION * width)
  let hi = Math.min(oldHi, Math.max(...ys) + PAD_FRACTION * width)
  if (edge === 'min') lo = oldLo - EXTEND_FRACTION * width
  if (edge === 'max') hi = oldHi + EXTEND_FRACTION * width
  let min = fromSpace(p, lo)
  let max = fromSpace(p, hi)
  // A positive linear range (a size, a rate) must not be extended across zero.
  if (p.scale === 'linear' && p.min > 0 && min <= 0) min = p.min / 2
  if (p.integer) {
    min = Math.floor(min)
    max = Math.ceil(max)
    if (edge !== 'min') min = Math.max(min, Math.ceil(p.min))
    if (edge !== 'max') max = Math.min(max, Math.floor(p.max))
    // Random search draws log-scale integers from lo - 0.5, and a positive size stays at least 1.
    if (p.min >= 1) min = Math.max(1, min)
  } else {
    min = tidy(min)
    max = tidy(max)
    if (edge !== 'min') min = Math.max(min, p.min)
    if (edge !== 'max') max = Math.min(max, p.max)
  }
  return { min, max: Math.max(min, max), scale: p.scale, integer: p.integer }
}

/** JSON with sorted keys, so that a config's choice matches the spec's however its keys were ordered. */
function keyOf(v: unknown): string {
  const sortKeys = (_k: string, x: unknown): unknown =>
    isPlainObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x
  return JSON.stringify(v, sortKeys) ?? String(v)
}

function refineChoices(values: unknown[], sorted: RunRecord[], path: string, topK: number): unknown[] {
  const used = new Set(sorted.slice(0, topK).map((r) => keyOf(getPath(r.config, path))))
  const kept = values.filter((v) => used.has(keyOf(v)))
  return kept.length > 0 ? kept : values
}

/** `x (refined)`, then `x (refined 2)`, …: each sweep needs its own name, since it tags its runs by it. */
function refinedName(name: string): string {
  const m = /^(.*) \(refined(?: (\d+))?\)$/.exec(name)
  const stem = m ? (m[1] as string) : name
  const suffix = m ? ` (refined ${Number(m[2] ?? 1) + 1})` : ' (refined)'
  return stem.slice(0, MAX_NAME - suffix.length).trimEnd() + suffix
}

/**
 * How many of the best runs to centre a refinement on when a person picked "top K": never more than
 * half of the finished runs, since ranges spanning all of them would draft the same search again
 * (3 runs, K = 5: the best 2).
 */
export function refineTopK(topK: number, finished: number): number {
  return Math.max(1, Math.min(Math.floor(topK), Math.ceil(finished / 2)))
}

/**
 * Drafts the next, finer sweep from a finished one: random search over ranges spanning the top-K runs
 * (padded, clamped to the old range unless the best sat at an edge, which is then pushed past), and over
 * only the choices the top-K runs used.
 */
export function refineSweep(spec: SweepSpec, runs: RunRecord[], options: RefineOptions = {}): SweepSpec {
  const topK = Math.max(1, Math.floor(options.topK ?? 3))
  const sorted = ranked(runs)
  const params: Record<string, ParamSpec> = {}
  for (const [path, p] of Object.entries(spec.params)) {
    params[path] =
      'values' in p
        ? { values: cloneData(refineChoices(p.values, sorted, path, topK)) }
        : refineRange(p, topValues(sorted, path, p, topK))
  }
  const seed = ((spec.seed ?? deriveSweepSeed(spec)) + 1) % 2 ** 32
  return {
    version: spec.version,
    name: refinedName(spec.name),
    base: cloneData(spec.base),
    method: 'random',
    samples: options.samples ?? spec.samples ?? DEFAULT_SAMPLES,
    seed,
    params,
  }
}
