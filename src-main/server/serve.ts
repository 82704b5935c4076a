/**
 * `workbench serve` / `npm run serve`: open the data dir for training, serve the built UI and the API on a
 * token-guarded loopback port, print the URL, and on Ctrl-C or SIGTERM close the server and the workbench
 * (running runs are left interrupted, resumable). The token and the port are kept in the data folder
 * (credentials.ts), so a restart prints the same URL and open tabs reconnect.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { Context } from '../cli/context'
import { CliError } from '../cli/errors'
import { EXIT } from '../cli/exitCodes'
import { followCluster, queueOption, redisOption } from '../cli/cluster'
import { appCluster, REDIS_URL_ENV } from '../core/cluster/appCluster'
import { Workbench } from '../core/workbench'
import { isLoopbackHost, TOKEN_PATTERN } from './auth'
import { appPaths } from '../core/appPaths'
import pkg from '../../package.json'
import { MEMORY_BUDGET_ENV } from '../cli/context'
import { createAppLog, type AppLog } from '../core/logging/appLog'
import {
  installCrashHandlers,
  reportWorkerFailure,
  trainingRuns,
  type CrashedRun,
} from '../core/logging/crashReport'
import { AppSettings } from '../core/settings/appSettings'
import { configDir, SETTINGS_FILE } from '../core/settings/configDir'
import {
  CREDENTIALS_FILE,
  DEFAULT_PORT,
  loadCredentials,
  portCandidates,
  saveCredentials,
} from './credentials'
import { datasetOptionsFromEnv } from './downloadEnv'
import { serverUrl, startServer } from './server'

export const TOKEN_ENV = 'WORKBENCH_TOKEN'

export interface ServeOptions {
  port?: number
  host?: string
  allowRemote?: boolean
  threads?: number
  /** Replace the token kept in the data folder. */
  newToken?: boolean
  /** Print the URL from the kept port and token, and exit. */
  printUrl?: boolean
  /** Where the default port range starts (tests; the CLI always uses DEFAULT_PORT). */
  defaultPort?: number
  /** The built renderer (default: out/renderer). */
  staticDir?: string
  examplesDir?: string
  /** The cluster runs may be sent to (default $WORKBENCH_REDIS_URL); see core/cluster/appCluster.ts. */
  redis?: string
  queue?: string
  /**
   * Report this process's uncaught exceptions and unhandled rejections to the logs folder (the CLI entry
   * sets it when it is the process's main module; tests running serve in-process do not).
   */
  processCrashReports?: boolean
}

