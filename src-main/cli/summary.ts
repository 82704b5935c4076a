/** What `ls`, `show` and the end of `run`/`sweep` report about runs, as plain data (also the --json shape). */
import type { RunConfig } from '../../src-shared/config'
import type { MetricsSeries } from '../../src-shared/contract'
import { isCorrupt, type CorruptRun, type RunListEntry } from '../../src-shared/corruptRun'
import type { MetricEvent, RunError, RunProgress, RunRecord, RunStatus } from '../../src-shared/runs'
import { runDurationMs } from '../../src-shared/runTiming'
import { formatParamValue, SWEEP_TAG_PREFIX } from '../../src-shared/sweep'

export interface RunSummary {
  id: string
  name: string
  status: RunStatus
  sweepId: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  /** Training time so far: the sum of its attempts, up to now while running (not the time it lay dead). */
  durationMs: number | null
  dataset: string
  model: RunConfig['model']['kind']
  progress: RunProgress
  bestValAcc: number | null
  testAcc: number | null
  error: RunError | null
  folder: string
  tags: string[]
  /** Hidden from `ls` (and the app's table) unless asked for. */
  archived: boolean
}

/** A run whose run.json cannot be read: the file, the reason, and what could be salvaged. */
export interface CorruptSummary {
  id: string
  name: string | null
  status: 'corrupt'
  sweepId: string | null
  createdAt: string | null
  problem: CorruptRun['problem']
  folder: string
}

export function summarizeEntry(
  e: RunListEntry,
  folder: string,
  now = Date.now(),
): RunSummary | CorruptSummary {
  if (!isCorrupt(e)) return summarize(e, folder, now)
  return {
    id: e.id,
    name: e.name ?? null,
    status: 'corrupt',
    sweepId: e.sweepId ?? null,
    createdAt: e.createdAt ?? null,
    problem: e.problem,
    folder,
  }
}

export function summarize(r: RunRecord, folder: string, now = Date.now()): RunSummary {
  return {
    id: r.id,
    name: r.config.name,
    status: r.status,
    sweepId: r.sweepId,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: durationMs(r, now),
    dataset: r.config.dataset.name,
    model: r.config.model.kind,
    progress: r.progress,
    bestValAcc: r.result?.bestValAcc ?? null,
    testAcc: r.result?.testAcc ?? null,
    error: r.error,
    folder,
    tags: [...r.config.tags],
    archived: r.archived ?? false,
  }
}

/** A sweep run's name without its sweep's name (`#3 lr=1e-3 reg=0.1`): what tells its runs apart. */
export function shortRunName(config: RunConfig): string {
  for (const tag of config.tags) {
    const sweepName = tag.startsWith(SWEEP_TAG_PREFIX) ? tag.slice(SWEEP_TAG_PREFIX.length) : null
    if (sweepName && config.name.startsWith(`${sweepName} #`)) return config.name.slice(sweepName.length + 1)
  }
  return config.name
}

/** Training time (the sum of its attempts; see runTiming.ts), up to now while it trains. */
export function durationMs(r: RunRecord, now = Date.now()): number | null {
  return runDurationMs(r, now)
}

/** Fields that say nothing about the model or its training. */
const NOT_HYPERPARAMETERS = new Set(['version', 'name', 'tags', 'notes', 'seed'])

/** Dotted paths and values of every leaf of a config, arrays included (`model.hiddenDims.0`). */
export function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value)
    return entries.flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
  }
  return [[prefix, value]]
}

/** The hyperparameters that differ between configs (a sweep's params), in config order. */
export function varyingPaths(configs: RunConfig[]): string[] {
  const seen = new Map<string, Set<string>>()
  for (const c of configs) {
    const present = new Set<string>()
    for (const [path, v] of leaves(c)) {
      if (NOT_HYPERPARAMETERS.has(path.split('.')[0] as string)) continue
      present.add(path)
      if (!seen.has(path)) seen.set(path, new Set())
      seen.get(path)?.add(JSON.stringify(v))
    }
    // A path some configs lack (hiddenDims of different lengths) varies too.
    for (const path of seen.keys()) if (!present.has(path)) seen.get(path)?.add('absent')
  }
  return [...seen].filter(([, values]) => values.size > 1).map(([path]) => path)
}

/** `solver.optimConfig.learningRate` -> `learningRate`, `model.hiddenDims.1` -> `hiddenDims[1]`. */
export function paramLabel(path: string): string {
  const parts = path.split('.')
  const last = parts.at(-1) as string
  return /^\d+$/.test(last) && parts.length > 1 ? `${parts.at(-2)}[${last}]` : last
}

export function paramValue(config: RunConfig, path: string): string {
  const value = leaves(config).find(([p]) => p === path)?.[1]
  return value === undefined ? '-' : formatParamValue(value)
}

export type EpochEvent = Extract<MetricEvent, { type: 'epoch' }>

export interface MetricsSummary {
  iterations: number
  lastIteration: number | null
  lastLoss: number | null
  /** The lowest loss of any logged iteration. */
  minLoss: number | null
  /** Every epoch check (epoch 0 is the check after the first iteration). */
  epochs: EpochEvent[]
  resumes: number
}

/**
 * `show`'s numbers from the run's series (store/metricsRead.ts), which counts each iteration once and
 * keeps the last one and the lowest loss exactly whatever its bucket size: so `show` reads a log of any
 * length in bounded memory.
 */
export function summarizeSeries(s: MetricsSeries): MetricsSummary {
  let minLoss: number | null = null
  for (const v of s.lossMin) if (v !== null && (minLoss === null || v < minLoss)) minLoss = v
  return {
    iterations: s.iterationCount,
    lastIteration: s.last?.iteration ?? null,
    // A diverged last step stays NaN (printed as such, null in --json) rather than looking absent.
    lastLoss: s.last ? (s.last.loss ?? NaN) : null,
    minLoss,
    epochs: s.epochs,
    resumes: s.resumes.length,
  }
}
