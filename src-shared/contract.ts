/**
 * The one typed contract between the UI and main, declared once: every method with its argument and
 * result types, and every event. Electron implements it over IPC (a preload exposing one function per
 * method), the browser mode over a token-guarded WebSocket; the renderer's api/ module speaks it either
 * way. Main validates every argument: the renderer is untrusted.
 */
import type { CorruptRun, RunListEntry } from './corruptRun'
import type { EngineInfo } from './engine-info'
import type { FieldIssue } from './fieldIssue'
import type { LayerCapture, LayerSeries } from './layerStats'
import type { MetricEvent, RunRecord } from './runs'
import type { RunEditInput } from './runMeta'
import type { GroupOptions } from './runGroups'
import type { SanityReport } from './sanity'
import type { SettingsInfo, SettingsPatch } from './settings'
import type { SplitSizes } from './splits'
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
  // Datasets page (issue 12, section 2): sources, import/download jobs, preview, removal, folder picker.
  'datasets.sources',
  'datasets.jobs',
  'datasets.inspectFolder',
  'datasets.import',
  'datasets.download',
  'datasets.cancelJob',
  'datasets.dismissJob',
  'datasets.preview',
  'datasets.remove',
  'dialog.pickFolder',
  // Run management (issue 12): edits, the trash, a sweep again or extended.
  'runs.edit',
  'runs.trash',
  'runs.restore',
  'runs.purge',
  'runs.trashed',
  'sweeps.rerun',
  'sweeps.extend',
  // Train on other machines (issue 16): whether a cluster is configured, its connection and workers.
  'cluster.status',
  // Layer dynamics (issue 15).
  'runs.layers',
  // Settings and the first-run screen (issue 17): data folder, threads, memory budget.
  'settings.get',
  'settings.set',
  'settings.pickDataDir',
] as const
export type MethodName = (typeof METHODS)[number]

export const EVENTS = [
  'run',
  'metrics',
  'queue',
  'notice',
  // Datasets page: one import or download job changed; the list of datasets changed.
  'datasetJob',
  'datasets',
  // Run management (issue 12): a run left the runs folder; runs went into or out of the trash.
  'runRemoved',
  'trash',
  // Train on other machines (issue 16): the cluster's connection or workers changed.
  'cluster',
  // Layer dynamics (issue 15): a run's new per-layer captures.
  'layers',
] as const
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
  /** Images per split as a run uses them by default (src-shared/splits.ts): 5,400 / 600 / 1,000 for the embedded set. */
  splits: SplitSizes
  /** The folder the data is read from (the referenced folder, the copy, or the built-in one). */
  path: string
  /** Where it came from: the imported folder, or the URL it was downloaded from. */
  origin: string
  /** Imported by reference: the data stays where it was (only a manifest is the registry's). */
  reference: boolean
  /** Built in: cannot be removed. */
  readOnly: boolean
  /** False when a referenced folder is gone (moved, unmounted): runs on it cannot start. */
  available: boolean
  /** ISO 8601. */
  addedAt: string
  /** Downloads: the source it came from, its licence and citation. */
  sourceName?: string
  license?: string
  citation?: string
}

// ---- Datasets page (issue 12, section 2) ----------------------------------------------------------------

/** A dataset that can be downloaded (src-main/core/datasets/sources.ts) and how far it is here. */
export interface DownloadSourceSummary {
  name: string
  title: string
  format: string
  homepage: string
  /** The published sizes of its files added up; null when one is unknown. */
  bytes: number | null
  files: number
  classNames: string[]
  license: string
  citation: string
  /** A dataset of this name is in the registry. */
  installed: boolean
  /** Bytes an interrupted download left on disk: the next download resumes from them. */
  partialBytes: number
}

export type DatasetJobKind = 'import' | 'download'
export type DatasetJobStatus = 'running' | 'done' | 'failed' | 'cancelled'
/**
 * import: detect, read, copy, verify (load the copy), preview, done.
 * download: download, retry (waiting to reconnect), verify (md5), unpack, load, preview, done.
 */
export type DatasetJobPhase =
  | 'start'
  | 'detect'
  | 'read'
  | 'copy'
  | 'download'
  | 'retry'
  | 'verify'
  | 'unpack'
  | 'load'
  | 'preview'
  | 'done'

