/**
 * The one typed contract between the UI and main, declared once: every method with its argument and
 * result types, and every event. Electron implements it over IPC (a preload exposing one function per
 * method), the browser mode over a token-guarded WebSocket; the renderer's api/ module speaks it either
 * way. Main validates every argument: the renderer is untrusted.
 */
import type { CorruptRun, RunListEntry } from './corruptRun'
import type { EngineInfo } from './engine-info'
import type { FieldIssue } from './fieldIssue'
import type { MetricEvent, RunRecord } from './runs'
import type { SanityReport } from './sanity'
import type { SweepSpec } from './sweep'

export const CONTRACT_VERSION = 1

/** Method names, `as const` so the preload's whitelist and the types come from one list. */
export const METHODS = [
  'app.info',
  'runs.list',
  'runs.get',
  'runs.metrics',
  'runs.create',
  'runs.createSweep',
  'runs.cancel',
  'runs.resume',
  'runs.reorder',
  'runs.queue',
  'runs.mosaic',
  'runs.export',
  'runs.exportCheckpoint',
  'sweeps.get',
  'checks.run',
  'datasets.list',
  'examples.list',
] as const
export type MethodName = (typeof METHODS)[number]

export const EVENTS = ['run', 'metrics', 'queue', 'notice'] as const
export type EventName = (typeof EVENTS)[number]

export interface AppInfo {
  version: string
  contractVersion: number
  engine: EngineInfo
  /** 'electron' or 'browser': the UI hides what a mode cannot do (e.g. native folder pickers). */
  mode: 'electron' | 'browser'
  dataDir: string
  maxThreads: number
  /** What the runs training at once may take together (the New Run form shows a run's estimate against it). */
  memoryBudgetBytes: number
}

export interface DatasetSummary {
  name: string
  source: 'download' | 'import' | 'builtin'
  format: string
  counts: { train: number; test: number }
  /** (C, H, W) */
  shape: [number, number, number]
  classNames: string[]
  sizeOnDisk: number
}

export interface Example {
  /** File name in examples/, e.g. 'seed-two-layer.json'. */
  file: string
  kind: 'run' | 'sweep'
  name: string
  /** The config or sweep spec as written. */
  value: unknown
}

export interface QueueState {
  running: string[]
  queued: string[]
}

/**
 * First-layer weights for the mosaic (the seed's visualize_grid): W1 as (D, H) float32 little-endian,
 * base64 so it travels as JSON too, for one saved epoch.
 */
export interface MosaicData {
  /** Epochs with a saved snapshot, ascending. */
  epochs: number[]
  /** Epochs whose snapshot is damaged (left out of `epochs`), ascending: views and reports say so. */
  damagedEpochs: number[]
  epoch: number
  /** Image shape of one column of W1: (C, H, W). */
  shape: [number, number, number]
  /** Number of hidden units (columns of W1). */
  units: number
  /** base64 of D * units float32 values, row-major (D, units). */
  weights: string
}

/** A sweep as queued: its spec (the searched ranges) and its runs' ids in queue order. */
export interface SweepRecord {
  version: number
  id: string
  createdAt: string
  spec: SweepSpec
  runIds: string[]
}

export const EXPORT_FORMATS = ['html', 'pdf', 'csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  /** Language of a report's text and number formats; default en. */
  locale?: 'en' | 'zh-CN'
}

export interface ResumeOptions {
  /** Restart from iteration 0 instead of the last checkpoint (the curve so far is replaced). */
  fresh?: boolean
}

/** A file made for the user to save (the renderer offers it as a download in both modes). */
export interface ExportedFile {
  fileName: string
  mime: string
  /** The file's bytes, base64. */
  base64: string
}

/** How many loss points runs.metrics sends by default, and at most (each point is about 100 bytes of JSON). */
export const METRICS_POINTS_DEFAULT = 8000
export const METRICS_POINTS_MAX = 20_000

export interface MetricsOptions {
  /** At most this many loss points, 1 to METRICS_POINTS_MAX; default METRICS_POINTS_DEFAULT. */
  maxPoints?: number
}

/**
 * A run's metrics as the UI draws them (src-shared/lossPoints.ts): the loss as at most `maxPoints`
 * points, exact (bucket 1) while the run has no more logged iterations than that, else the mean, min and
 * max of each bucket of `bucket` iterations; the accuracy checks and resumes always whole. Superseded
 * and duplicated log lines are gone. Non-finite numbers are null, so every transport sends the same.
 * Full resolution is what exports are for (runs.export, `workbench export`).
 */
