import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { datasetMismatch, writeIdx, type ExpectedDataset } from '../../../src-worker/data/fixtures'
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../../../src-worker/data/formats/idx'
import type { DownloadProgress } from './download'
import { DatasetsError } from './errors'
import { readPreview } from './preview'
import { DatasetRegistry, type ImportProgress } from './registry'
import { idxGzFiles, makeTempDir, startServer, testSource, type TestServer } from './testing'

let tmp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
let builtinDir: string
let registry: DatasetRegistry

beforeEach(async () => {
  tmp = await makeTempDir()
  dataDir = join(tmp.dir, 'data')
  builtinDir = join(tmp.dir, 'resources', 'datasets')
  await writeIdx(join(builtinDir, 'fashion-mnist'), { train: 12, test: 6, gzip: true })
  await writeFile(join(builtinDir, 'fashion-mnist', 'dataset.json'), JSON.stringify({ license: 'MIT' }))
  await mkdir(join(builtinDir, 'broken'), { recursive: true })
  await writeFile(join(builtinDir, 'broken', 'readme.txt'), 'not a dataset')
  await writeIdx(join(builtinDir, 'Bad Name'), { gzip: true })
  registry = new DatasetRegistry(dataDir, { builtinDir })
})

afterEach(async () => {
  await tmp.cleanup()
})

async function rejection(promise: Promise<unknown>): Promise<DatasetsError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(DatasetsError)
  return err as DatasetsError
}

async function sizeOf(files: string[]): Promise<number> {
  let total = 0
  for (const f of files) total += (await stat(f)).size
  return total
}

/** An MNIST-like folder outside the registry. */
async function digits(name = 'My Digits', options = {}): Promise<{ dir: string; expected: ExpectedDataset }> {
  const dir = join(tmp.dir, 'imports', name)
  return { dir, expected: await writeIdx(dir, { train: 30, test: 10, gzip: true, ...options }) }
}

