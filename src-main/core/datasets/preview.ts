/**
 * A few sample images per class, as the first cell of CS231n's notebooks shows them: taken once from the
 * loaded training split (the first images of each class, so the grid is the same every time) and kept in
 * `<datasets>/<name>/preview.json`, so the page never loads a whole dataset to draw 70 thumbnails.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DatasetPreview } from '../../../src-shared/contract'
import type { RawDataset } from '../../../src-worker/data/types'
import { writeFileAtomic } from './fsutil'

export const PREVIEW_FILE = 'preview.json'
/** Images kept per class; the page may ask for fewer. CS231n's notebooks show 7. */
export const PREVIEW_MAX_PER_CLASS = 10
/** A dataset with more classes than this previews its first ones (an IDX file may declare 256 labels). */
export const PREVIEW_MAX_CLASSES = 100

/** The first `perClass` training images of each class (fewer where a class has fewer). */
export function buildPreview(
  name: string,
  raw: Pick<RawDataset, 'shape' | 'classNames' | 'train'>,
  perClass = PREVIEW_MAX_PER_CLASS,
): DatasetPreview {
  const [C, H, W] = raw.shape
  const D = C * H * W
  const classes = Math.min(raw.classNames.length, PREVIEW_MAX_CLASSES)
  const picked: number[][] = Array.from({ length: classes }, () => [])
  let missing = classes
  const { labels, images, count } = raw.train
  for (let i = 0; i < count && missing > 0; i++) {
    const list = picked[labels[i]!]
    if (list === undefined || list.length >= perClass) continue
    list.push(i)
    if (list.length === perClass) missing--
  }
  return {
    name,
    shape: [C, H, W],
    classNames: raw.classNames.slice(0, classes),
    perClass,
    samples: picked.map((indices, label) => {
      const bytes = new Uint8Array(indices.length * D)
      indices.forEach((i, k) => bytes.set(images.subarray(i * D, (i + 1) * D), k * D))
      return { label, count: indices.length, images: Buffer.from(bytes).toString('base64') }
    }),
  }
}

/** At most `perClass` images of each class of a stored preview. */
export function trimPreview(preview: DatasetPreview, perClass: number): DatasetPreview {
  if (perClass >= preview.perClass) return preview
  const D = preview.shape[0] * preview.shape[1] * preview.shape[2]
  return {
    ...preview,
    perClass,
    samples: preview.samples.map((s) => {
      const count = Math.min(s.count, perClass)
      const bytes = Buffer.from(s.images, 'base64').subarray(0, count * D)
      return { label: s.label, count, images: bytes.toString('base64') }
    }),
  }
}

export async function writePreview(dir: string, preview: DatasetPreview): Promise<void> {
  await writeFileAtomic(join(dir, PREVIEW_FILE), JSON.stringify(preview))
}

/** The stored preview, or null when there is none or it does not fit the dataset (then it is rebuilt). */
export async function readPreview(
  dir: string,
  expect: { shape: readonly number[]; classCount: number },
): Promise<DatasetPreview | null> {
  let value: DatasetPreview
  try {
    value = JSON.parse(await readFile(join(dir, PREVIEW_FILE), 'utf8')) as DatasetPreview
  } catch {
    return null
  }
  return previewFits(value, expect) ? value : null
}

function previewFits(p: unknown, expect: { shape: readonly number[]; classCount: number }): boolean {
  if (p === null || typeof p !== 'object') return false
  const v = p as Partial<DatasetPreview>
  if (!Array.isArray(v.shape) || v.shape.length !== 3 || v.shape.some((x, i) => x !== expect.shape[i])) {
    return false
  }
  if (!Array.isArray(v.classNames) || !Array.isArray(v.samples)) return false
  if (v.samples.length !== Math.min(expect.classCount, PREVIEW_MAX_CLASSES)) return false
  if (!Number.isSafeInteger(v.perClass) || (v.perClass ?? 0) < 1) return false
  const D = expect.shape[0]! * expect.shape[1]! * expect.shape[2]!
  return v.samples.every(
    (s, i) =>
      s !== null &&
      typeof s === 'object' &&
      s.label === i &&
      Number.isSafeInteger(s.count) &&
      s.count >= 0 &&
      s.count <= (v.perClass as number) &&
      typeof s.images === 'string' &&
      Buffer.from(s.images, 'base64').length === s.count * D,
  )
}
