// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import fcBatchnorm from '../../../examples/fc-batchnorm.json'
import randomSearch from '../../../examples/seed-random-search.json'
import type { ClusterInfo, DatasetSummary, Example } from '../../../src-shared/contract'
import { setTransport } from '../api'
import RunWhere from '../components/RunWhere.vue'
import { i18n } from '../i18n'
import { datasetSummary } from '../testing/datasetFixtures'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const datasets: DatasetSummary[] = [
  datasetSummary({
    name: 'fashion-mnist-small',
    source: 'builtin',
    format: 'idx',
    counts: { train: 6000, test: 1000 },
    shape: [1, 28, 28],
    classNames: [],
    sizeOnDisk: 1,
  }),
]
const examples: Example[] = [
  { file: 'fc-batchnorm.json', kind: 'run', name: fcBatchnorm.name, value: fcBatchnorm },
  { file: 'seed-random-search.json', kind: 'sweep', name: randomSearch.name, value: randomSearch },
]
const worker = { host: 'lab-1', cpu: 'AMD EPYC', cores: 8, concurrency: 3 }
const CLUSTER: ClusterInfo = {
  configured: true,
  address: 'redis://:***@10.0.0.5:6379',
  queue: 'workbench',
  state: 'ready',
  message: null,
  workers: [worker, { ...worker, host: 'lab-2' }],
  slots: 6,
  waiting: 0,
  training: 0,
}

function setup(results: Parameters<typeof fakeTransport>[0] = {}) {
  return fakeTransport({
    'datasets.list': datasets,
    'examples.list': examples,
    'runs.create': makeRun({ status: 'queued' }),
    'runs.createSweep': { sweepId: 's1', runs: [makeRun({ status: 'queued' })] },
    ...results,
  })
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

const choice = (w: VueWrapper) => w.find('[data-testid="train-on"]')

describe('Train on: this machine or the cluster', () => {
  it('is hidden without a cluster, and runs are created without options', async () => {
    const t = setup({ 'cluster.status': { configured: false } })
    const { wrapper } = await mountAt('/new', t)
    await flushPromises()
    expect(choice(wrapper).exists()).toBe(false)
    await wrapper.get('[data-testid="submit-run"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.create'].mock.calls[0]).toHaveLength(1)
  })

  it('is hidden when main cannot say (an older main without cluster.status)', async () => {
    const { wrapper } = await mountAt('/new', setup())
    await flushPromises()
    expect(choice(wrapper).exists()).toBe(false)
  })

  it('shows the workers once a cluster is configured and sends the choice with the run', async () => {
    const t = setup({ 'cluster.status': CLUSTER })
    const { wrapper } = await mountAt('/new', t)
    await flushPromises()
    expect(choice(wrapper).text()).toContain('Train on')
    expect(wrapper.get('[data-testid="train-on-cluster"]').element.parentElement?.textContent).toContain(
      'cluster (2 workers)',
    )
    expect(wrapper.get('[data-testid="train-on-note"]').text()).toBe(
      '6 runs at a time · Queue workbench at redis://:***@10.0.0.5:6379',
    )
    expect((wrapper.get('[data-testid="train-on-local"]').element as HTMLInputElement).checked).toBe(true)
    await wrapper.get('[data-testid="train-on-cluster"]').setValue(true)
    await wrapper.get('[data-testid="submit-run"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.create'].mock.calls[0]![1]).toEqual({ trainOn: 'cluster' })
  })

  it('follows the cluster event: a worker leaves, Redis goes away, the cluster is gone', async () => {
    const t = setup({ 'cluster.status': CLUSTER })
    const { wrapper } = await mountAt('/new', t)
    await flushPromises()
    t.api.emit('cluster', { ...CLUSTER, workers: [worker], slots: 3 })
    await flushPromises()
    expect(wrapper.get('[data-testid="train-on-cluster"]').element.parentElement?.textContent).toContain(
      'cluster (1 worker)',
    )
    t.api.emit('cluster', {
      ...CLUSTER,
      state: 'reconnecting',
      slots: 0,
      message: 'Redis at x: ECONNREFUSED',
    })
    await flushPromises()
    expect(wrapper.get('[data-testid="train-on-note"]').text()).toMatch(/^Lost the cluster; reconnecting/)
    t.api.emit('cluster', { configured: false })
    await flushPromises()
    expect(choice(wrapper).exists()).toBe(false)
  })

  it('says it in Chinese', async () => {
    const t = setup({ 'cluster.status': { ...CLUSTER, workers: [], slots: 0 } })
    const { wrapper } = await mountAt('/new', t, 'zh-CN')
    await flushPromises()
    expect(choice(wrapper).text()).toContain('训练位置')
    expect(choice(wrapper).text()).toContain('集群（0 个工作节点）')
    expect(wrapper.get('[data-testid="train-on-note"]').text()).toMatch(/^尚无工作节点连接/)
  })

  it('sends the choice with a sweep from the sweep builder', async () => {
    const t = setup({ 'cluster.status': CLUSTER })
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="tab-sweep"]').trigger('click')
    await flushPromises()
    const sweepForm = wrapper.get('[data-testid="sweep-form"]')
    expect(sweepForm.find('[data-testid="train-on"]').exists()).toBe(true)
    await sweepForm.get('[data-testid="train-on-cluster"]').setValue(true)
    await sweepForm.trigger('submit')
    await flushPromises()
    const calls = t.api.mocks['runs.createSweep'].mock.calls
    expect(calls).toHaveLength(1)
    expect(calls[0]![1]).toEqual({ trainOn: 'cluster' })
  })

  it('a sweep without a cluster is created without options', async () => {
    const t = setup({ 'cluster.status': { configured: false } })
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="tab-sweep"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="train-on"]').exists()).toBe(false)
    await wrapper.get('[data-testid="sweep-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.createSweep'].mock.calls).toEqual([[expect.anything()]])
  })
})

describe('RunWhere: where a cluster run trains', () => {
  const at = (placement: unknown, compact = false) =>
    mount(RunWhere, { props: { run: { placement } as never, compact }, global: { plugins: [i18n] } })
  const machine = {
    id: 'lab-1-1-ab',
    host: 'lab-1',
    cpu: 'AMD EPYC',
    cores: 8,
    blasCore: null,
    freeMemBytes: 1,
    totalMemBytes: 2,
    concurrency: 2,
  }
  afterEach(() => void (i18n.global.locale.value = 'en'))

  it('shows nothing for runs of this machine', () => {
    expect(at(undefined).find('[data-testid="run-where"]').exists()).toBe(false)
    expect(at(null).find('[data-testid="run-where"]').exists()).toBe(false)
  })

  it('names the worker, or says the run waits for one; in Chinese too', () => {
    expect(at({ executor: 'cluster', worker: null }).text()).toBe(
      'Trains on: the cluster (waiting for a worker)',
    )
    expect(at({ executor: 'cluster', worker: machine }).text()).toBe('Trains on: lab-1 (8 cores, AMD EPYC)')
    expect(at({ executor: 'cluster', worker: machine }, true).text()).toBe('lab-1')
    i18n.global.locale.value = 'zh-CN'
    expect(at({ executor: 'cluster', worker: machine }).text()).toBe('训练于: lab-1（8 核，AMD EPYC）')
  })
})
