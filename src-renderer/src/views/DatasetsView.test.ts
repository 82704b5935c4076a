// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DatasetPreview, DownloadSourceSummary } from '../../../src-shared/contract'
import { setTransport } from '../api'
import { datasetJob, datasetSummary } from '../testing/datasetFixtures'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const small = datasetSummary({
  name: 'fashion-mnist-small',
  source: 'builtin',
  format: 'idx',
  counts: { train: 6000, test: 1000 },
  shape: [1, 28, 28],
  classNames: ['T-shirt/top', 'Trouser'],
  sizeOnDisk: 3_000_000,
  path: '/app/resources/datasets/fashion-mnist-small',
})
const mine = datasetSummary({
  name: 'my-cifar',
  source: 'import',
  reference: true,
  format: 'cifar10-python',
  counts: { train: 50000, test: 10000 },
  shape: [3, 32, 32],
  classNames: ['airplane', 'automobile'],
  sizeOnDisk: 184_000_000,
  path: '/home/me/cifar-10-batches-py',
})
const sources: DownloadSourceSummary[] = [
  {
    name: 'mnist',
    title: 'MNIST',
    format: 'idx',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    bytes: 11_594_722,
    files: 4,
    classNames: ['0', '1'],
    license: 'CC BY-SA 3.0',
    citation: 'LeCun et al.',
    installed: false,
    partialBytes: 2_000_000,
  },
]
const preview = (name: string, shape: [number, number, number]): DatasetPreview => {
  const D = shape[0] * shape[1] * shape[2]
  return {
    name,
    shape,
    classNames: ['a', 'b'],
    perClass: 7,
    samples: [0, 1].map((label) => ({
      label,
      count: 7,
      images: btoa(String.fromCharCode(...new Uint8Array(7 * D))),
    })),
  }
}

function api(extra: Record<string, unknown> = {}) {
  return fakeTransport({
    'datasets.list': [small, mine],
    'datasets.sources': sources,
    'datasets.jobs': [],
    'datasets.preview': (name: string) => preview(name, name === 'my-cifar' ? [3, 32, 32] : [1, 28, 28]),
    'runs.list': [
      makeRun({ config: { dataset: { name: 'my-cifar' } } }),
      makeRun({ config: { dataset: { name: 'my-cifar' } } }),
    ],
    'runs.queue': { running: [], queued: [] },
    'app.info': { mode: 'browser', memoryBudgetBytes: 2 ** 33 },
    ...extra,
  })
}

afterEach(() => setTransport(null))

