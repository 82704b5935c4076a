/**
 * Imports and downloads as jobs of the main process, so that every window sees the same progress (as
 * events) and a reloaded page finds it again (`list()`). A job runs in the background of the process that
 * started it: downloads are network and file I/O on main's event loop, in chunks, so training (in worker
 * threads) goes on meanwhile. One job per dataset name at a time (the registry's lock).
 */
import { randomBytes } from 'node:crypto'
import type { DatasetJob, DatasetJobError, DatasetJobPhase } from '../../../src-shared/contract'
import type { DownloadProgress } from './download'
import { DatasetsError, errorMessage, fileOf } from './errors'
import type { DatasetRegistry, DatasetsChange, ImportMode, ImportProgress } from './registry'
import { RateMeter } from './rate'
import { validateName, validateOneOf } from './validate'

export type DatasetJobsEvent = { type: 'job'; job: DatasetJob } | { type: 'datasets'; change: DatasetsChange }

export interface DatasetJobsOptions {
  /** Minimum ms between two progress events of one job; phase and status changes go out at once. */
  eventIntervalMs?: number
  /** Finished jobs kept for `list()` until dismissed (oldest dropped first). */
  keepFinished?: number
}

/** Codes Node gives when a host cannot be reached at all: the machine is offline, or the host is. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ECONNREFUSED',
  'ETIMEDOUT',
])

interface Entry {
  job: DatasetJob
  controller: AbortController
  meter: RateMeter
  done: Promise<void>
  lastSent: number
  host: string
}

export class DatasetJobs {
  private readonly jobs = new Map<string, Entry>()
  private readonly listeners = new Set<(e: DatasetJobsEvent) => void>()
  private readonly intervalMs: number
  private readonly keepFinished: number
  private readonly offChange: () => void

  constructor(
    private readonly registry: DatasetRegistry,
    options: DatasetJobsOptions = {},
  ) {
    this.intervalMs = options.eventIntervalMs ?? 250
    this.keepFinished = options.keepFinished ?? 20
    this.offChange = registry.onChange((change) => this.emit({ type: 'datasets', change }))
  }

  subscribe(listener: (e: DatasetJobsEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Running jobs, then finished ones, newest first within each. */
  list(): DatasetJob[] {
    const all = [...this.jobs.values()].map((e) => ({ ...e.job }))
    const rank = (j: DatasetJob): number => (j.status === 'running' ? 0 : 1)
    return all.sort((a, b) => rank(a) - rank(b) || b.startedAt.localeCompare(a.startedAt))
  }

  get(id: string): DatasetJob | undefined {
    const e = this.jobs.get(id)
    return e ? { ...e.job } : undefined
  }

  /**
   * Checks the folder and the name (rejecting at once with the field at fault), then imports in the
   * background. See DatasetRegistry.importFolder.
   */
  async startImport(path: unknown, request: { mode: unknown; name?: unknown }): Promise<DatasetJob> {
    const mode = validateOneOf(request.mode, ['reference', 'copy'] as const, 'mode')
    const { folder, name } = await this.registry.checkImport(path, request.name)
    this.assertIdle(name)
    return this.start('import', name, folder, mode, null, (signal, onProgress) =>
      this.registry.importFolder(folder, {
        mode,
        name,
        signal,
        onProgress: (p) => onProgress(importStep(p)),
      }),
    )
  }

  /** Starts (or resumes, from what an earlier attempt kept) the download of a source. */
  async startDownload(sourceName: unknown): Promise<DatasetJob> {
    const source = typeof sourceName === 'string' ? this.registry.source(sourceName) : undefined
    if (source === undefined) {
      const known = this.registry.sourceNames().join(', ')
      const shown =
        typeof sourceName === 'string' ? JSON.stringify(sourceName.slice(0, 80)) : typeof sourceName
      throw new DatasetsError('not-found', `sourceName: no downloadable dataset ${shown}; known: ${known}`, {
        field: 'sourceName',
      })
    }
    const name = validateName(source.name, 'sourceName')
    this.assertIdle(name)
    const installed = await this.registry.get(name).then(
      () => true,
      () => false,
    )
    if (installed) {
      throw new DatasetsError('exists', `sourceName: '${name}' is downloaded already`, {
        field: 'sourceName',
      })
    }
    const host = new URL(source.files[0]!.url).host
    return this.start('download', name, source.name, null, host, (signal, onProgress) =>
      this.registry.download(source.name, { signal, onProgress: (p) => onProgress(downloadStep(p)) }),
    )
  }

  /** Cancels a running job; a download keeps its partial files for the next attempt. */
  cancel(id: string): DatasetJob {
    const e = this.entry(id)
    if (e.job.status === 'running') e.controller.abort()
    return { ...e.job }
  }

  /** Forgets a finished job; a running one must be cancelled first. */
  dismiss(id: string): void {
    const e = this.entry(id)
    if (e.job.status === 'running') {
      throw new DatasetsError('busy', `jobId: job ${id} is still running: cancel it first`, {
        field: 'jobId',
      })
    }
    this.jobs.delete(id)
  }

  /** Cancels every running job and waits for them to stop (downloads stay resumable). */
  async close(): Promise<void> {
    this.offChange()
    for (const e of this.jobs.values()) e.controller.abort()
    await Promise.allSettled([...this.jobs.values()].map((e) => e.done))
  }

  // -------------------------------------------------------------------------------------------------------

  private entry(id: unknown): Entry {
    const e = typeof id === 'string' ? this.jobs.get(id) : undefined
    if (e === undefined) {
      const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : typeof id
      throw new DatasetsError('not-found', `jobId: no dataset job ${shown}`, { field: 'jobId' })
    }
    return e
  }

  private assertIdle(name: string): void {
    const running = [...this.jobs.values()].some((e) => e.job.name === name && e.job.status === 'running')
    if (running || this.registry.isBusy(name)) {
      throw new DatasetsError('busy', `name: '${name}' is being imported, downloaded or removed already`, {
        field: 'name',
      })
    }
  }

  private start(
    kind: DatasetJob['kind'],
    name: string,
    target: string,
    mode: ImportMode | null,
    host: string | null,
    run: (signal: AbortSignal, onProgress: (s: Step) => void) => Promise<unknown>,
  ): DatasetJob {
    const job: DatasetJob = {
      id: `${kind}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      kind,
      name,
      target,
      mode,
      status: 'running',
      phase: 'start',
      file: null,
      bytes: 0,
      total: null,
      fraction: 0,
      speed: null,
      etaSeconds: null,
      resumedBytes: 0,
      retry: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    }
    const entry: Entry = {
      job,
      controller: new AbortController(),
      meter: new RateMeter(),
      done: Promise.resolve(),
      lastSent: 0,
      host: host ?? '',
    }
    this.jobs.set(job.id, entry)
    let firstTransfer = true
    const onProgress = (s: Step): void => {
      if (job.status !== 'running') return
      const changed = s.phase !== job.phase || s.file !== job.file
      if (s.phase === 'download' && firstTransfer) {
        // What an interrupted download had kept: resumed, not downloaded now (the speed leaves it out).
        firstTransfer = false
        job.resumedBytes = s.bytes
      }
      if (s.retry) entry.host = s.retry.host
      Object.assign(job, {
        phase: s.phase,
        file: s.file,
        bytes: s.bytes,
        total: s.total,
        fraction: Math.max(job.fraction, s.fraction),
        retry: s.retry ?? null,
      })
      if (s.phase === 'download' || s.phase === 'read' || s.phase === 'copy' || s.phase === 'verify') {
        entry.meter.add(Date.now(), s.bytes)
      }
      const speed = s.phase === 'retry' ? null : entry.meter.rate()
      job.speed = speed
      job.etaSeconds =
        speed !== null && speed > 0 && job.total !== null
          ? Math.max(0, (job.total - job.bytes) / speed)
          : null
      this.send(entry, changed)
    }
    entry.done = run(entry.controller.signal, onProgress).then(
      () => this.finish(entry, 'done', null),
      (err: unknown) => {
        const aborted = err instanceof DatasetsError && err.code === 'aborted'
        this.finish(entry, aborted ? 'cancelled' : 'failed', aborted ? null : jobError(err, entry.host))
      },
    )
    this.send(entry, true)
    return { ...job }
  }

  private finish(entry: Entry, status: DatasetJob['status'], error: DatasetJobError | null): void {
    const job = entry.job
    Object.assign(job, {
      status,
      error,
      finishedAt: new Date().toISOString(),
      speed: null,
      etaSeconds: null,
      retry: null,
      ...(status === 'done' ? { phase: 'done', fraction: 1 } : {}),
    })
    this.send(entry, true)
    const finished = [...this.jobs.values()].filter((e) => e.job.status !== 'running')
    for (const old of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.jobs.delete(old.job.id)
    }
  }

  private send(entry: Entry, force: boolean): void {
    const now = Date.now()
    if (!force && now - entry.lastSent < this.intervalMs) return
    entry.lastSent = now
    this.emit({ type: 'job', job: { ...entry.job, retry: entry.job.retry && { ...entry.job.retry } } })
  }

  private emit(e: DatasetJobsEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e)
      } catch {
        // A subscriber's failure (a closed window) must not stop the job or the others.
      }
    }
  }
}

/** One progress report, as a job records it. */
interface Step {
  phase: DatasetJobPhase
  file: string | null
  bytes: number
  total: number | null
  fraction: number
  retry?: DatasetJob['retry']
}

function importStep(p: ImportProgress): Step {
  return { phase: p.phase, file: p.file, bytes: p.bytes, total: p.total, fraction: p.fraction }
}

function downloadStep(p: DownloadProgress): Step {
  const step: Step = {
    phase: p.phase,
    file: p.file,
    bytes: p.overallBytes,
    total: p.overallTotal,
    fraction: p.fraction,
  }
  if (p.retry) {
    step.retry = {
      attempt: p.retry.attempt,
      of: p.retry.of,
      inMs: p.retry.inMs,
      reason: p.retry.reason,
      offline: p.retry.code !== null && UNREACHABLE.has(p.retry.code),
      host: p.retry.host,
    }
  }
  return step
}

/** The codes along an error's cause chain (Node's own errors carry one: ECONNREFUSED, ENOTFOUND). */
function codesOf(err: unknown): string[] {
  const out: string[] = []
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') out.push(code)
    e = (e as { cause?: unknown }).cause
  }
  return out
}

/** An error as a job shows it: the file and the reason apart, and whether the host was unreachable. */
export function jobError(err: unknown, host: string): DatasetJobError {
  const message = errorMessage(err)
  const codes = codesOf(err)
  const offline = codes.some((c) => UNREACHABLE.has(c))
  if (!(err instanceof DatasetsError)) {
    // Raw network failures (a DNS failure is not retried) still name what happened.
    return offline
      ? { code: 'network', message, offline: true, host }
      : { code: codes[0] ?? 'internal', message }
  }
  const out: DatasetJobError = { code: err.code, message }
  const cause = (err as { cause?: unknown }).cause
  const file = fileOf(cause) ?? err.file
  if (file !== undefined) {
    out.file = file
    // The loader's DatasetError says `<file>: <reason>`; the reason is shown under the file.
    const inner = cause instanceof Error && fileOf(cause) !== undefined ? cause.message : message
    const at = inner.indexOf(`${file}: `)
    out.reason = at >= 0 ? inner.slice(at + file.length + 2) : inner
  }
  if (err.expected !== undefined) out.expected = err.expected
  if (err.actual !== undefined) out.actual = err.actual
  if (err.code === 'network' || offline) {
    out.offline = offline
    out.host = host
  }
  return out
}
