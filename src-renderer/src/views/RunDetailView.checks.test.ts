// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest'
import { setTransport } from '../api'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { sanityReport } from '../testing/sanityFixtures'

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

function setup(run: ReturnType<typeof makeRun>) {
  return fakeTransport({
    'runs.list': [run],
    'runs.get': run,
    'runs.metrics': metricsOf(),
    'runs.mosaic': null,
    'runs.queue': { running: [], queued: [] },
  })
}

describe('RunDetailView: sanity checks', () => {
  it('shows the run’s stored checks compactly, with where they ran', async () => {
    const run = makeRun({ checks: { ...sanityReport({ badInit: true }), source: 'worker' } })
    const { wrapper } = await mountAt(`/runs/${run.id}`, setup(run))
    const section = wrapper.get('[data-testid="run-checks"]')
    expect(section.text()).toContain('Sanity checks')
    expect(section.text()).toContain('Some checks failed')
    expect(section.text()).toContain('run by the worker before training')
    expect(section.get('[data-testid="sanity-initial-loss"]').classes()).toContain('fail')
    // Compact: numbers, no advice.
    expect(section.text()).toContain('loss 57.31')
    expect(section.text()).not.toContain('weightScale')
  })

  it('has no section for a run without checks', async () => {
    const run = makeRun()
    const { wrapper } = await mountAt(`/runs/${run.id}`, setup(run))
    expect(wrapper.find('[data-testid="run-checks"]').exists()).toBe(false)
  })
})
