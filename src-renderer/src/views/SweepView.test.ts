// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import randomSearch from '../../../examples/seed-random-search.json'
import type { Example } from '../../../src-shared/contract'
import { refineSweep } from '../../../src-shared/sweepRefine'
import { setTransport } from '../api'
import SweepChart from '../components/SweepChart.vue'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { LR, result, seedSweep } from '../testing/sweepFixtures'
import { syntheticSweep } from '../../../src-shared/importanceFixtures'

interface FakeChart {
  option: Record<string, unknown> | null
  click?: (params: unknown) => void
  disposed: boolean
}
/** ECharts needs a canvas: the view's charts draw into these instead, which keep the last option. */
const charts = vi.hoisted(() => [] as FakeChart[])
vi.mock('../lib/echarts', () => ({
  // The light and dark chart themes register at import (lib/chartTheme.ts).
  registerTheme: () => undefined,
  init: () => {
    const c: FakeChart = { option: null, disposed: false }
    charts.push(c)
    return {
      setOption: (o: Record<string, unknown>) => (c.option = o),
      on: (_event: string, h: (p: unknown) => void) => (c.click = h),
      resize: () => undefined,
      dispose: () => (c.disposed = true),
    }
  },
}))

const examples: Example[] = [
  { file: 'seed-random-search.json', kind: 'sweep', name: randomSearch.name, value: randomSearch },
]

let data = seedSweep('sw-1')
beforeEach(() => {
  data = seedSweep('sw-1')
  charts.length = 0
})
afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

async function mountSweep() {
  const t = fakeTransport({
    'sweeps.get': (id: unknown) => {
      if (id === 'sw-1') return structuredClone(data)
      throw { code: 'not-found', message: 'no such sweep' }
    },
    'datasets.list': [],
    'examples.list': examples,
  })
  const mounted = await mountAt('/sweeps/sw-1', t)
  // Leaving for a run or the compare view is recorded, not followed: those views are tested on their own.
  const left: string[] = []
  mounted.router.beforeEach((to) => {
    if (to.path === '/new') return true
    left.push(to.fullPath)
    return false
  })
  return { ...mounted, t, left }
}

const live = (): FakeChart[] => charts.filter((c) => !c.disposed)
const series = (c: FakeChart) => c.option!.series as { data: { runId: string }[] }[]

