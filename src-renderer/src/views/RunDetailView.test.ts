// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import type { MetricEvent } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { fakeTransport, makeRun, metricsFrom, metricsOf } from '../testing/fakeApi'
import type { LineSeries } from '../components/LineChart.vue'
import LineChartStub from '../testing/LineChartStub'
import { mountAt } from '../testing/mountView'

const metrics: MetricEvent[] = [
  { type: 'iteration', iteration: 1, loss: 2.3 },
  { type: 'iteration', iteration: 2, loss: 2.1 },
  { type: 'epoch', epoch: 1, iteration: 2, trainAcc: 0.5, valAcc: 0.45, lr: 1e-3 },
]

function mosaic(epoch: number): MosaicData {
  const weights = new Float32Array([0, 1, 2, 3]) // D = 2 (1x1x2), 2 units
  let bin = ''
  for (const b of new Uint8Array(weights.buffer)) bin += String.fromCharCode(b)
  return { epochs: [1, 2], damagedEpochs: [], epoch, shape: [1, 1, 2], units: 2, weights: btoa(bin) }
}

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('RunDetailView', () => {
  it('shows a completed run: status, curves, mosaic, confusion matrix, config and environment', async () => {
    const run = makeRun({
      startedAt: '2026-11-26T12:00:00.000Z',
      finishedAt: '2026-11-26T12:00:05.000Z',
      progress: { iteration: 600, numIterations: 600, epoch: 10, numEpochs: 10 },
      result: {
        bestValAcc: 0.85,
        finalTrainAcc: 0.9,
        finalValAcc: 0.84,
        valAcc: 0.85,
        testAcc: 0.83,
        confusion: [
          [8, 2],
          [1, 9],
        ],
        classNames: ['T-shirt/top', 'Trouser'],
      },
      environment: {
        backend: 'native',
        library: 'OpenBLAS 0.3.21',
        core: 'Haswell',
        coreSource: 'env',
        blasThreads: 1,
        fallbackReason: null,
        workbench: '0.1.0',
        node: 'v20.20.0',
        platform: 'linux-x64',
        cpu: 'AMD EPYC',
      },
    })
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf(metrics),
      'runs.mosaic': (_id: unknown, epoch: unknown) => mosaic(typeof epoch === 'number' ? epoch : 2),
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()

    expect(wrapper.get('[data-testid="run-detail-status"]').attributes('data-status')).toBe('completed')
    const charts = wrapper.findAllComponents(LineChartStub)
    expect(charts).toHaveLength(3)
    const loss = charts[0]!
    expect(loss.attributes('data-testid')).toBe('loss-chart')
    const [raw, smoothed] = loss.props('series')
    expect(Array.from(raw!.x)).toEqual([1, 2])
    expect(Array.from(smoothed!.y)[0]).toBeCloseTo(2.3)
    expect(charts[1]!.attributes('data-testid')).toBe('acc-chart')

    expect(wrapper.find('[data-testid="ema-slider"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="mosaic-canvas"]').attributes('data-epoch')).toBe('2')
    const scrubber = wrapper.get('[data-testid="mosaic-epoch"]')
    await scrubber.setValue('0')
    await flushPromises()
    expect(t.api.mocks['runs.mosaic']).toHaveBeenLastCalledWith(run.id, 1)
    expect(wrapper.get('[data-testid="mosaic-canvas"]').attributes('data-epoch')).toBe('1')

    const matrix = wrapper.get('[data-testid="confusion-matrix"]')
    expect(matrix.text()).toContain('Trouser')
    expect(matrix.findAll('tbody td').map((c) => c.text())).toEqual(['8', '2', '80', '1', '9', '90'])
    expect(wrapper.get('[data-testid="run-config"]').text()).toContain('"hiddenDim": 50')
    expect(wrapper.get('[data-testid="run-environment"]').text()).toContain('Haswell')
    expect(wrapper.get('[data-testid="run-test-acc"]').text()).toBe('83.0%')
  })

  it('smooths with the slider and follows live metrics', async () => {
    const run = makeRun({ status: 'running', startedAt: '2026-11-26T12:00:00.000Z' })
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsFrom(metrics), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    const loss = () => wrapper.findAllComponents(LineChartStub)[0]!
    // Smoothed by main over every step: the slider asks for the series again with its weight.
    await wrapper.get('[data-testid="ema-slider"]').setValue('0')
    await new Promise((r) => setTimeout(r, 200))
    await flushPromises()
    expect(t.api.mocks['runs.metrics']).toHaveBeenLastCalledWith(run.id, { maxPoints: 5000, smoothing: 0 })
    expect(Array.from(loss().props('series')[1]!.y)).toEqual([2.3, 2.1])
    t.api.emit('metrics', { runId: run.id, events: [{ type: 'iteration', iteration: 3, loss: 1.9 }] })
    await flushPromises()
    expect(Array.from(loss().props('series')[0]!.x)).toEqual([1, 2, 3])
    expect(wrapper.find('[data-testid="cancel-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="confusion-matrix"]').exists()).toBe(false)
  })

  it('draws a long run as buckets: the raw envelope (last, lowest, highest) and main’s smoothing, and says so', async () => {
    const run = makeRun({ status: 'running', startedAt: '2026-11-26T12:00:00.000Z' })
    // 100,000 steps, one a spike: main sends them as buckets of 32.
    const long: MetricEvent[] = Array.from({ length: 100_000 }, (_, i) => ({
      type: 'iteration',
      iteration: i + 1,
      loss: i + 1 === 54_321 ? 50 : 2,
    }))
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(long), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    const series: LineSeries[] = wrapper.findAllComponents(LineChartStub)[0]!.props('series')
    expect(series.map((s) => s.name)).toEqual(['Loss (raw)', 'Loss (smoothed)'])
    const [raw, smoothed] = series
    expect(raw!.y.length).toBeLessThanOrEqual(5000)
    expect(raw!.quiet).toBe(true)
    expect(Math.max(...Array.from(raw!.yMax!, Number))).toBe(50)
    expect(Math.min(...Array.from(raw!.yMin!, Number))).toBe(2)
    // The smoothed line is main's EMA at each bucket's last step: 2 everywhere but just after the spike.
    expect(Array.from(smoothed!.y, Number).filter((v) => Math.abs(v - 2) > 1e-9).length).toBeLessThan(10)
    expect(wrapper.get('[data-testid="loss-bucketed"]').text()).toBe(
      'Smoothed over every logged step; the faint line is the raw loss, with each pixel’s lowest and highest step, so no spike is hidden.',
    )
  })

  it('explains a diverged run', async () => {
    const run = makeRun({
      status: 'failed',
      error: { reason: 'diverged', message: 'the loss became NaN', iteration: 123 },
    })
    const { wrapper } = await mountAt(
      `/runs/${run.id}`,
      fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(), 'runs.mosaic': null }),
    )
    await flushPromises()
    const error = wrapper.get('[data-testid="run-error"]')
    expect(error.text()).toContain('Training diverged at iteration 123')
    expect(error.attributes('title')).toBe('the loss became NaN')
    // Resuming would diverge again: a new run with a lower learning rate is offered instead.
    expect(wrapper.find('[data-testid="resume-button"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="new-run-lower-lr"]').exists()).toBe(true)
  })

  it('says so when the run does not exist', async () => {
    const { wrapper } = await mountAt(
      '/runs/nope',
      fakeTransport({ 'runs.metrics': metricsOf(), 'runs.mosaic': null }),
    )
    await flushPromises()
    expect(wrapper.text()).toContain('No run with id nope.')
  })
})
