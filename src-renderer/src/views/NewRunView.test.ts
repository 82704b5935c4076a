// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DatasetSummary, Example } from '../../../src-shared/contract'
import randomSearch from '../../../examples/seed-random-search.json'
import fcBatchnorm from '../../../examples/fc-batchnorm.json'
import { setTransport } from '../api'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { datasetSummary } from '../testing/datasetFixtures'

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
  datasetSummary({
    name: 'cifar10',
    source: 'download',
    format: 'cifar10-py',
    counts: { train: 50000, test: 10000 },
    shape: [3, 32, 32],
    classNames: [],
    sizeOnDisk: 1,
  }),
]
const examples: Example[] = [
  { file: 'fc-batchnorm.json', kind: 'run', name: fcBatchnorm.name, value: fcBatchnorm },
  { file: 'seed-random-search.json', kind: 'sweep', name: randomSearch.name, value: randomSearch },
]

function setup(results: Parameters<typeof fakeTransport>[0] = {}) {
  return fakeTransport({ 'datasets.list': datasets, 'examples.list': examples, ...results })
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('NewRunView', () => {
  it('starts from the seed’s defaults with the embedded dataset selected', async () => {
    const { wrapper } = await mountAt('/new', setup())
    const value = (path: string): string =>
      (wrapper.get(`[data-testid="field-${path}"]`).element as HTMLInputElement).value
    expect(value('dataset.name')).toBe('fashion-mnist-small')
    expect(value('model.kind')).toBe('two-layer')
    expect(value('model.hiddenDim')).toBe('50')
    expect(value('solver.updateRule')).toBe('sgd')
    expect(value('solver.optimConfig.learningRate')).toBe('1e-3')
    expect(value('solver.lrDecay')).toBe('0.95')
    expect(value('solver.batchSize')).toBe('100')
    expect(value('solver.numEpochs')).toBe('10')
    expect(value('name')).toBe('2-layer 50 · sgd lr 1e-3')
    expect(wrapper.findAll('[data-testid^="field-error-"]')).toHaveLength(0)
  })

  it('shows the schema’s message under a field as soon as it is invalid', async () => {
    const { wrapper } = await mountAt('/new', setup())
    await wrapper.get('[data-testid="field-solver.optimConfig.learningRate"]').setValue('-0.1')
    const error = wrapper.get('[data-testid="field-error-solver.optimConfig.learningRate"]')
    expect(error.text()).toMatch(/0/)
    await wrapper.get('[data-testid="field-solver.optimConfig.learningRate"]').setValue('abc')
    expect(wrapper.get('[data-testid="field-error-solver.optimConfig.learningRate"]').text()).toBe(
      'Not a number: write it like 0.001 or 1e-3.',
    )
    await wrapper.get('[data-testid="field-solver.optimConfig.learningRate"]').setValue('5e-4')
    expect(wrapper.find('[data-testid="field-error-solver.optimConfig.learningRate"]').exists()).toBe(false)
    // Another field is untouched: no message yet.
    await wrapper.get('[data-testid="field-name"]').setValue('')
    expect(wrapper.get('[data-testid="field-error-name"]').text()).toBe('Required: enter a value.')
  })

  it('words every message for people, in Chinese too, with the field’s bounds', async () => {
    const { wrapper } = await mountAt('/new', setup(), 'zh-CN')
    const error = (path: string) => wrapper.get(`[data-testid="field-error-${path}"]`).text()
    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('0')
    expect(error('solver.batchSize')).toBe('请输入 1 到 65,536 之间的整数。')
    await wrapper.get('[data-testid="field-solver.numEpochs"]').setValue('1.5')
    expect(error('solver.numEpochs')).toBe('请输入 1 到 10,000 之间的整数。')
    await wrapper.get('[data-testid="field-model.hiddenDim"]').setValue('')
    expect(error('model.hiddenDim')).toBe('必填：请输入一个值。')
    for (const e of wrapper.findAll('[data-testid^="field-error-"]'))
      expect(e.text()).not.toMatch(/[A-Za-z]{3,}/)
  })

  it('refuses a blank hidden size and an empty layer list instead of a default, and sends nothing', async () => {
    const t = setup()
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-model.hiddenDim"]').setValue('')
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-model.hiddenDim"]').text()).toBe('Required: enter a value.')
    await wrapper.get('[data-testid="field-model.kind"]').setValue('fc')
    await wrapper.get('[data-testid="field-model.hiddenDims"]').setValue('')
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-model.hiddenDims"]').text()).toBe(
      'Give at least one hidden layer size, e.g. 100, 100.',
    )
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()
  })

  it('refuses a batch larger than the chosen dataset’s training split', async () => {
    const t = setup()
    const { wrapper } = await mountAt('/new', t)
    // The embedded set trains on 5,400 of its 6,000 training images by default.
    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('6000')
    expect(wrapper.get('[data-testid="field-error-solver.batchSize"]').text()).toBe(
      'A batch of 6,000 is larger than the 5,400 training images this run uses: choose at most 5,400.',
    )
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()
    // CIFAR-10 trains on 49,000: the same batch is fine there.
    await wrapper.get('[data-testid="field-dataset.name"]').setValue('cifar10')
    expect(wrapper.find('[data-testid="field-error-solver.batchSize"]').exists()).toBe(false)
  })

  it('does not submit an invalid form and then shows every problem', async () => {
    const t = setup()
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('0')
    await wrapper.get('[data-testid="field-model.hiddenDim"]').setValue('1.5')
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()
    expect(wrapper.find('[data-testid="field-error-solver.batchSize"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="field-error-model.hiddenDim"]').exists()).toBe(true)
  })

  it('submits the config and opens the new run', async () => {
    const created = makeRun({ status: 'queued' })
    const t = setup({ 'runs.create': created })
    const { wrapper, router } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-name"]').setValue('my run')
    await wrapper.get('[data-testid="field-tags"]').setValue('a, b')
    await wrapper.get('[data-testid="field-seed"]').setValue('7')
    await wrapper.get('[data-testid="submit-run"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.create']).toHaveBeenCalledTimes(1)
    expect(t.api.mocks['runs.create'].mock.calls[0]![0]).toMatchObject({
      name: 'my run',
      tags: ['a', 'b'],
      seed: 7,
      dataset: { name: 'fashion-mnist-small' },
      model: { kind: 'two-layer', hiddenDim: 50 },
    })
    // The detail view is a lazy chunk: the navigation ends once it has loaded.
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/runs/${created.id}`), {
      timeout: 15_000,
    })
  })

  it('shows the server’s field errors on their fields', async () => {
    const t = setup()
    t.api.mocks['runs.create'].mockRejectedValueOnce({
      code: 'invalid-config',
      message: 'invalid config',
      fields: [{ path: 'dataset.name', message: 'no dataset named cifar10' }],
    })
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-dataset.name"]').setValue('cifar10')
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-dataset.name"]').text()).toBe('no dataset named cifar10')
    // Editing the field clears the server's message about the old value.
    await wrapper.get('[data-testid="field-dataset.name"]').setValue('fashion-mnist-small')
    expect(wrapper.find('[data-testid="field-error-dataset.name"]').exists()).toBe(false)
  })

  it('words the server’s field errors from their issue, in the UI’s language', async () => {
    const t = setup()
    t.api.mocks['runs.create'].mockRejectedValueOnce({
      code: 'invalid-config',
      message: 'invalid config',
      fields: [
        {
          path: 'solver.batchSize',
          message: 'batchSize (300) exceeds the 200 training images this run uses',
          issue: { code: 'batchTooLarge', batchSize: 300, numTraining: 200 },
        },
      ],
    })
    const { wrapper } = await mountAt('/new', t, 'zh-CN')
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="field-error-solver.batchSize"]').text()).toBe(
      '批大小 300 超过了本次训练使用的 200 张训练图像：最多为 200。',
    )
  })

  it('names the presets in the UI’s language, and the run after the one chosen', async () => {
    const { wrapper } = await mountAt('/new', setup(), 'zh-CN')
    const options = wrapper.findAll('[data-testid="run-preset"] option').map((o) => o.text())
    expect(options).toEqual(['默认值（种子项目的两层网络）', '带批归一化的三层网络'])
    await wrapper.get('[data-testid="run-preset"]').setValue('fc-batchnorm.json')
    expect((wrapper.get('[data-testid="field-name"]').element as HTMLInputElement).value).toBe(
      '带批归一化的三层网络',
    )
    await wrapper.get('[data-testid="tab-sweep"]').trigger('click')
    expect(wrapper.findAll('[data-testid="sweep-preset"] option').map((o) => o.text())).toEqual([
      '种子项目：随机搜索',
    ])
  })

  it('fills the form from a preset', async () => {
    const { wrapper } = await mountAt('/new', setup())
    await wrapper.get('[data-testid="run-preset"]').setValue('fc-batchnorm.json')
    expect((wrapper.get('[data-testid="field-model.kind"]').element as HTMLSelectElement).value).toBe('fc')
    expect((wrapper.get('[data-testid="field-model.hiddenDims"]').element as HTMLInputElement).value).toBe(
      '100, 100',
    )
    expect((wrapper.get('[data-testid="field-solver.updateRule"]').element as HTMLSelectElement).value).toBe(
      'adam',
    )
    expect((wrapper.get('[data-testid="field-name"]').element as HTMLInputElement).value).toBe(
      fcBatchnorm.name,
    )
  })

  it('previews a sweep live from the random-search example and queues it', async () => {
    const t = setup({
      'runs.createSweep': () => ({ sweepId: 's1', runs: [makeRun({ config: { tags: ['sweep:x'] } })] }),
    })
    const { wrapper, router } = await mountAt('/new', t)
    await wrapper.get('[data-testid="tab-sweep"]').trigger('click')
    await wrapper.get('[data-testid="sweep-view-json"]').trigger('click')
    const editor = wrapper.get('[data-testid="sweep-editor"]')
    expect(JSON.parse((editor.element as HTMLTextAreaElement).value)).toEqual(randomSearch)
    expect(wrapper.get('[data-testid="sweep-count"]').text()).toBe('Creates 8 runs')

    await editor.setValue('{ "name": ')
    expect(wrapper.get('[data-testid="sweep-json-error"]').text()).toMatch(/Not valid JSON/)
    await editor.setValue(JSON.stringify({ ...randomSearch, samples: 0 }))
    expect(wrapper.get('[data-testid="sweep-errors"]').text()).toBe('Runs to draw: Must be at least 1')
    expect(wrapper.get('[data-testid="submit-sweep"]').attributes('disabled')).toBeDefined()

    await editor.setValue(JSON.stringify({ ...randomSearch, samples: 3 }))
    expect(wrapper.get('[data-testid="sweep-count"]').text()).toBe('Creates 3 runs')
    await wrapper.get('[data-testid="sweep-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.createSweep']).toHaveBeenCalledWith({ ...randomSearch, samples: 3 })
    expect(router.currentRoute.value.path).toBe('/experiments')
    expect(router.currentRoute.value.query.q).toBe('sweep:x')
  })
})

describe('NewRunView memory estimate', () => {
  const info = (memoryBudgetBytes: number) => ({
    version: '0.1.0',
    contractVersion: 1,
    engine: {},
    mode: 'browser',
    dataDir: '/d',
    maxThreads: 2,
    memoryBudgetBytes,
  })

  it("shows the run's estimate against the budget, and says so when it is over, live as the form changes", async () => {
    const { wrapper } = await mountAt('/new', setup({ 'app.info': info(2 ** 30) }))
    await flushPromises()
    const line = () => wrapper.get('[data-testid="memory-estimate"]')
    expect(line().text()).toMatch(
      /^Memory: about \d+(\.\d)? MB while it trains \(the budget for all runs at once is 1 GB\)\.$/,
    )
    const small = Number(line().attributes('data-bytes'))
    await wrapper.get('[data-testid="field-model.hiddenDim"]').setValue('60000')
    expect(Number(line().attributes('data-bytes'))).toBeGreaterThan(50 * small)
    expect(line().attributes('role')).toBe('alert')
    expect(line().text()).toMatch(
      /^This run needs about \d+(\.\d)? GB, mostly its parameters and their copies; the budget is 1 GB\./,
    )
    // An invalid form has no estimate rather than a wrong one.
    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('abc')
    expect(wrapper.find('[data-testid="memory-estimate"]').exists()).toBe(false)
  })
})
