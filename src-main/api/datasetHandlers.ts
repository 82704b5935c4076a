/**
 * The datasets page: the list with its real splits, the downloadable sources, import and download jobs
 * (progress as `datasetJob` events), the preview grid, removal, and the desktop app's folder picker.
 * Paths come from an untrusted page: absolute, no `..` segments, an existing folder outside the registry's
 * own, checked here and again by the registry.
 */
import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, normalize, relative, sep } from 'node:path'
import type {
  DatasetSummary,
  FolderInspection,
  ImportRequest,
  PreviewOptions,
} from '../../src-shared/contract'
import { defaultSplits } from '../../src-shared/splits'
import { detectFormat } from '../../src-worker/data/detect'
import type { DatasetInfo } from '../core/datasets'
import { assertDatasetUnused } from '../core/datasets/inUse'
import { PREVIEW_MAX_PER_CLASS } from '../core/datasets/preview'
import { validateName } from '../core/datasets/validate'
import { WorkbenchError } from '../core/errors'
import type { Workbench } from '../core/workbench'
import { invalidArgument } from './errors'
import type { HandlerContext, Handlers } from './handlers'
import { checkArity } from './validate'

type DatasetMethods =
  | 'datasets.list'
  | 'datasets.sources'
  | 'datasets.jobs'
  | 'datasets.inspectFolder'
  | 'datasets.import'
  | 'datasets.download'
  | 'datasets.cancelJob'
  | 'datasets.dismissJob'
  | 'datasets.preview'
  | 'datasets.remove'
  | 'dialog.pickFolder'

/** Longer than any real path (PATH_MAX is 4096 on Linux). */
const MAX_PATH_LENGTH = 4096
const JOB_ID = /^(import|download)-[0-9a-z]{1,12}-[0-9a-f]{6}$/
const DEFAULT_PREVIEW_PER_CLASS = 7

export function createDatasetHandlers(
  wb: Pick<Workbench, 'datasets' | 'datasetJobs' | 'listRuns'>,
  ctx: Pick<HandlerContext, 'pickFolder'>,
): Pick<Handlers, DatasetMethods> {
  return {
    'datasets.list': async (...args) => {
      checkArity('datasets.list', args, [])
      return (await wb.datasets.list()).map(toSummary)
    },
    'datasets.sources': async (...args) => {
      checkArity('datasets.sources', args, [])
      const installed = new Set((await wb.datasets.list()).map((d) => d.name))
      return Promise.all(
        wb.datasets.sourceList().map(async (s) => {
          const sizes = s.files.map((f) => f.size)
          return {
            name: s.name,
            title: s.title,
            format: s.format,
            homepage: s.homepage,
            bytes: sizes.every((x) => x !== undefined) ? sizes.reduce((a, b) => a! + b!, 0)! : null,
            files: s.files.length,
            classNames: [...s.classNames],
            license: s.license,
            citation: s.citation,
            installed: installed.has(s.name),
            partialBytes: await wb.datasets.partialBytes(s.name),
          }
        }),
      )
    },
    'datasets.jobs': async (...args) => {
      checkArity('datasets.jobs', args, [])
      return wb.datasetJobs.list()
    },
    'datasets.inspectFolder': async (...args) => {
      checkArity('datasets.inspectFolder', args, ['path'])
      return inspectFolder(pathArg(args[0]), wb.datasets)
    },
    'datasets.import': async (...args) => {
      checkArity('datasets.import', args, ['path', 'request'])
      const path = pathArg(args[0])
      const request = importRequestArg(args[1])
      return wb.datasetJobs.startImport(path, request)
    },
    'datasets.download': async (...args) => {
      checkArity('datasets.download', args, ['sourceName'])
      const name = args[0]
      if (typeof name !== 'string')
        throw invalidArgument('sourceName', `must be a string, got ${typeOf(name)}`)
      return wb.datasetJobs.startDownload(name)
    },
    'datasets.cancelJob': async (...args) => {
      checkArity('datasets.cancelJob', args, ['jobId'])
      return wb.datasetJobs.cancel(jobIdArg(args[0]))
    },
    'datasets.dismissJob': async (...args) => {
      checkArity('datasets.dismissJob', args, ['jobId'])
      wb.datasetJobs.dismiss(jobIdArg(args[0]))
      return null
    },
    'datasets.preview': async (...args) => {
      checkArity('datasets.preview', args, ['name', 'options'], 1)
      const name = validateName(args[0], 'name')
      const { perClass } = previewOptionsArg(args[1])
      return wb.datasets.preview(name, perClass ?? DEFAULT_PREVIEW_PER_CLASS)
    },
    'datasets.remove': async (...args) => {
      checkArity('datasets.remove', args, ['name'])
      const name = validateName(args[0], 'name')
      // Unknown and built-in names are answered as such before any run is looked at.
      if ((await wb.datasets.get(name)).readOnly) await wb.datasets.remove(name)
      await assertDatasetUnused(() => wb.listRuns(), name)
      await wb.datasets.remove(name)
      return { name }
    },
    'dialog.pickFolder': async (...args) => {
      checkArity('dialog.pickFolder', args, [])
      if (ctx.pickFolder === undefined) {
        throw new WorkbenchError(
          'unsupported',
          'dialog.pickFolder: the browser mode has no folder picker: type the folder path instead',
        )
      }
      return ctx.pickFolder()
    },
  }
}

