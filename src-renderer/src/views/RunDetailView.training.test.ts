// @vitest-environment happy-dom
/**
 * The run page while a run trains (speed and time left), once it diverged (its finite curve with the
 * point where it left the finite range, the banner, a new run with a lower learning rate instead of a
 * resume), and its mosaic scrubber after the run finished.
 */
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import type { ChartMark, LineSeries } from '../components/LineChart.vue'
import { useAppStore } from '../stores/app'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import LineChartStub from '../testing/LineChartStub'
import { mountAt } from '../testing/mountView'

afterEach(() => {
  vi.useRealTimers()
  setTransport(null)
  document.body.innerHTML = ''
})

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0)

function diverged(): { run: RunRecord; metrics: MetricEvent[] } {
  const run = makeRun({
    status: 'failed',
    config: { name: 'too hot', solver: { optimConfig: { learningRate: 1e6 }, numEpochs: 10 } },
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 120).toISOString(),
    progress: { iteration: 3, numIterations: 540, epoch: 0, numEpochs: 10 },
    error: {
      reason: 'diverged',
      message:
        'Solver: loss diverged at iteration 4 with learning rate 1000000: the loss became infinite: the correct classes got probability 0 (scores too large); try a lower learning rate',
      iteration: 4,
      lossValue: 'Infinity',
      learningRate: 1e6,
    },
  })
  // As the real run logged it: three finite losses blowing up, the check after the first iteration.
  const metrics: MetricEvent[] = [
    { type: 'iteration', iteration: 1, loss: 2.3024121769607966, t: T0 + 60 },
    { type: 'epoch', epoch: 0, iteration: 1, trainAcc: 0.123, valAcc: 0.13, lr: 1e6 },
    { type: 'iteration', iteration: 2, loss: 336857348091412.5, t: T0 + 72 },
    { type: 'iteration', iteration: 3, loss: 2.8457799317554966e31, t: T0 + 74 },
  ]
  return { run, metrics }
}

