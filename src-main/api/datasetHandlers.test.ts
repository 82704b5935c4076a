import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ApiError, DatasetJob, Events, MethodName } from '../../src-shared/contract'
import { writeCifarPython, writeIdx } from '../../src-worker/data/fixtures'
import { SOURCES } from '../core/datasets'
import { idxGzFiles, startServer, testSource, type TestServer } from '../core/datasets/testing'
import { Workbench } from '../core/workbench'
import { forwardEvents, type ApiEvent } from './events'
import { toApiError } from './errors'
import { createHandlers, type Handlers } from './handlers'

const EXAMPLES = resolve(__dirname, '../../examples')
const TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'

async function failure(h: Handlers, method: MethodName, args: unknown[]): Promise<ApiError | null> {
  return h[method](...args).then(() => null, toApiError)
}

/** A workbench whose dataset side is spies: validation must refuse before any of them runs. */
function spyWorkbench() {
  const spies = {
    listRuns: vi.fn(async () => []),
    datasets: {
      list: vi.fn(async () => []),
      remove: vi.fn(),
      preview: vi.fn(),
      sourceList: vi.fn(() => []),
      partialBytes: vi.fn(async () => 0),
    },
    datasetJobs: {
      startImport: vi.fn(),
      startDownload: vi.fn(),
      cancel: vi.fn(),
      dismiss: vi.fn(),
      list: vi.fn(() => []),
    },
  }
  const calls = (): number =>
    [
      spies.datasets.remove,
      spies.datasets.preview,
      spies.datasetJobs.startImport,
      spies.datasetJobs.startDownload,
      spies.datasetJobs.cancel,
      spies.datasetJobs.dismiss,
    ].reduce((n, s) => n + s.mock.calls.length, 0)
  return { wb: { ...spies, maxThreads: 1 } as unknown as Workbench, calls }
}

const NOT_STRINGS: unknown[] = [null, undefined, 1, true, {}, [], ['/tmp']]