export function toSummary(d: DatasetInfo): DatasetSummary {
  const summary: DatasetSummary = {
    name: d.name,
    source: d.source,
    format: d.format,
    counts: { train: d.counts.train, test: d.counts.test },
    shape: [d.shape[0], d.shape[1], d.shape[2]],
    classNames: [...d.classNames],
    sizeOnDisk: d.sizeOnDisk,
    splits: defaultSplits({
      format: d.format,
      train: { count: d.counts.train },
      test: { count: d.counts.test },
    }),
    path: d.path,
    origin: d.origin,
    reference: d.reference,
    readOnly: d.readOnly,
    available: d.available,
    addedAt: d.addedAt,
  }
  if (d.sourceName !== undefined) summary.sourceName = d.sourceName
  if (d.license !== undefined) summary.license = d.license
  if (d.citation !== undefined) summary.citation = d.citation
  return summary
}

/** A folder path from the page: a string, absolute, without NUL or `..` segments, of a sane length. */
export function pathArg(value: unknown, name = 'path'): string {
  if (typeof value !== 'string') throw invalidArgument(name, `must be a folder path, got ${typeOf(value)}`)
  const path = value.trim()
  if (path === '') throw invalidArgument(name, 'must not be empty')
  if (path.length > MAX_PATH_LENGTH) {
    throw invalidArgument(name, `must be at most ${MAX_PATH_LENGTH} characters, got ${path.length}`)
  }
  if (path.includes('\0')) throw invalidArgument(name, 'must not contain NUL characters')
  if (!isAbsolute(path)) {
    throw invalidArgument(
      name,
      `must be an absolute path (starting with ${sep}), got ${JSON.stringify(path.slice(0, 200))}`,
    )
  }
  if (path.split(/[\\/]/).includes('..')) {
    throw invalidArgument(name, `must not contain '..' segments, got ${JSON.stringify(path.slice(0, 200))}`)
  }
  return normalize(path)
}

function importRequestArg(value: unknown): ImportRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('request', `must be an object like {mode: 'reference'}, got ${typeOf(value)}`)
  }
  const out: Partial<ImportRequest> = {}
  for (const [key, v] of Object.entries(value)) {
    if (key === 'mode') {
      if (v !== 'reference' && v !== 'copy') {
        const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeOf(v)
        throw invalidArgument('request.mode', `must be 'reference' or 'copy', got ${shown}`)
      }
      out.mode = v
    } else if (key === 'name') {
      if (v === undefined || v === null || v === '') continue
      out.name = validateName(v, 'request.name')
    } else {
      throw invalidArgument(`request.${key.slice(0, 40)}`, 'unknown option (known: mode, name)')
    }
  }
  if (out.mode === undefined) throw invalidArgument('request.mode', "is required: 'reference' or 'copy'")
  return out as ImportRequest
}

function previewOptionsArg(value: unknown): PreviewOptions {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument('options', `must be an object like {perClass: 7}, got ${typeOf(value)}`)
  }
  const out: PreviewOptions = {}
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'perClass')
      throw invalidArgument(`options.${key.slice(0, 40)}`, 'unknown option (known: perClass)')
    if (v === undefined || v === null) continue
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > PREVIEW_MAX_PER_CLASS) {
      throw invalidArgument(
        'options.perClass',
        `must be an integer from 1 to ${PREVIEW_MAX_PER_CLASS}, got ${typeof v === 'number' ? v : typeOf(v)}`,
      )
    }
    out.perClass = v
  }
  return out
}

function jobIdArg(value: unknown): string {
  if (typeof value === 'string' && JOB_ID.test(value)) return value
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeOf(value)
  throw invalidArgument('jobId', `not a dataset job id (like download-mkq1x2-ab12cd), got ${shown}`)
}

/**
 * What a folder holds, before any of it is read: the browser mode checks a typed path with it. A path
 * that is not a readable folder, or is the registry's own, is an answer (ok: false), not an error.
 */
async function inspectFolder(path: string, registry: Workbench['datasets']): Promise<FolderInspection> {
  const no = (
    code: string,
    message: string,
    extra: { file?: string; reason?: string } = {},
  ): FolderInspection => ({
    ok: false,
    path,
    code,
    message,
    ...extra,
  })
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch {
    return no('not-found', `${path} does not exist or cannot be read`)
  }
  if (!isDir) return no('not-a-folder', `${path} is a file, not a folder`)
  const real = await realpath(path)
  for (const own of [registry.datasetsDir, registry.builtinDir]) {
    if (own === undefined) continue
    const ownReal = await realpath(own).catch(() => own)
    const rel = relative(ownReal, real)
    if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) {
      return no('inside-registry', `${path} is inside the registry's own folder ${own}`)
    }
  }
  const detected = await detectFormat(path)
  if (!detected.ok) {
    const e = detected.error
    const prefix = `${e.file}: `
    return no('invalid-data', e.message, {
      file: e.file,
      reason: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message,
    })
  }
  const files = Object.values(detected.files as unknown as Record<string, string | string[] | null>).flatMap(
    (v) => (v === null ? [] : Array.isArray(v) ? v : [v]),
  )
  let bytes = 0
  for (const f of files) bytes += (await stat(f).catch(() => null))?.size ?? 0
  return { ok: true, path, format: detected.format, files: files.length, bytes }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
