// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { SERIES_COLORS } from '../../../src-shared/palette'
import { setTransport } from '../api'
import type { Locale } from '../i18n/locale'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import LineChartStub from '../testing/LineChartStub'
import { mountAt } from '../testing/mountView'

const LR = 'solver.optimConfig.learningRate'

/** `n` iterations, 2 per epoch, the loss `level` throughout. */
function metrics(level: number, n: number): MetricEvent[] {
  const out: MetricEvent[] = []
  for (let i = 1; i <= n; i++) {
    out.push({ type: 'iteration', iteration: i, loss: level, t: 1_000_000 + 500 * i })
    if (i % 2 === 0)
      out.push({ type: 'epoch', epoch: i / 2, iteration: i, trainAcc: 0.5, valAcc: 0.4, lr: 1e-3 })
  }
  return out
}

interface Spec {
  lr: number
  seed: number
  level: number
  n: number
}

// Two configs: lr 1e-3 with three seeds (one stopped after 4 of 8 iterations), lr 1e-2 with two.
const SPECS: Spec[] = [
  { lr: 1e-2, seed: 1, level: 1, n: 8 },
  { lr: 1e-3, seed: 1, level: 2, n: 8 },
  { lr: 1e-3, seed: 2, level: 4, n: 8 },
  { lr: 1e-2, seed: 2, level: 3, n: 8 },
  { lr: 1e-3, seed: 3, level: 9, n: 4 },
]

function specRuns(): { runs: RunRecord[]; byId: Map<string, Spec> } {
  const byId = new Map<string, Spec>()
  const runs = SPECS.map((s) => {
    const r = makeRun({
      config: {
        name: `lr ${s.lr} seed ${s.seed}`,
        seed: s.seed,
        solver: { optimConfig: { learningRate: s.lr } },
      },
      progress: { iteration: s.n, numIterations: s.n, epoch: s.n / 2, numEpochs: s.n / 2 },
    })
    byId.set(r.id, s)
    return r
  })
  return { runs, byId }
}

