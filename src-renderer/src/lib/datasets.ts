/** What the datasets page and the New Run form say about a dataset and a job, as plain functions. */
import { formatBytes } from '../../../src-shared/byteSize'
import type { DatasetJob, DatasetSummary } from '../../../src-shared/contract'
import { splitProblems, type SplitProblem } from '../../../src-shared/splitCheck'
import { resolveSplits, type SplitSizes } from '../../../src-shared/splits'

export type DatasetOrigin = 'builtin' | 'reference' | 'copy' | 'download'

/** Built in, imported by reference, imported as a copy, or downloaded. */
export function originOf(d: Pick<DatasetSummary, 'source' | 'reference'>): DatasetOrigin {
  if (d.source === 'builtin') return 'builtin'
  if (d.source === 'download') return 'download'
  return d.reference ? 'reference' : 'copy'
}

/** The split a run with these sizes (left out: the defaults) takes from `d`. */
export function splitsFor(
  d: Pick<DatasetSummary, 'format' | 'counts'>,
  sizes: Partial<SplitSizes>,
): SplitSizes {
  return resolveSplits(
    { format: d.format, train: { count: d.counts.train }, test: { count: d.counts.test } },
    sizes,
  )
}

export function splitProblemsFor(
  d: Pick<DatasetSummary, 'format' | 'counts'>,
  sizes: Partial<SplitSizes>,
): SplitProblem[] {
  return splitProblems(
    { format: d.format, train: { count: d.counts.train }, test: { count: d.counts.test } },
    sizes,
  )
}

/** The sizes a form holds, as numbers where they are positive integers (anything else: the default). */
export function formSizes(form: {
  numTraining: string
  numValidation: string
  numTest: string
}): Partial<SplitSizes> {
  const out: Partial<SplitSizes> = {}
  for (const k of ['numTraining', 'numValidation', 'numTest'] as const) {
    const v = form[k].trim()
    if (/^\d+$/.test(v) && Number(v) > 0) out[k] = Number(v)
  }
  return out
}

export interface JobNumbers {
  done: string
  total: string | null
  /** Bytes per second, formatted; null while unknown. */
  speed: string | null
  /** Milliseconds left; null while unknown. */
  etaMs: number | null
  /** 0 to 100. */
  percent: number
}

export function jobNumbers(job: DatasetJob): JobNumbers {
  return {
    done: formatBytes(job.bytes),
    total: job.total === null ? null : formatBytes(job.total),
    speed: job.speed === null ? null : formatBytes(job.speed),
    etaMs: job.etaSeconds === null ? null : Math.round(job.etaSeconds * 1000),
    percent: Math.round(Math.max(0, Math.min(1, job.fraction)) * 1000) / 10,
  }
}

/** The last part of a path (either separator): what a job line names. */
export function baseName(path: string | null): string {
  if (path === null) return ''
  const parts = path.split(/[\\/]/).filter(Boolean)
  return parts.at(-1) ?? path
}

/**
 * One class's sample images stacked top to bottom with `gap` pixels between them, as RGBA for a canvas:
 * grey for one channel, RGB planes for three (images are stored channels-first).
 */
export function stackedRgba(
  bytes: Uint8Array,
  count: number,
  shape: readonly [number, number, number],
  gap = 1,
): { width: number; height: number; rgba: Uint8ClampedArray } {
  const [C, H, W] = shape
  const width = W
  const height = count > 0 ? count * H + (count - 1) * gap : 0
  const rgba = new Uint8ClampedArray(width * height * 4)
  const plane = H * W
  for (let k = 0; k < count; k++) {
    const img = k * C * plane
    const top = k * (H + gap)
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x
        const o = ((top + y) * width + x) * 4
        const r = bytes[img + p] ?? 0
        rgba[o] = r
        rgba[o + 1] = C >= 3 ? (bytes[img + plane + p] ?? 0) : r
        rgba[o + 2] = C >= 3 ? (bytes[img + 2 * plane + p] ?? 0) : r
        rgba[o + 3] = 255
      }
    }
  }
  // The gaps stay transparent: the page's background shows between images.
  return { width, height, rgba }
}

/** A long path as its last `max` characters after an ellipsis: the end (the folder's name) is what tells. */
export function shortPath(path: string, max = 36): string {
  if (path.length <= max) return path
  const tail = path.slice(path.length - max)
  const cut = tail.search(/[\\/]/)
  return `…${cut > 0 ? tail.slice(cut) : tail}`
}
