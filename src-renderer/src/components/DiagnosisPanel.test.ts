// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { binLayout, tensorStats, type LayerCapture, type LayerSeries } from '../../../src-shared/layerStats'
import type { MetricEvent, RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { createAppI18n } from '../i18n'
import { useDatasetsStore } from '../stores/datasets'
import { appendEvents, emptySeries, type RunSeries } from '../stores/runs'
import { fakeTransport, makeRun, type FakeTransport } from '../testing/fakeApi'
import DiagnosisPanel from './DiagnosisPanel.vue'
import { datasetSummary } from '../testing/datasetFixtures'

/** `count` iterations at a constant loss, with an accuracy check every 20 at chance level. */
function flatSeries(count: number, loss = Math.log(10)): RunSeries {
  const s = emptySeries()
  appendEvents(s, flatEvents(1, count, loss))
  return s
}

function flatEvents(from: number, to: number, loss = Math.log(10)): MetricEvent[] {
  const events: MetricEvent[] = []
  for (let i = from; i <= to; i++) {
    events.push({ type: 'iteration', iteration: i, loss })
    if (i % 20 === 0)
      events.push({ type: 'epoch', epoch: i / 20, iteration: i, trainAcc: 0.1, valAcc: 0.1, lr: 1e-7 })
  }
  return events
}

let pinia: ReturnType<typeof createPinia>
beforeEach(() => {
  setTransport(fakeTransport())
  pinia = createPinia()
  setActivePinia(pinia)
})
afterEach(() => setTransport(null))

function mountPanel(run: RunRecord, series: RunSeries | null, locale: 'en' | 'zh-CN' = 'en') {
  const i18n = createAppI18n(locale)
  const wrapper = mount(DiagnosisPanel, {
    props: { run, series, version: 1 },
    global: { plugins: [pinia, i18n] },
  })
  return { wrapper, i18n }
}

const findings = (w: ReturnType<typeof mountPanel>['wrapper']) =>
  w.findAll('[data-testid="diagnosis-finding"]')

describe('DiagnosisPanel', () => {
  it('says when there is too little to judge', () => {
    const { wrapper } = mountPanel(makeRun({ status: 'queued' }), null)
    expect(wrapper.find('h2').text()).toBe("What's wrong?")
    expect(wrapper.get('[data-testid="diagnosis-empty"]').text()).toContain('Not enough training yet')
    expect(findings(wrapper)).toHaveLength(0)
  })

  it('shows each finding with its evidence and suggestion, styled by severity', () => {
    const { wrapper } = mountPanel(makeRun(), flatSeries(200))
    const [f] = findings(wrapper)
    expect(f!.attributes('data-kind')).toBe('lr-too-low')
    expect(f!.classes()).toContain('is-warning')
    expect(f!.get('.badge').text()).toBe('Warning')
    expect(f!.get('strong').text()).toBe('Learning rate too low')
    expect(f!.get('.detail').text()).toContain('barely moved in 200 iterations')
    expect(f!.get('.detail').text()).toContain('ln C = 2.3')
    expect(f!.get('.suggestion').text()).toBe(
      'Try Raise the learning rate about 10× (now 1E-7); search it on a log scale.',
    )
  })

  it('an error finding for a diverged run', () => {
    const run = makeRun({ status: 'failed', error: { reason: 'diverged', message: 'NaN', iteration: 42 } })
    const { wrapper } = mountPanel(run, flatSeries(41))
    const [f] = findings(wrapper)
    expect(f!.attributes('data-kind')).toBe('diverged')
    expect(f!.classes()).toContain('is-error')
    expect(f!.get('.detail').text()).toContain('at iteration 42')
  })

  it('recomputes as a live run appends metrics (the series grows in place, the version changes)', async () => {
    const series = flatSeries(30)
    const run = makeRun({
      status: 'running',
      progress: { iteration: 30, numIterations: 600, epoch: 1, numEpochs: 10 },
    })
    const { wrapper } = mountPanel(run, series)
    expect(wrapper.find('[data-testid="diagnosis-empty"]').exists()).toBe(true)
    appendEvents(series, flatEvents(31, 120))
    await wrapper.setProps({ version: 2 })
    expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['lr-too-low'])
  })

  it('follows the UI language', async () => {
    const { wrapper, i18n } = mountPanel(makeRun(), flatSeries(200))
    i18n.global.locale.value = 'zh-CN'
    await wrapper.vm.$nextTick()
    expect(wrapper.find('h2').text()).toBe('哪里出了问题？')
    const [f] = findings(wrapper)
    expect(f!.get('strong').text()).toBe('学习率过低')
    expect(f!.get('.badge').text()).toBe('警告')
    expect(f!.get('.detail').text()).toContain('200 次迭代中损失几乎没有变化')
  })

  it("judges chance by the dataset's class count", () => {
    // A loss stuck at ln(100) is at chance for 100 classes (a step size too small to move it); for the
    // default 10 it is far above chance, and only the flat, low accuracy is left to report.
    const run = makeRun({ config: { dataset: { name: 'hundred' } } })
    const series = flatSeries(200, Math.log(100))
    const kinds = () => findings(mountPanel(run, series).wrapper).map((f) => f.attributes('data-kind'))
    expect(kinds()).toEqual(['underfitting'])
    useDatasetsStore().list = [
      datasetSummary({
        name: 'hundred',
        source: 'import',
        format: 'idx',
        counts: { train: 100, test: 100 },
        shape: [1, 2, 2],
        classNames: Array.from({ length: 100 }, (_, i) => `c${i}`),
        sizeOnDisk: 1,
      }),
    ]
    expect(kinds()).toEqual(['lr-too-low'])
  })

  describe('with layer captures (runs.layers and the layers event)', () => {
    // A healthy-looking curve (a decaying loss, accuracy levelling off near 90%) whose captures show the
    // second of three layers no longer updated from the fifth capture on, as a frozen weight would be.
    const events: MetricEvent[] = []
    for (let i = 1; i <= 200; i++) {
      events.push({
        type: 'iteration',
        iteration: i,
        loss: 0.3 + 2 * Math.exp(-i / 30) + 0.01 * Math.sin(i * 7.1),
      })
      if (i % 40 === 0) {
        const e = i / 40
        events.push({
          type: 'epoch',
          epoch: e,
          iteration: i,
          trainAcc: 0.9 - 0.5 * Math.exp(-e),
          valAcc: 0.88 - 0.5 * Math.exp(-e),
          lr: 0.05,
        })
      }
    }
    const stats = tensorStats([0.5, -0.5, 1, -1])
    const captures: LayerCapture[] = Array.from({ length: 10 }, (_, k) => ({
      iteration: (k + 1) * 20,
      epoch: Math.floor(((k + 1) * 20) / 40),
      reason: 'interval',
      learningRate: 0.05,
      layers: [0, 1, 2].map((i) => {
        const ratio = i === 1 && k >= 4 ? 0 : 1e-3
        return {
          name: `layer${i + 1}`,
          kind: 'affine' as const,
          param: `W${i + 1}`,
          shape: [64, 64],
          weight: stats,
          grad: stats,
          weightNorm: 10,
          gradNorm: 0.1,
          updateNorm: 10 * ratio,
          updateRatio: ratio,
          ...(i < 2 ? { preact: stats, postact: stats, deadFraction: 0, zeroFraction: 0.5 } : {}),
        }
      }),
    }))
    const stopped = { events, captures }
    const seriesOf = (events: MetricEvent[]): RunSeries => {
      const s = emptySeries()
      appendEvents(s, events)
      return s
    }
    const answer = (captures: LayerCapture[]): LayerSeries => ({
      captures,
      bins: binLayout(),
      skippedLines: 0,
    })
    let transport: FakeTransport

    it("reads the run's captures and shows what they find, in both languages", async () => {
      transport = fakeTransport({ 'runs.layers': answer(stopped.captures) })
      setTransport(transport)
      const run = makeRun()
      const { wrapper, i18n } = mountPanel(run, seriesOf(stopped.events))
      expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['healthy'])
      await flushPromises()
      expect(transport.api.mocks['runs.layers']).toHaveBeenCalledWith(run.id, {})
      const [f] = findings(wrapper)
      expect(f!.attributes('data-kind')).toBe('stopped-learning')
      expect(f!.get('strong').text()).toBe('A layer stopped learning')
      expect(f!.get('.detail').text()).toContain('The update/weight ratio of layer2 fell to 0')
      expect(f!.get('.suggestion').text()).toContain("Check that the layer's parameters are still updated")
      i18n.global.locale.value = 'zh-CN'
      await wrapper.vm.$nextTick()
      expect(findings(wrapper)[0]!.get('strong').text()).toBe('某一层停止学习')
    })

    it("adds a live run's new captures from the layers event, its own only", async () => {
      const early = stopped.captures.filter((c) => c.iteration <= 60)
      transport = fakeTransport({ 'runs.layers': answer(early) })
      setTransport(transport)
      const run = makeRun()
      const { wrapper } = mountPanel(run, seriesOf(stopped.events))
      await flushPromises()
      expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['healthy'])
      const later = stopped.captures.filter((c) => c.iteration > 60)
      transport.api.emit('layers', { runId: 'someone-else', captures: later })
      await wrapper.vm.$nextTick()
      expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['healthy'])
      // The replayed early ones (a resume) are not counted twice.
      transport.api.emit('layers', { runId: run.id, captures: [...early, ...later] })
      await wrapper.vm.$nextTick()
      expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['stopped-learning'])
    })

    it('judges the curves alone when main has no captures to give', async () => {
      transport = fakeTransport({})
      setTransport(transport)
      const { wrapper } = mountPanel(makeRun(), seriesOf(stopped.events))
      await flushPromises()
      expect(transport.api.mocks['runs.layers']).toHaveBeenCalled()
      expect(findings(wrapper).map((f) => f.attributes('data-kind'))).toEqual(['healthy'])
    })
  })
})
