// @vitest-environment happy-dom
/** The queue panel's speeds and times: each running run's, each queued run's estimate, the whole queue's. */
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { useAppStore } from '../stores/app'
import { useQueueStore } from '../stores/queue'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0)

afterEach(() => {
  vi.useRealTimers()
  setTransport(null)
  document.body.innerHTML = ''
})

async function setup(runs: RunRecord[], running: string[], queued: string[], maxThreads = 2) {
  const t = fakeTransport({
    'runs.list': runs,
    'runs.queue': { running, queued },
    'app.info': { maxThreads, memoryBudgetBytes: 2 ** 33, mode: 'browser' },
  })
  const mounted = await mountAt('/experiments', t)
  await useAppStore().load()
  await useRunsStore().load()
  await useQueueStore().load()
  await flushPromises()
  return { ...mounted, t }
}

/** Progress of `run` at `perSecond` it/s, an update every 200 ms for `ms`, from T0. */
function progress(t: ReturnType<typeof fakeTransport>, run: RunRecord, perSecond: number, ms: number): void {
  for (let at = 0; at <= ms; at += 200) {
    vi.setSystemTime(T0 + at)
    const iteration = Math.round((perSecond * at) / 1000)
    t.api.emit('run', { ...run, progress: { ...run.progress, iteration } })
  }
}

const row = (w: Awaited<ReturnType<typeof setup>>['wrapper'], kind: string, id: string) =>
  w.get(`[data-testid="queue-${kind}"][data-run-id="${id}"]`)

describe('QueuePanel', () => {
  it('shows it/s and the time left of a running run, estimates queued runs like it, and the whole queue', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(T0)
    const attempt = new Date(T0).toISOString()
    const training = makeRun({
      config: { name: 'training' },
      status: 'running',
      startedAt: attempt,
      attemptStartedAt: attempt,
      activeMs: 0,
      progress: { iteration: 0, numIterations: 5400, epoch: 0, numEpochs: 10 },
    })
    // The same net with another learning rate: it trains as fast.
    const same = makeRun({
      config: { name: 'same net', solver: { optimConfig: { learningRate: 1e-2 } } },
      status: 'queued',
      progress: { iteration: 0, numIterations: 2700, epoch: 0, numEpochs: 5 },
    })
    // A wider net: nothing like it has trained yet.
    const wide = makeRun({
      config: { name: 'wide net', model: { kind: 'two-layer', hiddenDim: 500 } },
      status: 'queued',
    })
    const { wrapper, t } = await setup([training, same, wide], [training.id], [same.id, wide.id])
    expect(row(wrapper, 'running', training.id).get('[data-testid="run-speed"]').text()).toBe(
      'measuring speed…',
    )

    progress(t, training, 900, 2000)
    await flushPromises()
    // 1800 of 5400 done at 900 it/s: 4 s left.
    expect(row(wrapper, 'running', training.id).get('[data-testid="run-speed"]').text()).toBe(
      '900 it/s · 4s left',
    )
    // 2700 iterations at the speed of the run like it.
    const estimate = row(wrapper, 'queued', same.id).get('[data-testid="run-speed"]')
    expect(estimate.text()).toBe('about 3s')
    expect(Number(estimate.attributes('data-left-ms'))).toBe(3000)
    expect(row(wrapper, 'queued', wide.id).find('[data-testid="run-speed"]').exists()).toBe(false)
    // Two threads: "same net" starts at once beside it, "wide net" has no estimate.
    const total = wrapper.get('[data-testid="queue-eta"]')
    expect(total.text()).toBe('All done in at least 4s: 1 run has no estimate yet')
    expect(Number(total.attributes('data-ms'))).toBe(4000)
  })

  it('estimates from finished runs, and counts the threads: one thread runs them one after another', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(T0)
    const attempt = new Date(T0).toISOString()
    const training = makeRun({
      config: { name: 'training' },
      status: 'running',
      startedAt: attempt,
      attemptStartedAt: attempt,
      activeMs: 0,
      progress: { iteration: 0, numIterations: 5400, epoch: 0, numEpochs: 10 },
    })
    // A wide net finished earlier: 5400 iterations in 60 s of training (the time between its two
    // attempts not counted), 90 it/s.
    const finished = makeRun({
      config: { name: 'wide, done', model: { kind: 'two-layer', hiddenDim: 500 } },
      status: 'completed',
      startedAt: new Date(T0 - 7_200_000).toISOString(),
      finishedAt: new Date(T0 - 3_000_000).toISOString(),
      activeMs: 60_000,
      attemptStartedAt: null,
      progress: { iteration: 5400, numIterations: 5400, epoch: 10, numEpochs: 10 },
    })
    const wide = makeRun({
      config: { name: 'wide net', model: { kind: 'two-layer', hiddenDim: 500 } },
      status: 'queued',
      progress: { iteration: 0, numIterations: 5400, epoch: 0, numEpochs: 10 },
    })
    const { wrapper, t } = await setup([training, finished, wide], [training.id], [wide.id], 1)
    progress(t, training, 900, 2000)
    await flushPromises()
    expect(row(wrapper, 'queued', wide.id).get('[data-testid="run-speed"]').text()).toBe('about 1m 00s')
    // One thread: 4 s left of the running run, then the wide net's 60 s.
    const total = wrapper.get('[data-testid="queue-eta"]')
    expect(Number(total.attributes('data-ms'))).toBe(64_000)
    expect(total.text()).toMatch(/^All done in about 1m 04s, around \d{1,2}:\d{2}/)
  })

  it('says nothing about time when the queue is empty', async () => {
    const { wrapper } = await setup([makeRun()], [], [])
    expect(wrapper.find('[data-testid="queue-eta"]').exists()).toBe(false)
  })
})