describe('a diverged run', () => {
  it('draws the finite curve it had, on a log axis, with where it left the finite range marked', async () => {
    const { run, metrics } = diverged()
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(metrics), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()

    const loss = wrapper.findAllComponents(LineChartStub)[0]!
    const series: LineSeries[] = loss.props('series')
    const raw = series.find((s) => s.name === 'Loss (raw)')!
    expect(Array.from(raw.x)).toEqual([1, 2, 3])
    expect(Array.from(raw.y)).toEqual([2.3024121769607966, 336857348091412.5, 2.8457799317554966e31])
    // The curve fills the chart (up to just past the divergence), not 3 of 540 planned iterations.
    expect(loss.props('xMax')).toBe(5)
    expect(loss.props('yLog')).toBe(true)
    const marks: ChartMark[] = loss.props('marks')
    expect(marks).toEqual([
      { x: 4, label: 'diverged at 4' },
      { x: 3, y: 2.8457799317554966e31, label: 'last finite loss 2.85E31' },
    ])
    expect(wrapper.get('[data-testid="loss-log"]').text()).toBe(
      'Logarithmic loss axis: the loss spans 31 orders of magnitude.',
    )
  })

  it('says what happened in a sentence, in English and in Chinese', async () => {
    const { run, metrics } = diverged()
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(metrics), 'runs.mosaic': null })
    const { wrapper, i18n } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    const banner = wrapper.get('[data-testid="run-error"]')
    expect(banner.text()).toBe(
      'Training diverged at iteration 4: the loss became infinite with learning rate 1e6. ' +
        'The last finite loss was 2.85E31, at iteration 3. ' +
        'Resuming would only diverge again: start a new run with a lower learning rate.',
    )
    // The engine's own words stay at hand, as the tooltip.
    expect(banner.attributes('title')).toContain('Solver: loss diverged at iteration 4')

    const app = useAppStore()
    try {
      app.setLocale('zh-CN')
      i18n.global.locale.value = 'zh-CN'
      await flushPromises()
      expect(wrapper.get('[data-testid="run-error"]').text()).toBe(
        '训练在第 4 次迭代时发散：学习率为 1e6 时，损失变为无穷大。' +
          '最后一个有限的损失值为 2.85E31（第 3 次迭代）。' +
          '继续训练只会再次发散：请用更低的学习率新建训练。',
      )
      expect(wrapper.get('[data-testid="new-run-lower-lr"]').text()).toBe('以学习率 100000 新建训练')
    } finally {
      app.setLocale('en')
    }
  })

  it('names what the loss became when the record says, and words older records without it', async () => {
    const { run, metrics } = diverged()
    const nan = { ...run, error: { ...run.error!, lossValue: 'NaN' as const } }
    const t = fakeTransport({ 'runs.get': nan, 'runs.metrics': metricsOf(metrics), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-error"]').text()).toMatch(
      /^Training diverged at iteration 4: the loss became NaN \(not a number\) with learning rate 1e6\./,
    )
    // An older record: no lossValue, no learning rate (the epoch's is used), no iteration.
    const old = { ...run, id: 'old-run', error: { reason: 'diverged' as const, message: 'loss is NaN' } }
    const t2 = fakeTransport({ 'runs.get': old, 'runs.metrics': metricsOf(metrics), 'runs.mosaic': null })
    const { wrapper: w2 } = await mountAt(`/runs/old-run`, t2)
    await flushPromises()
    expect(w2.get('[data-testid="run-error"]').text()).toMatch(
      /^Training diverged: the loss stopped being a finite number with learning rate 1e6\. The last finite loss was 2\.85E31, at iteration 3\./,
    )
  })

  it('offers a new run with the learning rate ten times lower instead of a resume, and opens the form filled', async () => {
    const { run, metrics } = diverged()
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf(metrics),
      'runs.mosaic': null,
      'datasets.list': [],
      'examples.list': [],
      'app.info': { maxThreads: 2, memoryBudgetBytes: 2 ** 33 },
    })
    const { wrapper, router } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.find('[data-testid="resume-button"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="resume-fresh-button"]').exists()).toBe(false)
    const offer = wrapper.get('[data-testid="new-run-lower-lr"]')
    expect(offer.text()).toBe('New run with learning rate 100000')

    await offer.trigger('click')
    // The form's view is loaded on first use: that import can take a while.
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/new'), { timeout: 10_000 })
    await flushPromises()
    const lr = wrapper.get<HTMLInputElement>('[data-testid="field-solver.optimConfig.learningRate"]')
    expect(lr.element.value).toBe('100000')
    // The rest of the config comes along, the seed included; the name follows the new config.
    expect(wrapper.get<HTMLInputElement>('[data-testid="field-solver.numEpochs"]').element.value).toBe('10')
    expect(wrapper.get<HTMLInputElement>('[data-testid="field-seed"]').element.value).toBe('1')
    expect(wrapper.get<HTMLInputElement>('[data-testid="field-name"]').element.value).toBe(
      '2-layer 50 · sgd lr 100000',
    )
    expect(wrapper.get('[data-testid="run-draft-note"]').text()).toBe(
      'Drafted from the run “too hot”, which diverged: the learning rate is lowered from 1e6 to 100000. Check it, then queue it.',
    )
  })

  it('still offers resume for a run that failed for another reason', async () => {
    const run = makeRun({
      status: 'failed',
      error: { reason: 'crashed', message: 'worker exited', iteration: 7 },
    })
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-error"]').text()).toBe('Crashed at iteration 7: worker exited')
    expect(wrapper.find('[data-testid="resume-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="new-run-lower-lr"]').exists()).toBe(false)
  })
})

