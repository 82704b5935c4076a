// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { setTransport } from '../api'
import { datasetSummary } from '../testing/datasetFixtures'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const small = datasetSummary({
  name: 'fashion-mnist-small',
  source: 'builtin',
  format: 'idx',
  counts: { train: 6000, test: 1000 },
  shape: [1, 28, 28],
  classNames: [],
  sizeOnDisk: 1,
})

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('a run whose dataset is gone', () => {
  async function page(datasetName: string, list = [small]) {
    const run = makeRun({ config: { dataset: { name: datasetName } } })
    const t = fakeTransport({
      'datasets.list': list,
      'runs.get': run,
      'runs.list': [run],
      'runs.metrics': metricsOf(),
      'runs.mosaic': null,
      'runs.queue': { running: [], queued: [] },
    })
    return (await mountAt(`/runs/${run.id}`, t)).wrapper
  }

  it('keeps its page and says the dataset was removed', async () => {
    const wrapper = await page('removed-set')
    expect(wrapper.get('[data-testid="dataset-gone"]').text()).toContain(
      'The dataset removed-set this run trained on has been removed: its results stay',
    )
    expect(wrapper.find('[data-testid="run-error"]').exists()).toBe(false)
  })

  it('says when the referenced folder is missing, and nothing when the dataset is there', async () => {
    const missing = await page('fashion-mnist-small', [{ ...small, available: false }])
    expect(missing.get('[data-testid="dataset-gone"]').attributes('data-state')).toBe('missing')
    document.body.innerHTML = ''
    const fine = await page('fashion-mnist-small')
    expect(fine.find('[data-testid="dataset-gone"]').exists()).toBe(false)
  })
})
