// @vitest-environment happy-dom
// The New Run form's "Run sanity checks" button: one click checks the form's config in main and shows
// the results inline; queuing the same config afterwards sends the checked seed so the report is kept.
import { afterEach, describe, expect, it } from 'vitest'
import type { DatasetSummary } from '../../../src-shared/contract'
import { setTransport } from '../api'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { sanityReport } from '../testing/sanityFixtures'
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
]

function setup(report: unknown) {
  return fakeTransport({
    'datasets.list': datasets,
    'examples.list': [],
    'checks.run': report,
    'runs.create': (config: Record<string, unknown>) => makeRun({ config }),
    'runs.list': [],
    'runs.get': makeRun(),
    'runs.metrics': metricsOf(),
    'runs.mosaic': null,
    'runs.queue': { running: [], queued: [] },
  })
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('NewRunView: sanity checks', () => {
  it('checks the form’s config with one click and shows every result inline', async () => {
    const t = setup(sanityReport())
    const { wrapper } = await mountAt('/new', t)
    expect(wrapper.find('[data-testid="sanity-checks"]').exists()).toBe(false)
    await wrapper.get('[data-testid="run-checks"]').trigger('click')
    await new Promise((r) => setTimeout(r, 0))

    expect(t.api.mocks['checks.run']).toHaveBeenCalledTimes(1)
    const sent = t.api.mocks['checks.run'].mock.calls[0]![0] as Record<string, unknown>
    expect(sent).toMatchObject({ dataset: { name: 'fashion-mnist-small' }, model: { kind: 'two-layer' } })
    expect(t.api.mocks['runs.create']).not.toHaveBeenCalled()

    const panel = wrapper.get('[data-testid="sanity-checks"]')
    expect(panel.attributes('data-passed')).toBe('true')
    expect(panel.text()).toContain('All checks passed')
    expect(wrapper.get('[data-testid="sanity-initial-loss"]').text()).toMatch(
      /pass\s*Initial loss ≈ ln\(C\)\s*loss 2\.305, expected 2\.303 ± 0\.3454/,
    )
    expect(wrapper.get('[data-testid="sanity-gradient"]').text()).toContain(
      'worst relative error 3.10e-8 (W1)',
    )
    expect(wrapper.get('[data-testid="sanity-overfit"]').text()).toContain(
      '100.0% train accuracy on 50 examples after 39 epochs',
    )
    expect(wrapper.get('[data-testid="sanity-section"]').text()).toContain('Stored with the run')
  })

  it('says which check failed and what to try', async () => {
    const { wrapper } = await mountAt('/new', setup(sanityReport({ badInit: true })))
    await wrapper.get('[data-testid="run-checks"]').trigger('click')
    await new Promise((r) => setTimeout(r, 0))
    const panel = wrapper.get('[data-testid="sanity-checks"]')
    expect(panel.attributes('data-passed')).toBe('false')
    expect(panel.text()).toContain('Some checks failed')
    const row = wrapper.get('[data-testid="sanity-initial-loss"]')
    expect(row.classes()).toContain('fail')
    expect(row.text()).toContain('loss 57.31')
    expect(row.text()).toContain('lower weightScale')
    expect(wrapper.get('[data-testid="sanity-regularization"]').classes()).toContain('pass')
  })

  it('queues the checked config with the checked seed, and a changed one without', async () => {
    const t = setup(sanityReport({ seed: 4242 }))
    const { wrapper, router } = await mountAt('/new', t)
    await wrapper.get('[data-testid="run-checks"]').trigger('click')
    await new Promise((r) => setTimeout(r, 0))
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await new Promise((r) => setTimeout(r, 0))
    const first = t.api.mocks['runs.create'].mock.calls[0]![0] as Record<string, unknown>
    expect(first.seed).toBe(4242)

    await router.push('/new')
    await new Promise((r) => setTimeout(r, 0))
    await wrapper.get('[data-testid="field-model.hiddenDim"]').setValue('80')
    // The old report stays visible, marked stale.
    expect(wrapper.find('[data-testid="sanity-stale"]').exists()).toBe(true)
    await wrapper.get('[data-testid="run-form"]').trigger('submit')
    await new Promise((r) => setTimeout(r, 0))
    const second = t.api.mocks['runs.create'].mock.calls[1]![0] as Record<string, unknown>
    expect(second.seed).toBeUndefined()
  })

  it('does not check an invalid form, and shows main’s field errors under their fields', async () => {
    const t = setup(() => {
      throw {
        code: 'invalid-config',
        message: 'bad',
        fields: [{ path: 'dataset.name', message: 'no dataset x' }],
      }
    })
    const { wrapper } = await mountAt('/new', t)
    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('0')
    await wrapper.get('[data-testid="run-checks"]').trigger('click')
    await new Promise((r) => setTimeout(r, 0))
    expect(t.api.mocks['checks.run']).not.toHaveBeenCalled()
    expect(wrapper.find('[data-testid="field-error-solver.batchSize"]').exists()).toBe(true)

    await wrapper.get('[data-testid="field-solver.batchSize"]').setValue('100')
    await wrapper.get('[data-testid="run-checks"]').trigger('click')
    await new Promise((r) => setTimeout(r, 0))
    expect(t.api.mocks['checks.run']).toHaveBeenCalledTimes(1)
    expect(wrapper.get('[data-testid="field-error-dataset.name"]').text()).toBe('no dataset x')
    expect(wrapper.find('[data-testid="sanity-checks"]').exists()).toBe(false)
  })
})
