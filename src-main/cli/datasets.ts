/** `datasets ls | import | download`: the registry of `<dataDir>/datasets/` plus the built-in datasets. */
import { basename, isAbsolute, resolve } from 'node:path'
import { SingleBar, Presets } from 'cli-progress'
import { defaultSplits, type SplitSizes } from '../../src-shared/splits'
import { DatasetRegistry, DatasetsError, type DatasetInfo, type DownloadProgress } from '../core/datasets'
import type { ImportProgress } from '../core/datasets/registry'
import { assertDatasetUnused } from '../core/datasets/inUse'
import { DEFAULT_BUILTIN_DATASETS } from '../core/workbench'
import type { Context } from './context'
import { CliError } from './errors'
import { EXIT } from './exitCodes'
import { bytes, NONE, paint, table } from './format'

export async function datasetsLsCommand(ctx: Context): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const list = (await wb.datasets.list()).map((d) => ({ ...d, splits: splitsOf(d) }))
    if (ctx.json) {
      ctx.printJson(list)
      return 0
    }
    // The split column is what a run uses by default, as the app's datasets page shows it.
    const rows = list.map((d) => [
      d.name + (d.available ? '' : paint(ctx.color, 'red', ' (missing)')),
      d.source + (d.source === 'import' ? (d.reference ? ' (reference)' : ' (copy)') : ''),
      d.format,
      String(d.counts.train),
      String(d.counts.test),
      `${d.splits.numTraining}/${d.splits.numValidation}/${d.splits.numTest}`,
      d.shape.join('x'),
      String(d.classNames.length),
      bytes(d.sizeOnDisk),
    ])
    const headers = ['name', 'source', 'format', 'train', 'test', 'split', 'shape', 'classes', 'size']
    const align = ['left', 'left', 'left', 'right', 'right', 'right', 'left', 'right', 'right'] as const
    ctx.out(table(headers, rows, [...align]))
    return 0
  })
}

export async function datasetsImportCommand(
  ctx: Context,
  path: string,
  options: { name?: string; copy?: boolean },
): Promise<number> {
  const folder = isAbsolute(path) ? path : resolve(ctx.io.cwd, path)
  const mode = options.copy ? 'copy' : 'reference'
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    ctx.note(`Importing ${folder} (${mode === 'copy' ? 'copying the files' : 'by reference'})…`)
    const name = options.name ? { name: options.name } : {}
    // On a terminal, a line per file read, copied or checked (a CIFAR-10 folder takes seconds); a log
    // or a pipe gets the one line above.
    const onProgress = (p: ImportProgress): void => {
      if (ctx.terminal !== null && p.file !== null) {
        ctx.note(`${p.phase} ${basename(p.file)} ${Math.floor(p.fraction * 100)}%`)
      }
    }
    const info = await asDatasetError(() => wb.datasets.importFolder(folder, { mode, onProgress, ...name }))
    printAdded(ctx, info, mode === 'copy' ? 'imported (copied)' : 'imported by reference')
    return 0
  })
}

/** `datasets rm <name>`: as the page's Remove, refused while queued or running runs need it. */
export async function datasetsRmCommand(ctx: Context, name: string): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    await asDatasetError(async () => {
      if ((await wb.datasets.get(name)).readOnly) await wb.datasets.remove(name) // refused: built in
      await assertDatasetUnused(() => wb.listRuns(), name)
      await wb.datasets.remove(name)
    })
    if (ctx.json) ctx.printJson({ removed: name })
    else ctx.out(`Dataset ${name} removed (runs that used it keep their records)`)
    return 0
  })
}

export async function datasetsDownloadCommand(
  ctx: Context,
  source: string,
  options: { mirror?: string } = {},
): Promise<number> {
  return ctx.withWorkbench('inspect', undefined, async (wb) => {
    const view = downloadView(ctx)
    // A mirror laid out by dataset (<mirror>/<source>/<file>); the published md5s are checked all the same.
    const registry =
      options.mirror === undefined
        ? wb.datasets
        : new DatasetRegistry(ctx.dataDir, {
            builtinDir: wb.datasets.builtinDir ?? DEFAULT_BUILTIN_DATASETS,
            downloadOptions: { mirror: options.mirror },
          })
    try {
      const onProgress = (p: DownloadProgress): void => view.update(p)
      const info = await asDatasetError(() =>
        registry.download(source, { onProgress, signal: ctx.io.interrupt }),
      )
      view.stop()
      printAdded(ctx, info, 'downloaded')
      return 0
    } finally {
      view.stop()
    }
  })
}

/** Whatever else goes wrong while importing or downloading (e.g. DNS failure) is a dataset error too. */
async function asDatasetError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof DatasetsError || e instanceof CliError) throw e
    const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'dataset'
    throw new CliError(code, e instanceof Error ? e.message : String(e), EXIT.dataset)
  }
}

function splitsOf(d: DatasetInfo): SplitSizes {
  return defaultSplits({ format: d.format, train: { count: d.counts.train }, test: { count: d.counts.test } })
}

function printAdded(ctx: Context, d: DatasetInfo, how: string): void {
  if (ctx.json) return ctx.printJson({ ...d, splits: splitsOf(d) })
  const shape = d.shape.join('x')
  const s = splitsOf(d)
  ctx.out(
    `Dataset ${d.name} ${how}: ${d.format}, ${d.counts.train} train / ${d.counts.test} test images of ${shape}`,
  )
  ctx.out(`  split    ${s.numTraining} train / ${s.numValidation} val / ${s.numTest} test (as runs use it)`)
  ctx.out(`  classes  ${d.classNames.join(', ') || NONE}`)
  ctx.out(`  size     ${bytes(d.sizeOnDisk)}`)
  ctx.out(`  path     ${d.path}`)
}

interface DownloadView {
  update(p: DownloadProgress): void
  stop(): void
}

/** A bar over the whole download on a terminal; otherwise a line per phase and every few seconds. */
export function downloadView(ctx: Context, lineIntervalMs = 5000): DownloadView {
  if (ctx.json) return { update() {}, stop() {} }
  const describe = (p: DownloadProgress): string =>
    p.phase === 'download'
      ? `${bytes(p.bytes)}${p.total !== null ? ` / ${bytes(p.total)}` : ''}`
      : p.retry
        ? `${p.retry.reason}: attempt ${p.retry.attempt} of ${p.retry.of} in ${Math.round(p.retry.inMs / 1000)} s`
        : ''
  const terminal = ctx.terminal
  if (terminal) {
    const bar = new SingleBar(
      {
        stream: terminal,
        format: '{phase} {file} {bar} {percentage}% {detail}',
        barsize: 30,
        hideCursor: true,
        gracefulExit: false,
      },
      Presets.shades_classic,
    )
    let started = false
    return {
      update(p) {
        const payload = { phase: p.phase.padEnd(8), file: p.file, detail: describe(p) }
        const value = Math.round(p.fraction * 1000)
        if (!started) bar.start(1000, value, payload)
        else bar.update(value, payload)
        started = true
      },
      stop() {
        if (started) bar.stop()
        started = false
      },
    }
  }
  let last = { phase: '', file: '', at: 0 }
  return {
    update(p) {
      const now = Date.now()
      const changed = p.phase !== last.phase || p.file !== last.file
      if (!changed && now - last.at < lineIntervalMs) return
      last = { phase: p.phase, file: p.file, at: now }
      ctx.note(`${p.phase} ${p.file} ${Math.floor(p.fraction * 100)}% ${describe(p)}`.trimEnd())
    },
    stop() {},
  }
}
