import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cifarPythonBatchBytes,
  datasetMismatch,
  fixtureSplit,
  idxBytes,
  writeCifarBinary,
  writeCifarPython,
  writeIdx,
} from './fixtures'
import { DatasetError, detectFormat, loadDataset } from './load'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wb-load-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(DatasetError)
  return e as DatasetError
}

describe('loadDataset', () => {
  it('loads a CIFAR-10 python folder, and its parent', async () => {
    const dir = join(root, 'py', 'cifar-10-batches-py')
    const expected = await writeCifarPython(dir, { perBatch: 20, testCount: 10 })
    expect(datasetMismatch(await loadDataset(dir), expected)).toBeNull()
    expect(datasetMismatch(await loadDataset(join(root, 'py')), expected)).toBeNull()
  })

  it('loads a CIFAR-10 binary folder, and its parent', async () => {
    const dir = join(root, 'bin', 'cifar-10-batches-bin')
    const expected = await writeCifarBinary(dir, { perBatch: 20, testCount: 10 })
    expect(datasetMismatch(await loadDataset(dir), expected)).toBeNull()
    expect(datasetMismatch(await loadDataset(join(root, 'bin')), expected)).toBeNull()
  })

  it('loads IDX folders, raw and gzipped, with the kind hint', async () => {
    const raw = await writeIdx(join(root, 'idx-raw'), { train: 20, test: 10 })
    expect(datasetMismatch(await loadDataset(join(root, 'idx-raw')), raw)).toBeNull()
    const gz = await writeIdx(join(root, 'idx-gz'), { train: 20, test: 10, gzip: true, naming: 'dotted' })
    expect(datasetMismatch(await loadDataset(join(root, 'idx-gz')), gz)).toBeNull()
    const fashion = await loadDataset(join(root, 'idx-gz'), { kind: 'fashion-mnist' })
    expect(fashion.classNames[9]).toBe('Ankle boot')
  })

  it('rejects a folder that does not exist, a file, an empty folder, listing what is expected', async () => {
    const missing = await rejection(loadDataset(join(root, 'nope')))
    expect(missing.message).toBe(`${join(root, 'nope')}: cannot read the folder (ENOENT)`)
    const file = join(root, 'a-file')
    await writeFile(file, 'x')
    expect((await rejection(loadDataset(file))).message).toContain('expected a dataset folder, found a file')
    await mkdir(join(root, 'empty'))
    const empty = await rejection(loadDataset(join(root, 'empty')))
    expect(empty.file).toBe(join(root, 'empty'))
    expect(empty.message).toContain(
      'not a dataset folder: found nothing (the folder is empty); expected one of: ',
    )
    expect(empty.message).toContain('CIFAR-10 python (data_batch_1..data_batch_5, test_batch, batches.meta)')
    expect(empty.message).toContain('t10k-labels-idx1-ubyte')
  })

  it('lists what an unrecognisable folder holds', async () => {
    const dir = join(root, 'photos')
    await mkdir(join(dir, 'holiday'), { recursive: true })
    for (let i = 0; i < 20; i++) await writeFile(join(dir, `img${String(i).padStart(2, '0')}.jpg`), '')
    const e = await rejection(loadDataset(dir))
    expect(e.message).toContain('not a dataset folder: found holiday/, img00.jpg, img01.jpg')
    expect(e.message).toContain('img13.jpg and 6 more; expected one of')
  })

  it('says which files are missing from an incomplete folder', async () => {
    const py = join(root, 'partial-py')
    const written = await writeCifarPython(py, { perBatch: 2 })
    await rm(written.files[4]!)
    await rm(written.files[5]!)
    const e = await rejection(loadDataset(py))
    expect(e.message).toBe(
      `${py}: looks like CIFAR-10 (python) but data_batch_5, test_batch are missing; found batches.meta, ` +
        'data_batch_1, data_batch_2, data_batch_3, data_batch_4',
    )
    const idx = join(root, 'partial-idx')
    const idxWritten = await writeIdx(idx, { gzip: true })
    await rm(idxWritten.files[3]!)
    expect((await rejection(loadDataset(idx))).message).toContain(
      'looks like MNIST/Fashion-MNIST (IDX) but t10k-labels-idx1-ubyte(.gz) is missing',
    )
  })

  it('rejects a parent of both CIFAR-10 folders', async () => {
    const dir = join(root, 'both')
    await writeCifarPython(join(dir, 'cifar-10-batches-py'), { perBatch: 1 })
    await writeCifarBinary(join(dir, 'cifar-10-batches-bin'), { perBatch: 1 })
    expect((await rejection(loadDataset(dir))).message).toBe(
      `${dir}: holds both cifar-10-batches-py and cifar-10-batches-bin: choose one of them as the dataset folder`,
    )
  })

  it('rejects, with the file, a bad file anywhere in the folder: never a partial dataset', async () => {
    const dir = join(root, 'badtest')
    await writeCifarPython(dir, { perBatch: 2 })
    const two = fixtureSplit('test', 2, 3072)
    await writeFile(join(dir, 'test_batch'), cifarPythonBatchBytes(two.images, [3], { batchLabel: 'x' }))
    const e = await rejection(loadDataset(dir))
    expect(e.file).toBe(join(dir, 'test_batch'))
    expect(e.message).toContain('expected 2 labels (one per image')

    const idx = join(root, 'badlabels')
    const written = await writeIdx(idx, { train: 4 })
    await writeFile(written.files[1]!, idxBytes([4], Uint8Array.from([1, 2, 10, 3])))
    expect((await rejection(loadDataset(idx))).message).toBe(
      `${written.files[1]}: expected labels in [0, 10) (10 class names), label 2 is 10`,
    )
  })

  it('reports an unreadable file', async () => {
    const dir = join(root, 'dangling')
    const written = await writeCifarBinary(dir, { perBatch: 1 })
    await rm(written.files[0]!)
    await symlink(join(dir, 'nowhere'), written.files[0]!)
    const e = await rejection(loadDataset(dir))
    expect(e.message).toBe(`${written.files[0]}: cannot read file (ENOENT)`)
  })
})

describe('detectFormat', () => {
  it('gives the format and its files', async () => {
    const dir = join(root, 'detect-py', 'cifar-10-batches-py')
    await writeCifarPython(dir, { perBatch: 1, meta: false })
    const d = await detectFormat(join(root, 'detect-py'))
    expect(d).toEqual({
      ok: true,
      format: 'cifar10-python',
      dir,
      files: {
        train: [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}`)),
        test: join(dir, 'test_batch'),
        meta: null,
      },
    })
  })

  it('prefers uncompressed IDX files, accepts name variants, and finds classes.txt', async () => {
    const dir = join(root, 'detect-idx')
    await writeIdx(dir, { gzip: true, classes: ['x', 'y'] })
    await writeIdx(dir, { naming: 'dotted' })
    await writeFile(join(dir, 'test-labels-idx1-ubyte'), '')
    const d = await detectFormat(dir)
    expect(d).toEqual({
      ok: true,
      format: 'idx',
      dir,
      files: {
        trainImages: join(dir, 'train-images.idx3-ubyte'),
        trainLabels: join(dir, 'train-labels.idx1-ubyte'),
        testImages: join(dir, 't10k-images.idx3-ubyte'),
        testLabels: join(dir, 't10k-labels.idx1-ubyte'),
        classes: join(dir, 'classes.txt'),
      },
    })
  })

  it('returns the error instead of throwing', async () => {
    const d = await detectFormat(join(root, 'nope'))
    expect(d.ok).toBe(false)
    if (!d.ok) expect(d.error).toBeInstanceOf(DatasetError)
  })
})
