/**
 * An append-only JSON-lines file with one writer (metrics.jsonl, layers.jsonl). Writes are batched (a
 * training loop can log thousands of iterations a second) but never wait long: at most
 * `flushIntervalMs`, and not at all for the items the owner calls urgent.
 */
import { open, type FileHandle } from 'node:fs/promises'

export interface AppendLogOptions {
  /** The longest an appended event waits in memory before it is written; default 1000 ms. */
  flushIntervalMs?: number
  /** Called once when the log has been closed. */
  onClose?: () => void
  /**
   * Called when a background write (the timer's, or an epoch event's) fails: the events stay queued and
   * the write is retried, but the owner should know now (a full disk fails the run rather than waiting).
   */
  onError?: (err: unknown) => void
}

export class AppendLog<T> {
  readonly path: string
  private readonly flushIntervalMs: number
  private readonly onClose: (() => void) | undefined
  private readonly onError: ((err: unknown) => void) | undefined
  private lines: string[] = []
  /** Bytes a failed write did not get to the file; written first next time, so no line is torn or doubled. */
  private unwritten: Buffer | null = null
  private timer: NodeJS.Timeout | null = null
  private file: FileHandle | null = null
  /** Flushes run one after another so their bytes never interleave. */
  private queue: Promise<void> = Promise.resolve()
  private closing: Promise<void> | null = null
  /** What the log holds, for messages ('metrics', 'layers'). */
  private readonly what: string
  /** Items written at once rather than after the timer (an epoch a resume depends on). */
  private readonly urgent: (item: T) => boolean

  constructor(path: string, options: AppendLogOptions & { what: string; urgent: (item: T) => boolean }) {
    this.path = path
    this.what = options.what
    this.urgent = options.urgent
    this.flushIntervalMs = options.flushIntervalMs ?? 1000
    this.onClose = options.onClose
    this.onError = options.onError
  }

  get closed(): boolean {
    return this.closing !== null
  }

  append(item: T): void {
    if (this.closing !== null) throw new Error(`${this.path}: the ${this.what} log is closed`)
    this.lines.push(`${JSON.stringify(item)}\n`)
    if (this.urgent(item)) this.flushSoon()
    else this.armTimer()
  }

  /** Writes everything appended so far; rejects if the write fails (the events stay queued for a retry). */
  flush(): Promise<void> {
    this.clearTimer()
    const run = this.queue.then(() => this.write())
    this.queue = run.catch(() => {})
    return run
  }

  /**
   * Writes what was appended so far, closes the file and runs `change` on it (a resume cutting off what
   * an abandoned attempt logged); appends made meanwhile wait, and the next write opens the file again.
   */
  rewrite(change: (path: string) => Promise<void>): Promise<void> {
    if (this.closing !== null)
      return Promise.reject(new Error(`${this.path}: the ${this.what} log is closed`))
    // Only what came before the call is subject to the change; what is appended after it is not.
    const before = this.lines.splice(0)
    const run = this.queue.then(async () => {
      await this.write(before)
      const file = this.file
      this.file = null
      await file?.close()
      await change(this.path)
    })
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
    this.flush().catch((err: unknown) => {
      this.armTimer()
      this.onError?.(err)
    })
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

  private async write(lines: string[] = this.lines.splice(0)): Promise<void> {
    if (lines.length === 0 && this.unwritten === null) return
    try {
      this.file ??= await openForAppend(this.path)
    } catch (err) {
      this.lines.unshift(...lines)
      throw err
    }
    const text = Buffer.from(lines.join(''))
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