describe('DatasetRegistry', () => {
  it('lists the built-in dataset, read-only, skipping subfolders that do not load or are misnamed', async () => {
    const list = await registry.list()
    expect(list.map((d) => d.name)).toEqual(['fashion-mnist'])
    expect(list[0]).toMatchObject({
      name: 'fashion-mnist',
      source: 'builtin',
      format: 'idx',
      reference: true,
      readOnly: true,
      available: true,
      path: join(builtinDir, 'fashion-mnist'),
      counts: { train: 12, test: 6 },
      shape: [1, 28, 28],
      classNames: [...FASHION_MNIST_CLASSES],
      license: 'MIT',
    })
    expect(await registry.get('fashion-mnist')).toEqual(list[0])
    const data = await registry.load('fashion-mnist')
    expect(data.train.count).toBe(12)
  })

  it('imports by reference: only a manifest is stored, the data is read in place', async () => {
    const { dir, expected } = await digits()
    const info = await registry.importFolder(dir, { mode: 'reference' })
    expect(info).toMatchObject({
      name: 'my-digits',
      source: 'import',
      format: 'idx',
      origin: dir,
      reference: true,
      path: dir,
      readOnly: false,
      available: true,
      counts: { train: 30, test: 10 },
      shape: [1, 28, 28],
      classNames: [...MNIST_CLASSES],
      sizeOnDisk: await sizeOf(expected.files),
    })
    expect(await readdir(join(dataDir, 'datasets', 'my-digits'))).toEqual(['dataset.json', 'preview.json'])
    expect(await readdir(join(dataDir, 'datasets'))).toEqual(['my-digits'])
    const loaded = await registry.load('my-digits')
    expect(datasetMismatch(loaded, expected)).toBeNull()

    // The referenced folder goes away: the entry stays, marked unavailable, and loading says why.
    registry.evict('my-digits')
    await rm(dir, { recursive: true })
    expect(await registry.get('my-digits')).toMatchObject({ available: false })
    expect(await rejection(registry.load('my-digits'))).toMatchObject({ code: 'not-found' })
  })

  it('imports by copy: the files are copied in and the copy is what loads', async () => {
    const { dir, expected } = await digits()
    const info = await registry.importFolder(dir, { name: 'digits-copy', mode: 'copy' })
    const copyDir = join(dataDir, 'datasets', 'digits-copy')
    expect(info).toMatchObject({ name: 'digits-copy', reference: false, path: copyDir, origin: dir })
    expect((await readdir(copyDir)).sort()).toEqual(
      [
        'classes.txt',
        'dataset.json',
        'preview.json',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
      ].sort(),
    )
    expect(info.sizeOnDisk).toBeGreaterThanOrEqual(await sizeOf(expected.files))
    await rm(dir, { recursive: true })
    const loaded = await registry.load('digits-copy')
    expect(datasetMismatch(loaded, { ...expected, files: loaded.files })).toBeNull()
    expect(await readdir(join(dataDir, 'datasets'))).toEqual(['digits-copy'])
  })

  it('keeps class names that came from the folder name when copying (classes.txt)', async () => {
    const { dir } = await digits('fashion-things')
    const info = await registry.importFolder(dir, { name: 'clothes', mode: 'copy' })
    expect(info.classNames).toEqual([...FASHION_MNIST_CLASSES])
    expect((await registry.load('clothes')).classNames).toEqual([...FASHION_MNIST_CLASSES])
  })

  it('lists built-ins first, then imports by name, with counts, shape, class names and size', async () => {
    const { dir } = await digits()
    await registry.importFolder(dir, { name: 'zeta', mode: 'reference' })
    await registry.importFolder(dir, { name: 'alpha', mode: 'copy' })
    const list = await registry.list()
    expect(list.map((d) => [d.name, d.source, d.readOnly])).toEqual([
      ['fashion-mnist', 'builtin', true],
      ['alpha', 'import', false],
      ['zeta', 'import', false],
    ])
    for (const d of list) {
      expect(d.counts.train).toBeGreaterThan(0)
      expect(d.shape).toEqual([1, 28, 28])
      expect(d.classNames).toHaveLength(10)
      expect(d.sizeOnDisk).toBeGreaterThan(0)
    }
    // A folder without a valid manifest, and work folders, are not datasets.
    await mkdir(join(dataDir, 'datasets', 'stray'))
    await mkdir(join(dataDir, 'datasets', '.tmp-beta-abc123'))
    expect((await registry.list()).map((d) => d.name)).toEqual(['fashion-mnist', 'alpha', 'zeta'])
  })

  it('reports an import’s progress file by file, ending with the preview, and stores the preview', async () => {
    const { dir, expected } = await digits('progress')
    const events: ImportProgress[] = []
    await registry.importFolder(dir, { mode: 'copy', name: 'progress', onProgress: (p) => events.push(p) })
    const phases = events.map((e) => e.phase)
    expect([...new Set(phases)]).toEqual(['detect', 'read', 'copy', 'verify', 'preview', 'done'])
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.fraction).toBeGreaterThanOrEqual(events[i - 1]!.fraction)
    const reads = events.filter((e) => e.phase === 'read')
    expect(reads).toHaveLength(4) // the four IDX files, each once it is read whole
    expect(reads.at(-1)).toMatchObject({
      bytes: await sizeOf(expected.files),
      total: await sizeOf(expected.files),
    })
    expect(
      events
        .filter((e) => e.phase === 'copy')
        .map((e) => e.file)
        .sort(),
    ).toEqual([...expected.files].sort())
    expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1 })
    const stored = await readPreview(join(dataDir, 'datasets', 'progress'), {
      shape: [1, 28, 28],
      classCount: 10,
    })
    expect(stored?.samples.map((s) => s.count)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    expect(await registry.preview('progress', 2)).toMatchObject({ perClass: 2 })
  })

  it('a cancelled import registers nothing and leaves no work folder', async () => {
    const { dir } = await digits('cancelled')
    const controller = new AbortController()
    const err = await rejection(
      registry.importFolder(dir, {
        mode: 'copy',
        signal: controller.signal,
        onProgress: (p) => p.phase === 'copy' && controller.abort(),
      }),
    )
    expect(err.code).toBe('aborted')
    expect(await readdir(join(dataDir, 'datasets'))).toEqual([])
  })

  it('validates names, paths and modes, naming the field', async () => {
    const { dir } = await digits()
    const cases: [unknown, unknown, string][] = [
      [dir, { name: '../x', mode: 'copy' }, 'name'],
      [dir, { name: '', mode: 'copy' }, 'name'],
      [dir, { name: 'Upper', mode: 'copy' }, 'name'],
      [dir, { name: 'a/b', mode: 'copy' }, 'name'],
      [dir, { name: '-x', mode: 'copy' }, 'name'],
      [dir, { name: 'x'.repeat(65), mode: 'copy' }, 'name'],
      [dir, { name: 7, mode: 'copy' }, 'name'],
      [dir, { mode: 'move' }, 'mode'],
      [dir, undefined, 'mode'],
      [dir, 'copy', 'options'],
      ['relative/path', { mode: 'copy' }, 'path'],
      [join(tmp.dir, 'missing'), { mode: 'copy' }, 'path'],
      [join(dir, 'train-images-idx3-ubyte.gz'), { mode: 'copy' }, 'path'],
      [42, { mode: 'copy' }, 'path'],
      [join(builtinDir, 'fashion-mnist'), { mode: 'reference' }, 'path'],
      // `..` is refused as typed, not resolved to wherever it leads.
      [`${dir}/../My Digits`, { mode: 'reference' }, 'path'],
      [`${dir}/../../imports/My Digits`, { mode: 'copy' }, 'path'],
    ]
    for (const [path, options, field] of cases) {
      const err = await rejection(registry.importFolder(path as string, options as { mode: 'copy' }))
      expect([err.code, err.field, JSON.stringify(options)]).toEqual([
        'invalid-argument',
        field,
        JSON.stringify(options),
      ])
    }
    expect(await readdir(dataDir).catch(() => [])).toEqual([])

    await registry.importFolder(dir, { name: 'taken', mode: 'reference' })
    expect(await rejection(registry.importFolder(dir, { name: 'taken', mode: 'copy' }))).toMatchObject({
      code: 'exists',
      field: 'name',
    })
    expect(
      await rejection(registry.importFolder(dir, { name: 'fashion-mnist', mode: 'copy' })),
    ).toMatchObject({
      code: 'exists',
    })
    const inside = join(dataDir, 'datasets', 'taken')
    expect(await rejection(registry.importFolder(inside, { name: 'again', mode: 'copy' }))).toMatchObject({
      field: 'path',
    })
    expect(await rejection(registry.get('../etc'))).toMatchObject({ code: 'invalid-argument', field: 'name' })
    expect(await rejection(registry.load(''))).toMatchObject({ code: 'invalid-argument', field: 'name' })
    expect(() => new DatasetRegistry('data')).toThrow(/dataDir/)
  })

  it('refuses a folder that does not load, naming the file at fault, and leaves nothing', async () => {
    const { dir } = await digits()
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), 'garbage')
    const err = await rejection(registry.importFolder(dir, { mode: 'copy' }))
    expect(err).toMatchObject({
      code: 'invalid-data',
      field: 'path',
      file: join(dir, 't10k-labels-idx1-ubyte.gz'),
    })
    expect(await readdir(join(dataDir, 'datasets')).catch(() => [])).toEqual([])
  })

  it('removes copies and references (never the referenced data), but not built-ins', async () => {
    const { dir } = await digits()
    await registry.importFolder(dir, { name: 'copy', mode: 'copy' })
    await registry.importFolder(dir, { name: 'ref', mode: 'reference' })
    await registry.remove('copy')
    await registry.remove('ref')
    expect(await readdir(join(dataDir, 'datasets'))).toEqual([])
    expect((await readdir(dir)).length).toBe(4)
    expect((await registry.list()).map((d) => d.name)).toEqual(['fashion-mnist'])

    expect(await rejection(registry.remove('fashion-mnist'))).toMatchObject({ code: 'read-only' })
    expect(await rejection(registry.remove('copy'))).toMatchObject({ code: 'not-found', field: 'name' })
    expect(await rejection(registry.remove('../data'))).toMatchObject({
      code: 'invalid-argument',
      field: 'name',
    })
    expect(await readdir(join(builtinDir, 'fashion-mnist'))).toHaveLength(5)
  })

  it('loads once per name: every caller shares the same SharedArrayBuffer-backed data until evicted', async () => {
    const { dir } = await digits()
    await registry.importFolder(dir, { name: 'shared', mode: 'reference' })
    const p1 = registry.load('shared')
    const p2 = registry.load('shared')
    expect(p2).toBe(p1)
    const [a, b] = await Promise.all([p1, p2])
    expect(b).toBe(a)
    expect(await registry.load('shared')).toBe(a)
    expect(a.train.images.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(registry.isLoaded('shared')).toBe(true)

    expect(registry.evict('shared')).toBe(true)
    expect(registry.evict('shared')).toBe(false)
    const c = await registry.load('shared')
    expect(c).not.toBe(a)
    expect(c.train.images.buffer).not.toBe(a.train.images.buffer)

    await registry.remove('shared')
    expect(registry.isLoaded('shared')).toBe(false)

    // A failed load is not cached: once the dataset exists, loading works.
    expect(await rejection(registry.load('later'))).toMatchObject({ code: 'not-found' })
    await registry.importFolder(dir, { name: 'later', mode: 'reference' })
    expect((await registry.load('later')).train.count).toBe(30)
  })

  it('cleans up stale work folders but not recent ones', async () => {
    const datasets = join(dataDir, 'datasets')
    for (const d of ['.tmp-old-abc123', '.trash-old-def456', '.tmp-new-abc123', '.partial-old']) {
      await mkdir(join(datasets, d), { recursive: true })
    }
    await writeFile(join(datasets, '.partial-old', 'x.part'), 'x')
    const past = new Date(Date.now() - 2 * 3_600_000)
    await utimes(join(datasets, '.tmp-old-abc123'), past, past)
    await utimes(join(datasets, '.trash-old-def456'), past, past)
    const removed = await registry.cleanup()
    expect(removed.map((p) => p.slice(datasets.length + 1)).sort()).toEqual([
      '.tmp-old-abc123',
      '.trash-old-def456',
    ])
    expect((await readdir(datasets)).sort()).toEqual(['.partial-old', '.tmp-new-abc123'])
  })
})

