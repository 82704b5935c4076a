/** What `ls`, `show` and the end of `run`/`sweep` report about runs, as plain data (also the --json shape). */
import type { RunConfig } from '../../src-shared/config'
import { isCorrupt, type CorruptRun, type RunListEntry } from '../../src-shared/corruptRun'
import type { MetricEvent, RunError, RunProgress, RunRecord, RunStatus } from '../../src-shared/runs'
import { formatParamValue, SWEEP_TAG_PREFIX } from '../../src-shared/sweep'

export interface RunSummary {
  id: string
  name: string
  status: RunStatus
  sweepId: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  /** Training time so far: start to finish, or to now while running. */
  durationMs: number | null
  dataset: string
  model: RunConfig['model']['kind']
  progress: RunProgress
  bestValAcc: number | null
  testAcc: number | null
  error: RunError | null
  folder: string
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

export function durationMs(r: RunRecord, now = Date.now()): number | null {
  if (r.startedAt === null) return null
  const end = r.finishedAt !== null ? Date.parse(r.finishedAt) : r.status === 'running' ? now : null
  return end === null ? null : end - Date.parse(r.startedAt)
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

export function summarizeMetrics(events: MetricEvent[]): MetricsSummary {
  const s: MetricsSummary = {
    iterations: 0,
    lastIteration: null,
    lastLoss: null,
    minLoss: null,
    epochs: [],
    resumes: 0,
  }
  for (const e of withoutSuperseded(events)) {
    if (e.type === 'iteration') {
      s.iterations++
      s.lastIteration = e.iteration
      s.lastLoss = e.loss
      if (Number.isFinite(e.loss) && (s.minLoss === null || e.loss < s.minLoss)) s.minLoss = e.loss
    } else if (e.type === 'epoch') s.epochs.push(e)
    else s.resumes++
  }
  return s
}

/**
 * A resumed run goes back to its last checkpoint: what the earlier attempt logged after that point was
 * trained again and is dropped, so each iteration and epoch counts once.
 */
function withoutSuperseded(events: MetricEvent[]): MetricEvent[] {
  const kept: MetricEvent[] = []
  for (const e of events) {
    if (e.type === 'resume') {
      const from = e.fromIteration
      for (let i = kept.length - 1; i >= 0; i--) {
        const k = kept[i] as MetricEvent
        if (k.type !== 'resume' && k.iteration > from) kept.splice(i, 1)
      }
    }
    kept.push(e)
  }
  return kept
}