describe('a training run', () => {
  it('shows its iterations per second and the time left, from the progress it reports', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(T0)
    const attempt = new Date(T0).toISOString()
    const base = makeRun({
      status: 'running',
      startedAt: attempt,
      attemptStartedAt: attempt,
      activeMs: 0,
      progress: { iteration: 0, numIterations: 5400, epoch: 0, numEpochs: 10 },
    })
    const t = fakeTransport({ 'runs.get': base, 'runs.metrics': metricsOf(), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${base.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-speed"]').text()).toBe('measuring speed…')

    // Progress at 400 it/s, every 200 ms, for two seconds.
    for (let k = 0; k <= 10; k++) {
      vi.setSystemTime(T0 + k * 200)
      t.api.emit('run', { ...base, progress: { ...base.progress, iteration: k * 80 } })
    }
    await flushPromises()
    const speed = wrapper.get('[data-testid="run-speed"]')
    // 800 of 5400 done: 4600 left at 400 it/s.
    expect(speed.text()).toBe('400 it/s · 12s left')
    expect(Number(speed.attributes('data-left-ms'))).toBe(11_500)
  })
})

describe('a finished run', () => {
  it('shows its average speed over its training time, not counting the time between a kill and a resume', async () => {
    const run = makeRun({
      status: 'completed',
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0 + 3_620_000).toISOString(),
      activeMs: 20_000,
      attemptStartedAt: null,
      progress: { iteration: 5400, numIterations: 5400, epoch: 10, numEpochs: 10 },
    })
    const t = fakeTransport({ 'runs.get': run, 'runs.metrics': metricsOf(), 'runs.mosaic': null })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-average-speed"]').text()).toBe('270 it/s')
    expect(wrapper.find('[data-testid="run-speed"]').exists()).toBe(false)
  })
})

describe('the mosaic', () => {
  function mosaic(epoch: number, epochs: number[]): MosaicData {
    const weights = new Float32Array([0, 1, 2, 3])
    let bin = ''
    for (const b of new Uint8Array(weights.buffer)) bin += String.fromCharCode(b)
    return { epochs, damagedEpochs: [], epoch, shape: [1, 1, 2], units: 2, weights: btoa(bin) }
  }
  const check = (epoch: number): MetricEvent => ({
    type: 'epoch',
    epoch,
    iteration: epoch * 54,
    trainAcc: 0.5,
    valAcc: 0.5,
    lr: 1e-3,
  })

  it('reaches the last epoch after the run finished, also from an epoch seen while it trained', async () => {
    // What main has on disk, as it changes.
    let saved = [0, 1, 2]
    const run = makeRun({ status: 'running', startedAt: new Date(T0).toISOString() })
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf([check(0), check(1), check(2)]),
      'runs.mosaic': (_id: unknown, epoch: unknown) =>
        mosaic(typeof epoch === 'number' ? epoch : saved.at(-1)!, [...saved]),
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    const scrubber = () => wrapper.get<HTMLInputElement>('[data-testid="mosaic-epoch"]')
    expect(wrapper.get('[data-testid="mosaic-epoch-label"]').attributes('data-epoch')).toBe('2')
    expect(scrubber().attributes('max')).toBe('2')

    // The last epoch is saved and the run finishes.
    saved = [0, 1, 2, 3]
    t.api.emit('metrics', { runId: run.id, events: [check(3)] })
    t.api.emit('run', { ...run, status: 'completed', finishedAt: new Date(T0 + 5000).toISOString() })
    // (A live run's mosaic is fetched at most once a second.)
    await vi.waitFor(
      () => expect(wrapper.get('[data-testid="mosaic-epoch-label"]').attributes('data-epoch')).toBe('3'),
      { timeout: 3000, interval: 50 },
    )
    expect(scrubber().attributes('max')).toBe('3')

    // Back to epoch 2, seen (and kept) while the run trained: the scrubber still reaches epoch 3.
    await scrubber().setValue('2')
    await flushPromises()
    expect(wrapper.get('[data-testid="mosaic-epoch-label"]').attributes('data-epoch')).toBe('2')
    expect(scrubber().attributes('max')).toBe('3')
    expect(scrubber().element.value).toBe('2')
  })

  it('catches up with an accuracy check whose snapshot was still being written, without a new epoch', async () => {
    let saved = [0, 1]
    const run = makeRun({ status: 'running', startedAt: new Date(T0).toISOString() })
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf([check(0), check(1), check(2)]),
      'runs.mosaic': (_id: unknown, epoch: unknown) =>
        mosaic(typeof epoch === 'number' ? epoch : saved.at(-1)!, [...saved]),
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    // Whatever loading the page set off (the record, the curves) has been fetched by then.
    await new Promise((r) => setTimeout(r, 1500))
    await flushPromises()
    expect(wrapper.get('[data-testid="mosaic-epoch-label"]').attributes('data-epoch')).toBe('1')
    // Epoch 2's snapshot lands on disk; no event says so.
    saved = [0, 1, 2]
    await vi.waitFor(
      () => expect(wrapper.get('[data-testid="mosaic-epoch-label"]').attributes('data-epoch')).toBe('2'),
      { timeout: 3000, interval: 100 },
    )
    // Once caught up, it stops asking.
    const calls = t.api.mocks['runs.mosaic'].mock.calls.length
    await new Promise((r) => setTimeout(r, 1200))
    expect(t.api.mocks['runs.mosaic']).toHaveBeenCalledTimes(calls)
  })
})
