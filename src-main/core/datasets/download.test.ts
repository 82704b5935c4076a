import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { downloadDataset, type DownloadProgress } from './download'
import { DatasetsError } from './errors'
import { readManifest } from './manifest'
import { idxGzFiles, makeTempDir, md5, startServer, tarGz, testSource, type TestServer } from './testing'
import { datasetMismatch, writeCifarBinary, writeCifarPython } from '../../../src-worker/data/fixtures'
import { loadDataset } from '../../../src-worker/data/load'

const FAST = { retryDelayMs: 1, progressIntervalMs: 0 }
const TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'

let tmp: { dir: string; cleanup: () => Promise<void> }
let server: TestServer
let datasets: string
let files: Record<string, Buffer>

beforeEach(async () => {
  tmp = await makeTempDir()
  datasets = join(tmp.dir, 'datasets')
  // ~160 kB of training images: several chunks, so a transfer can be cut half way.
  files = idxGzFiles(200, 20)
  server = await startServer(files)
})

afterEach(async () => {
  await server.close()
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

/** Whatever is in the datasets folder: the final dataset and the hidden work folders. */
async function entries(): Promise<string[]> {
  return (await readdir(datasets).catch(() => [])).sort()
}

describe('downloadDataset', () => {
  it('downloads, verifies, loads and places a dataset, with monotonic progress and a manifest', async () => {
    const source = testSource('mini-mnist', server.url, files)
    const events: DownloadProgress[] = []
    const result = await downloadDataset(source, datasets, { ...FAST, onProgress: (p) => events.push(p) })

    expect(result.dir).toBe(join(datasets, 'mini-mnist'))
    expect(await entries()).toEqual(['mini-mnist'])
    expect((await readdir(result.dir)).sort()).toEqual(
      ['classes.txt', 'dataset.json', 'preview.json', ...Object.keys(files)].sort(),
    )
    for (const [name, data] of Object.entries(files)) {
      expect(md5(await readFile(join(result.dir, name)))).toBe(md5(data))
    }

    const m = await readManifest(result.dir)
    expect(m).toEqual(result.manifest)
    expect(m).toMatchObject({
      name: 'mini-mnist',
      source: 'download',
      format: 'idx',
      origin: server.url,
      reference: false,
      counts: { train: 200, test: 20 },
      shape: [1, 28, 28],
      classNames: source.classNames,
      sourceName: 'mini-mnist',
      license: 'test data',
    })
    expect(m.sizeOnDisk).toBeGreaterThan(Object.values(files).reduce((a, f) => a + f.length, 0))
    expect(Number.isNaN(Date.parse(m.addedAt))).toBe(false)

    const fractions = events.map((e) => e.fraction)
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!)
    expect(events.filter((e) => e.phase === 'download').length).toBeGreaterThan(4)
    expect(events.at(-1)).toMatchObject({ phase: 'done', fraction: 1 })
    const last = events.filter((e) => e.phase === 'download' && e.file === TRAIN_IMAGES).at(-1)
    expect(last).toMatchObject({ bytes: files[TRAIN_IMAGES]!.length, total: files[TRAIN_IMAGES]!.length })
    expect(server.requests.every((r) => r.range === undefined && r.status === 200)).toBe(true)
  })

  it('unpacks a CIFAR-10 python tar.gz, flattening its top folder, into a dataset that loads whole', async () => {
    const src = join(tmp.dir, 'src')
    const expected = await writeCifarPython(join(src, 'cifar-10-batches-py'), { perBatch: 3, testCount: 4 })
    const archive = join(tmp.dir, 'cifar-10-python.tar.gz')
    await tarGz(src, 'cifar-10-batches-py', archive)
    const bytes = await readFile(archive)
    server.files.set('cifar-10-python.tar.gz', bytes)
    const source = testSource(
      'mini-cifar',
      server.url,
      { 'cifar-10-python.tar.gz': bytes },
      { format: 'cifar10-python', unpack: 'tar.gz' },
    )

    const { dir, manifest } = await downloadDataset(source, datasets, FAST)
    expect((await readdir(dir)).sort()).toEqual(
      ['batches.meta', 'data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5']
        .concat(['dataset.json', 'preview.json', 'test_batch'])
        .sort(),
    )
    expect(manifest).toMatchObject({
      format: 'cifar10-python',
      counts: { train: 15, test: 4 },
      shape: [3, 32, 32],
    })
    expect(manifest.classNames).toEqual(expected.classNames)
    const loaded = await loadDataset(dir)
    expect(datasetMismatch(loaded, { ...expected, files: loaded.files })).toBeNull()
    expect(await entries()).toEqual(['mini-cifar'])
  })

  it('resumes an interrupted transfer with a Range request on the next call', async () => {
    const half = Math.floor(files[TRAIN_IMAGES]!.length / 2)
    server.behaviours.set(TRAIN_IMAGES, { dropAfter: half, times: 1 })
    const source = testSource('mini-mnist', server.url, files)

    const err = await rejection(downloadDataset(source, datasets, { ...FAST, retries: 0 }))
    expect(err.code).toBe('network')
    expect(err.file).toBe(TRAIN_IMAGES)
    expect(await entries()).toEqual(['.partial-mini-mnist'])
    const part = join(datasets, '.partial-mini-mnist', `${TRAIN_IMAGES}.part`)
    expect((await stat(part)).size).toBe(half)

    await downloadDataset(source, datasets, FAST)
    const resumed = server.requests.filter((r) => r.path === TRAIN_IMAGES)
    expect(resumed.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ])
    expect(md5(await readFile(join(datasets, 'mini-mnist', TRAIN_IMAGES)))).toBe(md5(files[TRAIN_IMAGES]!))
    expect(await entries()).toEqual(['mini-mnist'])
  })

  it('retries a dropped connection within one call, resuming where it stopped', async () => {
    const cut = 50_000
    server.behaviours.set(TRAIN_IMAGES, { dropAfter: cut, times: 2 })
    const source = testSource('mini-mnist', server.url, files)
    await downloadDataset(source, datasets, { ...FAST, retries: 1 })
    const ranges = server.requests.filter((r) => r.path === TRAIN_IMAGES).map((r) => r.range)
    expect(ranges).toEqual([undefined, `bytes=${cut}-`, `bytes=${2 * cut}-`])
    expect(md5(await readFile(join(datasets, 'mini-mnist', TRAIN_IMAGES)))).toBe(md5(files[TRAIN_IMAGES]!))
  })

  it('starts over when the server ignores Range and answers 200', async () => {
    const source = testSource('mini-mnist', server.url, files)
    server.behaviours.set(TRAIN_IMAGES, { dropAfter: 60_000, times: 1 })
    await rejection(downloadDataset(source, datasets, { ...FAST, retries: 0 }))
    // Spoil the kept bytes: only a full restart can still produce the right file.
    const part = join(datasets, '.partial-mini-mnist', `${TRAIN_IMAGES}.part`)
    await writeFile(part, Buffer.alloc(60_000, 0xaa))

    server.behaviours.set(TRAIN_IMAGES, { ignoreRange: true })
    const { dir } = await downloadDataset(source, datasets, FAST)
    const second = server.requests.filter((r) => r.path === TRAIN_IMAGES)[1]
    expect(second).toEqual({ path: TRAIN_IMAGES, range: 'bytes=60000-', status: 200 })
    expect(md5(await readFile(join(dir, TRAIN_IMAGES)))).toBe(md5(files[TRAIN_IMAGES]!))
  })

  it('accepts a complete part file when the server answers 416', async () => {
    const source = testSource('mini-mnist', server.url, files)
    const partial = join(datasets, '.partial-mini-mnist')
    await mkdir(partial, { recursive: true })
    const url = new URL(TRAIN_IMAGES, server.url).href
    await writeFile(join(partial, `${TRAIN_IMAGES}.part`), files[TRAIN_IMAGES]!)
    await writeFile(
      join(partial, `${TRAIN_IMAGES}.part.json`),
      JSON.stringify({ url, md5: md5(files[TRAIN_IMAGES]!) }),
    )

    await downloadDataset(source, datasets, FAST)
    const first = server.requests.find((r) => r.path === TRAIN_IMAGES)
    expect(first).toEqual({ path: TRAIN_IMAGES, range: `bytes=${files[TRAIN_IMAGES]!.length}-`, status: 416 })
    expect(await entries()).toEqual(['mini-mnist'])
  })

  it('fails on a checksum mismatch naming the file and both sums, and places nothing', async () => {
    const wrong = '0123456789abcdef0123456789abcdef'
    const source = testSource('mini-mnist', server.url, files, { md5: { [TRAIN_IMAGES]: wrong } })
    const err = await rejection(downloadDataset(source, datasets, FAST))
    const actual = md5(files[TRAIN_IMAGES]!)
    expect(err).toMatchObject({ code: 'checksum', file: TRAIN_IMAGES, expected: wrong, actual })
    expect(err.message).toContain(TRAIN_IMAGES)
    expect(err.message).toContain(wrong)
    expect(err.message).toContain(actual)
    expect(await entries()).toEqual(['.partial-mini-mnist'])
    expect(await readdir(join(datasets, '.partial-mini-mnist'))).toEqual([])
  })

  it('cancels through an AbortSignal, keeping the .part file and placing nothing', async () => {
    server.behaviours.set(TRAIN_IMAGES, { stallAfter: 40_000 })
    const source = testSource('mini-mnist', server.url, files)
    const controller = new AbortController()
    // Progress is reported once the bytes are written: abort when all the sent bytes are on disk.
    let received!: () => void
    const allReceived = new Promise<void>((resolve) => (received = resolve))
    const onProgress = (p: DownloadProgress): void => {
      if (p.file === TRAIN_IMAGES && p.bytes >= 40_000) received()
    }
    const done = downloadDataset(source, datasets, { ...FAST, signal: controller.signal, onProgress })
    await allReceived
    controller.abort()
    const err = await rejection(done)
    expect(err.code).toBe('aborted')
    expect(await entries()).toEqual(['.partial-mini-mnist'])
    const part = join(datasets, '.partial-mini-mnist', `${TRAIN_IMAGES}.part`)
    expect((await stat(part)).size).toBe(40_000)
  })

  it('fails on a corrupt tarball with an unpack error and places nothing', async () => {
    const src = join(tmp.dir, 'src')
    await writeCifarBinary(join(src, 'cifar-10-batches-bin'), { perBatch: 2 })
    const archive = join(tmp.dir, 'good.tar.gz')
    await tarGz(src, 'cifar-10-batches-bin', archive)
    const good = await readFile(archive)
    const corrupt = good.subarray(0, Math.floor(good.length / 2))
    server.files.set('cifar-10-binary.tar.gz', corrupt)
    const source = testSource(
      'mini-cifar',
      server.url,
      { 'cifar-10-binary.tar.gz': corrupt },
      { format: 'cifar10-binary', unpack: 'tar.gz' },
    )
    const err = await rejection(downloadDataset(source, datasets, FAST))
    expect(err.code).toBe('unpack')
    expect(err.file).toBe('cifar-10-binary.tar.gz')
    expect(err.message).toContain('cannot read the archive')
    expect((await entries()).filter((e) => !e.startsWith('.partial-'))).toEqual([])
  })

  it('refuses a tarball that would unpack to far more than its size (a tar bomb), writing nothing', async () => {
    const src = join(tmp.dir, 'src')
    const folder = join(src, 'cifar-10-batches-bin')
    await writeCifarBinary(folder, { perBatch: 2 })
    await writeFile(join(folder, 'zeros'), new Uint8Array(8 * 2 ** 20)) // 8 MB that compress to 8 kB
    const archive = join(tmp.dir, 'bomb.tar.gz')
    await tarGz(src, 'cifar-10-batches-bin', archive)
    const bomb = await readFile(archive)
    server.files.set('cifar-10-binary.tar.gz', bomb)
    const source = testSource(
      'mini-cifar',
      server.url,
      { 'cifar-10-binary.tar.gz': bomb },
      { format: 'cifar10-binary', unpack: 'tar.gz' },
    )
    const err = await rejection(downloadDataset(source, datasets, FAST))
    expect(err).toMatchObject({ code: 'unpack', file: 'cifar-10-binary.tar.gz' })
    const limit = 4 * bomb.length + 2 ** 20
    expect(err.message).toMatch(
      new RegExp(
        `^cifar-10-binary.tar.gz: expected an archive that unpacks to at most ${limit} bytes \\(4x its ` +
          `${bomb.length} bytes; CIFAR-10's unpack to 1.1x\\) in at most 10000 entries, found \\d+ bytes in 9 entries$`,
      ),
    )
    expect((await entries()).filter((e) => !e.startsWith('.partial-'))).toEqual([])
  })

  it('fails with invalid-data when verified files do not load, and places nothing', async () => {
    const bad = { ...files, 't10k-labels-idx1-ubyte.gz': Buffer.from('not an idx file') }
    server.files.set('t10k-labels-idx1-ubyte.gz', bad['t10k-labels-idx1-ubyte.gz'])
    const err = await rejection(downloadDataset(testSource('mini-mnist', server.url, bad), datasets, FAST))
    expect(err).toMatchObject({ code: 'invalid-data', file: 't10k-labels-idx1-ubyte.gz' })
    expect(err.message).toMatch(/do not load as a dataset: t10k-labels-idx1-ubyte.gz: /)
    expect(err.message).not.toContain('.tmp-')
    expect((await entries()).filter((e) => !e.startsWith('.partial-'))).toEqual([])
  })

  it('fails at once on HTTP 404 and retries 503', async () => {
    server.behaviours.set(TRAIN_IMAGES, { status: 503, times: 1 })
    await downloadDataset(testSource('mini-mnist', server.url, files), datasets, FAST)
    expect(server.requests.filter((r) => r.path === TRAIN_IMAGES).map((r) => r.status)).toEqual([503, 200])

    server.files.delete(TRAIN_IMAGES)
    const source = testSource('other', server.url, files)
    const err = await rejection(downloadDataset(source, datasets, FAST))
    expect(err).toMatchObject({ code: 'http', status: 404, file: TRAIN_IMAGES })
    expect(server.requests.filter((r) => r.status === 404)).toHaveLength(1)
  })

  it('fetches from baseUrl when given, and refuses an existing name before any request', async () => {
    const source = testSource('mini-mnist', 'https://example.invalid/data/', files)
    await downloadDataset(source, datasets, { ...FAST, baseUrl: server.url.slice(0, -1) })
    expect(server.requests).toHaveLength(4)
    const err = await rejection(downloadDataset(source, datasets, { ...FAST, baseUrl: server.url }))
    expect(err).toMatchObject({ code: 'exists', field: 'name' })
    expect(server.requests).toHaveLength(4)
  })

  it('validates its arguments', async () => {
    const source = testSource('mini-mnist', server.url, files)
    expect((await rejection(downloadDataset(source, 'relative/dir'))).field).toBe('datasetsDir')
    expect((await rejection(downloadDataset({ ...source, name: '../x' }, datasets))).field).toBe(
      'source.name',
    )
    const badMd5 = { ...source, files: [{ ...source.files[0]!, md5: 'abc' }] }
    expect((await rejection(downloadDataset(badMd5, datasets))).field).toBe('source.files[0].md5')
    const ftp = { ...source, files: [{ ...source.files[0]!, url: 'ftp://x/y.gz' }] }
    expect((await rejection(downloadDataset(ftp, datasets))).field).toBe('source.files[0].url')
    expect((await rejection(downloadDataset(source, datasets, { name: 'A B' }))).field).toBe('name')
    expect(server.requests).toHaveLength(0)
  })
})
