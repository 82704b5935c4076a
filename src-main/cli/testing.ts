/** Helpers for the CLI tests: run `main` in-process with captured output, and tiny configs that train fast. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from './main'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws if it is not). */
  json<T = unknown>(): T
}

export interface CliCallOptions {
  interrupt?: AbortSignal
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** A fake terminal for the bars; default none (plain lines). */
  terminal?: NodeJS.WriteStream | null
  /** Called with each chunk written to stderr (e.g. to interrupt once training has started). */
  onStderr?: (chunk: string) => void
  /** What stdin holds (`note <id> -`); default: empty. */
  stdin?: string
}

export async function cli(args: string[], options: CliCallOptions = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => {
      stderr += s
      options.onStderr?.(s)
    },
    terminal: options.terminal ?? null,
    stdoutIsTerminal: false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interrupt: options.interrupt ?? new AbortController().signal,
    readStdin: async () => options.stdin ?? '',
  })
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }
}

/** A terminal that records what is drawn on it. */
export function fakeTerminal(): NodeJS.WriteStream & { output: string } {
  const t = {
    isTTY: true,
    columns: 160,
    output: '',
    write(chunk: string): boolean {
      t.output += chunk
      return true
    },
  }
  return t as unknown as NodeJS.WriteStream & { output: string }
}

/** Five iterations on 500 images of the embedded Fashion-MNIST subset: well under a second. */
export function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
    model: { kind: 'two-layer', hiddenDim: 20 },
    solver: { numEpochs: 1, batchSize: 100, optimConfig: { learningRate: 1e-3 } },
    ...overrides,
  }
}

export interface TempDir {
  path: string
  /** Writes `name` in the folder (objects as JSON) and returns its path. */
  file(name: string, content: unknown): Promise<string>
  remove(): Promise<void>
}

export async function tempDir(prefix = 'workbench-cli-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return {
    path,
    async file(name, content) {
      const p = join(path, name)
      await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
      return p
    },
    remove: () => rm(path, { recursive: true, force: true }),
  }
}

// eslint-disable-next-line no-control-regex
export const ANSI_ESCAPE = /\u001b\[/