describe('SweepView', () => {
  it('shows the sweep, its progress, the edge warning and the top K runs', async () => {
    const { wrapper } = await mountSweep()
    expect(wrapper.get('[data-testid="sweep-name"]').text()).toBe('coarse')
    expect(wrapper.get('[data-testid="sweep-finished"]').text()).toBe('5 of 6 runs finished')

    const warnings = wrapper.findAll('[data-testid="sweep-edge-warning"]')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.text()).toContain(
      `${LR}: the best run used 4.8e-3, at the top of the searched range [1e-4, 5e-3]`,
    )

    const rows = wrapper.findAll('[data-testid="sweep-top-row"]')
    expect(rows.map((r) => r.attributes('data-run-id'))).toEqual([1, 0, 3, 2, 4].map((i) => data.runs[i]!.id))
    expect(rows[0]!.text()).toContain('86.0%')
    expect(rows[0]!.get('[data-testid="sweep-run-link"]').attributes('href')).toBe(
      `/runs/${data.runs[1]!.id}`,
    )

    await wrapper.get('[data-testid="sweep-k"]').setValue('3')
    expect(wrapper.findAll('[data-testid="sweep-top-row"]')).toHaveLength(3)
    expect(wrapper.get('[data-testid="sweep-compare"]').text()).toBe('Compare top 3')
  })

  it('a damaged member is named apart; the other runs, charts and table are as ever', async () => {
    const [damagedRun] = data.runs.splice(2, 1)
    data.corrupt = [
      {
        id: damagedRun!.id,
        status: 'corrupt',
        problem: { file: `/data/runs/${damagedRun!.id}/run.json`, message: 'config.model: Invalid input' },
        name: 'coarse #3',
        sweepId: 'sw-1',
      },
    ]
    const { wrapper } = await mountSweep()
    const note = wrapper.get('[data-testid="sweep-corrupt"]')
    expect(note.text()).toContain('1 run of this sweep cannot be read and is left out:')
    expect(wrapper.get('[data-testid="sweep-corrupt-run"]').text()).toBe(
      `coarse #3: config.model: Invalid input (in /data/runs/${damagedRun!.id}/run.json)`,
    )
    expect(wrapper.get('[data-testid="sweep-finished"]').text()).toBe('4 of 5 runs finished')
    const rows = wrapper.findAll('[data-testid="sweep-top-row"]')
    expect(rows.map((r) => r.attributes('data-run-id'))).not.toContain(damagedRun!.id)
    expect(rows).toHaveLength(4)
    expect(wrapper.findAll('[data-testid="sweep-scatter"]')).toHaveLength(4)
  })

  it('a damaged sweep record is an error naming the file, not "Loading the sweep…" for good', async () => {
    const message = '/data/sweeps/sw-1.json: not a valid sweep record: spec.method: Invalid option'
    const t = fakeTransport({ 'sweeps.get': () => Promise.reject({ code: 'corrupt', message }) })
    const { wrapper } = await mountAt('/sweeps/sw-1', t)
    await flushPromises()
    expect(wrapper.get('[data-testid="sweep-error"]').text()).toBe(
      `The sweep could not be loaded: ${message}`,
    )
    expect(wrapper.text()).not.toContain('Loading the sweep')
  })

  it('draws parallel coordinates and a scatter per param, top K apart, and opens a clicked run', async () => {
    const { wrapper, left } = await mountSweep()
    expect(wrapper.findAll('[data-testid="sweep-scatter"]').map((s) => s.attributes('data-param'))).toEqual([
      'model.hiddenDim',
      LR,
      'solver.numEpochs',
      'model.reg',
    ])
    const [parallel, ...scatters] = live()
    expect(scatters).toHaveLength(4)
    const axes = parallel!.option!.parallelAxis as { type: string }[]
    expect(axes.map((a) => a.type)).toEqual(['category', 'log', 'category', 'log', 'value'])
    expect(series(parallel!)[1]!.data).toHaveLength(5)
    expect((scatters[1]!.option!.xAxis as { type: string }).type).toBe('log')
    // Saved as PNG/SVG under the sweep's name and what each chart plots.
    expect(wrapper.findAllComponents(SweepChart).map((c) => c.props('exportName'))).toEqual([
      'coarse-parallel',
      'coarse-model.hiddenDim',
      `coarse-${LR}`,
      'coarse-solver.numEpochs',
      'coarse-model.reg',
    ])

    await wrapper.get('[data-testid="sweep-k"]').setValue('3')
    expect(series(parallel!)[1]!.data.map((d) => d.runId)).toEqual([1, 0, 3].map((i) => data.runs[i]!.id))

    parallel!.click!({ data: { runId: data.runs[2]!.id } })
    await flushPromises()
    expect(left).toEqual([`/runs/${data.runs[2]!.id}`])
  })

  it('updates live as runs of the sweep finish', async () => {
    const { wrapper, t } = await mountSweep()
    const last = data.runs[5]!
    t.api.emit('run', { ...last, status: 'completed', result: result(0.95) })
    await flushPromises()
    expect(wrapper.get('[data-testid="sweep-finished"]').text()).toBe('6 of 6 runs finished')
    expect(wrapper.findAll('[data-testid="sweep-top-row"]')[0]!.attributes('data-run-id')).toBe(last.id)
    // 5e-4 sits mid-range: the best run is no longer at an edge.
    expect(wrapper.find('[data-testid="sweep-edge-warnings"]').exists()).toBe(false)
  })

  it('has the importance panel: too few runs for the seed sweep, the driver first for a known one', async () => {
    const { wrapper } = await mountSweep()
    const panel = wrapper.get('[data-testid="sweep-importance"]')
    expect(panel.attributes('data-status')).toBe('tooFewRuns')
    // Four varied params need 3 runs each; 5 have finished.
    expect(panel.get('[data-testid="importance-too-few"]').text()).toContain(
      '5 finished, and comparing 4 hyperparameters needs at least 12',
    )
    wrapper.unmount()
    setTransport(null)

    const known = syntheticSweep(
      {
        name: 'known',
        method: 'random',
        samples: 24,
        seed: 2,
        params: {
          [LR]: { min: 1e-5, max: 1e-1, scale: 'log' },
          'model.reg': { min: 1e-4, max: 1, scale: 'log' },
        },
      },
      { accuracy: (v) => 0.3 - 0.1 * Math.log10(v[LR] as number), noise: 0.01, sweepId: 'sw-1' },
    )
    data = {
      sweep: {
        version: 1,
        id: 'sw-1',
        createdAt: '2026-11-26T12:00:00.000Z',
        spec: known.spec,
        runIds: known.runs.map((r) => r.id),
      },
      runs: known.runs,
      corrupt: [],
    }
    const again = await mountSweep()
    const rows = again.wrapper.findAll('[data-testid="importance-row"]')
    expect(rows.map((r) => r.attributes('data-param'))).toEqual([LR, 'model.reg'])
    expect(rows[0]!.get('[data-testid="importance-effect"]').attributes('data-trend')).toBe('down')
  })

  it('opens the compare view with the top K ids', async () => {
    const { wrapper, left } = await mountSweep()
    await wrapper.get('[data-testid="sweep-k"]').setValue('3')
    await wrapper.get('[data-testid="sweep-compare"]').trigger('click')
    await flushPromises()
    const ids = [1, 0, 3].map((i) => data.runs[i]!.id).join(',')
    expect(decodeURIComponent(left[0]!)).toBe(`/compare?ids=${ids}`)
  })

  it('drafts the narrower sweep into the new-run form for review', async () => {
    const { wrapper, router } = await mountSweep()
    await wrapper.get('[data-testid="sweep-k"]').setValue('3')
    await wrapper.get('[data-testid="sweep-refine"]').trigger('click')
    // The form's chunk is imported on first use, which takes longer than a microtask flush.
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/new'), { timeout: 15_000 })
    await flushPromises()

    const expected = refineSweep(data.sweep.spec, data.runs, { topK: 3 })
    // The examples arrived after the draft: the builder still holds the draft, not the preset.
    const value = (id: string): string =>
      (wrapper.get(`[data-testid="${id}"]`).element as HTMLInputElement).value
    expect(value('sweep-field-name')).toBe('coarse (refined)')
    expect((wrapper.get('[data-testid="sweep-method-random"]').element as HTMLInputElement).checked).toBe(
      true,
    )
    expect(value('sweep-field-samples')).toBe(String(expected.samples))
    expect(value('sweep-field-seed')).toBe(String(expected.seed))
    const rows = wrapper.findAll('[data-testid^="sweep-param-"][data-path]')
    expect(rows.map((r) => r.attributes('data-path'))).toEqual(Object.keys(expected.params))
    const lr = expected.params[LR] as { min: number; max: number }
    const lrRow = Object.keys(expected.params).indexOf(LR)
    expect(Number(value(`sweep-param-${lrRow}-min`))).toBe(lr.min)
    expect(Number(value(`sweep-param-${lrRow}-max`))).toBe(lr.max)
    // And the JSON view holds exactly the drafted spec.
    await wrapper.get('[data-testid="sweep-view-json"]').trigger('click')
    const editor = wrapper.get('[data-testid="sweep-editor"]').element as HTMLTextAreaElement
    expect(JSON.parse(editor.value)).toEqual(expected)
    expect(expected.name).toBe('coarse (refined)')
    expect(wrapper.get('[data-testid="tab-sweep"]').attributes('aria-selected')).toBe('true')
    expect(wrapper.get('[data-testid="sweep-draft-note"]').text()).toContain('“coarse”')
    expect(wrapper.get('[data-testid="sweep-count"]').attributes('data-count')).toBe('8')
  })

  it("is linked from a run's page", async () => {
    const run = data.runs[0]!
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    expect(wrapper.get('[data-testid="run-sweep-link"]').attributes('href')).toBe('/sweeps/sw-1')
  })

  it("is reached from a run's sweep tag in the experiments table", async () => {
    const t = fakeTransport({
      'runs.list': data.runs,
      'runs.queue': { running: [], queued: [] },
      'sweeps.get': () => structuredClone(data),
    })
    const { wrapper, router } = await mountAt('/experiments', t)
    // App.vue loads the runs; here the test does.
    await useRunsStore().load()
    await flushPromises()
    const links = wrapper.findAll('[data-testid="run-sweep-link"]')
    expect(links).toHaveLength(6)
    expect(links[0]!.text()).toBe('sweep:coarse')
    await links[0]!.trigger('click')
    await vi.waitFor(() => expect(wrapper.find('[data-testid="sweep-name"]').exists()).toBe(true), {
      timeout: 15_000,
    })
    expect(router.currentRoute.value.path).toBe('/sweeps/sw-1')
  })

  it('says when the sweep does not exist', async () => {
    const t = fakeTransport({ 'sweeps.get': () => Promise.reject({ code: 'not-found', message: 'gone' }) })
    const { wrapper } = await mountAt('/sweeps/nope', t)
    expect(wrapper.text()).toContain('There is no sweep nope.')
  })
})