const wrappers: { unmount(): void }[] = []
afterEach(() => {
  for (const w of wrappers.splice(0)) w.unmount()
  setTransport(null)
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

async function open(query = '', locale: Locale = 'en') {
  const { runs, byId } = specRuns()
  const t = fakeTransport({
    'runs.get': (id: unknown) => runs.find((r) => r.id === id),
    'runs.metrics': (id: unknown) => {
      const s = byId.get(id as string)!
      return metricsOf(metrics(s.level, s.n))
    },
    'runs.mosaic': () => null,
    'runs.export': { fileName: 'r.html', mime: 'text/html', base64: '' },
  })
  const mounted = await mountAt(`/compare?ids=${runs.map((r) => r.id).join(',')}${query}`, t, locale)
  wrappers.push(mounted.wrapper)
  await flushPromises()
  return { ...mounted, t, runs }
}

const charts = (w: Awaited<ReturnType<typeof open>>['wrapper'], id: string) =>
  w.findAllComponents(LineChartStub).filter((c) => c.attributes('data-testid') === id)
const named = (w: Awaited<ReturnType<typeof open>>['wrapper'], id: string, i = 0) =>
  charts(w, id)
    [i]!.props('series')
    .filter((s) => !s.quiet)

describe('CompareView: group and aggregate', () => {
  it('groups by a field: one line and band per group, coloured by group, sizes in the legend, kept in the URL', async () => {
    const { wrapper, router, runs } = await open()
    expect(wrapper.find('[data-testid="compare-grouped"]').exists()).toBe(false)
    await wrapper.get('[data-testid="group-by"]').setValue('fields')
    const boxes = wrapper.findAll('[data-testid="group-field"]')
    // The fields that differ, the first one ticked straight away.
    expect(boxes.map((b) => b.attributes('value'))).toEqual(['seed', LR])
    await boxes[0]!.setValue(false)
    await boxes[1]!.setValue(true)
    await flushPromises()
    expect(router.currentRoute.value.query).toMatchObject({ ids: runs.map((r) => r.id).join(','), group: LR })

    const grouped = wrapper.get('[data-testid="compare-grouped"]')
    expect(grouped.attributes('data-groups')).toBe('2')
    const items = wrapper.findAll('[data-testid="group-legend-item"]')
    expect(items.map((i) => i.text())).toEqual(['learningRate=1e-3 (n=3)', 'learningRate=0.01 (n=2)'])
    expect(items.map((i) => i.attributes('data-n'))).toEqual(['3', '2'])

    const loss = charts(wrapper, 'loss-chart')[0]!.props('series')
    expect(named(wrapper, 'loss-chart').map((s) => s.name)).toEqual([
      'learningRate=1e-3 (n=3)',
      'learningRate=0.01 (n=2)',
    ])
    expect(named(wrapper, 'loss-chart').map((s) => s.color)).toEqual([SERIES_COLORS[0], SERIES_COLORS[1]])
    // Two bands (a filled width stacked on an invisible lower edge each).
    expect(loss.filter((s) => s.area)).toHaveLength(2)
    expect(named(wrapper, 'acc-chart').map((s) => s.name)).toEqual([
      'learningRate=1e-3 (n=3) · val',
      'learningRate=1e-3 (n=3) · train',
      'learningRate=0.01 (n=2) · val',
      'learningRate=0.01 (n=2) · train',
    ])
    // The colour-by and seed-band controls give way to the grouping.
    expect(wrapper.find('[data-testid="color-by"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="color-legend"]').exists()).toBe(false)
    // The table's dots take the group colours.
    const dots = wrapper.findAll('[data-testid="diff-row"] .dot').map((d) => d.attributes('style'))
    expect(dots.map((d) => (d!.includes(SERIES_COLORS[0]!) ? 0 : 1))).toEqual([1, 0, 0, 1, 0])
  })

  it('aggregates where members have values, says where fewer remain, and ends the line at fewer than 2', async () => {
    const { wrapper } = await open(`&group=${LR}`)
    // Smoothing is applied first; at 0 the levels stay exact.
    await wrapper.get('[data-testid="ema-slider"]').setValue('0')
    const [line] = named(wrapper, 'loss-chart')
    // lr 1e-3: 2, 4, 9 to iteration 4, then 2, 4: the mean 5 then 3, drawn to iteration 8.
    expect(Array.from(line!.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    // Each member's loss is constant, so its EMA is its level (to rounding).
    const want = [5, 5, 5, 5, 3, 3, 3, 3]
    Array.from(line!.y).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12))
    expect(line!.y).toHaveLength(want.length)
    const notes = wrapper.findAll('[data-testid="group-thinning"]').map((n) => n.text())
    expect(notes).toEqual([
      'learningRate=1e-3: 3 runs up to iteration 4, 2 runs up to iteration 8. The line ends where fewer than 2 of its runs remain.',
    ])
    expect(wrapper.get('[data-testid="group-hint"]').text()).toContain('mean ± 1 sample standard deviation')
  })

  it('reads the grouping from the URL on reload: median, confidence interval, member curves', async () => {
    const { wrapper } = await open('&group=except-seed&center=median&band=ci95&members=1')
    const grouped = wrapper.get('[data-testid="compare-grouped"]')
    expect(grouped.attributes()).toMatchObject({
      'data-groups': '2',
      'data-center': 'median',
      'data-band': 'ci95',
    })
    expect((wrapper.get('[data-testid="group-by"]').element as HTMLSelectElement).value).toBe('except-seed')
    expect((wrapper.get('[data-testid="group-members"]').element as HTMLInputElement).checked).toBe(true)
    // Five faint member curves behind the two groups' lines.
    const faint = charts(wrapper, 'loss-chart')[0]!
      .props('series')
      .filter((s) => s.quiet && !s.stack)
    expect(faint).toHaveLength(5)
    expect(wrapper.get('[data-testid="group-hint"]').text()).toContain('95% confidence interval')
    expect(wrapper.get('[data-testid="group-hint"]').text()).toContain('median')
  })

  it('ignores a grouping it cannot read in the URL', async () => {
    const { wrapper } = await open('&group=a..b')
    expect(wrapper.find('[data-testid="compare-grouped"]').exists()).toBe(false)
  })

  it('side by side: one small chart per group, named with its size', async () => {
    const { wrapper } = await open(`&group=${LR}`)
    await wrapper.get('[data-testid="mode-multiples"]').setValue(true)
    const cells = wrapper.findAll('[data-testid="multiple"]')
    expect(cells.map((c) => c.get('h2').text())).toEqual([
      'learningRate=1e-3 (n=3)',
      'learningRate=0.01 (n=2)',
    ])
    expect(named(wrapper, 'loss-chart', 1).map((s) => s.name)).toEqual(['learningRate=0.01 (n=2)'])
    expect(
      charts(wrapper, 'loss-chart')[1]!
        .props('series')
        .some((s) => s.area),
    ).toBe(true)
  })

  it('exports a report of the grouped view with the grouping; metrics without it', async () => {
    const { wrapper, t, runs } = await open(`&group=${LR}&band=minmax`)
    const ids = runs.map((r) => r.id)
    await wrapper.get('[data-testid="export-menu"] summary').trigger('click')
    await wrapper.get('[data-testid="export-html"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenCalledWith(ids, 'html', {
      locale: 'en',
      group: { by: { kind: 'fields', fields: [LR] }, center: 'mean', spread: 'minmax', members: false },
      smoothing: 0.6,
    })
    await wrapper.get('[data-testid="export-csv"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenLastCalledWith(ids, 'csv', { locale: 'en' })
  })

  it('groups in Chinese', async () => {
    const { wrapper } = await open('&group=except-seed', 'zh-CN')
    expect(wrapper.findAll('[data-testid="group-legend-item"]').map((i) => i.text())).toEqual([
      'learningRate=1e-3（n=3）',
      'learningRate=0.01（n=2）',
    ])
    expect(wrapper.get('[data-testid="group-thinning"]').text()).toContain(
      '3 个运行到第 4 次迭代，2 个运行到第 8 次迭代',
    )
  })
})
