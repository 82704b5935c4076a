/** Every failure the CLI reports, reduced to a code, a message, field errors and an exit code. */
import type { FieldError } from '../../src-shared/config'
import { DatasetsError } from '../core/datasets'
import { WorkbenchError } from '../core/errors'
import { StoreError } from '../core/store/errors'
import { describeStorageProblem, isStorageError } from '../core/storageProblem'
import { dirname } from 'node:path'
import { EXIT, type ExitCode } from './exitCodes'

/** An error the CLI itself raises, already knowing its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly fields: FieldError[] = [],
  ) {
    super(message)
  }
}

export interface ErrorReport {
  code: string
  message: string
  fields: FieldError[]
  exitCode: ExitCode
}

export function describeError(e: unknown): ErrorReport {
  if (e instanceof CliError)
    return { code: e.code, message: e.message, fields: e.fields, exitCode: e.exitCode }
  if (e instanceof WorkbenchError) {
    if (e.code === 'storage') return { code: e.code, message: e.message, fields: [], exitCode: EXIT.storage }
    // Every other WorkbenchError is about what was asked (config, id, a status that forbids the action).
    return { code: e.code, message: e.message, fields: e.fields, exitCode: EXIT.usage }
  }
  if (e instanceof StoreError) {
    const usage = e.code === 'not-found' || e.code === 'invalid-argument' || e.code === 'corrupt'
    return {
      code: e.code,
      message: e.message,
      fields: fieldOf(e),
      exitCode: usage ? EXIT.usage : EXIT.failed,
    }
  }
  if (e instanceof DatasetsError) {
    const exitCode =
      e.code === 'aborted' ? EXIT.interrupted : e.code === 'invalid-argument' ? EXIT.usage : EXIT.dataset
    return { code: e.code, message: e.message, fields: fieldOf(e), exitCode }
  }
  if (isStorageError(e)) {
    const where = e.path === undefined ? process.cwd() : dirname(e.path)
    const problem = describeStorageProblem(e, where)!
    return { code: 'storage', message: problem.message, fields: [], exitCode: EXIT.storage }
  }
  const message = e instanceof Error ? e.message : String(e)
  return { code: 'internal', message, fields: [], exitCode: EXIT.failed }
}

/** The store's and the datasets' errors name one argument; their message may start with it. */
function fieldOf(e: StoreError | DatasetsError): FieldError[] {
  if (e.field === undefined) return []
  const prefix = `${e.field}: `
  return [
    { path: e.field, message: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message },
  ]
}

/** `{error: {code, message, fields}}` for --json, else `error: message` and one line per field. */
export function formatError(report: Omit<ErrorReport, 'exitCode'>, json: boolean): string {
  if (json) {
    const { code, message, fields } = report
    return JSON.stringify({ error: { code, message, fields } }) + '\n'
  }
  // A field error the message already spells out is not repeated: `path: is not a folder` inside the
  // message, or the message itself (an error that names its field without starting with it, as the
  // registry's "<folder> does not load as a dataset: ..." does for `path`).
  const fieldLines = report.fields
    .filter((f) => f.message !== report.message)
    .map((f) => `${f.path}: ${f.message}`)
    .filter((line) => !report.message.includes(line))
  const lines = [`error: ${report.message}`, ...fieldLines]
  return lines.join('\n') + '\n'
}
