import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DatasetJob } from '../../../src-shared/contract'
import { DatasetError } from '../../../src-worker/data/formats/common'
import { writeIdx } from '../../../src-worker/data/fixtures'
import { DatasetsError } from './errors'
import { DatasetJobs, jobError } from './jobs'
import { DatasetRegistry } from './registry'
import { idxGzFiles, makeTempDir, startServer, testSource, type TestServer } from './testing'

const TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'

describe('jobError: what a job shows of a failure', () => {
  it('a host that cannot be resolved or refuses is offline, naming the host', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND www.cs.toronto.edu'), { code: 'ENOTFOUND' })
    expect(jobError(dns, 'www.cs.toronto.edu')).toEqual({
      code: 'network',
      message: 'getaddrinfo ENOTFOUND www.cs.toronto.edu',
      offline: true,
      host: 'www.cs.toronto.edu',
    })
    const refused = new DatasetsError('network', 'x.gz: download failed after 5 attempt(s)', {
      file: 'x.gz',
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    expect(jobError(refused, '127.0.0.1:9')).toMatchObject({
      code: 'network',
      offline: true,
      host: '127.0.0.1:9',
    })
    const reset = new DatasetsError('network', 'cut', {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    })
    expect(jobError(reset, 'h')).toMatchObject({ code: 'network', offline: false })
  })

  it('a loader error keeps its file and its reason apart; a checksum error both sums', () => {
    const cause = new DatasetError('/d/t10k-labels-idx1-ubyte', 'expected 10 labels, found 3')
    const err = new DatasetsError('invalid-data', `/d does not load as a dataset: ${cause.message}`, {
      file: cause.file,
      cause,
    })
    expect(jobError(err, '')).toEqual({
      code: 'invalid-data',
      message: err.message,
      file: '/d/t10k-labels-idx1-ubyte',
      reason: 'expected 10 labels, found 3',
    })
    const sum = new DatasetsError('checksum', 'a.gz: checksum mismatch', {
      file: 'a.gz',
      expected: 'e',
      actual: 'a',
    })
    expect(jobError(sum, '')).toMatchObject({ code: 'checksum', file: 'a.gz', expected: 'e', actual: 'a' })
    expect(jobError(new Error('boom'), '')).toEqual({ code: 'internal', message: 'boom' })
  })
})

describe('DatasetJobs', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> }
  let server: TestServer
  let files: Record<string, Buffer>
  const open: DatasetJobs[] = []

  beforeEach(async () => {
    tmp = await makeTempDir()
    files = idxGzFiles(200, 20)
    server = await startServer(files)
  })
  afterEach(async () => {
    for (const j of open.splice(0)) await j.close()
    await server.close()
    await tmp.cleanup()
  })

  function jobs(options: ConstructorParameters<typeof DatasetJobs>[1] = {}): {
    jobs: DatasetJobs
    registry: DatasetRegistry
  } {
    const registry = new DatasetRegistry(join(tmp.dir, 'data'), {
      sources: { tiny: testSource('tiny', server.url, files) },
      downloadOptions: { retryDelayMs: 1, progressIntervalMs: 0 },
    })
    const j = new DatasetJobs(registry, options)
    open.push(j)
    return { jobs: j, registry }
  }

  const settled = (j: DatasetJobs, id: string): Promise<DatasetJob> =>
    vi.waitUntil(
      () => {
        const job = j.get(id)
        return job && job.status !== 'running' ? job : false
      },
      { timeout: 10_000 },
    )

  it('a download cut by a restart resumes in the next process from the bytes on disk', async () => {
    server.behaviours.set(TRAIN_IMAGES, { stallAfter: 50_000 })
    const first = jobs()
    const job = await first.jobs.startDownload('tiny')
    await vi.waitUntil(() => (first.jobs.get(job.id)?.bytes ?? 0) >= 50_000, { timeout: 10_000 })
    await first.jobs.close() // the app quits: the job stops, its bytes stay
    expect(first.jobs.get(job.id)).toMatchObject({ status: 'cancelled' })

    server.behaviours.delete(TRAIN_IMAGES)
    const second = jobs()
    expect(await second.registry.partialBytes('tiny')).toBe(50_000)
    const again = await second.jobs.startDownload('tiny')
    expect(await settled(second.jobs, again.id)).toMatchObject({ status: 'done', resumedBytes: 50_000 })
    expect(server.requests.filter((r) => r.path === TRAIN_IMAGES).at(-1)).toMatchObject({
      range: 'bytes=50000-',
      status: 206,
    })
    expect(await second.registry.partialBytes('tiny')).toBe(0)
  })

  it('one job per dataset at a time; a running job cannot be dismissed; unknown ids are not found', async () => {
    server.behaviours.set(TRAIN_IMAGES, { stallAfter: 10_000 })
    const { jobs: j } = jobs()
    const job = await j.startDownload('tiny')
    await expect(j.startDownload('tiny')).rejects.toMatchObject({ code: 'busy' })
    expect(() => j.dismiss(job.id)).toThrow(/still running: cancel it first/)
    expect(() => j.cancel('download-x-000000')).toThrow(/no dataset job/)
    j.cancel(job.id)
    expect(await settled(j, job.id)).toMatchObject({ status: 'cancelled', error: null })
    j.dismiss(job.id)
    expect(j.list()).toEqual([])
  })

  it('keeps the newest finished jobs only, and paces progress events but not phase changes', async () => {
    const { jobs: j } = jobs({ keepFinished: 1, eventIntervalMs: 60_000 })
    const events: DatasetJob[] = []
    j.subscribe((e) => e.type === 'job' && events.push(e.job))
    const ids: string[] = []
    for (const name of ['a', 'b']) {
      const folder = join(tmp.dir, name)
      await writeIdx(folder, { train: 20, test: 10 })
      await writeFile(join(folder, 't10k-labels-idx1-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]))
      const job = await j.startImport(folder, { mode: 'reference' })
      ids.push(job.id)
      await settled(j, job.id)
    }
    expect(j.list().map((x) => x.id)).toEqual([ids[1]])
    // Every phase went out once (start, detect, read..., failed), none twice within the interval.
    const first = events.filter((e) => e.id === ids[0])
    const running = first.filter((e) => e.status === 'running').map((e) => e.phase)
    expect(running).toEqual([...new Set(running)])
    expect(running.slice(0, 2)).toEqual(['start', 'detect'])
    expect(first.at(-1)).toMatchObject({ status: 'failed', error: { code: 'invalid-data' } })
  })

  it('tells subscribers when the registry adds or removes a dataset', async () => {
    const { jobs: j, registry } = jobs()
    const changes: unknown[] = []
    j.subscribe((e) => e.type === 'datasets' && changes.push(e.change))
    const folder = join(tmp.dir, 'c')
    await writeIdx(folder, { train: 20, test: 10 })
    await registry.importFolder(folder, { mode: 'reference' })
    await registry.remove('c')
    expect(changes).toEqual([
      { change: 'added', name: 'c' },
      { change: 'removed', name: 'c' },
    ])
  })
})
