/** What every command gets: where to write, the parsed global options, and how to open the data dir. */
import { isAbsolute, resolve } from 'node:path'
import { Workbench } from '../core/workbench'
import { defaultDataDir } from './dataDir'

export interface CliIo {
  /** Results: tables, summaries, the --json document. */
  stdout: (text: string) => void
  /** Progress, notes and errors. */
  stderr: (text: string) => void
  /** The terminal live bars draw on (stderr when it is one); null for plain lines. */
  terminal: NodeJS.WriteStream | null
  /** Whether stdout is a terminal (colours in tables); a pipe or a file gets plain text. */
  stdoutIsTerminal: boolean
  env: NodeJS.ProcessEnv
  cwd: string
  /** Aborted on Ctrl-C. */
  interrupt: AbortSignal
}

export interface GlobalOptions {
  dataDir?: string
  json?: boolean
}

export class Context {
  readonly json: boolean
  readonly dataDir: string
  /** Bars only on a terminal and never under --json, whose output a program reads. */
  readonly terminal: NodeJS.WriteStream | null
  /** Colours on stdout (tables, results) and on stderr (progress lines). */
  readonly color: boolean
  readonly noteColor: boolean

  constructor(
    readonly io: CliIo,
    options: GlobalOptions,
  ) {
    this.json = options.json === true
    const dir = options.dataDir ?? defaultDataDir(io.env)
    this.dataDir = isAbsolute(dir) ? dir : resolve(io.cwd, dir)
    this.terminal = this.json ? null : io.terminal
    // https://no-color.org: any non-empty NO_COLOR turns colours off.
    const colors = !this.json && !io.env.NO_COLOR
    this.color = colors && io.stdoutIsTerminal
    this.noteColor = colors && this.terminal !== null
  }

  /** A line of results on stdout. */
  out(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : text + '\n')
  }

  /** A line for a person on stderr; silent under --json. */
  note(text: string): void {
    if (!this.json) this.io.stderr(text.endsWith('\n') ? text : text + '\n')
  }

  printJson(value: unknown): void {
    this.io.stdout(JSON.stringify(value, null, 2) + '\n')
  }

  /**
   * Opens the data dir. `inspect` opens it read-only: looking at runs (or cancelling one another process
   * trains) must never recover, adopt or start runs.
   */
  async open(mode: 'train' | 'inspect', threads?: number): Promise<Workbench> {
    return Workbench.open({
      dataDir: this.dataDir,
      // Damaged files passed over are notes for a person (silent under --json, whose stderr is JSON only).
      onProblem: (p) =>
        this.note(`warning: ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`),
      ...(threads !== undefined ? { maxThreads: threads } : {}),
      ...(mode === 'inspect' ? { readOnly: true } : {}),
    })
  }

  /**
   * Runs `fn` on an open workbench and always closes it (running runs become interrupted). `close` lets
   * `fn` close early (Ctrl-C) and still see the runs' final statuses.
   */
  async withWorkbench<T>(
    mode: 'train' | 'inspect',
    threads: number | undefined,
    fn: (wb: Workbench, close: () => Promise<void>) => Promise<T>,
  ): Promise<T> {
    const wb = await this.open(mode, threads)
    let closing: Promise<void> | null = null
    const close = (): Promise<void> => (closing ??= wb.close())
    try {
      return await fn(wb, close)
    } finally {
      await close()
    }
  }
}