export interface MetricsSeries {
  /** Iterations per loss point, a power of two; 1 = every logged iteration is a point of its own. */
  bucket: number
  /** How many iterations the log holds, each counted once. */
  iterationCount: number
  /** Per point: its last iteration, mean loss, lowest and highest loss, iteration count, wall-clock ms of its last iteration. */
  iterations: number[]
  losses: (number | null)[]
  lossMin: (number | null)[]
  lossMax: (number | null)[]
  counts: number[]
  times: (number | null)[]
  /** The last logged iteration as it was logged (its point shows a mean); null before the first. */
  last: { iteration: number; loss: number | null; t: number | null } | null
  /** Accuracy checks in epoch order (lr null where the run did not report it). */
  epochs: Extract<MetricEvent, { type: 'epoch' }>[]
  /** Where the run was resumed from a checkpoint, in order. */
  resumes: Extract<MetricEvent, { type: 'resume' }>[]
}

/** Arguments and results of every method; `args` is a tuple passed positionally. */
export interface Methods {
  'app.info': { args: []; result: AppInfo }
  /** Every run; one whose run.json is damaged comes as a CorruptRun (status 'corrupt', file, reason). */
  'runs.list': { args: []; result: RunListEntry[] }
  'runs.get': { args: [id: string]; result: RunRecord }
  'runs.metrics': { args: [id: string, options?: MetricsOptions]; result: MetricsSeries }
  /** config: a RunConfigInput; invalid configs reject with field errors. */
  'runs.create': { args: [config: unknown]; result: RunRecord }
  'runs.createSweep': { args: [spec: unknown]; result: { sweepId: string; runs: RunRecord[] } }
  'runs.cancel': { args: [id: string]; result: RunRecord }
  /**
   * From the newest usable checkpoint; with none usable it rejects with code 'no-checkpoint' unless
   * `fresh`, which restarts the run from iteration 0.
   */
  'runs.resume': { args: [id: string, options?: ResumeOptions]; result: RunRecord }
  'runs.reorder': { args: [id: string, index: number]; result: string[] }
  'runs.queue': { args: []; result: QueueState }
  /** The latest snapshot when epoch is omitted; null when the run has none yet. */
  'runs.mosaic': { args: [id: string, epoch?: number]; result: MosaicData | null }
  /** A report (html, pdf) or the metrics (csv, json) of one or more runs. */
  'runs.export': {
    args: [ids: string[], format: ExportFormat, options?: ExportOptions]
    result: ExportedFile
  }
  /** The best parameters (and batchnorm statistics) of a run as .safetensors. */
  'runs.exportCheckpoint': { args: [id: string]; result: ExportedFile }
  /** `corrupt`: the sweep's runs whose run.json is damaged (the others are in `runs`). */
  'sweeps.get': {
    args: [sweepId: string]
    result: { sweep: SweepRecord; runs: RunRecord[]; corrupt: CorruptRun[] }
  }
  /**
   * config: a RunConfigInput. Its sanity checks (initial loss, regularisation, gradient, overfit) in a
   * worker thread; invalid configs reject with field errors. Queuing the identical config afterwards
   * (with the report's seed) stores the report with the run.
   */
  'checks.run': { args: [config: unknown]; result: SanityReport }
  'datasets.list': { args: []; result: DatasetSummary[] }
  'examples.list': { args: []; result: Example[] }
}

export interface Events {
  run: RunRecord
  metrics: { runId: string; events: MetricEvent[] }
  queue: QueueState
  notice: Notice
}

export type StorageProblemCode = 'disk-full' | 'permission' | 'read-only' | 'io' | 'removed'

/**
 * Something a person must act on beyond one run's outcome: the data folder could not be written (disk full,
 * permissions, removed). The UI shows it as a banner until dismissed.
 */
export interface Notice {
  kind: 'storage'
  /** What a person has to fix; the UI words it in its language, `message` is the English text. */
  code: StorageProblemCode
  /** The folder concerned. */
  path: string
  message: string
  /** The run whose write failed, when it was a run's. */
  runId: string | null
  at: string
}

/** An error as it crosses the boundary: a code to branch on and, for configs, each field. */
export interface ApiError {
  code: string
  message: string
  /** `issue` and `item`: what is wrong, as data, for the UI to word in its language (src-shared/fieldIssue.ts). */
  fields?: { path: string; message: string; issue?: FieldIssue; item?: number }[]
}

/** The API as the renderer sees it, however it is transported. */
export type Api = {
  [M in MethodName]: (...args: Methods[M]['args']) => Promise<Methods[M]['result']>
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}

/** Browser-mode WebSocket frames. */
export type ClientFrame = { id: number; method: MethodName; args: unknown[] }
export type ServerFrame =
  { id: number; result: unknown } | { id: number; error: ApiError } | { event: EventName; payload: unknown }
