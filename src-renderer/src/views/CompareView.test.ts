// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import MosaicCanvas from '../components/MosaicCanvas.vue'
import { SERIES_COLORS } from '../../../src-shared/palette'
import { RAMP } from '../lib/colorScale'
import { useAppStore } from '../stores/app'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import LineChartStub from '../testing/LineChartStub'
import { mountAt } from '../testing/mountView'

/** 4 iterations, 2 per epoch, with or without wall-clock stamps. */
function metrics(loss: number, timed = true): MetricEvent[] {
  const it = (i: number): MetricEvent =>
    timed
      ? { type: 'iteration', iteration: i, loss: loss / i, t: 1_000_000 + 500 * i }
      : { type: 'iteration', iteration: i, loss: loss / i }
  return [
    it(1),
    it(2),
    { type: 'epoch', epoch: 1, iteration: 2, trainAcc: 0.5, valAcc: 0.4, lr: 1e-3 },
    it(3),
    it(4),
    { type: 'epoch', epoch: 2, iteration: 4, trainAcc: 0.7, valAcc: 0.6, lr: 1e-3 },
  ]
}

function mosaic(epochs: number[], epoch: number, values: number[]): MosaicData {
  let bin = ''
  for (const b of new Uint8Array(Float32Array.from(values).buffer)) bin += String.fromCharCode(b)
  return { epochs, damagedEpochs: [], epoch, shape: [1, 1, 2], units: 1, weights: btoa(bin) }
}

const result = (bestValAcc: number) => ({
  bestValAcc,
  finalTrainAcc: 0.8,
  finalValAcc: bestValAcc,
  valAcc: bestValAcc,
  testAcc: bestValAcc - 0.02,
  confusion: [],
  classNames: [],
})
const progress = { iteration: 4, numIterations: 4, epoch: 2, numEpochs: 2 }

/** Two runs that differ in learning rate and batch size only. */
function lrRuns(): [RunRecord, RunRecord] {
  return [
    makeRun({
      config: { name: 'slow', solver: { optimConfig: { learningRate: 1e-4 }, lrDecay: 0.95, batchSize: 50 } },
      progress,
      result: result(0.6),
    }),
    makeRun({
      config: {
        name: 'fast',
        solver: { optimConfig: { learningRate: 1e-2 }, lrDecay: 0.95, batchSize: 100 },
      },
      progress,
      result: result(0.7),
    }),
  ]
}

/** Two runs identical but for their seed. */
function seedRuns(): [RunRecord, RunRecord] {
  return [
    makeRun({ config: { name: 'seed 1', seed: 1 }, progress, result: result(0.6) }),
    makeRun({ config: { name: 'seed 2', seed: 2 }, progress, result: result(0.62) }),
  ]
}

async function open(runs: RunRecord[], opts: { untimed?: string[]; extra?: Record<string, unknown> } = {}) {
  const byId = new Map(runs.map((r, i) => [r.id, { run: r, i }]))
  const t = fakeTransport({
    'runs.get': (id: unknown) => {
      const hit = byId.get(id as string)
      if (!hit) throw { code: 'not-found', message: `no run ${String(id)}` }
      return hit.run
    },
    'runs.metrics': (id: unknown) =>
      metricsOf(metrics(2 + byId.get(id as string)!.i, !opts.untimed?.includes(id as string))),
    // Run i saved epochs 1..(2 + i); its weights at epoch e are [0, e * (i + 1)].
    'runs.mosaic': (id: unknown, epoch: unknown) => {
      const { i } = byId.get(id as string)!
      const epochs = Array.from({ length: 2 + i }, (_, k) => k + 1)
      const e = typeof epoch === 'number' ? epoch : epochs[epochs.length - 1]!
      return mosaic(epochs, e, [0, e * (i + 1)])
    },
    ...opts.extra,
  })
  const mounted = await mountAt(`/compare?ids=${runs.map((r) => r.id).join(',')}`, t)
  wrappers.push(mounted.wrapper)
  await flushPromises()
  return { ...mounted, t }
}

