/**
 * The log file of a process: electron-log 5's file transport (a well-kept logger that the desktop app and
 * plain Node share, writing synchronously so the last lines before a crash are on disk), kept to a few
 * generations of LOG_MAX_BYTES. Its Node entry (`electron-log/node`) is used in the desktop app too:
 * `electron-log/main` would add an IPC channel of its own for renderer logging, which the app does not
 * want (every channel is a contract method with sender checks).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join, parse } from 'node:path'
import electronLog from 'electron-log/node'

export const LOG_MAX_BYTES = 2 * 1024 * 1024
/** Older files kept beside the current one: main.1.log (newest) to main.3.log. */
export const LOG_GENERATIONS = 3

export interface AppLog {
  /** The current log file. */
  readonly file: string
  /** The folder of the log files and crash reports. */
  readonly dir: string
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface AppLogOptions {
  dir: string
  /** The file's base name: `main` (desktop app), `serve`. */
  name: string
  /** Also write each line to stderr (headless mode keeps its terminal output; see serve.ts). */
  echo?: boolean
}

let instances = 0

export function createAppLog(o: AppLogOptions): AppLog {
  mkdirSync(o.dir, { recursive: true })
  const file = join(o.dir, `${o.name}.log`)
  const log = electronLog.create({ logId: `workbench-${o.name}-${++instances}` })
  log.transports.file.resolvePathFn = () => file
  log.transports.file.maxSize = LOG_MAX_BYTES
  log.transports.file.level = 'info'
  log.transports.file.format = '[{iso}] [{level}] {text}'
  log.transports.file.archiveLogFn = (old) => rotate(old.path)
  log.transports.console.level = o.echo ? 'info' : false
  // No remote transport is configured: nothing leaves the machine.
  return {
    file,
    dir: o.dir,
    info: (m: string) => log.info(m),
    warn: (m: string) => log.warn(m),
    error: (m: string) => log.error(m),
  }
}

/** main.log -> main.1.log -> main.2.log ...; the oldest generation is dropped. */
export function rotate(path: string, generations = LOG_GENERATIONS): void {
  const { dir, name, ext } = parse(path)
  const nth = (n: number) => join(dir, `${name}.${n}${ext}`)
  try {
    rmSync(nth(generations), { force: true })
    for (let n = generations - 1; n >= 1; n--) if (existsSync(nth(n))) renameSync(nth(n), nth(n + 1))
    renameSync(path, nth(1))
  } catch {
    // A file another process holds open (Windows) stays as it is: electron-log then keeps appending.
  }
}

/** A message with the error's stack (or its text). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`
  return typeof e === 'string' ? e : (JSON.stringify(e) ?? String(e))
}