/** The `serve` command's description and options; the CLI adds the shared ones (--threads). */
export function describeServe(cmd: Command): Command {
  return cmd
    .description(
      'browser mode: serve the built UI and the API on a token-guarded local port and train there. ' +
        `The token and the port are kept in <data-dir>/${CREDENTIALS_FILE} (mode 600), so a restart ` +
        `serves the same URL and open tabs keep working; $${TOKEN_ENV} overrides the token. Ctrl-C stops.`,
    )
    .addOption(
      new Option(
        '--port <n>',
        'port to listen on (default: the one this data folder used last, else the first free one from ' +
          `${DEFAULT_PORT}; 0: any free port)`,
      ).argParser(parsePort),
    )
    .addOption(
      new Option(
        '--new-token',
        `replace the token kept in the data folder (tabs opened with the old URL must open the new one)`,
      ),
    )
    .addOption(
      new Option(
        '--print-url',
        "print the URL of this data folder's server (its kept port and token) and exit, serving nothing",
      ),
    )
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(
      new Option('--allow-remote', 'allow a non-loopback --host (anyone with the URL can then use it)'),
    )
    .addOption(
      redisOption(
        `a cluster the UI may send runs to ("Train on"; default $${REDIS_URL_ENV}, none when unset)`,
      ),
    )
    .addOption(queueOption())
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
  const envToken = ctx.io.env[TOKEN_ENV] || undefined
  if (envToken !== undefined && !TOKEN_PATTERN.test(envToken)) {
    throw new CliError(
      'usage',
      `${TOKEN_ENV} must be 8 to 256 characters of A-Z a-z 0-9 . _ ~ - (it travels in a URL fragment and ` +
        'a WebSocket subprotocol)',
      EXIT.usage,
    )
  }
  if (envToken !== undefined && options.newToken) {
    throw new CliError(
      'usage',
      `--new-token replaces the token kept in the data folder, but ${TOKEN_ENV} is set and would be used ` +
        `instead: unset ${TOKEN_ENV} or leave out --new-token`,
      EXIT.usage,
    )
  }
  if (options.printUrl) return printUrl(ctx, options, host, envToken)
  const paths = appPaths()
  const staticDir = resolve(ctx.io.cwd, options.staticDir ?? paths.staticDir)
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new CliError('not-built', `no built UI in ${staticDir}: run npm run build first`, EXIT.usage)
  }
  let datasetOptions: ReturnType<typeof datasetOptionsFromEnv>
  try {
    datasetOptions = datasetOptionsFromEnv(ctx.io.env)
  } catch (e) {
    throw new CliError('usage', e instanceof Error ? e.message : String(e), EXIT.usage)
  }
  const cluster = appCluster(options, ctx.io.env)
  if (!cluster.ok) {
    throw new CliError('usage', `${cluster.field}: ${cluster.message}`, EXIT.usage, [
      { path: cluster.field, message: cluster.message },
    ])
  }
  const { log, settings, uninstall } = headlessRuntime(ctx, options)
  const { startup } = settings
  // Opened here rather than through ctx.open so the built-in datasets and the worker are named: the core
  // finds them relative to its own file, which is wrong once the bundler moves it into out/main/chunks.
  const wb = await Workbench.open({
    datasetOptions,
    dataDir: ctx.dataDir,
    builtinDatasetsDir: paths.builtinDatasetsDir,
    ...(paths.workerFile !== undefined ? { workerFile: paths.workerFile } : {}),
    ...(startup.maxThreads !== undefined ? { maxThreads: startup.maxThreads } : {}),
    ...(startup.memoryBudget !== undefined ? { memoryBudget: startup.memoryBudget } : {}),
    ...(cluster.cluster ? { cluster: cluster.cluster } : {}),
    onWorkerFailure: (f) => reportWorkerFailure(log, pkg.version, f),
  }).catch((e: unknown) => {
    uninstall()
    throw e
  })
  const tracked = trainingRuns((l) => wb.subscribe(l))
  runsTraining = tracked.runs
  const unfollow = followCluster(wb, (line) => ctx.note(line))
  try {
    const notes: string[] = []
    const credentials = await loadCredentials(ctx.dataDir, { rotate: options.newToken === true })
    if (credentials.renewed === '--new-token') {
      notes.push(`New token (--new-token): tabs opened with the old URL must open the one above.`)
    } else if (credentials.renewed !== null) {
      notes.push(
        `${credentials.file} was not usable (${credentials.renewed}): made a new token, so tabs opened ` +
          'with the old URL must open the one above.',
      )
    }
    const token = envToken ?? credentials.token
    const candidates = portCandidates(options.port, credentials.port, options.defaultPort)
    const server = await startServer({
      workbench: wb,
      dataDir: ctx.dataDir,
      staticDir,
      examplesDir: options.examplesDir ?? paths.examplesDir,
      host,
      port: candidates,
      token,
      ...(options.allowRemote ? { allowRemote: true } : {}),
      warn: (m) => ctx.io.stderr(m + '\n'),
      settings,
    }).catch((e: unknown) => {
      throw listenError(e, host, candidates)
    })
    try {
      if (credentials.port !== null && options.port === undefined && server.port !== credentials.port) {
        notes.push(
          `Port ${credentials.port}, which this data folder used last, is taken: serving on ` +
            `${server.port} instead (remembered from now on).`,
        )
      }
      if (credentials.dirty || server.port !== credentials.port) {
        await saveCredentials(credentials.file, { token: credentials.token, port: server.port }).catch(
          (e: unknown) =>
            notes.push(
              `Could not keep the token and port in ${credentials.file} ` +
                `(${e instanceof Error ? e.message : String(e)}): after a restart, open the new URL.`,
            ),
        )
      }
      if (ctx.json) {
        ctx.printJson({
          url: server.url,
          port: server.port,
          token: server.token,
          credentialsFile: credentials.file,
          notes,
        })
      } else {
        ctx.out(server.url)
        for (const n of notes) ctx.note(n)
      }
      const kept =
        envToken !== undefined
          ? `the token is $${TOKEN_ENV}'s`
          : `the token is kept in ${credentials.file}, so the same URL works after a restart`
      ctx.note(`Serving the Workbench UI for ${ctx.dataDir}: open the URL above (${kept}). Ctrl-C stops.`)
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
    unfollow()
    tracked.stop()
    await wb.close()
    uninstall()
  }
}