describe('dataset methods: argument validation (main checks what the page sends)', () => {
  const { wb, calls } = spyWorkbench()
  const h = createHandlers(wb, { mode: 'browser', dataDir: '/data', examplesDir: EXAMPLES })
  afterEach(() => expect(calls()).toBe(0))

  it.each([
    ['datasets.sources', [1]],
    ['datasets.jobs', [1]],
    ['dialog.pickFolder', ['/tmp']],
    ['datasets.inspectFolder', []],
    ['datasets.inspectFolder', ['/tmp', 1]],
    ['datasets.import', ['/tmp']],
    ['datasets.download', []],
    ['datasets.cancelJob', []],
    ['datasets.dismissJob', ['download-a-abcdef', 2]],
    ['datasets.preview', []],
    ['datasets.remove', ['a', 'b']],
  ] as [MethodName, unknown[]][])('%s refuses the argument count %j', async (m, args) => {
    expect(await failure(h, m, args)).toMatchObject({ code: 'invalid-argument' })
  })

  const BAD_PATHS: [unknown, RegExp][] = [
    ...NOT_STRINGS.map((v): [unknown, RegExp] => [v, /must be a folder path/]),
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['relative/folder', /must be an absolute path/],
    ['./here', /must be an absolute path/],
    ['~/cifar', /must be an absolute path/],
    ['/tmp/../etc', /'\.\.' segments/],
    ['/tmp/x/..', /'\.\.' segments/],
    ['/tmp/a\0b', /NUL/],
    ['/' + 'x'.repeat(5000), /at most 4096 characters/],
  ]
  it.each(BAD_PATHS)('datasets.inspectFolder and datasets.import refuse the path %j', async (path, why) => {
    for (const [m, args] of [
      ['datasets.inspectFolder', [path]],
      ['datasets.import', [path, { mode: 'reference' }]],
    ] as [MethodName, unknown[]][]) {
      const e = await failure(h, m, args)
      expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'path' }] })
      expect(e!.message).toMatch(why)
    }
  })

  it.each([
    [null, 'request'],
    ['reference', 'request'],
    [[], 'request'],
    [{}, 'request.mode'],
    [{ mode: 'move' }, 'request.mode'],
    [{ mode: 1 }, 'request.mode'],
    [{ mode: 'copy', name: '../x' }, 'request.name'],
    [{ mode: 'copy', name: 'Has Space' }, 'request.name'],
    [{ mode: 'copy', name: 5 }, 'request.name'],
    [{ mode: 'copy', overwrite: true }, 'request.overwrite'],
  ])('datasets.import refuses the request %j, naming %s', async (request, field) => {
    const e = await failure(h, 'datasets.import', ['/tmp', request])
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: field }] })
  })

  it.each(NOT_STRINGS)('datasets.download refuses the source name %j', async (name) => {
    const e = await failure(h, 'datasets.download', [name])
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'sourceName' }] })
  })

  it.each([...NOT_STRINGS, '', 'download-x', '../download-a-abcdef', 'download-a-ABCDEF', 'x'.repeat(500)])(
    'datasets.cancelJob and datasets.dismissJob refuse the job id %j',
    async (id) => {
      for (const m of ['datasets.cancelJob', 'datasets.dismissJob'] as const) {
        expect(await failure(h, m, [id])).toMatchObject({
          code: 'invalid-argument',
          fields: [{ path: 'jobId' }],
        })
      }
    },
  )

  it.each([...NOT_STRINGS, '', '..', '../etc', 'A', '-x', 'a/b', 'x'.repeat(65)])(
    'datasets.preview and datasets.remove refuse the dataset name %j',
    async (name) => {
      for (const m of ['datasets.preview', 'datasets.remove'] as const) {
        expect(await failure(h, m, [name])).toMatchObject({
          code: 'invalid-argument',
          fields: [{ path: 'name' }],
        })
      }
    },
  )

  it.each([0, 11, 1.5, '7', -1, {}])('datasets.preview refuses perClass %j', async (perClass) => {
    const e = await failure(h, 'datasets.preview', ['mnist', { perClass }])
    expect(e).toMatchObject({ code: 'invalid-argument', fields: [{ path: 'options.perClass' }] })
  })

  it('datasets.preview refuses unknown options and non-objects', async () => {
    expect(await failure(h, 'datasets.preview', ['mnist', { size: 3 }])).toMatchObject({
      fields: [{ path: 'options.size' }],
    })
    expect(await failure(h, 'datasets.preview', ['mnist', 'big'])).toMatchObject({
      fields: [{ path: 'options' }],
    })
  })

  it('dialog.pickFolder is unsupported in the browser mode, and uses the app’s picker in Electron', async () => {
    expect(await failure(h, 'dialog.pickFolder', [])).toMatchObject({ code: 'unsupported' })
    const pickFolder = vi.fn(async () => '/home/me/cifar')
    const desktop = createHandlers(wb, { mode: 'electron', dataDir: '/d', examplesDir: EXAMPLES, pickFolder })
    await expect(desktop['dialog.pickFolder']()).resolves.toBe('/home/me/cifar')
    expect(pickFolder).toHaveBeenCalledOnce()
  })
})