describe('DatasetRegistry.download', () => {
  let server: TestServer

  beforeEach(async () => {
    server = await startServer(idxGzFiles(100, 20))
  })

  afterEach(async () => {
    await server.close()
  })

  it('downloads a known source into the registry, reporting progress', async () => {
    const files = Object.fromEntries(server.files)
    const reg = new DatasetRegistry(dataDir, {
      builtinDir,
      sources: { mini: testSource('mini', 'https://example.invalid/', files) },
      downloadOptions: { baseUrl: server.url, retryDelayMs: 1, progressIntervalMs: 0 },
    })
    expect(reg.sourceNames()).toEqual(['mini'])
    const events: DownloadProgress[] = []
    const info = await reg.download('mini', { onProgress: (p) => events.push(p) })
    expect(info).toMatchObject({
      name: 'mini',
      source: 'download',
      sourceName: 'mini',
      reference: false,
      readOnly: false,
      counts: { train: 100, test: 20 },
      classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
      path: join(dataDir, 'datasets', 'mini'),
    })
    expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1 })
    expect((await reg.list()).map((d) => d.name)).toEqual(['fashion-mnist', 'mini'])
    expect((await reg.load('mini')).classNames[1]).toBe('one')
    expect(await rejection(reg.download('mini'))).toMatchObject({ code: 'exists' })

    expect(await rejection(reg.download('cifar10'))).toMatchObject({ code: 'not-found', field: 'sourceName' })
    expect(await rejection(reg.download('__proto__'))).toMatchObject({
      code: 'not-found',
      field: 'sourceName',
    })
    expect(await rejection(reg.download(3 as unknown as string))).toMatchObject({ field: 'sourceName' })
    expect(await rejection(reg.download('mini', { signal: 'x' as unknown as AbortSignal }))).toMatchObject({
      field: 'signal',
    })
  })

  it('refuses a second download of the same name while one runs, and cancels cleanly', async () => {
    const files = Object.fromEntries(server.files)
    server.behaviours.set('train-images-idx3-ubyte.gz', { stallAfter: 10_000 })
    const reg = new DatasetRegistry(dataDir, {
      sources: { mini: testSource('mini', server.url, files) },
      downloadOptions: { retryDelayMs: 1 },
    })
    const controller = new AbortController()
    const first = reg.download('mini', { signal: controller.signal })
    await server.stalled()
    expect(await rejection(reg.download('mini'))).toMatchObject({ code: 'busy' })
    controller.abort()
    expect(await rejection(first)).toMatchObject({ code: 'aborted' })
    expect(await readdir(join(dataDir, 'datasets'))).toEqual(['.partial-mini'])
    expect(await reg.list()).toEqual([])
  })
})