describe('DatasetsView', () => {
  it('lists every dataset with its real split, classes, shape, size, location and origin', async () => {
    const { wrapper } = await mountAt('/datasets', api())
    const row = wrapper.get('[data-testid="dataset-row-fashion-mnist-small"]')
    expect(row.get('[data-testid="dataset-split"]').text()).toBe('5,400 / 600 / 1,000')
    expect(row.text()).toContain('IDX (MNIST)')
    expect(row.text()).toContain('1×28×28')
    expect(row.text()).toContain('2.9 MB')
    // Where it lives: the end of the path shown, the whole of it on hover.
    expect(row.get('.path').text()).toBe('…/datasets/fashion-mnist-small')
    expect(row.get('.path').attributes('title')).toBe('/app/resources/datasets/fashion-mnist-small')
    expect(row.get('[data-testid="dataset-origin"]').text()).toBe('Built in')
    expect(row.get('[data-testid="remove-fashion-mnist-small"]').attributes('disabled')).toBeDefined()
    const other = wrapper.get('[data-testid="dataset-row-my-cifar"]')
    expect(other.get('[data-testid="dataset-split"]').text()).toBe('49,000 / 1,000 / 1,000')
    expect(other.get('[data-testid="dataset-origin"]').text()).toBe('Imported by reference')
    wrapper.unmount()
  })

  it('previews the first dataset, then the one chosen, one column per class', async () => {
    const t = api()
    const { wrapper } = await mountAt('/datasets', t)
    expect(t.api.mocks['datasets.preview']).toHaveBeenCalledWith('fashion-mnist-small', { perClass: 7 })
    expect(wrapper.findAll('[data-testid^="preview-class-"]')).toHaveLength(2)
    await wrapper.get('[data-testid="preview-my-cifar"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['datasets.preview']).toHaveBeenLastCalledWith('my-cifar', { perClass: 7 })
    expect(wrapper.get('[data-testid="dataset-preview"]').text()).toContain('Samples of my-cifar')
    wrapper.unmount()
  })

  it('removes after a confirmation that says runs keep their records; a refusal is shown in place', async () => {
    let refuse = true
    const t = api({
      'datasets.remove': () => {
        if (refuse)
          throw { code: 'in-use', message: "name: 'my-cifar' is needed by 1 queued or running run(s)" }
        return { name: 'my-cifar' }
      },
    })
    const { wrapper } = await mountAt('/datasets', t)
    await wrapper.get('[data-testid="remove-my-cifar"]').trigger('click')
    const confirm = wrapper.get('[data-testid="confirm-remove-my-cifar"]')
    expect(confirm.text()).toContain('Remove my-cifar? 2 runs trained on it: they keep their records.')
    expect(confirm.text()).toContain('the folder /home/me/cifar-10-batches-py is left as it is')
    await confirm.get('[data-testid="confirm-remove"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="remove-error"]').text()).toContain('needed by 1 queued or running run')
    refuse = false
    await wrapper.get('[data-testid="remove-my-cifar"]').trigger('click')
    await wrapper.get('[data-testid="confirm-remove"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['datasets.remove']).toHaveBeenLastCalledWith('my-cifar')
    expect(wrapper.find('[data-testid="dataset-row-my-cifar"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('checks a typed folder in main and shows the loader’s file and reason; imports with the chosen mode', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const t = api({
      'datasets.inspectFolder': (path: string) =>
        path.endsWith('bad')
          ? {
              ok: false,
              path,
              code: 'invalid-data',
              message: `${path}: looks like X`,
              file: path,
              reason: 'looks like CIFAR-10 (python) but test_batch is missing',
            }
          : { ok: true, path, format: 'cifar10-python', files: 7, bytes: 184_000_000 },
      'datasets.import': (path: string, request: unknown) =>
        datasetJob({
          id: 'import-a-abcdef',
          kind: 'import',
          name: 'cifar',
          target: path,
          mode: (request as { mode: 'copy' }).mode,
        }),
    })
    const { wrapper } = await mountAt('/datasets', t)
    expect(wrapper.find('[data-testid="import-pick"]').exists()).toBe(false) // browser mode: no picker
    await wrapper.get('[data-testid="import-path"]').setValue('/data/bad')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    const problem = wrapper.get('[data-testid="import-problem"]')
    expect(problem.text()).toContain('Not a dataset folder.')
    expect(problem.text()).toContain('/data/bad')
    expect(problem.text()).toContain('test_batch is missing')
    expect(wrapper.get('[data-testid="import-submit"]').attributes('disabled')).toBeDefined()

    await wrapper.get('[data-testid="import-path"]').setValue('/data/cifar')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    expect(wrapper.get('[data-testid="import-found"]').text()).toContain('CIFAR-10 (python): 7 files, 175 MB')
    await wrapper.get('[data-testid="import-mode-copy"]').setValue(true)
    await wrapper.get('[data-testid="import-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['datasets.import']).toHaveBeenCalledWith('/data/cifar', { mode: 'copy' })
    expect(wrapper.get('[data-testid="job-cifar"]').text()).toContain('Import: cifar')
    vi.useRealTimers()
    wrapper.unmount()
  })

  it('shows a download’s bytes, speed and time left live, then its end, from events', async () => {
    const t = api({
      'datasets.download': datasetJob({ id: 'download-a-abcdef', kind: 'download', name: 'mnist' }),
    })
    const { wrapper } = await mountAt('/datasets', t)
    const source = wrapper.get('[data-testid="source-mnist"]')
    expect(source.text()).toContain('1.9 MB kept from an earlier download')
    await source.get('[data-testid="download-mnist"]').trigger('click')
    await flushPromises()
    t.api.emit(
      'datasetJob',
      datasetJob({
        id: 'download-a-abcdef',
        kind: 'download',
        name: 'mnist',
        phase: 'download',
        file: 'train-images-idx3-ubyte.gz',
        bytes: 4 * 2 ** 20,
        total: 11 * 2 ** 20,
        fraction: 0.36,
        speed: 2 ** 20,
        etaSeconds: 7,
        resumedBytes: 2 * 2 ** 20,
      }),
    )
    await flushPromises()
    const job = wrapper.get('[data-testid="job-mnist"]')
    expect(job.get('[data-testid="job-phase"]').text()).toContain('Downloading train-images-idx3-ubyte.gz')
    expect(job.get('[data-testid="job-bytes"]').text()).toBe('4 MB of 11 MB')
    expect(job.get('[data-testid="job-speed"]').text()).toBe('1 MB/s')
    expect(job.get('[data-testid="job-eta"]').text()).toBe('7s left')
    expect(job.get('[data-testid="job-resumed"]').text()).toBe('resumed after 2 MB')

    t.api.emit(
      'datasetJob',
      datasetJob({
        id: 'download-a-abcdef',
        kind: 'download',
        name: 'mnist',
        phase: 'retry',
        retry: {
          attempt: 2,
          of: 5,
          inMs: 2000,
          reason: 'connect ECONNREFUSED',
          offline: true,
          host: 'ossci-datasets.s3.amazonaws.com',
        },
      }),
    )
    await flushPromises()
    expect(wrapper.get('[data-testid="job-retry"]').text()).toBe(
      'Cannot reach ossci-datasets.s3.amazonaws.com: are you offline? Attempt 2 of 5 in 2s.',
    )
    t.api.emit(
      'datasetJob',
      datasetJob({
        id: 'download-a-abcdef',
        kind: 'download',
        name: 'mnist',
        status: 'failed',
        error: { code: 'network', message: 'failed', offline: true, host: 'ossci-datasets.s3.amazonaws.com' },
      }),
    )
    await flushPromises()
    expect(wrapper.get('[data-testid="job-offline"]').text()).toContain(
      'No connection to ossci-datasets.s3.amazonaws.com. You seem to be offline',
    )
    expect(wrapper.get('[data-testid="job-resume"]').text()).toBe('Resume')
    wrapper.unmount()
  })

  it('a checksum failure names the file and both sums; a reloaded page asks main for running jobs', async () => {
    const failed = datasetJob({
      id: 'download-b-abcdef',
      kind: 'download',
      name: 'mnist',
      status: 'failed',
      error: {
        code: 'checksum',
        message: 'x',
        file: 'train-images-idx3-ubyte.gz',
        expected: 'f68b',
        actual: '0123',
      },
    })
    const { wrapper } = await mountAt('/datasets', api({ 'datasets.jobs': [failed] }))
    expect(wrapper.get('[data-testid="job-checksum"]').text()).toBe(
      'train-images-idx3-ubyte.gz does not match its published checksum (md5 f68b, received 0123). The damaged file was deleted: download it again.',
    )
    wrapper.unmount()
  })
})
