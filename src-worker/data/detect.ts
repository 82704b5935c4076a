/**
 * Which dataset format a folder holds, from its file names:
 * - CIFAR-10 python: data_batch_1..5 and test_batch (batches.meta optional: CIFAR-10's names otherwise);
 * - CIFAR-10 binary: data_batch_1..5.bin and test_batch.bin (batches.meta.txt optional);
 * - IDX (MNIST, Fashion-MNIST): train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 *   t10k-labels-idx1-ubyte, each optionally .gz, also spelled with '.' or '_' instead of '-' before idx
 *   (train-images.idx3-ubyte), and test- for t10k-; uncompressed preferred when both exist; classes.txt
 *   optional.
 * Checked in that order: the first complete set wins. A folder with none of them but exactly one
 * `cifar-10-batches-py` or `cifar-10-batches-bin` subfolder (the extracted archive's parent) is read
 * through that subfolder.
 */
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { CifarFiles } from './formats/cifarPython'
import { DatasetError, errorText } from './formats/common'
import type { IdxFiles } from './formats/idx'

export type DetectedDataset =
  | { format: 'cifar10-python'; dir: string; files: CifarFiles }
  | { format: 'cifar10-binary'; dir: string; files: CifarFiles }
  | { format: 'idx'; dir: string; files: IdxFiles }

/** The outcome of `detectFormat`: the format and its files, or why the folder is not a dataset. */
export type Detection = ({ ok: true } & DetectedDataset) | { ok: false; error: DatasetError }

const TRAIN_BATCHES = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}`)
const CIFAR_SUBFOLDERS = ['cifar-10-batches-py', 'cifar-10-batches-bin']

const IDX_ROLES = {
  trainImages: { pattern: /^train[-_.]images[-_.]idx3[-_.]ubyte(\.gz)?$/i, name: 'train-images-idx3-ubyte' },
  trainLabels: { pattern: /^train[-_.]labels[-_.]idx1[-_.]ubyte(\.gz)?$/i, name: 'train-labels-idx1-ubyte' },
  testImages: {
    pattern: /^(t10k|test)[-_.]images[-_.]idx3[-_.]ubyte(\.gz)?$/i,
    name: 't10k-images-idx3-ubyte',
  },
  testLabels: {
    pattern: /^(t10k|test)[-_.]labels[-_.]idx1[-_.]ubyte(\.gz)?$/i,
    name: 't10k-labels-idx1-ubyte',
  },
} as const
type IdxRole = keyof typeof IDX_ROLES

const EXPECTED =
  'expected one of: CIFAR-10 python (data_batch_1..data_batch_5, test_batch, batches.meta); ' +
  'CIFAR-10 binary (data_batch_1.bin..data_batch_5.bin, test_batch.bin, batches.meta.txt); ' +
  'MNIST or Fashion-MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
  't10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz); ' +
  'or a folder holding cifar-10-batches-py or cifar-10-batches-bin'

function listing(names: string[]): string {
  if (names.length === 0) return 'nothing (the folder is empty)'
  const shown = names.slice(0, 15).join(', ')
  return names.length > 15 ? `${shown} and ${names.length - 15} more` : shown
}

/** The IDX file for a role: uncompressed before .gz, then by name. */
function idxPick(files: string[], role: IdxRole): string | undefined {
  return files
    .filter((f) => IDX_ROLES[role].pattern.test(f))
    .sort((a, b) => Number(/\.gz$/i.test(a)) - Number(/\.gz$/i.test(b)) || (a < b ? -1 : a > b ? 1 : 0))[0]
}

function failure(file: string, message: string, cause?: unknown): Detection {
  return { ok: false, error: new DatasetError(file, message, cause === undefined ? undefined : { cause }) }
}

/** Detects the dataset format of `dir` (see the rules at the top of this file). Never throws. */
export async function detectFormat(dir: string): Promise<Detection> {
  return detectIn(dir, true)
}

async function detectIn(dir: string, lookInSubfolders: boolean): Promise<Detection> {
  let entries: Dirent[]
  try {
    const s = await stat(dir)
    if (!s.isDirectory()) return failure(dir, `expected a dataset folder, found a file; ${EXPECTED}`)
    entries = await readdir(dir, { withFileTypes: true })
  } catch (e) {
    return failure(dir, `cannot read the folder (${errorText(e)})`, e)
  }
  const files = entries.filter((e) => !e.isDirectory()).map((e) => e.name)
  const present = new Set(files)
  const at = (name: string): string => join(dir, name)

  const cifar = (suffix: string, meta: string): { files: CifarFiles; missing: string[]; found: number } => {
    const wanted = [...TRAIN_BATCHES, 'test_batch'].map((n) => n + suffix)
    const missing = wanted.filter((n) => !present.has(n))
    return {
      files: {
        train: TRAIN_BATCHES.map((n) => at(n + suffix)),
        test: at(`test_batch${suffix}`),
        meta: present.has(meta) ? at(meta) : null,
      },
      missing,
      found: wanted.length - missing.length + (present.has(meta) ? 1 : 0),
    }
  }
  const py = cifar('', 'batches.meta')
  if (py.missing.length === 0) return { ok: true, format: 'cifar10-python', dir, files: py.files }
  const bin = cifar('.bin', 'batches.meta.txt')
  if (bin.missing.length === 0) return { ok: true, format: 'cifar10-binary', dir, files: bin.files }

  const roles = Object.keys(IDX_ROLES) as IdxRole[]
  const picked = new Map(roles.map((r) => [r, idxPick(files, r)]))
  const idxMissing = roles.filter((r) => picked.get(r) === undefined)
  if (idxMissing.length === 0) {
    const get = (r: IdxRole): string => at(picked.get(r)!)
    const idxFiles: IdxFiles = {
      trainImages: get('trainImages'),
      trainLabels: get('trainLabels'),
      testImages: get('testImages'),
      testLabels: get('testLabels'),
      classes: present.has('classes.txt') ? at('classes.txt') : null,
    }
    return { ok: true, format: 'idx', dir, files: idxFiles }
  }

  const subdirs = entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name)
  if (lookInSubfolders) {
    const found: string[] = []
    for (const name of CIFAR_SUBFOLDERS) {
      if (!subdirs.includes(name)) continue
      try {
        if ((await stat(at(name))).isDirectory()) found.push(name)
      } catch {
        // a dangling link is not a dataset folder
      }
    }
    if (found.length === 1) return detectIn(at(found[0]!), false)
    if (found.length > 1) {
      return failure(dir, `holds both ${found.join(' and ')}: choose one of them as the dataset folder`)
    }
  }

  // Nothing complete: explain the closest match, or list what is there.
  const missing = (what: string[]): string => `${what.join(', ')} ${what.length > 1 ? 'are' : 'is'} missing`
  const closest = [
    { found: py.found, text: `looks like CIFAR-10 (python) but ${missing(py.missing)}` },
    { found: bin.found, text: `looks like CIFAR-10 (binary) but ${missing(bin.missing)}` },
    {
      found: roles.length - idxMissing.length,
      text: `looks like MNIST/Fashion-MNIST (IDX) but ${missing(idxMissing.map((r) => `${IDX_ROLES[r].name}(.gz)`))}`,
    },
  ].sort((a, b) => b.found - a.found)[0]!
  const names = [...files, ...subdirs.map((d) => `${d}/`)].sort()
  if (closest.found > 0) return failure(dir, `${closest.text}; found ${listing(names)}`)
  return failure(dir, `not a dataset folder: found ${listing(names)}; ${EXPECTED}`)
}
