/** What every command gets: where to write, the parsed global options, and how to open the data dir. */
import { totalmem } from 'node:os'
import { isAbsolute, resolve } from 'node:path'
import { resolveMemoryBudget } from '../../src-shared/memoryBudget'
import { Workbench, type WorkbenchOptions } from '../core/workbench'
import { defaultDataDir } from './dataDir'
import { CliError } from './errors'
import { EXIT } from './exitCodes'

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
  /** All of stdin as text (`note <id> -`); default: the process's stdin. */
  readStdin?: () => Promise<string>
}

export interface GlobalOptions {
  dataDir?: string
  json?: boolean
  memoryBudget?: string
}

export const MEMORY_BUDGET_ENV = 'WORKBENCH_MEMORY_BUDGET'

export class Context {
  readonly json: boolean
  readonly dataDir: string
  /** Bars only on a terminal and never under --json, whose output a program reads. */
  readonly terminal: NodeJS.WriteStream | null
  /** Colours on stdout (tables, results) and on stderr (progress lines). */
  readonly color: boolean
  readonly noteColor: boolean
  /** The memory budget setting (`--memory-budget`, else $WORKBENCH_MEMORY_BUDGET); empty: the default. */
  readonly memoryBudget: string | undefined

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
    const budget = options.memoryBudget ?? (io.env[MEMORY_BUDGET_ENV] || undefined)
    if (budget !== undefined) {
      const parsed = resolveMemoryBudget(budget, totalmem())
      if (!parsed.ok) {
        const from = options.memoryBudget !== undefined ? '--memory-budget' : `$${MEMORY_BUDGET_ENV}`
        throw new CliError('usage', `${from}: ${parsed.message}`, EXIT.usage, [
          { path: from, message: parsed.message },
        ])
      }
    }
    this.memoryBudget = budget
  }

  /** A line of results on stdout. */
  out(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : text + '\n')
  }

  /** A line for a person on stderr; silent under --json. */
  note(text: string): void {
    if (!this.json) this.io.stderr(text.endsWith('\n') ? text : text + '\n')
  }

  /** What was piped in (`note <id> -`). */
  async readStdin(): Promise<string> {
    if (this.io.readStdin) return this.io.readStdin()
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }

  printJson(value: unknown): void {
    this.io.stdout(JSON.stringify(value, null, 2) + '\n')
  }

  /**
   * Opens the data dir. `inspect` opens it read-only: looking at runs (or cancelling one another process
   * trains) must never recover, adopt or start runs. `train` trains only the runs the command names:
   * queued runs of other sessions are left for the app or `serve`, which adopt them.
   */
  async open(
    mode: 'train' | 'inspect',
    threads?: number,
    extra: Pick<WorkbenchOptions, 'cluster' | 'checkpointIntervalMs'> = {},
  ): Promise<Workbench> {
    return Workbench.open({
      ...extra,
      dataDir: this.dataDir,
      // Damaged files passed over are notes for a person (silent under --json, whose stderr is JSON only).
      onProblem: (p) =>
        this.note(`warning: ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}`),
      ...(threads !== undefined ? { maxThreads: threads } : {}),
      ...(this.memoryBudget !== undefined ? { memoryBudget: this.memoryBudget } : {}),
      ...(mode === 'inspect' ? { readOnly: true } : { adoptOrphans: false }),
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
    extra: Pick<WorkbenchOptions, 'cluster' | 'checkpointIntervalMs'> = {},
  ): Promise<T> {
    const wb = await this.open(mode, threads, extra)
    let closing: Promise<void> | null = null
    const close = (): Promise<void> => (closing ??= wb.close())
    try {
      return await fn(wb, close)
    } finally {
      await close()
    }
  }
}
