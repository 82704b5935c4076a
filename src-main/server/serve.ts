/**
 * `workbench serve` / `npm run serve`: open the data dir for training, serve the built UI and the API on a
 * token-guarded loopback port, print the URL, and on Ctrl-C or SIGTERM close the server and the workbench
 * (running runs are left interrupted, resumable).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { Context } from '../cli/context'
import { CliError } from '../cli/errors'
import { EXIT } from '../cli/exitCodes'
import { Workbench } from '../core/workbench'
import { isLoopbackHost, TOKEN_PATTERN } from './auth'
import { appPaths } from '../core/appPaths'
import { startServer } from './server'

export const TOKEN_ENV = 'WORKBENCH_TOKEN'

export interface ServeOptions {
  port?: number
  host?: string
  allowRemote?: boolean
  threads?: number
  /** The built renderer (default: out/renderer). */
  staticDir?: string
  examplesDir?: string
}

/** The `serve` command's description and options; the CLI adds the shared ones (--threads). */
export function describeServe(cmd: Command): Command {
  return cmd
    .description(
      'browser mode: serve the built UI and the API on a token-guarded local port and train there ' +
        `(token: random, or $${TOKEN_ENV}; Ctrl-C stops)`,
    )
    .addOption(new Option('--port <n>', 'port to listen on (default: a free one)').argParser(parsePort))
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--allow-remote', 'allow a non-loopback --host (anyone with the URL can then use it)'),
    )
}

export async function serveCommand(ctx: Context, options: ServeOptions): Promise<number> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host) && !options.allowRemote) {
    throw new CliError(
      'usage',
      `--host ${host} is not a loopback address: browser mode is for this machine (--allow-remote overrides)`,
      EXIT.usage,
    )
  }
  const token = ctx.io.env[TOKEN_ENV] || undefined
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    throw new CliError(
      'usage',
      `${TOKEN_ENV} must be 8 to 256 characters of A-Z a-z 0-9 . _ ~ - (it travels in URLs and cookies)`,
      EXIT.usage,
    )
  }
  const paths = appPaths()
  const staticDir = resolve(ctx.io.cwd, options.staticDir ?? paths.staticDir)
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new CliError('not-built', `no built UI in ${staticDir}: run npm run build first`, EXIT.usage)
  }
  // Opened here rather than through ctx.open so the built-in datasets and the worker are named: the core
  // finds them relative to its own file, which is wrong once the bundler moves it into out/main/chunks.
  const wb = await Workbench.open({
    dataDir: ctx.dataDir,
    builtinDatasetsDir: paths.builtinDatasetsDir,
    ...(paths.workerFile !== undefined ? { workerFile: paths.workerFile } : {}),
    ...(options.threads !== undefined ? { maxThreads: options.threads } : {}),
  })
  try {
    const server = await startServer({
      workbench: wb,
      dataDir: ctx.dataDir,
      staticDir,
      examplesDir: options.examplesDir ?? paths.examplesDir,
      host,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(options.allowRemote ? { allowRemote: true } : {}),
      warn: (m) => ctx.io.stderr(m + '\n'),
    }).catch((e: unknown) => {
      throw listenError(e, options)
    })
    try {
      if (ctx.json) ctx.printJson({ url: server.url, port: server.port, token: server.token })
      else ctx.out(server.url)
      ctx.note(`Serving the Workbench UI for ${ctx.dataDir}: open the URL above. Ctrl-C stops.`)
      await stopRequested(ctx.io.interrupt)
      const running = wb.queueState().running.length
      ctx.note(
        running > 0
          ? `Stopping; ${running} running run(s) will be left interrupted (workbench resume <id> continues them)`
          : 'Stopping',
      )
    } finally {
      await server.close()
    }
    return EXIT.ok
  } finally {
    await wb.close()
  }
}

/** Resolves on the interrupt signal (Ctrl-C) or SIGTERM (a service manager, Playwright's webServer). */
function stopRequested(interrupt: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGTERM', done)
      interrupt.removeEventListener('abort', done)
      resolve()
    }
    if (interrupt.aborted) return done()
    process.on('SIGTERM', done)
    interrupt.addEventListener('abort', done)
  })
}

function listenError(e: unknown, options: ServeOptions): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`
  if (code === 'EADDRINUSE')
    return new CliError('usage', `${where} is in use: pick another --port`, EXIT.usage)
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new CliError('usage', `cannot listen on ${where}: no such local address`, EXIT.usage)
  }
  return e
}

function parsePort(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n > 65535) {
    throw new InvalidArgumentError('an integer from 0 (any free port) to 65535')
  }
  return n
}