export interface DatasetJobError {
  /** The datasets layer's code: invalid-data, checksum, network, http, unpack, exists, busy, aborted, ... */
  code: string
  /** The whole English sentence. */
  message: string
  /** The file at fault (a loader's DatasetError names it; a checksum error names the download). */
  file?: string
  /** What is wrong with `file`, without the file name in front. */
  reason?: string
  /** Checksum errors: the published md5 and the md5 of what arrived. */
  expected?: string
  actual?: string
  /** The host could not be reached at all (no network, DNS failure, connection refused). */
  offline?: boolean
  host?: string
}

/** One import or download, as every window sees it (events, and `datasets.jobs` after a reload). */
export interface DatasetJob {
  id: string
  kind: DatasetJobKind
  /** The dataset it makes. */
  name: string
  /** import: the folder; download: the source name. */
  target: string
  /** import: by reference or copied. */
  mode: 'reference' | 'copy' | null
  status: DatasetJobStatus
  phase: DatasetJobPhase
  /** The file being handled, if any. */
  file: string | null
  /** download: bytes on disk over all files; import: bytes of the files read (or copied) so far. */
  bytes: number
  total: number | null
  /** Overall progress in [0, 1]. */
  fraction: number
  /** Bytes per second over the last seconds; null until measured. */
  speed: number | null
  /** Seconds left at that speed; null when unknown. */
  etaSeconds: number | null
  /** download: bytes an earlier, interrupted download had kept, resumed with an HTTP Range request. */
  resumedBytes: number
  /** Phase 'retry': the next attempt. */
  retry: { attempt: number; of: number; inMs: number; reason: string; offline: boolean; host: string } | null
  startedAt: string
  finishedAt: string | null
  error: DatasetJobError | null
}

/** What `datasets.inspectFolder` finds in a folder before anything is read: the browser mode's path check. */
export type FolderInspection =
  | { ok: true; path: string; format: string; files: number; bytes: number }
  | { ok: false; path: string; code: string; message: string; file?: string; reason?: string }

export interface ImportRequest {
  mode: 'reference' | 'copy'
  /** Registry name; default: from the folder's name. */
  name?: string
}

/** The first images of each class of the training split, raw (C, H, W) uint8, base64 per class. */
export interface DatasetPreview {
  name: string
  shape: [number, number, number]
  classNames: string[]
  perClass: number
  samples: { label: number; count: number; images: string }[]
}

export interface PreviewOptions {
  /** Images per class, 1 to 10; default 7 (CS231n's notebooks). */
  perClass?: number
}

/** `datasets` event: the list changed (added or removed); windows fetch it again. */
export interface DatasetsChanged {
  change: 'added' | 'removed'
  name: string
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

export const EXPORT_FORMATS = [
  'html',
  'pdf',
  'csv',
  'json',
  // While it trains (issue 12): a summary of runs, one row per run with every hyperparameter and result.
  'summary-csv',
  'summary-json',
] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  /** Language of a report's text and number formats; default en. */
  locale?: 'en' | 'zh-CN'
  /** Group and aggregate (issue 13): a report's curves drawn one line and band per group (html, pdf). */
  group?: GroupOptions
  // Reports like a paper's figures (issue 13, section 5): the view's smoothing goes into its report.
  /** EMA weight of a report's loss curves, 0 (raw) to 0.999: the slider the view shows; default 0.6. */
  smoothing?: number
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
  /** Charts (issue 13): the EMA weight of `smoothed`, 0 <= w < 1; default METRICS_SMOOTHING_DEFAULT. */
  smoothing?: number
  /** Charts (issue 13): only these iterations, in `buckets` equal buckets (a zoomed chart); not with maxPoints. */
  range?: MetricsRange
}

// ---- charts that stay true and fast (issue 13 §4) ----

/** The EMA weight runs.metrics smooths with when not told: the run page's and compare view's default. */
export const METRICS_SMOOTHING_DEFAULT = 0.6

/**
 * A zoomed chart's window: iterations `from` to `to` (inclusive, integers, from <= to) in `buckets`
 * buckets of equal width (1 to METRICS_POINTS_MAX; a chart asks for one per pixel). The smoothing is still
 * computed over the whole log, so a zoomed curve is the same curve, only finer.
 */
export interface MetricsRange {
  from: number
  to: number
  buckets: number
}