const charts = (w: Awaited<ReturnType<typeof open>>['wrapper'], id: string) =>
  w.findAllComponents(LineChartStub).filter((c) => c.attributes('data-testid') === id)

// Unmounted at the end of each test: a live app from an earlier test would make its own pinia the active
// one again whenever it re-renders, and useXStore() calls in the next test would read the wrong stores.
const wrappers: { unmount(): void }[] = []

afterEach(() => {
  for (const w of wrappers.splice(0)) w.unmount()
  setTransport(null)
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

describe('CompareView', () => {
  it('overlays the loss and accuracy of both runs, each in its own colour', async () => {
    const [a, b] = lrRuns()
    const { wrapper } = await open([a, b])
    const [loss] = charts(wrapper, 'loss-chart')
    const series = loss!.props('series')
    // Raw and smoothed per run.
    expect(series.map((s) => s.name)).toEqual(['slow raw', 'slow', 'fast raw', 'fast'])
    expect(series.map((s) => s.color)).toEqual([
      SERIES_COLORS[0],
      SERIES_COLORS[0],
      SERIES_COLORS[1],
      SERIES_COLORS[1],
    ])
    const [acc] = charts(wrapper, 'acc-chart')
    expect(acc!.props('series').map((s) => s.name)).toEqual([
      'slow · val',
      'slow · train',
      'fast · val',
      'fast · train',
    ])
    expect(acc!.props('yPercent')).toBe(true)
  })

  it('lines the runs up on the chosen x axis', async () => {
    const { wrapper } = await open(lrRuns())
    const xs = () =>
      charts(wrapper, 'loss-chart')[0]!
        .props('series')
        .map((s) => Array.from(s.x))
    expect(xs()[1]).toEqual([1, 2, 3, 4])
    await wrapper.get('[data-testid="compare-axis"]').setValue('samples')
    // Batch 50 and batch 100.
    expect(xs()[1]).toEqual([50, 100, 150, 200])
    expect(xs()[3]).toEqual([100, 200, 300, 400])
    expect(charts(wrapper, 'loss-chart')[0]!.props('xName')).toBe('samples seen')
    await wrapper.get('[data-testid="compare-axis"]').setValue('epoch')
    expect(xs()[1]).toEqual([0.5, 1, 1.5, 2])
    expect(Array.from(charts(wrapper, 'acc-chart')[0]!.props('series')[0]!.x)).toEqual([1, 2])
    await wrapper.get('[data-testid="compare-axis"]').setValue('time')
    expect(xs()[1]).toEqual([0, 0.5, 1, 1.5])
    expect(wrapper.find('[data-testid="time-unavailable"]').exists()).toBe(false)
  })

  it('disables wall time, and says why, when a run was logged without timestamps', async () => {
    const [a, b] = lrRuns()
    const { wrapper } = await open([a, b], { untimed: [b.id] })
    const time = wrapper.get('[data-testid="compare-axis"] option[value="time"]')
    expect(time.attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="time-unavailable"]').text()).toContain('fast')
  })

  it('colours by a differing hyperparameter on a log scale, with a legend', async () => {
    const { wrapper } = await open(lrRuns())
    const options = wrapper.findAll('[data-testid="color-by"] option').map((o) => o.attributes('value'))
    // Only what differs can colour the runs.
    expect(options).toEqual(['', 'solver.batchSize', 'solver.optimConfig.learningRate'])
    await wrapper.get('[data-testid="color-by"]').setValue('solver.optimConfig.learningRate')
    const colors = charts(wrapper, 'loss-chart')[0]!
      .props('series')
      .map((s) => s.color)
    expect(colors).toEqual([RAMP[0], RAMP[0], RAMP[RAMP.length - 1], RAMP[RAMP.length - 1]])
    const legend = wrapper.get('[data-testid="color-legend"]').text()
    expect(legend).toContain('log scale')
    expect(legend).toContain('1e-4')
    expect(legend).toContain('1e-3')
    expect(legend).toContain('0.01')
  })

  it('shows only differing fields in the table and highlights the best run', async () => {
    const [a, b] = lrRuns()
    const { wrapper } = await open([a, b])
    const headers = wrapper.findAll('[data-testid="diff-column"]').map((h) => h.attributes('title'))
    expect(headers).toContain('solver.optimConfig.learningRate')
    expect(headers).toContain('solver.batchSize')
    expect(headers).not.toContain('solver.lrDecay')
    expect(headers).not.toContain('model.hiddenDim')
    expect(headers).not.toContain('name')
    const rows = wrapper.findAll('[data-testid="diff-row"]')
    expect(rows.map((r) => r.attributes('data-best'))).toEqual(['false', 'true'])
    expect(rows[1]!.text()).toContain('70.0%')
    expect(rows[1]!.text()).toContain('best')
  })

  it('draws seed repeats as a mean ± std band, and only seed repeats', async () => {
    const seeds = await open(seedRuns())
    const loss = charts(seeds.wrapper, 'loss-chart')[0]!.props('series')
    expect(loss.map((s) => s.name)).toEqual(['mean of 2 seeds −σ', 'mean of 2 seeds ±σ', 'mean of 2 seeds'])
    expect(loss[1]!.stack).toBe('loss')
    expect(seeds.wrapper.find('[data-testid="band-hint"]').exists()).toBe(true)
    await seeds.wrapper.get('[data-testid="band-toggle"]').setValue(false)
    expect(charts(seeds.wrapper, 'loss-chart')[0]!.props('series')).toHaveLength(4)

    const lr = await open(lrRuns())
    expect(lr.wrapper.find('[data-testid="band-toggle"]').exists()).toBe(false)
    expect(
      charts(lr.wrapper, 'loss-chart')[0]!
        .props('series')
        .some((s) => s.stack),
    ).toBe(false)
  })

  it('shows small multiples sharing one zoom group and one x range', async () => {
    const { wrapper } = await open(lrRuns())
    await wrapper.get('[data-testid="mode-multiples"]').setValue(true)
    expect(wrapper.findAll('[data-testid="multiple"]')).toHaveLength(2)
    const loss = charts(wrapper, 'loss-chart')
    expect(loss.map((c) => c.props('group'))).toEqual(['compare-loss', 'compare-loss'])
    expect(loss.map((c) => c.props('xMax'))).toEqual([4, 4])
    expect(charts(wrapper, 'acc-chart').map((c) => c.props('group'))).toEqual(['compare-acc', 'compare-acc'])
  })

  it('follows live metrics', async () => {
    const [a, b] = lrRuns()
    const { wrapper, t } = await open([{ ...a, status: 'running' }, b])
    t.api.emit('metrics', {
      runId: a.id,
      events: [{ type: 'iteration', iteration: 5, loss: 0.1, t: 1_003_000 }],
    })
    await flushPromises()
    expect(Array.from(charts(wrapper, 'loss-chart')[0]!.props('series')[0]!.x)).toEqual([1, 2, 3, 4, 5])
  })

  it('shows the mosaics at an epoch both runs saved, on one shared scale', async () => {
    const [a, b] = lrRuns()
    const { wrapper, t } = await open([a, b])
    // Run 0 saved epochs 1-2, run 1 epochs 1-3: the latest common one is 2.
    const canvases = wrapper.findAllComponents(MosaicCanvas)
    expect(canvases.map((c) => c.props('data')?.epoch)).toEqual([2, 2])
    // Weights [0, 2] and [0, 4]: one range over both.
    expect(canvases[0]!.props('range')).toEqual({ low: 0, high: 4 })
    await wrapper.get('[data-testid="mosaic-epoch"]').setValue('0')
    await flushPromises()
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledWith(a.id, 1)
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledWith(b.id, 1)
    expect(wrapper.findAllComponents(MosaicCanvas).map((c) => c.props('data')?.epoch)).toEqual([1, 1])
    expect(wrapper.findAllComponents(MosaicCanvas)[0]!.props('range')).toEqual({ low: 0, high: 2 })
    await wrapper.get('[data-testid="mosaic-shared"]').setValue(false)
    expect(wrapper.findAllComponents(MosaicCanvas)[0]!.props('range')).toBeNull()
  })

  it("diagnoses each run's curves, live, beside its colour and name", async () => {
    const [a, b] = lrRuns()
    // The fast run's loss grows 15% an iteration: 60 iterations take it far above where it started.
    const exploding = (from: number, to: number): MetricEvent[] =>
      Array.from({ length: to - from + 1 }, (_, k) => ({
        type: 'iteration',
        iteration: from + k,
        loss: 2.3 * 1.15 ** (from + k),
      }))
    const { wrapper, t } = await open([{ ...a, status: 'running' }, b], {
      extra: { 'runs.metrics': (id: unknown) => metricsOf(id === b.id ? exploding(1, 60) : metrics(2)) },
    })
    const card = () => wrapper.get('[data-testid="compare-diagnosis"]')
    expect(card().get('h2').text()).toBe('Diagnosis')
    const runs = () => card().findAll('[data-testid="compare-diagnosis-run"]')
    expect(runs().map((r) => r.attributes('data-run-id'))).toEqual([a.id, b.id])
    const [slow, fast] = runs()
    // Four iterations are too few to judge.
    expect(slow!.text()).toContain('slow')
    expect(slow!.get('[data-testid="compare-diagnosis-empty"]').text()).toBe(
      'Not enough training yet to judge.',
    )
    expect(slow!.get('.dot').attributes('style')).toContain(SERIES_COLORS[0])
    expect(fast!.get('.dot').attributes('style')).toContain(SERIES_COLORS[1])
    const [finding] = fast!.findAll('[data-testid="compare-finding"]')
    expect(finding!.attributes('data-severity')).toBe('error')
    expect(finding!.classes()).toContain('is-error')
    expect(finding!.get('strong').text()).toBe('Learning rate too high')
    expect(finding!.get('.suggestion').text()).toMatch(/^Try /)

    // The slow run keeps training and explodes too: its findings follow without a reload.
    t.api.emit('metrics', { runId: a.id, events: exploding(5, 60) })
    await flushPromises()
    const live = runs()[0]!.findAll('[data-testid="compare-finding"]')
    expect(live.map((f) => f.get('strong').text())).toEqual(['Learning rate too high'])
  })

  it('starts the loss on a log scale once a run blew up, and keeps the choice the person makes', async () => {
    const [a, b] = lrRuns()
    const blowUp: MetricEvent[] = Array.from({ length: 60 }, (_, k) => ({
      type: 'iteration',
      iteration: k + 1,
      loss: 2.3 * 1.2 ** (k + 1),
    }))
    const calm = await open([a, b])
    expect(charts(calm.wrapper, 'loss-chart')[0]!.props('yLog')).toBe(false)
    calm.wrapper.unmount()
    wrappers.length = 0
    setTransport(null)
    const { wrapper } = await open([a, b], {
      extra: { 'runs.metrics': (id: unknown) => metricsOf(id === b.id ? blowUp : metrics(2)) },
    })
    const box = wrapper.get<HTMLInputElement>('[data-testid="log-loss"]')
    expect(box.element.checked).toBe(true)
    expect(charts(wrapper, 'loss-chart')[0]!.props('yLog')).toBe(true)
    await box.setValue(false)
    expect(charts(wrapper, 'loss-chart')[0]!.props('yLog')).toBe(false)
  })

  it('exports a report in the UI language, smoothed as the view is, and saves the file', async () => {
    const [a, b] = lrRuns()
    const file = { fileName: 'compare.html', mime: 'text/html', base64: btoa('<html></html>') }
    const { wrapper, t } = await open([a, b], { extra: { 'runs.export': file } })
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined)
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:report')
    await wrapper.get('[data-testid="export-html"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenCalledWith([a.id, b.id], 'html', {
      locale: 'en',
      smoothing: 0.6,
    })
    // The slider moved: the next report uses its weight; metrics exports have no smoothing to take.
    await wrapper.get('[data-testid="ema-slider"]').setValue('0.85')
    await wrapper.get('[data-testid="export-pdf"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenLastCalledWith([a.id, b.id], 'pdf', {
      locale: 'en',
      smoothing: 0.85,
    })
    await wrapper.get('[data-testid="export-csv"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.export']).toHaveBeenLastCalledWith([a.id, b.id], 'csv', { locale: 'en' })
    expect(click).toHaveBeenCalledTimes(3)
    expect((click.mock.contexts[0] as HTMLAnchorElement).download).toBe('compare.html')
    expect(useAppStore().notices.map((n) => n.text)).toContain('Saved compare.html')
  })

  it('reports a failed export as an error notice', async () => {
    const { wrapper } = await open(lrRuns())
    await wrapper.get('[data-testid="export-pdf"]').trigger('click')
    await flushPromises()
    const notices = useAppStore().notices
    expect(notices.some((n) => n.kind === 'error' && n.text.includes('runs.export'))).toBe(true)
  })

  it('names ids that do not exist', async () => {
    const [a] = lrRuns()
    const t = fakeTransport({
      'runs.get': (id: unknown) => {
        if (id === a.id) return a
        throw { code: 'not-found', message: 'gone' }
      },
      'runs.metrics': metricsOf(),
      'runs.mosaic': null,
    })
    const { wrapper } = await mountAt(`/compare?ids=${a.id},nope`, t)
    wrappers.push(wrapper)
    await flushPromises()
    expect(wrapper.get('[data-testid="compare-missing"]').text()).toContain('nope')
    expect(wrapper.find('[data-testid="compare-too-few"]').exists()).toBe(true)
  })

  it('leaves a damaged run of the link out, saying why, and compares the others', async () => {
    const [a, b] = lrRuns()
    const bad = '20261126-120100-dmgdmg'
    const message = `run ${bad} is damaged: /data/runs/${bad}/run.json: config.model: Invalid input`
    const t = fakeTransport({
      'runs.get': (id: unknown) => {
        if (id === a.id) return a
        if (id === b.id) return b
        throw { code: 'corrupt', message }
      },
      'runs.metrics': [],
      'runs.mosaic': null,
    })
    const { wrapper } = await mountAt(`/compare?ids=${a.id},${bad},${b.id}`, t)
    wrappers.push(wrapper)
    await flushPromises()
    expect(wrapper.get('[data-testid="compare-damaged"]').text()).toBe(
      `Left out, it cannot be read: ${bad} (${message})`,
    )
    expect(wrapper.find('[data-testid="compare-missing"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="compare-too-few"]').exists()).toBe(false)
    expect(charts(wrapper, 'loss-chart').length).toBeGreaterThan(0)
  })
})

describe('ExperimentsView compare button', () => {
  it('is enabled from two selected runs and opens the comparison', async () => {
    const [a, b] = lrRuns()
    const t = fakeTransport({
      'runs.list': [a, b],
      'runs.queue': { running: [], queued: [] },
      'runs.get': (id: unknown) => [a, b].find((r) => r.id === id),
      'runs.metrics': metricsOf(),
      'runs.mosaic': null,
    })
    const { wrapper, router } = await mountAt('/experiments', t)
    wrappers.push(wrapper)
    const runs = useRunsStore()
    await runs.load()
    const button = () => wrapper.get('[data-testid="compare-button"]')
    await flushPromises()
    const boxes = () => wrapper.findAll('[data-testid="run-select"]')
    await boxes()[0]!.setValue(true)
    expect(button().attributes('disabled')).toBeDefined()
    expect(button().text()).toBe('Compare (1)')
    await boxes()[1]!.setValue(true)
    expect(button().attributes('disabled')).toBeUndefined()
    await button().trigger('click')
    // The compare view is loaded lazily: navigation completes once its chunk is imported.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('compare'))
    // The table lists newest first.
    expect(String(router.currentRoute.value.query.ids).split(',').sort()).toEqual([a.id, b.id].sort())
  })
})
