/**
 * metrics.jsonl: one MetricEvent per line, append-only. Writes are batched (a training loop can log
 * thousands of iterations a second) but never wait long: at most `flushIntervalMs`, and not at all for
 * epoch and resume events, which the UI and a resume depend on.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises'
import { parseMetricLine } from '../../../src-shared/metricsSchema'
import type { MetricEvent } from '../../../src-shared/runs'
import { isErrno, warnProblem, type ProblemReporter } from './errors'

export interface MetricsLogOptions {
  /** The longest an appended event waits in memory before it is written; default 1000 ms. */
  flushIntervalMs?: number
  /** Called once when the log has been closed. */
  onClose?: () => void
}

export class MetricsLog {
  readonly path: string
  private readonly flushIntervalMs: number
  private readonly onClose: (() => void) | undefined
  private lines: string[] = []
  /** Bytes a failed write did not get to the file; written first next time, so no line is torn or doubled. */
  private unwritten: Buffer | null = null
  private timer: NodeJS.Timeout | null = null
  private file: FileHandle | null = null
  /** Flushes run one after another so their bytes never interleave. */
  private queue: Promise<void> = Promise.resolve()
  private closing: Promise<void> | null = null

  constructor(path: string, options: MetricsLogOptions = {}) {
    this.path = path
    this.flushIntervalMs = options.flushIntervalMs ?? 1000
    this.onClose = options.onClose
  }

  get closed(): boolean {
    return this.closing !== null
  }

  append(event: MetricEvent): void {
    if (this.closing !== null) throw new Error(`${this.path}: the metrics log is closed`)
    this.lines.push(`${JSON.stringify(event)}\n`)
    if (event.type !== 'iteration') this.flushSoon()
    else this.armTimer()
  }

  /** Writes everything appended so far; rejects if the write fails (the events stay queued for a retry). */
  flush(): Promise<void> {
    this.clearTimer()
    const run = this.queue.then(() => this.write())
    this.queue = run.catch(() => {})
    return run
  }

  /** Flushes and closes the file; later appends throw. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush()
      } finally {
        this.clearTimer()
        try {
          await this.file?.close()
        } finally {
          this.file = null
          this.onClose?.()
        }
      }
    })()
    return this.closing
  }

  private flushSoon(): void {
    // A failed background flush keeps its events; the timer retries and flush()/close() report the error.
    this.flush().catch(() => this.armTimer())
  }

  private armTimer(): void {
    if (this.timer !== null || this.closing !== null) return
    this.timer = setTimeout(() => {
      this.timer = null
      this.flushSoon()
    }, this.flushIntervalMs)
    this.timer.unref()
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private async write(): Promise<void> {
    if (this.lines.length === 0 && this.unwritten === null) return
    this.file ??= await openForAppend(this.path)
    const text = Buffer.from(this.lines.join(''))
    this.lines = []
    let bytes = this.unwritten === null ? text : Buffer.concat([this.unwritten, text])
    this.unwritten = null
    try {
      while (bytes.length > 0) {
        const { bytesWritten } = await this.file.write(bytes)
        bytes = bytes.subarray(bytesWritten)
      }
    } catch (err) {
      this.unwritten = bytes
      throw err
    }
  }
}

/**
 * Opens in append mode (every write lands at the end, whatever else happened to the file) after cutting
 * off a torn last line left by a crash, so the next event starts on a line of its own. Readers ignore
 * such a line anyway, so cutting it changes nothing they see.
 */
async function openForAppend(path: string): Promise<FileHandle> {
  const fh = await open(path, 'a+')
  try {
    const { size } = await fh.stat()
    const keep = await endOfLastLine(fh, size)
    if (keep < size) await fh.truncate(keep)
    return fh
  } catch (err) {
    await fh.close()
    throw err
  }
}

/** The length of the file up to and including its last newline. */
async function endOfLastLine(fh: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024)
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - chunk.length)
    const { bytesRead } = await fh.read(chunk, 0, end - start, start)
    const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (nl >= 0) return start + nl + 1
    end = start
  }
  return 0
}

export interface ReadMetricsOptions {
  /** Receives each corrupt line that was skipped (default: console.warn). */
  onProblem?: ProblemReporter
}

/**
 * The events of a metrics.jsonl, with the ones a resume superseded removed; a missing file has none. A
 * torn last line (a crash mid-write) is ignored; a corrupt line elsewhere is skipped and reported with
 * its line number, so one bad line never hides a run's curves.
 */
export async function readMetrics(path: string, options: ReadMetricsOptions = {}): Promise<MetricEvent[]> {
  const onProblem = options.onProblem ?? warnProblem
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return []
    throw err
  }
  const lines = text.split('\n')
  // The segment after the last newline is empty, or a line whose write never finished.
  lines.pop()
  let events: MetricEvent[] = []
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    let event: MetricEvent
    try {
      event = parseMetricLine(line)
    } catch (err) {
      onProblem({ file: path, line: i + 1, message: (err as Error).message })
      return
    }
    if (event.type === 'resume') events = events.filter((e) => !supersededBy(e, event))
    events.push(event)
  })
  return events
}

/**
 * A resume restarts from a checkpoint: what was logged past it belongs to the abandoned attempt, and so
 * do earlier resume markers that pointed past it.
 */
function supersededBy(e: MetricEvent, r: Extract<MetricEvent, { type: 'resume' }>): boolean {
  switch (e.type) {
    case 'iteration':
      return e.iteration > r.fromIteration
    case 'epoch':
      return e.epoch > r.fromEpoch || e.iteration > r.fromIteration
    case 'resume':
      return e.fromIteration >= r.fromIteration
  }
}
