/**
 * `workbench`: the headless CLI over the core (src-main/core/workbench.ts). Runs train in this process, on
 * the core's worker pool, and are stored in the data dir layout every front end reads.
 *
 *   npm run cli -- run examples/seed-two-layer.json
 *   workbench sweep examples/seed-random-search.json --threads 2
 *   workbench ls --json
 *
 * `main(argv)` returns the exit code (see exitCodes.ts) instead of exiting, so tests drive it in-process
 * with their own writers and interrupt signal.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { DEFAULT_SMOOTHING, MAX_SMOOTHING } from '../../src-shared/smoothing'
import pkg from '../../package.json'
import { SOURCES } from '../core/datasets'
import { describeServe, serveCommand, type ServeOptions } from '../server/serve'
import { checkCommand } from './check'
import { Context, MEMORY_BUDGET_ENV, type CliIo, type GlobalOptions } from './context'
import { DATA_DIR_ENV, defaultDataDir } from './dataDir'
import {
  datasetsDownloadCommand,
  datasetsImportCommand,
  datasetsLsCommand,
  datasetsRmCommand,
} from './datasets'
import { describeError, formatError } from './errors'
import {
  checkpointCommand,
  EXPORT_FORMATS,
  exportCommand,
  REPORT_LOCALES,
  type ExportOptions,
} from './export'
import { EXIT, EXIT_CODES_HELP } from './exitCodes'
import { cancelCommand, lsCommand, showCommand } from './inspect'
import {
  archiveCommand,
  noteCommand,
  purgeCommand,
  renameCommand,
  restoreCommand,
  rmCommand,
  tagCommand,
  trashCommand,
  type RmOptions,
  type TrashOptions,
} from './manage'
import {
  resumeCommand,
  runCommand,
  sweepCommand,
  type ResumeCommandOptions,
  type TrainOptions,
} from './train'
import { checkpointIntervalOption, queueOption, redisOption } from './cluster'
import { workerCommand, type WorkerCommandOptions } from './worker'

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const sigint = io.interrupt ? null : new SigintHandler()
  const full: CliIo = {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    terminal: process.stderr.isTTY ? process.stderr : null,
    stdoutIsTerminal: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    ...io,
    interrupt: io.interrupt ?? (sigint as SigintHandler).signal,
  }
  // Known before parsing, so that even commander's usage errors come out as JSON.
  const json = argv.includes('--json')
  let code: number = EXIT.ok
  try {
    await buildProgram(full, json, (c) => (code = c)).parseAsync(argv, { from: 'user' })
    return code
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end this way too, with exit code 0; commander has printed its error already.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    const report = describeError(e)
    full.stderr(formatError(report, json))
    return report.exitCode
  } finally {
    sigint?.dispose()
  }
}

type Action<A extends unknown[]> = (ctx: Context, ...args: A) => Promise<number>

function buildProgram(io: CliIo, json: boolean, setCode: (code: number) => void): Command {
  const platformDataDir = defaultDataDir({ ...io.env, [DATA_DIR_ENV]: '' })
  const program = new Command('workbench')
    .description('Queue, train and compare CS231n-style neural networks from the command line.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => {
        const message = s.replace(/^error: /, '').trim()
        write(json ? formatError({ code: 'usage', message, fields: [] }, true) : s)
      },
    })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .option(
      '--data-dir <dir>',
      `where runs and datasets live (default: $${DATA_DIR_ENV}, else ${platformDataDir})`,
    )
    .option('--json', 'machine-readable output: JSON on stdout, no bars or colours; errors as JSON on stderr')
    .option(
      '--memory-budget <size>',
      `memory the runs training at once may take together: 12GB, 800MB, 50% (default: $${MEMORY_BUDGET_ENV}, else half ` +
        'the machine, leaving at least 4 GB); a run that cannot fit is refused when queued',
    )
    .addHelpText('after', EXIT_CODES_HELP)

  /** Wraps an action: the global options become a Context, the returned number the exit code. */
  const act =
    <A extends unknown[]>(fn: Action<A>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args.at(-1) as Command
      const ctx = new Context(io, cmd.optsWithGlobals<GlobalOptions>())
      setCode(await fn(ctx, ...(args.slice(0, -1) as A)))
    }
  const threads = (): Option =>
    new Option('--threads <n>', 'runs trained in parallel (default: the number of cores)').argParser(
      parseThreads,
    )

  program
    .command('run')
    .description('validate a run config, queue it and train it here until it finishes (Ctrl-C: interrupt)')
    .argument('<config.json>', 'run config file (see examples/)')
    .addOption(threads())
    .addOption(redisOption("train it on the cluster's workers instead of here"))
    .addOption(queueOption())
    .addOption(checkpointIntervalOption())
    .action(act((ctx, file: string, o: TrainOptions) => runCommand(ctx, file, o)))

  program
    .command('check')
    .description(
      "a config's sanity checks without queuing it: initial loss ~ ln(C), reg raises the loss, " +
        'gradient check, overfit 50 examples (exit code 1 when one fails)',
    )
    .argument('<config.json>', 'run config file (see examples/)')
    .action(act((ctx, file: string) => checkCommand(ctx, file)))

  program
    .command('sweep')
    .description('queue every run of a sweep (grid or random search) and train them in parallel')
    .argument('<sweep.json>', 'sweep file (see examples/seed-random-search.json)')
    .addOption(threads())
    .addOption(redisOption("train its runs on the cluster's workers instead of here"))
    .addOption(queueOption())
    .addOption(checkpointIntervalOption())
    .action(act((ctx, file: string, o: TrainOptions) => sweepCommand(ctx, file, o)))

  program
    .command('ls')
    .description('list runs: id, name, status, sweep, best val acc, test acc, duration')
    .option('--all', 'archived runs too (hidden by default, as in the app)')
    .action(act((ctx, o: { all?: boolean }) => lsCommand(ctx, o)))

  program
    .command('show')
    .description("a run's config, status, progress, result (confusion matrix), error, environment, metrics")
    .argument('<id>', 'run id')
    .action(act((ctx, id: string) => showCommand(ctx, id)))

  program
    .command('cancel')
    .description('cancel a queued run, or stop a running one after its current step')
    .argument('<id>', 'run id')
    .action(act((ctx, id: string) => cancelCommand(ctx, id)))

  program
    .command('resume')
    .description('continue interrupted, cancelled or failed runs from their last checkpoint, training here')
    .argument('<id...>', 'run ids')
    .option(
      '--fresh',
      'restart from iteration 0 instead of the last checkpoint (for a run whose checkpoints are damaged; ' +
        'replaces its curve so far)',
    )
    .addOption(threads())
    .addOption(redisOption("continue them on the cluster's workers instead of here"))
    .addOption(queueOption())
    .addOption(checkpointIntervalOption())
    .action(act((ctx, ids: string[], o: ResumeCommandOptions) => resumeCommand(ctx, ids, o)))

  program
    .command('rm')
    .description('move runs to the trash (workbench restore brings them back; nothing is deleted yet)')
    .argument('<id...>', 'run ids')
    .option('--cancel', 'a run another process trains: ask it to stop the run, wait, then delete it')
    .action(act((ctx, ids: string[], o: RmOptions) => rmCommand(ctx, ids, o)))

  program
    .command('restore')
    .description('bring runs back from the trash')
    .argument('<id...>', 'run ids')
    .action(act((ctx, ids: string[]) => restoreCommand(ctx, ids)))

  program
    .command('trash')
    .description('list the runs in the trash, most recently deleted first')
    .option('--empty', 'delete every run in the trash for good')
    .action(act((ctx, o: TrashOptions) => trashCommand(ctx, o)))

  program
    .command('purge')
    .description('delete runs in the trash for good (their folders are removed)')
    .argument('<id...>', 'run ids (of trashed runs)')
    .action(act((ctx, ids: string[]) => purgeCommand(ctx, ids)))

  program
    .command('rename')
    .description("change a run's name (also while it trains, here or in another process)")
    .argument('<id>', 'run id')
    .argument('<name>', 'the new name')
    .action(act((ctx, id: string, name: string) => renameCommand(ctx, id, name)))

  program
    .command('tag')
    .description("add and remove a run's tags: +name adds, -name removes (a bare name adds)")
    .argument('<id>', 'run id')
    .argument('<changes...>', 'e.g. +baseline -old')
    // `-old` is a tag to remove, not an option.
    .allowUnknownOption()
    .action(act((ctx, id: string, changes: string[]) => tagCommand(ctx, id, changes)))

  program
    .command('note')
    .description("replace a run's notes (multi-line from stdin with -; an empty text clears them)")
    .argument('<id>', 'run id')
    .argument('<text>', 'the notes, or - to read them from stdin')
    .action(act((ctx, id: string, text: string) => noteCommand(ctx, id, text)))

  program
    .command('archive')
    .description('hide runs from ls and the app’s table (ls --all and the table’s filter show them)')
    .argument('<id...>', 'run ids')
    .action(act((ctx, ids: string[]) => archiveCommand(ctx, ids, true)))

  program
    .command('unarchive')
    .description('show archived runs in ls and the table again')
    .argument('<id...>', 'run ids')
    .action(act((ctx, ids: string[]) => archiveCommand(ctx, ids, false)))

  program
    .command('export')
    .description(
      "runs' report (self-contained HTML, or PDF via Chromium), metrics (loss per iteration, " +
        'accuracies and lr per epoch) as CSV or JSON, or a summary (summary-csv, summary-json: a row per ' +
        'run with every hyperparameter and result)',
    )
    .argument('[id...]', 'run ids')
    .option('--all', 'export every run')
    .addOption(
      new Option(
        '--format <format>',
        'file format (default: from the extension of --out: .html, .pdf, .json, else csv)',
      ).choices(EXPORT_FORMATS),
    )
    .addOption(
      new Option('--locale <locale>', "the report's language and number formats (default: en)").choices(
        REPORT_LOCALES,
      ),
    )
    .addOption(
      new Option(
        '--smoothing <weight>',
        `the report's loss smoothing, 0 (raw) to ${MAX_SMOOTHING}, as the app's slider (default: ${DEFAULT_SMOOTHING})`,
      ).argParser(parseSmoothing),
    )
    .requiredOption('--out <file>', 'the file to write (replaced atomically)')
    .action(act((ctx, ids: string[], o: ExportOptions) => exportCommand(ctx, ids, o)))

  program
    .command('checkpoint')
    .description("a run's best parameters (and batchnorm statistics) as a .safetensors file")
    .argument('<id>', 'run id')
    .requiredOption('--out <file>', 'the .safetensors file to write (replaced atomically)')
    .action(act((ctx, id: string, o: { out: string }) => checkpointCommand(ctx, id, o)))

  program
    .command('worker')
    .description(
      'train runs from the cluster queue on this machine until stopped (Ctrl-C or SIGTERM: its runs go back ' +
        'to the queue and continue from their last checkpoint on another worker)',
    )
    .addOption(redisOption('the Redis the app sends runs to').makeOptionMandatory())
    .addOption(queueOption())
    .addOption(
      new Option('--concurrency <n>', 'runs trained at once (default: the number of cores)').argParser(
        parseThreads,
      ),
    )
    .addOption(
      new Option(
        '--lock-duration <ms>',
        'how long a silent worker keeps its run before another takes it over',
      )
        .default(30_000)
        .argParser(parseLockMs),
    )
    .action(act((ctx, o: WorkerCommandOptions) => workerCommand(ctx, o)))

  describeServe(program.command('serve'))
    .addOption(threads())
    .action(
      act((ctx, o: ServeOptions) =>
        // Crash reports for the process only when this is the process (not a test calling main()).
        serveCommand(ctx, { ...o, processCrashReports: require.main === module }),
      ),
    )

  const datasets = program.command('datasets').description('list, import and download datasets')
  datasets
    .command('ls')
    .description(
      'datasets: name, source, format, counts, split (train/val/test as runs use it), shape, classes, size',
    )
    .action(act((ctx) => datasetsLsCommand(ctx)))
  datasets
    .command('import')
    .description('register a dataset folder (CIFAR-10 python or binary batches, or IDX files)')
    .argument('<path>', 'the dataset folder')
    .option('--name <name>', 'registry name (default: from the folder name)')
    .option('--copy', 'copy the files into the data dir (default: read them where they are)')
    .action(
      act((ctx, path: string, o: { name?: string; copy?: boolean }) => datasetsImportCommand(ctx, path, o)),
    )
  datasets
    .command('download')
    .description('download a dataset from its official host, verify and register it')
    .addArgument(new Argument('<source>', 'what to download').choices(Object.keys(SOURCES)))
    .option(
      '--mirror <url>',
      'fetch the files from <url>/<source>/<file> instead (checked against the published md5s)',
    )
    .action(act((ctx, source: string, o: { mirror?: string }) => datasetsDownloadCommand(ctx, source, o)))
  datasets
    .command('rm')
    .description(
      'remove a downloaded or imported dataset (a referenced folder is left alone); runs that used it keep ' +
        'their records; refused while queued or running runs need it',
    )
    .argument('<name>', 'the dataset')
    .action(act((ctx, name: string) => datasetsRmCommand(ctx, name)))

  for (const leaf of leaves(program)) leaf.addHelpText('after', EXIT_CODES_HELP)
  return program
}

function leaves(cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves)
}

function parseSmoothing(value: string): number {
  const w = value.trim() === '' ? NaN : Number(value)
  if (!Number.isFinite(w) || w < 0 || w > MAX_SMOOTHING) {
    throw new InvalidArgumentError(`a number from 0 (no smoothing) to ${MAX_SMOOTHING}`)
  }
  return w
}

function parseLockMs(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1000 || n > 600_000)
    throw new InvalidArgumentError('an integer from 1000 to 600000')
  return n
}

function parseThreads(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('an integer from 1 to 256')
  return n
}

/**
 * Ctrl-C aborts the signal, so that training commands can interrupt their runs and leave them
 * resumable; a second Ctrl-C exits at once.
 */
class SigintHandler {
  private readonly controller = new AbortController()
  private readonly onSigint = (): void => {
    if (this.controller.signal.aborted) process.exit(EXIT.interrupted)
    this.controller.abort()
  }

  constructor() {
    process.on('SIGINT', this.onSigint)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  dispose(): void {
    process.off('SIGINT', this.onSigint)
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code
  })
}
