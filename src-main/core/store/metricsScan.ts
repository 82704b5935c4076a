/**
 * The events of a metrics.jsonl that count, streamed in two passes over the file, never held as one
 * string nor (here) as one list:
 *
 * 1. A resume restarts from a checkpoint: what was logged before it past its fromIteration (or
 *    fromEpoch) belongs to an abandoned attempt, and so do earlier resume markers that pointed past it.
 *    Knowing whether a line is superseded needs the resumes logged after it, so a first pass collects
 *    only the resume lines: it searches the bytes for `resume` (or a backslash, which an escaped spelling
 *    would need) and parses just those lines, a small fraction of the time of a full parse.
 * 2. Of what is left, an iteration or an epoch logged more than once counts once, the first time: two
 *    processes that trained one run at the same time wrote every step twice, interleaved, with the same
 *    values (same checkpoint, same seed), and a curve must never show that.
 *
 * A missing file has no events; bytes after the last newline (a write cut short) are ignored; a corrupt
 * or overlong line is skipped and reported with its line number, so one bad line never hides a curve.
 */
import type { MetricEvent } from '../../../src-shared/runs'
import { warnProblem, type ProblemReporter } from './errors'
import { forEachLineChunk } from './lineChunks'
import { parseMetricLine as parseEvent } from '../../../src-shared/metricsSchema'

export interface ReadMetricsOptions {
  /** Receives each corrupt line that was skipped (default: console.warn). */
  onProblem?: ProblemReporter
  /** Bytes per read; tests use a few to split lines and characters across reads. Default 1 MiB. */
  chunkBytes?: number
  /** Longer lines are skipped as corrupt (an event is about 100 bytes). Default 1 MiB. */
  maxLineBytes?: number
}

type ResumeEvent = Extract<MetricEvent, { type: 'resume' }>

/**
 * Calls `sink` with each event that counts, in file order: after a crash-free single trainer that is
 * ascending, but a doubly trained log interleaves two attempts, so a sink that needs order sorts (or, like
 * the loss buckets, does not care).
 */
export async function scanMetrics(
  path: string,
  sink: (e: MetricEvent) => void,
  options: ReadMetricsOptions = {},
): Promise<void> {
  const onProblem = options.onProblem ?? warnProblem
  const chunks = {
    ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
    ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}),
  }
  const maxLineBytes = options.maxLineBytes ?? 1 << 20
  const { resumes, end } = await findResumes(path, chunks, maxLineBytes)
  if (end === null || end === 0) return

  // Suffix minima: an event is superseded by some later resume iff it is past the smallest of them.
  const m = resumes.length
  const minIteration = new Float64Array(m + 1).fill(Infinity)
  const minEpoch = new Float64Array(m + 1).fill(Infinity)
  for (let j = m - 1; j >= 0; j--) {
    minIteration[j] = Math.min(resumes[j]!.fromIteration, minIteration[j + 1]!)
    minEpoch[j] = Math.min(resumes[j]!.fromEpoch, minEpoch[j + 1]!)
  }
  let later = 0
  let line = 0
  const seen = new IterationSet()
  const seenEpochs = new Set<number>()

  const longLine = (): void => onProblem({ file: path, line, message: `longer than ${maxLineBytes} bytes` })
  const take = (text: string, offset: number): void => {
    if (text.charCodeAt(0) !== 0x7b && text.trim() === '') return
    let e: MetricEvent
    try {
      e = parseEvent(text)
    } catch (err) {
      onProblem({ file: path, line, message: (err as Error).message })
      return
    }
    while (later < m && resumes[later]!.offset <= offset) later++
    const fromIteration = minIteration[later]!
    switch (e.type) {
      case 'iteration':
        if (e.iteration > fromIteration || !seen.add(e.iteration)) return
        break
      case 'epoch':
        if (e.epoch > minEpoch[later]! || e.iteration > fromIteration || seenEpochs.has(e.epoch)) return
        seenEpochs.add(e.epoch)
        break
      case 'resume':
        if (e.fromIteration >= fromIteration) return
        break
    }
    sink(e)
  }

  await forEachLineChunk(
    path,
    (buf, start, stop, offset) => {
      let i = start
      while (i < stop) {
        const nl = buf.indexOf(0x0a, i)
        line++
        if (nl - i > maxLineBytes) longLine()
        else if (nl > i) take(buf.toString('utf8', i, nl), offset + (i - start))
        i = nl + 1
      }
    },
    {
      ...chunks,
      end,
      onLongLine: () => {
        line++
        longLine()
      },
    },
  )
}

const RESUME = Buffer.from('resume')
const BACKSLASH = 0x5c

/** Pass 1: the resume markers with the byte offset of their line, and how far the file's lines go. */
async function findResumes(
  path: string,
  chunks: { chunkBytes?: number; maxLineBytes?: number },
  maxLineBytes: number,
): Promise<{ resumes: (ResumeEvent & { offset: number })[]; end: number | null }> {
  const resumes: (ResumeEvent & { offset: number })[] = []
  const end = await forEachLineChunk(
    path,
    (buf, start, stop, offset) => {
      const view = buf.subarray(start, stop)
      // Each needle's next position is searched again only once the scan has passed it.
      let r = view.indexOf(RESUME)
      let b = view.indexOf(BACKSLASH)
      while (r >= 0 || b >= 0) {
        const hit = r < 0 ? b : b < 0 ? r : Math.min(r, b)
        const from = view.lastIndexOf(0x0a, hit) + 1
        const to = view.indexOf(0x0a, hit)
        // The second pass skips an overlong line as corrupt, so it must not count here either.
        const e = to - from <= maxLineBytes ? parsedOrNull(view.toString('utf8', from, to)) : null
        if (e?.type === 'resume') resumes.push({ ...e, offset: offset + from })
        if (r >= 0 && r <= to) r = view.indexOf(RESUME, to + 1)
        if (b >= 0 && b <= to) b = view.indexOf(BACKSLASH, to + 1)
      }
    },
    chunks,
  )
  return { resumes, end }
}

/** Pass 2 reports what does not parse, since it reads every line. */
function parsedOrNull(text: string): MetricEvent | null {
  try {
    return parseEvent(text)
  } catch {
    return null
  }
}

/**
 * Which iterations have been taken: a bitmap in pages of 2^16 iterations (8 KB each), allocated as
 * iterations reach them, so a 7.5M-iteration run needs under 1 MB and a stray huge iteration number
 * one more page, not a bitmap up to it.
 */
class IterationSet {
  private static readonly PAGE_BITS = 1 << 16
  private readonly pages = new Map<number, Uint32Array>()
  private lastKey = -1
  private lastPage: Uint32Array | null = null

  /** Adds `i`; false if it was there already. */
  add(i: number): boolean {
    const key = Math.floor(i / IterationSet.PAGE_BITS)
    let page = key === this.lastKey ? this.lastPage : this.pages.get(key)
    if (!page) {
      page = new Uint32Array(IterationSet.PAGE_BITS / 32)
      this.pages.set(key, page)
    }
    this.lastKey = key
    this.lastPage = page
    const bit = i - key * IterationSet.PAGE_BITS
    const word = bit >>> 5
    const mask = 1 << (bit & 31)
    if ((page[word]! & mask) !== 0) return false
    page[word] = page[word]! | mask
    return true
  }
}