/** The runs this serve process trains, for a crash report (set once the core is open). */
let runsTraining: () => CrashedRun[] = () => []

/**
 * What a headless server keeps beside its terminal output (which stays as it was): a log file and crash
 * reports in <data-dir>/logs, and the settings file the Settings page edits (threads and the memory
 * budget apply at start unless --threads, --memory-budget or the environment say otherwise).
 */
function headlessRuntime(
  ctx: Context,
  options: ServeOptions,
): { log: AppLog; settings: AppSettings; uninstall: () => void } {
  const log = createAppLog({ dir: join(ctx.dataDir, 'logs'), name: 'serve' })
  const budgetFrom =
    ctx.memoryBudget === undefined
      ? undefined
      : ctx.io.env[MEMORY_BUDGET_ENV] === ctx.memoryBudget
        ? MEMORY_BUDGET_ENV
        : '--memory-budget'
  const { settings, problem } = AppSettings.load(
    join(configDir(ctx.io.env), SETTINGS_FILE),
    {
      env: ctx.io.env,
      useSavedDataDir: false,
      flags: {
        dataDir: [ctx.dataDir, '--data-dir'],
        ...(options.threads !== undefined ? { maxThreads: [options.threads, '--threads'] } : {}),
        ...(ctx.memoryBudget !== undefined && budgetFrom
          ? { memoryBudget: [ctx.memoryBudget, budgetFrom] }
          : {}),
      },
    },
    false,
  )
  if (problem) log.warn(problem)
  log.info(`workbench serve ${pkg.version} on ${ctx.dataDir}`)
  const uninstall = options.processCrashReports
    ? installCrashHandlers(process, {
        log,
        version: pkg.version,
        runs: () => runsTraining(),
        onFatal: (error, report) => {
          ctx.io.stderr(
            `workbench serve stopped after an error: ${error instanceof Error ? error.message : String(error)}` +
              `${report ? ` (report: ${report})` : ''}\n`,
          )
          process.exit(EXIT.failed)
        },
      })
    : () => undefined
  return { log, settings, uninstall }
}

/**
 * `--print-url`: for a tab that lost its token, the URL again without starting a second server (which
 * would also open the data folder for training).
 */
async function printUrl(
  ctx: Context,
  options: ServeOptions,
  host: string,
  envToken: string | undefined,
): Promise<number> {
  if (options.newToken) {
    throw new CliError('usage', '--print-url prints the kept token: leave out --new-token', EXIT.usage)
  }
  const credentials = await loadCredentials(ctx.dataDir)
  const port = options.port ?? credentials.port
  if (credentials.renewed !== null) {
    throw new CliError(
      'usage',
      `${credentials.file} is not usable (${credentials.renewed}): start the server, which makes a new token`,
      EXIT.usage,
    )
  }
  if (credentials.dirty || port === null || port === 0) {
    throw new CliError(
      'usage',
      `no server has run on ${ctx.dataDir} yet (no ${CREDENTIALS_FILE}): start one with workbench serve`,
      EXIT.usage,
    )
  }
  const token = envToken ?? credentials.token
  const url = serverUrl(host, port, token)
  if (ctx.json) ctx.printJson({ url, port, token, credentialsFile: credentials.file })
  else ctx.out(url)
  return EXIT.ok
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

function listenError(e: unknown, host: string, ports: readonly number[]): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code
  const where = `${host}:${ports.at(-1) ?? 0}`
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
