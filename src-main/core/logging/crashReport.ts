/**
 * What a crash leaves behind: a plain-text report in the logs folder that a student can open or attach
 * to a bug report (time, version, platform, the stack, the runs that were training), written
 * synchronously because the process may be about to end.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { arch, release } from 'node:os'
import { join } from 'node:path'
import { describeError, type AppLog } from './appLog'

export interface CrashedRun {
  id: string
  name?: string
  /** The iteration it had reached, when known. */
  iteration?: number
}

export interface CrashReport {
  /** 'main': the main process (or `serve`); 'worker': a training worker thread. */
  process: 'main' | 'worker'
  /** uncaughtException, unhandledRejection, worker error... */
  reason: string
  error: unknown
  version: string
  runs: CrashedRun[]
  time?: Date
}

export function formatCrashReport(r: CrashReport): string {
  const time = r.time ?? new Date()
  const versions = process.versions as NodeJS.ProcessVersions & { electron?: string }
  const runtime = [
    versions.electron ? `Electron ${versions.electron}` : null,
    `Node ${versions.node}`,
    versions.v8 ? `V8 ${versions.v8}` : null,
  ]
    .filter(Boolean)
    .join(', ')
  const runs =
    r.runs.length === 0
      ? ['  (none)']
      : r.runs.map(
          (run) =>
            `  ${run.id}${run.name ? ` "${run.name}"` : ''}` +
            (run.iteration !== undefined ? ` at iteration ${run.iteration}` : ''),
        )
  return [
    `Workbench crash report`,
    ``,
    `Time:      ${time.toISOString()}`,
    `Process:   ${r.process} (${r.reason})`,
    `Version:   Workbench ${r.version} (${runtime})`,
    `Platform:  ${process.platform} ${arch()} ${release()}`,
    `Training:`,
    ...runs,
    ``,
    `Error:`,
    describeError(r.error),
    ``,
  ].join('\n')
}

/** Writes the report as crash-<time>-<process>.txt (whole or not at all); returns its path. */
export function writeCrashReport(dir: string, r: CrashReport): string {
  const time = r.time ?? new Date()
  mkdirSync(dir, { recursive: true })
  const stamp = time.toISOString().replace(/[:.]/g, '-')
  const file = join(dir, `crash-${stamp}-${r.process}-${process.pid}.txt`)
  const tmp = `${file}.tmp`
  writeFileSync(tmp, formatCrashReport({ ...r, time }), 'utf8')
  renameSync(tmp, file)
  return file
}

export interface CrashHandlerOptions {
  log: AppLog
  version: string
  /** The runs training now (what the report says the process was doing). */
  runs: () => CrashedRun[]
  /** After the report of an uncaught exception: the process's state is unknown, so it should end. */
  onFatal: (error: unknown, reportFile: string | null) => void
}

type ProcessLike = Pick<NodeJS.Process, 'on' | 'off'>

/**
 * Reports uncaught exceptions (then `onFatal`) and unhandled rejections (logged and reported; the
 * process goes on, as Electron's main process does by default: a rejected promise has not left a
 * function half-way through). Returns an uninstall.
 */
export function installCrashHandlers(proc: ProcessLike, o: CrashHandlerOptions): () => void {
  const report = (reason: string, error: unknown): string | null => {
    let file: string | null = null
    try {
      file = writeCrashReport(o.log.dir, {
        process: 'main',
        reason,
        error,
        version: o.version,
        runs: safeRuns(o),
      })
    } catch (e) {
      o.log.error(`could not write a crash report: ${describeError(e)}`)
    }
    o.log.error(`${reason}: ${describeError(error)}${file ? `\nreport: ${file}` : ''}`)
    return file
  }
  const onException = (error: unknown) => o.onFatal(error, report('uncaughtException', error))
  const onRejection = (error: unknown) => void report('unhandledRejection', error)
  proc.on('uncaughtException', onException)
  proc.on('unhandledRejection', onRejection)
  return () => {
    proc.off('uncaughtException', onException)
    proc.off('unhandledRejection', onRejection)
  }
}

function safeRuns(o: CrashHandlerOptions): CrashedRun[] {
  try {
    return o.runs()
  } catch {
    return []
  }
}

/** A training worker failed (threw outside its run's own handling, or its thread exited). */
export interface WorkerFailure {
  runId: string
  runName?: string
  iteration?: number
  error: unknown
}

/** Logs a worker's failure and leaves a report; returns the report's path (null if it could not). */
export function reportWorkerFailure(log: AppLog, version: string, f: WorkerFailure): string | null {
  let file: string | null = null
  try {
    file = writeCrashReport(log.dir, {
      process: 'worker',
      reason: 'worker error',
      error: f.error,
      version,
      runs: [
        {
          id: f.runId,
          ...(f.runName ? { name: f.runName } : {}),
          ...(f.iteration !== undefined ? { iteration: f.iteration } : {}),
        },
      ],
    })
  } catch (e) {
    log.error(`could not write a crash report: ${describeError(e)}`)
  }
  log.error(
    `the worker training ${f.runId} failed: ${describeError(f.error)}${file ? `\nreport: ${file}` : ''}`,
  )
  return file
}

/** The runs training now, from the core's run events (no call into the core while it may be broken). */
export function trainingRuns(subscribe: (l: (e: { type: string; run?: RunLike }) => void) => () => void): {
  runs: () => CrashedRun[]
  stop: () => void
} {
  const running = new Map<string, CrashedRun>()
  const stop = subscribe((e) => {
    if (e.type !== 'run' || !e.run) return
    const r = e.run
    if (r.status === 'running') {
      running.set(r.id, {
        id: r.id,
        ...(r.config.name ? { name: r.config.name } : {}),
        iteration: r.progress.iteration,
      })
    } else running.delete(r.id)
  })
  return { runs: () => [...running.values()], stop }
}

interface RunLike {
  id: string
  status: string
  config: { name?: string | null }
  progress: { iteration: number }
}
