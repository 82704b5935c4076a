// @vitest-environment happy-dom
// The New Run form and the chosen dataset: its real split next to the field, sizes it cannot give refused
// before anything is sent, and a dataset that is gone said as such.
import { afterEach, describe, expect, it } from 'vitest'
import type { Example } from '../../../src-shared/contract'
import { setTransport } from '../api'
import { datasetSummary } from '../testing/datasetFixtures'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const datasets = [
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
    format: 'cifar10-python',
    counts: { train: 50000, test: 10000 },
    shape: [3, 32, 32],
    classNames: [],
    sizeOnDisk: 1,
  }),
]
const onGone: Example = {
  file: 'gone.json',
  kind: 'run',
  name: 'on a removed dataset',
  value: { name: 'old', dataset: { name: 'removed-set' }, model: { kind: 'two-layer', hiddenDim: 10 } },
}

function setup() {
  return fakeTransport({
    'datasets.list': datasets,
    'examples.list': [onGone],
    'runs.create': (c: unknown) => makeRun({ config: c as Record<string, unknown> }),
  })
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('NewRunView and the dataset’s split', () => {
  it('shows the real split of the chosen dataset next to it, and the run’s own once sizes are typed', async () => {
    const { wrapper } = await mountAt('/new', setup())
    const split = () => wrapper.get('[data-testid="dataset-split"]').text()
    expect(split()).toBe('Runs use 5,400 / 600 / 1,000 of its images (train / val / test), 1×28×28 each.')
    await wrapper.get('[data-testid="field-dataset.name"]').setValue('cifar10')
    expect(split()).toBe('Runs use 49,000 / 1,000 / 1,000 of its images (train / val / test), 3×32×32 each.')
    await wrapper.get('[data-testid="field-dataset.numTraining"]').setValue('20000')
    expect(split()).toBe(
      'This run uses 20,000 / 1,000 / 1,000 of its images (train / val / test), 3×32×32 each.',
    )
  })

  it('refuses sizes the dataset cannot give, at the field, without asking main', async () => {
    const t = setup()
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-dataset.numTraining"]').setValue('5500')
    expect(wrapper.get('[data-testid="field-error-dataset.numTraining"]').text()).toBe(
      '5,500 training and 600 validation images are more than the 6,000 training images of fashion-mnist-small (validation images come from the training split).',
    )
    await wrapper.get('[data-testid="field-dataset.numTest"]').setValue('1001')
    expect(wrapper.get('[data-testid="field-error-dataset.numTest"]').text()).toBe(
      'fashion-mnist-small has 1,000 test images, fewer than 1,001.',
    )
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="field-dataset.numTraining"]').setValue('5000')
    await wrapper.get('[data-testid="field-dataset.numTest"]').setValue('1000')
    expect(wrapper.find('[data-testid^="field-error-dataset."]').exists()).toBe(false)
  })

  it('says a dataset is gone instead of failing, and does not send the run', async () => {
    const t = setup()
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="run-preset"]').setValue('gone.json')
    expect(wrapper.get('[data-testid="field-error-dataset.name"]').text()).toBe(
      'The dataset removed-set is not there anymore (removed, or its folder moved): choose another one.',
    )
    expect(wrapper.find('[data-testid="dataset-split"]').exists()).toBe(false)
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()
  })
})
