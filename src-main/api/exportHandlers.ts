/** Reports, metrics and checkpoints for the user to save: `runs.export` and `runs.exportCheckpoint`. */
import {
  EXPORT_FORMATS,
  type ExportedFile,
  type ExportFormat,
  type ExportOptions,
} from '../../src-shared/contract'
import { MAX_API_EXPORT_BYTES } from '../../src-shared/exportLimit'
import { GroupOptionsError, parseGroupOptions, type GroupOptions } from '../../src-shared/runGroups'
import { MAX_SMOOTHING } from '../../src-shared/smoothing'
import { exportCheckpoint } from '../core/export/checkpoint'
import { exportRuns, isSummaryFormat } from '../core/export/files'
import { isReportLocale, REPORT_LOCALES } from '../core/export/report/messages'
import type { Workbench } from '../core/workbench'
import { invalidArgument } from './errors'
import type { HandlerContext, Handlers } from './handlers'
import { checkArity, optional, runIdArg } from './validate'

/** A report of more runs than this is unreadable, and its PDF would take minutes. */
export const MAX_EXPORT_RUNS = 200
/** A summary is a row per run (about a kilobyte): a whole data folder's runs fit. */
export const MAX_SUMMARY_RUNS = 10_000

export function createExportHandlers(
  wb: Workbench,
  ctx: HandlerContext,
): Pick<Handlers, 'runs.export' | 'runs.exportCheckpoint'> {
  return {
    'runs.export': async (...args) => {
      checkArity('runs.export', args, ['ids', 'format', 'options'], 1)
      const format = formatArg(args[1])
      const ids = runIdsArg(args[0], isSummaryFormat(format) ? MAX_SUMMARY_RUNS : MAX_EXPORT_RUNS)
      const options = optional(args[2], optionsArg) ?? {}
      const file = await exportRuns(wb, ids, format, {
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.group ? { group: options.group } : {}),
        ...(options.smoothing !== undefined ? { smoothing: options.smoothing } : {}),
        ...(ctx.pdf ? { pdf: ctx.pdf } : {}),
        maxBytes: MAX_API_EXPORT_BYTES,
        dataDir: ctx.dataDir,
      })
      return toExportedFile(file)
    },
    'runs.exportCheckpoint': async (...args) => {
      checkArity('runs.exportCheckpoint', args, ['id'])
      return toExportedFile(await exportCheckpoint(wb, runIdArg(args[0])))
    },
  }
}

function toExportedFile(f: { fileName: string; mime: string; bytes: Uint8Array }): ExportedFile {
  return {
    fileName: f.fileName,
    mime: f.mime,
    base64: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('base64'),
  }
}

function runIdsArg(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) {
    throw invalidArgument('ids', `must be an array of run ids, got ${typeOf(value)}`)
  }
  if (value.length < 1 || value.length > max) {
    throw invalidArgument('ids', `must list 1 to ${max} run ids, got ${value.length}`)
  }
  // Array.from, not map: map skips the holes of a sparse array (which IPC's structured clone keeps).
  return Array.from(value as unknown[], (id, i) => runIdArg(id, `ids[${i}]`))
}

function formatArg(value: unknown): ExportFormat {
  if (typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value)) {
    return value as ExportFormat
  }
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeOf(value)
  throw invalidArgument('format', `must be one of ${EXPORT_FORMATS.join(', ')}, got ${shown}`)
}

const OPTION_KEYS = ['locale', 'group', 'smoothing']

function optionsArg(value: unknown): ExportOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument('options', `must be an object like {locale: 'en'}, got ${typeOf(value)}`)
  }
  const out: ExportOptions = {}
  for (const [key, v] of Object.entries(value)) {
    if (!OPTION_KEYS.includes(key))
      throw invalidArgument(
        `options.${key.slice(0, 40)}`,
        `unknown option (known: ${OPTION_KEYS.join(', ')})`,
      )
    if (v === undefined || v === null) continue
    if (key === 'group') out.group = groupArg(v)
    else if (key === 'smoothing') out.smoothing = smoothingArg(v)
    else if (!isReportLocale(v)) {
      const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeOf(v)
      throw invalidArgument('options.locale', `must be one of ${REPORT_LOCALES.join(', ')}, got ${shown}`)
    } else out.locale = v
  }
  return out
}

/** Group and aggregate (issue 13): the grouping a report draws, checked field by field. */
function groupArg(value: unknown): GroupOptions {
  try {
    return parseGroupOptions(value)
  } catch (e) {
    if (e instanceof GroupOptionsError)
      throw invalidArgument(`options.group${e.field ? `.${e.field}` : ''}`, e.message)
    throw e
  }
}

/** The EMA weight the view's slider set: a number from 0 (raw) to MAX_SMOOTHING. */
export function smoothingArg(v: unknown, name = 'options.smoothing'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_SMOOTHING) {
    const shown =
      typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeOf(v)
    throw invalidArgument(name, `must be a number from 0 (no smoothing) to ${MAX_SMOOTHING}, got ${shown}`)
  }
  return v
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