describe('dataset methods over a real workbench', () => {
  let dir: string
  let wb: Workbench
  let h: Handlers
  let server: TestServer
  let files: Record<string, Buffer>
  const events: ApiEvent[] = []
  let stopEvents: () => void

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-dsapi-'))
    files = idxGzFiles(300, 30)
    server = await startServer()
    // Served as a mirror lays them out: <mirror>/<source>/<file>.
    for (const [name, data] of Object.entries(files)) {
      server.files.set(`tiny/${name}`, data)
      server.files.set(`mnist/${name}`, data)
    }
    const tiny = testSource('tiny', 'https://example.invalid/tiny/', files)
    wb = await Workbench.open({
      dataDir: join(dir, 'data'),
      maxThreads: 1,
      datasetOptions: {
        sources: { ...SOURCES, tiny },
        downloadOptions: { mirror: server.url, retryDelayMs: 1, retries: 1, progressIntervalMs: 0 },
      },
    })
    h = createHandlers(wb, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES })
    const forwarder = forwardEvents(wb, (e) => events.push(e))
    stopEvents = () => forwarder.close()
  })
  afterAll(async () => {
    stopEvents()
    await wb.close()
    await server.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** The job's events from now until it finishes, and its final state. */
  async function finished(job: DatasetJob): Promise<{ final: DatasetJob; seen: DatasetJob[] }> {
    const seen: DatasetJob[] = []
    return new Promise((resolvePromise) => {
      const check = (j: DatasetJob): void => {
        if (j.id !== job.id) return
        seen.push(j)
        if (j.status !== 'running') {
          off()
          resolvePromise({ final: j, seen })
        }
      }
      const off = wb.datasetJobs.subscribe((e) => e.type === 'job' && check(e.job))
      const now = wb.datasetJobs.get(job.id)
      if (now && now.status !== 'running') {
        off()
        resolvePromise({ final: now, seen })
      }
    })
  }

  it('datasets.list: every dataset with its real split, where it lives and how it came', async () => {
    const small = (await h['datasets.list']()).find((d) => d.name === 'fashion-mnist-small')!
    expect(small).toMatchObject({
      source: 'builtin',
      format: 'idx',
      counts: { train: 6000, test: 1000 },
      splits: { numTraining: 5400, numValidation: 600, numTest: 1000 },
      shape: [1, 28, 28],
      readOnly: true,
      available: true,
      reference: true,
    })
    expect(small.path).toMatch(/fashion-mnist-small$/)
    expect(small.classNames).toContain('Ankle boot')
  })

  it('datasets.preview: the first images of each class, 7 by default, raw (C, H, W) bytes', async () => {
    const p = await h['datasets.preview']('fashion-mnist-small')
    expect(p).toMatchObject({ name: 'fashion-mnist-small', shape: [1, 28, 28], perClass: 7 })
    expect(p.samples).toHaveLength(10)
    for (const [label, s] of p.samples.entries()) {
      expect(s).toMatchObject({ label, count: 7 })
      expect(Buffer.from(s.images, 'base64')).toHaveLength(7 * 784)
    }
    const three = await h['datasets.preview']('fashion-mnist-small', { perClass: 3 })
    expect(Buffer.from(three.samples[0]!.images, 'base64')).toEqual(
      Buffer.from(p.samples[0]!.images, 'base64').subarray(0, 3 * 784),
    )
    expect(await failure(h, 'datasets.preview', ['nope'])).toMatchObject({ code: 'not-found' })
  })

  it('datasets.inspectFolder: says what a folder holds, or why it is not a dataset', async () => {
    const good = join(dir, 'cifar')
    await writeCifarPython(good, { perBatch: 4 })
    expect(await h['datasets.inspectFolder'](good)).toMatchObject({
      ok: true,
      format: 'cifar10-python',
      files: 7,
    })
    expect(await h['datasets.inspectFolder'](join(dir, 'none'))).toMatchObject({
      ok: false,
      code: 'not-found',
    })
    await writeFile(join(dir, 'a-file'), 'x')
    expect(await h['datasets.inspectFolder'](join(dir, 'a-file'))).toMatchObject({
      ok: false,
      code: 'not-a-folder',
    })
    const half = join(dir, 'half')
    await mkdir(half)
    await writeFile(join(half, 'data_batch_1'), 'x')
    const e = await h['datasets.inspectFolder'](half)
    expect(e).toMatchObject({ ok: false, code: 'invalid-data', file: half })
    expect(e.ok === false && e.reason).toMatch(/^looks like CIFAR-10 \(python\) but data_batch_2, .* missing/)
    // The registry's own folders, also through a link.
    await mkdir(join(dir, 'data', 'datasets'), { recursive: true })
    await symlink(join(dir, 'data', 'datasets'), join(dir, 'link'))
    expect(await h['datasets.inspectFolder'](join(dir, 'link'))).toMatchObject({
      ok: false,
      code: 'inside-registry',
    })
  })

  it('datasets.import by reference: progress events, then the list has it; a second import is refused', async () => {
    const folder = join(dir, 'digits')
    await writeIdx(folder, { train: 50, test: 20 })
    const job = await h['datasets.import'](folder, { mode: 'reference', name: 'digits' })
    expect(job).toMatchObject({
      kind: 'import',
      name: 'digits',
      target: folder,
      mode: 'reference',
      status: 'running',
    })
    const { final, seen } = await finished(job)
    expect(final).toMatchObject({ status: 'done', phase: 'done', fraction: 1, error: null })
    expect(seen.map((j) => j.phase)).toEqual(expect.arrayContaining(['read', 'preview', 'done']))
    const reads = seen.filter((j) => j.phase === 'read')
    expect(reads.at(-1)).toMatchObject({ bytes: reads.at(-1)!.total })
    const listed = (await h['datasets.list']()).find((d) => d.name === 'digits')
    expect(listed).toMatchObject({
      source: 'import',
      reference: true,
      path: folder,
      splits: { numTraining: 45, numValidation: 5, numTest: 20 },
    })
    expect(events.some((e) => e.event === 'datasets' && e.payload.name === 'digits')).toBe(true)
    expect((await h['datasets.preview']('digits')).samples[0]!.count).toBeGreaterThan(0)
    // Checked before any job starts: the name is taken.
    expect(await failure(h, 'datasets.import', [folder, { mode: 'copy', name: 'digits' }])).toMatchObject({
      code: 'exists',
      fields: [{ path: 'name' }],
    })
    expect(await h['datasets.jobs']()).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: job.id })]),
    )
    await h['datasets.dismissJob'](job.id)
    expect((await h['datasets.jobs']()).some((j) => j.id === job.id)).toBe(false)
  })

  it('datasets.import of a broken folder fails with the loader’s file and reason', async () => {
    const folder = join(dir, 'broken')
    await writeIdx(folder, { train: 30, test: 10 })
    await writeFile(join(folder, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 99]))
    const job = await h['datasets.import'](folder, { mode: 'copy', name: 'broken' })
    const { final } = await finished(job)
    expect(final.status).toBe('failed')
    expect(final.error).toMatchObject({ code: 'invalid-data', file: join(folder, 't10k-labels-idx1-ubyte') })
    expect(final.error!.reason).toMatch(/expected/)
    expect(final.error!.reason).not.toContain(folder)
    expect((await h['datasets.list']()).some((d) => d.name === 'broken')).toBe(false)
  })

  it('datasets.import by copy of a CIFAR-10 folder copies, verifies and previews it', async () => {
    const folder = join(dir, 'cifar-copy-src')
    await writeCifarPython(folder, { perBatch: 6, testCount: 5 })
    const { final, seen } = await finished(await h['datasets.import'](folder, { mode: 'copy' }))
    expect(final.status).toBe('done')
    expect(final.name).toBe('cifar-copy-src')
    expect(new Set(seen.map((j) => j.phase))).toEqual(
      new Set(['detect', 'read', 'copy', 'verify', 'preview', 'done']),
    )
    const d = (await h['datasets.list']()).find((x) => x.name === 'cifar-copy-src')!
    expect(d).toMatchObject({ reference: false, counts: { train: 30, test: 5 }, shape: [3, 32, 32] })
    expect(d.path).toBe(join(dir, 'data', 'datasets', 'cifar-copy-src'))
    expect((await readdir(d.path)).sort()).toContain('preview.json')
  })

  it('datasets.download from the mirror: progress with bytes, speed and ETA fields, then listed', async () => {
    server.behaviours.set(`tiny/${TRAIN_IMAGES}`, { dropAfter: 40_000, times: 1 })
    const { final, seen } = await finished(await h['datasets.download']('tiny'))
    expect(final).toMatchObject({ status: 'done', kind: 'download', name: 'tiny' })
    const total = Object.values(files).reduce((a, f) => a + f.length, 0)
    const downloads = seen.filter((j) => j.phase === 'download')
    expect(downloads.at(-1)).toMatchObject({ total })
    for (let i = 1; i < downloads.length; i++) {
      expect(downloads[i]!.fraction).toBeGreaterThanOrEqual(downloads[i - 1]!.fraction)
    }
    // The dropped connection was retried with a Range request, and said so meanwhile.
    expect(seen.some((j) => j.phase === 'retry' && j.retry?.attempt === 2)).toBe(true)
    expect(server.requests.filter((r) => r.path === `tiny/${TRAIN_IMAGES}`).map((r) => r.range)).toEqual([
      undefined,
      'bytes=40000-',
    ])
    const sources = await h['datasets.sources']()
    expect(sources.find((s) => s.name === 'tiny')).toMatchObject({
      installed: true,
      partialBytes: 0,
      files: 4,
    })
    expect(sources.find((s) => s.name === 'cifar10')).toMatchObject({ installed: false, bytes: 170_498_071 })
    expect(await failure(h, 'datasets.download', ['tiny'])).toMatchObject({ code: 'exists' })
    expect(await failure(h, 'datasets.download', ['nope'])).toMatchObject({ code: 'not-found' })
  })

  it('datasets.download of MNIST checks the published md5: files that differ fail naming both sums', async () => {
    const { final } = await finished(await h['datasets.download']('mnist'))
    expect(final.status).toBe('failed')
    expect(final.error).toMatchObject({
      code: 'checksum',
      file: TRAIN_IMAGES,
      expected: SOURCES.mnist!.files[0]!.md5,
    })
    expect(final.error!.actual).toMatch(/^[0-9a-f]{32}$/)
    expect((await h['datasets.list']()).some((d) => d.name === 'mnist')).toBe(false)
  })

  it('datasets.cancelJob stops a download, keeps its bytes, and the next download resumes them', async () => {
    server.behaviours.set(`tiny2/${TRAIN_IMAGES}`, { stallAfter: 30_000 })
    for (const [name, data] of Object.entries(files)) server.files.set(`tiny2/${name}`, data)
    // A second test source, added as serve's WORKBENCH_DATASET_SOURCES would.
    const other = await Workbench.open({
      dataDir: join(dir, 'data2'),
      maxThreads: 1,
      datasetOptions: {
        sources: { tiny2: testSource('tiny2', 'https://example.invalid/', files) },
        downloadOptions: { mirror: server.url, retryDelayMs: 1, progressIntervalMs: 0 },
      },
    })
    try {
      const h2 = createHandlers(other, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES })
      const job = await h2['datasets.download']('tiny2')
      await vi.waitUntil(() => (other.datasetJobs.get(job.id)?.bytes ?? 0) >= 30_000, { timeout: 10_000 })
      expect((await h2['datasets.cancelJob'](job.id)).id).toBe(job.id)
      await vi.waitUntil(() => other.datasetJobs.get(job.id)?.status !== 'running')
      expect(other.datasetJobs.get(job.id)).toMatchObject({ status: 'cancelled', error: null })
      expect((await h2['datasets.sources']())[0]).toMatchObject({
        name: 'tiny2',
        installed: false,
        partialBytes: 30_000,
      })

      server.behaviours.delete(`tiny2/${TRAIN_IMAGES}`)
      const again = await h2['datasets.download']('tiny2')
      await vi.waitUntil(() => other.datasetJobs.get(again.id)?.status !== 'running', { timeout: 10_000 })
      expect(other.datasetJobs.get(again.id)).toMatchObject({ status: 'done', resumedBytes: 30_000 })
      expect(server.requests.filter((r) => r.path === `tiny2/${TRAIN_IMAGES}`).at(-1)).toMatchObject({
        range: 'bytes=30000-',
        status: 206,
      })
    } finally {
      await other.close()
    }
  })

  it('a download does not hold training up: a run trains to its end while a slow download goes on', async () => {
    for (const [name, data] of Object.entries(files)) server.files.set(`slow/${name}`, data)
    server.behaviours.set(`slow/${TRAIN_IMAGES}`, { bytesPerSecond: 50_000 })
    const busy = await Workbench.open({
      dataDir: join(dir, 'data5'),
      maxThreads: 1,
      datasetOptions: {
        sources: { slow: testSource('slow', 'https://example.invalid/', files) },
        downloadOptions: { mirror: server.url, progressIntervalMs: 0 },
      },
    })
    try {
      const h5 = createHandlers(busy, { mode: 'browser', dataDir: dir, examplesDir: EXAMPLES })
      const job = await h5['datasets.download']('slow')
      const run = await h5['runs.create']({
        name: 'trains meanwhile',
        dataset: { name: 'fashion-mnist-small', numTraining: 500, numValidation: 100, numTest: 100 },
        model: { kind: 'two-layer', hiddenDim: 20 },
        solver: { numEpochs: 2, batchSize: 100 },
      })
      await vi.waitUntil(async () => (await h5['runs.get'](run.id)).status === 'completed', {
        timeout: 20_000,
      })
      const meanwhile = busy.datasetJobs.get(job.id)!
      expect(meanwhile.status).toBe('running')
      expect(meanwhile.bytes).toBeGreaterThan(0)
      await vi.waitUntil(() => busy.datasetJobs.get(job.id)?.status === 'done', { timeout: 20_000 })
    } finally {
      await busy.close()
    }
  }, 45_000)

  it('a download with no server to reach fails as offline, naming the host', async () => {
    const offline = await Workbench.open({
      dataDir: join(dir, 'data3'),
      maxThreads: 1,
      datasetOptions: {
        // A port nothing listens on: connection refused, as with no network.
        downloadOptions: { mirror: 'http://127.0.0.1:9/', retryDelayMs: 1, retries: 1 },
      },
    })
    try {
      const seen: Events['datasetJob'][] = []
      const off = offline.datasetJobs.subscribe((e) => e.type === 'job' && seen.push(e.job))
      const job = await offline.datasetJobs.startDownload('fashion-mnist')
      await vi.waitUntil(() => offline.datasetJobs.get(job.id)?.status !== 'running', { timeout: 10_000 })
      off()
      expect(offline.datasetJobs.get(job.id)!.error).toMatchObject({
        code: 'network',
        offline: true,
        host: '127.0.0.1:9',
      })
      expect(seen.find((j) => j.phase === 'retry')?.retry).toMatchObject({ offline: true, attempt: 2, of: 2 })
    } finally {
      await offline.close()
    }
  })

  it('datasets.remove: refused while a queued run needs it; afterwards runs keep their records', async () => {
    const folder = join(dir, 'to-remove')
    await writeIdx(folder, { train: 200, test: 20 })
    await finished(await h['datasets.import'](folder, { mode: 'copy', name: 'gone' }))
    const config = {
      name: 'on gone',
      dataset: { name: 'gone', numTraining: 100, numValidation: 20, numTest: 20 },
      model: { kind: 'two-layer', hiddenDim: 10 },
      solver: { numEpochs: 1, batchSize: 50 },
    }
    // One training thread: a long run on another dataset keeps the run on 'gone' waiting in the queue.
    const blocker = await h['runs.create']({
      ...config,
      name: 'blocker',
      dataset: { name: 'fashion-mnist-small' },
      solver: { numEpochs: 50, batchSize: 50 },
    })
    const run = await h['runs.create'](config)
    expect((await h['runs.get'](run.id)).status).toBe('queued')
    const waitingFor = await failure(h, 'datasets.remove', ['gone'])
    expect(waitingFor).toMatchObject({ code: 'in-use', fields: [{ path: 'name' }] })
    expect(waitingFor!.message).toContain(run.id)
    await h['runs.cancel'](run.id)
    await h['runs.cancel'](blocker.id)
    await expect(h['datasets.remove']('gone')).resolves.toEqual({ name: 'gone' })
    await expect(stat(join(dir, 'data', 'datasets', 'gone'))).rejects.toThrow()
    expect(await stat(folder)).toBeTruthy() // the imported folder is never touched
    expect((await h['runs.get'](run.id)).config.dataset.name).toBe('gone')
    expect(events.some((e) => e.event === 'datasets' && e.payload.change === 'removed')).toBe(true)
    expect(await failure(h, 'runs.create', [config])).toMatchObject({ fields: [{ path: 'dataset.name' }] })
    expect(await failure(h, 'datasets.remove', ['gone'])).toMatchObject({ code: 'not-found' })
    expect(await failure(h, 'datasets.remove', ['fashion-mnist-small'])).toMatchObject({ code: 'read-only' })
  }, 60_000)
})
