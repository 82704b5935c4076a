/**
 * The app hands an export over in one message (base64 over IPC or the WebSocket), so it refuses metrics
 * exports above a size and names the command that writes them to a file instead, at any size. Shared so
 * main's error and the UI's translated notice say the same.
 */
import type { ExportFormat } from './contract'

/** The largest file runs.export builds: 32 MiB, about half a million CSV rows. */
export const MAX_API_EXPORT_BYTES = 32 * 2 ** 20

/** `workbench export <ids> --format <f> --out <file> [--data-dir <dir>]`, quoted for a POSIX shell. */
export function cliExportCommand(ids: readonly string[], format: ExportFormat, dataDir?: string): string {
  const out = format.startsWith('summary-')
    ? `summary.${format.slice('summary-'.length)}`
    : `metrics.${format}`
  const dir = dataDir ? ` --data-dir ${shellQuote(dataDir)}` : ''
  return `workbench export ${ids.join(' ')} --format ${format} --out ${out}${dir}`
}

function shellQuote(s: string): string {
  return /^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}
