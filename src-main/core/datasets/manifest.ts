/** `dataset.json`: what the registry knows about one dataset folder, written atomically. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DatasetFormat, RawDataset } from '../../../src-worker/data/types'
import { writeFileAtomic } from './fsutil'

export const MANIFEST_FILE = 'dataset.json'
export const MANIFEST_VERSION = 1

export type DatasetSourceKind = 'download' | 'import' | 'builtin'

export interface DatasetManifest {
  /** Manifest schema version. */
  version: number
  name: string
  /** How the dataset got here. */
  source: DatasetSourceKind
  format: DatasetFormat
  /** The URL it was downloaded from (the first file's), or the path it was imported from / lives at. */
  origin: string
  /** True when the data stays where it was imported from (only the manifest is ours); false for copies. */
  reference: boolean
  counts: { train: number; test: number }
  /** (C, H, W). */
  shape: [number, number, number]
  classNames: string[]
  /** Bytes the dataset's files take (for references: the referenced files). */
  sizeOnDisk: number
  /** ISO 8601. */
  addedAt: string
  /** Downloads: the source name in `SOURCES` (or the test source) it came from. */
  sourceName?: string
  /** Downloads: the licence text and citation the authors publish. */
  license?: string
  citation?: string
}

/** What a manifest records of a loaded dataset: its facts, not its data (which may be freed meanwhile). */
export type DatasetFacts = Pick<RawDataset, 'format' | 'shape' | 'classNames'> & {
  train: { count: number }
  test: { count: number }
}

/** The facts of a loaded dataset, as a small object that does not hold its buffers. */
export function datasetFacts(d: DatasetFacts): DatasetFacts {
  return {
    format: d.format,
    shape: [d.shape[0], d.shape[1], d.shape[2]],
    classNames: [...d.classNames],
    train: { count: d.train.count },
    test: { count: d.test.count },
  }
}

export interface ManifestInput {
  name: string
  source: DatasetSourceKind
  origin: string
  reference: boolean
  dataset: DatasetFacts
  sizeOnDisk: number
  sourceName?: string
  license?: string
  citation?: string
  /** Class names to record instead of the loader's (e.g. the published list of a downloaded source). */
  classNames?: string[]
}

export function buildManifest(input: ManifestInput): DatasetManifest {
  const d = input.dataset
  const manifest: DatasetManifest = {
    version: MANIFEST_VERSION,
    name: input.name,
    source: input.source,
    format: d.format,
    origin: input.origin,
    reference: input.reference,
    counts: { train: d.train.count, test: d.test.count },
    shape: [d.shape[0], d.shape[1], d.shape[2]],
    classNames: [...(input.classNames ?? d.classNames)],
    sizeOnDisk: input.sizeOnDisk,
    addedAt: new Date().toISOString(),
  }
  if (input.sourceName !== undefined) manifest.sourceName = input.sourceName
  if (input.license !== undefined) manifest.license = input.license
  if (input.citation !== undefined) manifest.citation = input.citation
  return manifest
}

export async function writeManifest(dir: string, manifest: DatasetManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
}

/** Reads and checks `<dir>/dataset.json`. Throws (with the path in the message) when missing or malformed. */
export async function readManifest(dir: string): Promise<DatasetManifest> {
  const path = join(dir, MANIFEST_FILE)
  const value: unknown = JSON.parse(await readFile(path, 'utf8'))
  const problem = manifestProblem(value)
  if (problem !== null) throw new Error(`${path}: ${problem}`)
  return value as DatasetManifest
}

function manifestProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object'
  const m = v as Record<string, unknown>
  const isInt = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0
  if (typeof m.name !== 'string') return 'name must be a string'
  if (m.source !== 'download' && m.source !== 'import' && m.source !== 'builtin') return 'bad source'
  if (m.format !== 'cifar10-python' && m.format !== 'cifar10-binary' && m.format !== 'idx')
    return 'bad format'
  if (typeof m.origin !== 'string') return 'origin must be a string'
  if (typeof m.reference !== 'boolean') return 'reference must be a boolean'
  const counts = m.counts as Record<string, unknown> | null
  if (counts === null || typeof counts !== 'object' || !isInt(counts.train) || !isInt(counts.test)) {
    return 'counts must be {train, test} non-negative integers'
  }
  if (!Array.isArray(m.shape) || m.shape.length !== 3 || !m.shape.every(isInt))
    return 'shape must be [C, H, W]'
  if (!Array.isArray(m.classNames) || !m.classNames.every((c) => typeof c === 'string')) {
    return 'classNames must be strings'
  }
  if (!isInt(m.sizeOnDisk)) return 'sizeOnDisk must be a non-negative integer'
  if (typeof m.addedAt !== 'string') return 'addedAt must be a string'
  return null
}
