/**
 * layers.jsonl read back: one LayerCapture per line (src-shared/layerStats.ts), streamed in two passes so
 * a long run's file (megabytes of histograms) is never held as one string nor parsed whole:
 *
 * 1. An index: each line's iteration, found by looking for `"iteration":` in its bytes (no capture holds
 *    that key anywhere but at its top level). A line without one, or not ending in `}`, is damaged (a
 *    write cut short by a crash). A capture at or before the iteration of captures read before it
 *    supersedes them (two processes that trained one run at the same time logged every capture twice),
 *    then `afterIteration` and the cap choose which lines to return.
 * 2. Only the chosen lines are parsed and validated (src-shared/layerSchema.ts); one the schema refuses
 *    is skipped and counted too.
 *
 * A resume cuts the file back to its checkpoint (layersLog.ts), so what an abandoned attempt captured
 * past it is gone before the next attempt appends. A missing file has no captures.
 */
import {
  binLayout,
  thinEvenly as thin,
  type LayerCapture,
  type LayerSeries,
} from '../../../src-shared/layerStats'
import { parseLayerLine } from '../../../src-shared/layerSchema'
import { warnProblem, type ProblemReporter } from './errors'
import { forEachLineChunk } from './lineChunks'

export interface ReadLayersOptions {
  /** Only captures with iteration > afterIteration. */
  afterIteration?: number
  /** At most this many captures, chosen evenly (first and last kept); default all. */
  maxCaptures?: number
  /** Receives each damaged line that was skipped (default: console.warn). */
  onProblem?: ProblemReporter
  /** Bytes per read; tests use a few to split lines across reads. Default 1 MiB. */
  chunkBytes?: number
  /** Longer lines are skipped as damaged. Default 8 MiB (a capture is a few KB per layer). */
  maxLineBytes?: number
}

export const LAYERS_MAX_LINE_BYTES = 8 << 20

const KEY = Buffer.from('"iteration":')

/** The iteration a capture line states, or null when the line is damaged. */
function lineIteration(buf: Buffer, from: number, to: number): number | null {
  let end = to
  while (end > from && (buf[end - 1] === 0x20 || buf[end - 1] === 0x0d)) end--
  if (end === from || buf[end - 1] !== 0x7d) return null
  const at = buf.indexOf(KEY, from)
  if (at < 0 || at >= end) return null
  let i = at + KEY.length
  while (i < end && buf[i] === 0x20) i++
  let n = 0
  let digits = 0
  while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    n = n * 10 + (buf[i]! - 0x30)
    digits++
    i++
  }
  return digits > 0 && digits < 16 ? n : null
}

interface Line {
  line: number
  iteration: number
}

/**
 * Calls `onLine(line, iteration | null, buf, from, to)` for each non-empty line (1-based line numbers;
 * null for a damaged one), and `onLong(line)` for lines over the limit. Resolves with the byte length
 * of the file's complete lines, null when it is missing.
 */
function eachLine(
  path: string,
  options: ReadLayersOptions,
  onLine: (line: number, iteration: number | null, buf: Buffer, from: number, to: number) => void,
  onLong: (line: number) => void,
  end?: number,
): Promise<number | null> {
  const maxLineBytes = options.maxLineBytes ?? LAYERS_MAX_LINE_BYTES
  let line = 0
  return forEachLineChunk(
    path,
    (buf, start, stop) => {
      let i = start
      while (i < stop) {
        const nl = buf.indexOf(0x0a, i)
        line++
        if (nl - i > maxLineBytes) onLong(line)
        else if (nl > i) onLine(line, lineIteration(buf, i, nl), buf, i, nl)
        i = nl + 1
      }
    },
    {
      ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
      maxLineBytes,
      ...(end !== undefined ? { end } : {}),
      onLongLine: () => onLong(++line),
    },
  )
}

/** The captures of the file that count, after `afterIteration`, thinned to `maxCaptures`. */
export async function readLayers(path: string, options: ReadLayersOptions = {}): Promise<LayerSeries> {
  const onProblem = options.onProblem ?? warnProblem
  const maxLineBytes = options.maxLineBytes ?? LAYERS_MAX_LINE_BYTES
  const damaged = new Map<number, string>()
  const kept: Line[] = []
  const end = await eachLine(
    path,
    options,
    (line, iteration) => {
      if (iteration === null) {
        damaged.set(line, 'not a layer capture (no iteration, or cut short)')
        return
      }
      while (kept.length > 0 && kept[kept.length - 1]!.iteration >= iteration) kept.pop()
      kept.push({ line, iteration })
    },
    (line) => damaged.set(line, `longer than ${maxLineBytes} bytes`),
  )
  const series: LayerSeries = { captures: [], bins: binLayout(), skippedLines: 0, totalCaptures: 0 }
  if (end === null) return series
  const after = options.afterIteration ?? -1
  const counted = kept.filter((l) => l.iteration > after)
  const chosen = thin(counted, options.maxCaptures ?? Infinity)
  series.totalCaptures = counted.length
  const skip = (line: number, message: string): void => {
    series.skippedLines++
    onProblem({ file: path, line, message })
  }
  for (const [line, message] of damaged) skip(line, message)
  if (chosen.length === 0) return series
  let next = 0
  await eachLine(
    path,
    options,
    (line, _iteration, buf, from, to) => {
      if (next >= chosen.length || chosen[next]!.line !== line) return
      next++
      let c: LayerCapture
      try {
        c = parseLayerLine(buf.toString('utf8', from, to))
      } catch (e) {
        skip(line, (e as Error).message)
        return
      }
      series.captures.push(c)
    },
    () => {},
    end,
  )
  return series
}

/**
 * The byte length of the file's captures up to and including `iteration` (the first line past it and
 * everything after it is what a resume from `iteration` drops), or null when the file is missing.
 */
export async function layersCutOffset(path: string, iteration: number): Promise<number | null> {
  let cut: number | null = null
  const end = await forEachLineChunk(
    path,
    (buf, start, stop, base) => {
      if (cut !== null) return
      let i = start
      while (i < stop) {
        const nl = buf.indexOf(0x0a, i)
        const it = nl > i ? lineIteration(buf, i, nl) : null
        if (it !== null && it > iteration) {
          cut = base + (i - start)
          return
        }
        i = nl + 1
      }
    },
    { maxLineBytes: LAYERS_MAX_LINE_BYTES },
  )
  if (end === null) return null
  // No capture past it: only a torn last line (after the last newline) goes.
  return cut ?? end
}