/** Where a debiased EMA stands after the series' last iteration, so live steps can continue it. */
export interface MetricsEma {
  weight: number
  acc: number
  debias: number
}
// ---- end of charts (issue 13 §4) ----

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
  /** Per point: the loss of its last iteration as logged, and the smoothed loss there (EMA over every iteration). */
  lossLast: (number | null)[]
  smoothed: (number | null)[]
  /** The EMA after the last iteration (of the whole log, also for a range), for live steps to continue. */
  ema: MetricsEma
  /** The window asked for (bucket = its bucket width), or null for the whole run in power-of-two buckets. */
  range: MetricsRange | null
  /** The last logged iteration as it was logged (its point shows a mean); null before the first. */
  last: { iteration: number; loss: number | null; t: number | null } | null
  /** Accuracy checks in epoch order (lr null where the run did not report it). */
  epochs: Extract<MetricEvent, { type: 'epoch' }>[]
  /** Where the run was resumed from a checkpoint, in order. */
  resumes: Extract<MetricEvent, { type: 'resume' }>[]
}

// ---- run management (issue 12) ----

/** One run a bulk operation could not do, and why (`code` as in ApiError: not-found, conflict, active, ...). */
export interface BulkFailure {
  id: string
  code: string
  message: string
}

/** Operations on several runs do each on its own: what was done, and what was not. */
export interface BulkResult<T> {
  done: T[]
  failed: BulkFailure[]
}

export interface TrashOptions {
  /** Cancel runs queued or training in the serving process first (otherwise they fail with `active`). */
  cancel?: boolean
}

/** A run in the trash: its record as it was deleted, when, and from which sweep. */
export interface TrashedRun {
  run: RunListEntry
  trashedAt: string
  sweepId: string | null
}

/** Arguments and results of every method; `args` is a tuple passed positionally. */
export interface Methods {
  'app.info': { args: []; result: AppInfo }
  /** Every run; one whose run.json is damaged comes as a CorruptRun (status 'corrupt', file, reason). */
  'runs.list': { args: []; result: RunListEntry[] }
  'runs.get': { args: [id: string]; result: RunRecord }
  'runs.metrics': { args: [id: string, options?: MetricsOptions]; result: MetricsSeries }
  /** config: a RunConfigInput; invalid configs reject with field errors. */
  'runs.create': { args: [config: unknown, options?: TrainOnOptions]; result: RunRecord }
  'runs.createSweep': {
    args: [spec: unknown, options?: TrainOnOptions]
    result: { sweepId: string; runs: RunRecord[] }
  }
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
  /**
   * A report (html, pdf), the metrics (csv, json: every iteration) or a summary (summary-csv,
   * summary-json: a row per run, every hyperparameter and result) of one or more runs.
   */
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
  // Datasets page (issue 12, section 2).
  'datasets.sources': { args: []; result: DownloadSourceSummary[] }
  /** Running jobs and those finished since (until dismissed): what a reloaded page shows. */
  'datasets.jobs': { args: []; result: DatasetJob[] }
  /** path: absolute, an existing folder; says which format it holds (nothing is loaded). */
  'datasets.inspectFolder': { args: [path: string]; result: FolderInspection }
  /** Starts an import; its progress comes as `datasetJob` events. Bad arguments reject at once. */
  'datasets.import': { args: [path: string, request: ImportRequest]; result: DatasetJob }
  /** Starts (or resumes) the download of a source; progress as `datasetJob` events. */
  'datasets.download': { args: [sourceName: string]; result: DatasetJob }
  /** Cancels a running job; a download keeps what it received, for the next one to resume. */
  'datasets.cancelJob': { args: [jobId: string]; result: DatasetJob }
  /** Forgets a finished job. */
  'datasets.dismissJob': { args: [jobId: string]; result: null }
  'datasets.preview': { args: [name: string, options?: PreviewOptions]; result: DatasetPreview }
  /**
   * Removes a downloaded or imported dataset (a referenced folder is never touched). Runs that used it keep
   * their records; refused while a queued or running run needs it (code 'in-use').
   */
  'datasets.remove': { args: [name: string]; result: { name: string } }
  /** The desktop app's native folder picker: the chosen folder, or null; the browser mode rejects 'unsupported'. */
  'dialog.pickFolder': { args: []; result: string | null }
  // Run management (issue 12).
  /**
   * Renames (one run), notes, tags (added and removed) or archives runs; the edit is validated whole
   * (field errors under `edit.`) before any run changes, then each run succeeds or fails on its own.
   */
  'runs.edit': { args: [ids: string[], edit: RunEditInput]; result: BulkResult<RunRecord> }
  /** Moves runs to the trash (restorable); a run queued or training here fails with `active` unless `cancel`. */
  'runs.trash': { args: [ids: string[], options?: TrashOptions]; result: BulkResult<string> }
  'runs.restore': { args: [ids: string[]]; result: BulkResult<RunListEntry> }
  /** Deletes trashed runs for good. */
  'runs.purge': { args: [ids: string[]]; result: BulkResult<string> }
  /** Every run in the trash, most recently deleted first. */
  'runs.trashed': { args: []; result: TrashedRun[] }
  /** Queues the sweep's spec again as a new sweep. */
  'sweeps.rerun': {
    args: [sweepId: string, options?: TrainOnOptions]
    result: { sweepId: string; runs: RunRecord[] }
  }
  /**
   * Adds `samples` more draws of a random sweep, under its id; a grid sweep is refused (`conflict`).
   * `options.trainOn` places the new draws (a sweep may mix local and cluster runs).
   */
  'sweeps.extend': {
    args: [sweepId: string, samples: number, options?: TrainOnOptions]
    result: { sweepId: string; runs: RunRecord[] }
  }
  // Train on other machines (issue 16).
  'cluster.status': { args: []; result: ClusterInfo }
  // Layer dynamics (issue 15).
  /**
   * The run's per-layer captures (layers.jsonl) in iteration order, those after `afterIteration` when
   * given, thinned to `maxCaptures`; damaged lines are skipped and counted (`skippedLines`), a run
   * without captures has an empty series.
   */
  'runs.layers': { args: [id: string, options?: LayersOptions]; result: LayerSeries }
  // Settings and the first-run screen (issue 17).
  /** The saved settings, what this process runs with, and whether the first-run screen is due. */
  'settings.get': { args: []; result: SettingsInfo }
  /** Saves the given fields (null: back to the default); they take effect after a restart. */
  'settings.set': { args: [patch: SettingsPatch]; result: SettingsInfo }
  /** The desktop app's folder picker for the data folder: the chosen folder, or null. */
  'settings.pickDataDir': { args: []; result: string | null }
}

export interface Events {
  run: RunRecord
  metrics: { runId: string; events: MetricEvent[] }
  queue: QueueState
  notice: Notice
  datasetJob: DatasetJob
  datasets: DatasetsChanged
  // Run management (issue 12).
  runRemoved: { id: string }
  trash: { ids: string[] }
  // Train on other machines (issue 16).
  cluster: ClusterInfo
  // Layer dynamics (issue 15): captures as the worker takes them, in iteration order.
  layers: { runId: string; captures: LayerCapture[] }
}

// ---- layer dynamics (issue 15) ----

/**
 * How many captures runs.layers sends by default, and at most. A capture is a few KB of JSON per layer
 * (four trimmed histograms and their summaries; 5 KB for the tests' three-layer captures), so the
 * default answer stays around a megabyte or two; a longer run is thinned evenly (first and last capture
 * always kept) rather than sent whole.
 */
export const LAYERS_CAPTURES_DEFAULT = 200
export const LAYERS_CAPTURES_MAX = 2000

export interface LayersOptions {
  /** Only captures with iteration > afterIteration (a live view's incremental fetch). */
  afterIteration?: number
  /**
   * At most this many captures (1 to LAYERS_CAPTURES_MAX; default LAYERS_CAPTURES_DEFAULT), chosen
   * evenly over those after `afterIteration`, the first and the last among them. LayerSeries'
   * `totalCaptures` says how many there were before thinning.
   */
  maxCaptures?: number
}

// ---- train on other machines (issue 16) ----

/** Where new runs train: this machine's pool, or the workers of the configured cluster. */
export type TrainOn = 'local' | 'cluster'

export interface TrainOnOptions {
  /** Default 'local'; 'cluster' is refused when no cluster is configured. */
  trainOn?: TrainOn
}

/** A worker of the cluster as the renderer sees it. */
export interface ClusterWorkerInfo {
  host: string
  cpu: string
  cores: number
  /** Runs it trains at once. */
  concurrency: number
}

/**
 * The cluster this process sends runs to, if any. The address never holds the password (masked `***`);
 * `state` is `connecting` until Redis first answers and `reconnecting` while it is away.
 */
export type ClusterInfo =
  | { configured: false }
  | {
      configured: true
      address: string
      queue: string
      state: 'connecting' | 'ready' | 'reconnecting'
      /** The last connection problem, in English, while Redis is away. */
      message: string | null
      workers: ClusterWorkerInfo[]
      /** Runs the workers can take at once, all together. */
      slots: number
      /** Runs sent and not yet taken by a worker, and runs a worker trains. */
      waiting: number
      training: number
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
