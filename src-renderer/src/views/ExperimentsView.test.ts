// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import type { RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import { useQueueStore } from '../stores/queue'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

function fixture(): RunRecord[] {
  return [
    makeRun({
      config: { name: 'seed run', tags: ['seed'] },
      startedAt: '2026-11-26T12:00:00.000Z',
      finishedAt: '2026-11-26T12:00:42.000Z',
      result: {
        bestValAcc: 0.851,
        finalTrainAcc: 0.9,
        finalValAcc: 0.84,
        valAcc: 0.851,
        testAcc: 0.83,
        confusion: [],
        classNames: [],
      },
    }),
    makeRun({
      config: { name: 'bn net', model: { kind: 'fc', hiddenDims: [100, 100], normalization: 'batchnorm' } },
      status: 'running',
      startedAt: '2026-11-26T12:01:00.000Z',
      progress: { iteration: 300, numIterations: 600, epoch: 5, numEpochs: 10 },
    }),
    makeRun({
      config: { name: 'waiting', solver: { optimConfig: { learningRate: 1e-4 } } },
      status: 'queued',
    }),
    makeRun({ config: { name: 'crashed' }, status: 'interrupted' }),
  ]
}

async function setup() {
  const runs = fixture()
  const [, running, queued, interrupted] = runs as [RunRecord, RunRecord, RunRecord, RunRecord]
  const t = fakeTransport({
    'runs.list': runs,
    'runs.queue': { running: [running.id], queued: [queued.id] },
    'runs.cancel': (id: unknown) => ({ ...runs.find((r) => r.id === id)!, status: 'cancelled' }),
    'runs.resume': (id: unknown) => ({ ...runs.find((r) => r.id === id)!, status: 'queued' }),
  })
  const mounted = await mountAt('/experiments', t)
  await useRunsStore().load()
  await useQueueStore().load()
  await flushPromises()
  return { ...mounted, t, running, queued, interrupted }
}

const rowNames = (w: Awaited<ReturnType<typeof setup>>['wrapper']): string[] =>
  w.findAll('[data-testid="run-row"] [data-testid="run-link"]').map((a) => a.text())

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

describe('ExperimentsView', () => {
  it('lists runs newest first with status, model summary, hyperparameters and results', async () => {
    const { wrapper } = await setup()
    expect(rowNames(wrapper)).toEqual(['crashed', 'waiting', 'bn net', 'seed run'])
    const seed = wrapper.findAll('[data-testid="run-row"]')[3]!
    expect(seed.get('[data-testid="run-status"]').attributes('data-status')).toBe('completed')
    expect(seed.text()).toContain('2-layer 50')
    expect(seed.text()).toContain('1e-3')
    expect(seed.text()).toContain('85.1%')
    expect(seed.text()).toContain('42s')
    expect(seed.text()).toContain('seed')
    expect(wrapper.findAll('[data-testid="run-row"]')[2]!.text()).toContain('fc 100-100 bn')
    expect(wrapper.get('[data-testid="runs-count"]').text()).toBe('4 of 4 runs')
  })

  it('sorts by a column, then reversed, then back to newest first', async () => {
    const { wrapper } = await setup()
    await wrapper.get('[data-testid="sort-name"]').trigger('click')
    expect(rowNames(wrapper)).toEqual(['bn net', 'crashed', 'seed run', 'waiting'])
    await wrapper.get('[data-testid="sort-name"]').trigger('click')
    expect(rowNames(wrapper)).toEqual(['waiting', 'seed run', 'crashed', 'bn net'])
    await wrapper.get('[data-testid="sort-name"]').trigger('click')
    expect(rowNames(wrapper)).toEqual(['crashed', 'waiting', 'bn net', 'seed run'])
  })

  it('filters by text, numeric conditions and status', async () => {
    const { wrapper } = await setup()
    await wrapper.get('[data-testid="runs-filter"]').setValue('lr < 1e-3')
    expect(rowNames(wrapper)).toEqual(['waiting'])
    await wrapper.get('[data-testid="runs-filter"]').setValue('seed')
    expect(rowNames(wrapper)).toEqual(['seed run'])
    await wrapper.get('[data-testid="runs-filter"]').setValue('')
    await wrapper.get('[data-testid="filter-status"]').setValue('running')
    expect(rowNames(wrapper)).toEqual(['bn net'])
    await wrapper.get('[data-testid="filter-status"]').setValue('')
    await wrapper.get('[data-testid="filter-model"]').setValue('fc')
    expect(rowNames(wrapper)).toEqual(['bn net'])
  })

  it('selects rows for comparison', async () => {
    const { wrapper } = await setup()
    await wrapper.findAll('[data-testid="run-select"]')[1]!.setValue(true)
    expect(useRunsStore().selected).toHaveLength(1)
    await wrapper.get('[data-testid="select-all"]').setValue(true)
    expect(useRunsStore().selected).toHaveLength(4)
  })

  it('shows the queue and cancels and resumes runs', async () => {
    const { wrapper, t, running, queued, interrupted } = await setup()
    const panel = wrapper.get('[data-testid="queue-panel"]')
    expect(panel.get('[data-testid="queue-running"]').attributes('data-run-id')).toBe(running.id)
    expect(panel.get('[data-testid="queue-queued"]').attributes('data-run-id')).toBe(queued.id)

    await panel.get(`[data-testid="queue-queued"] [data-testid="cancel-button"]`).trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.cancel']).toHaveBeenCalledWith(queued.id)
    expect(useRunsStore().byId[queued.id]?.status).toBe('cancelled')

    const row = wrapper.get(`[data-testid="run-row"][data-run-id="${interrupted.id}"]`)
    await row.get('[data-testid="resume-button"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.resume']).toHaveBeenCalledWith(interrupted.id)
    expect(useRunsStore().byId[interrupted.id]?.status).toBe('queued')
  })

  it('updates live from run events', async () => {
    const { wrapper, t, running } = await setup()
    t.api.emit('run', {
      ...running,
      status: 'failed',
      error: { reason: 'diverged', message: 'NaN', iteration: 12 },
    })
    await flushPromises()
    const row = wrapper.get(`[data-testid="run-row"][data-run-id="${running.id}"]`)
    expect(row.get('[data-testid="run-status"]').attributes('data-status')).toBe('failed')
    // A diverged run would diverge again if resumed: it offers a new run with a lower learning rate.
    expect(row.find('[data-testid="resume-button"]').exists()).toBe(false)
    const offer = row.get('[data-testid="new-run-lower-lr"]')
    expect(offer.attributes('data-lr')).toBe('0.0001')
    expect(offer.text()).toBe('New run, lr 1e-4')
  })

  it('a damaged run gets a row with a red corrupt badge, its reason and file; the other runs render as ever', async () => {
    const good = fixture()
    const damaged: CorruptRun = {
      id: '20261126-120100-dmgdmg',
      status: 'corrupt',
      problem: {
        file: '/data/runs/20261126-120100-dmgdmg/run.json',
        message: 'config.dataset: Invalid input: expected object, received undefined',
      },
      name: 'half-edited',
      createdAt: '2026-11-26T12:01:00.000Z',
      sweepId: null,
    }
    const unnamed: CorruptRun = {
      id: '20261126-120200-nonamx',
      status: 'corrupt',
      problem: { file: '/data/runs/20261126-120200-nonamx/run.json', message: 'not valid JSON' },
    }
    const t = fakeTransport({
      'runs.list': [...good, damaged, unnamed],
      'runs.queue': { running: [], queued: [] },
    })
    const { wrapper } = await mountAt('/experiments', t)
    await useRunsStore().load()
    await flushPromises()

    expect(rowNames(wrapper)).toEqual(['crashed', 'waiting', 'bn net', 'seed run'])
    expect(wrapper.findAll('[data-testid="run-row"]')).toHaveLength(6)
    expect(wrapper.get('[data-testid="runs-count"]').text()).toBe('6 of 6 runs')
    const row = wrapper.get(`[data-testid="run-row"][data-run-id="${damaged.id}"]`)
    const badge = row.get('[data-testid="run-status"]')
    expect(badge.attributes('data-status')).toBe('corrupt')
    expect(badge.text()).toBe('Corrupt')
    expect(badge.attributes('title')).toBe(
      'config.dataset: Invalid input: expected object, received undefined (in /data/runs/20261126-120100-dmgdmg/run.json)',
    )
    expect(row.get('[data-testid="run-corrupt-name"]').text()).toBe('half-edited')
    expect(row.get('[data-testid="run-corrupt-file"]').text()).toBe(damaged.problem.file)
    expect(row.get('[data-testid="run-corrupt-reason"]').text()).toBe(
      `Cannot be read: ${damaged.problem.message}`,
    )
    // Not selectable, so never compared or exported; no resume.
    expect(row.get('[data-testid="run-select"]').attributes('disabled')).toBeDefined()
    expect(row.find('[data-testid="resume-button"]').exists()).toBe(false)
    expect(row.find('[data-testid="run-link"]').exists()).toBe(false)
    const other = wrapper.get(`[data-testid="run-row"][data-run-id="${unnamed.id}"]`)
    expect(other.get('[data-testid="run-corrupt-name"]').text()).toBe(unnamed.id)
    expect(wrapper.get('[data-testid="runs-corrupt-note"]').text()).toMatch(/^2 runs cannot be read/)

    await wrapper.get('[data-testid="select-all"]').setValue(true)
    expect(useRunsStore().selected.sort()).toEqual(good.map((r) => r.id).sort())

    await wrapper.get('[data-testid="filter-status"]').setValue('corrupt')
    expect(wrapper.findAll('[data-testid="run-row"]').map((r) => r.attributes('data-run-id'))).toEqual([
      unnamed.id,
      damaged.id,
    ])
    await wrapper.get('[data-testid="filter-status"]').setValue('')
    await wrapper.get('[data-testid="runs-filter"]').setValue('half')
    expect(wrapper.findAll('[data-testid="run-row"]').map((r) => r.attributes('data-run-id'))).toEqual([
      damaged.id,
    ])
    await wrapper.get('[data-testid="runs-filter"]').setValue('lr < 1')
    expect(wrapper.findAll('[data-testid="run-corrupt-name"]')).toHaveLength(0)
  })

  it('a list that fails to load shows the error and a retry, never "Loading runs…" or an empty list', async () => {
    let fail = true
    const t = fakeTransport({
      'runs.list': () => {
        if (fail) throw { code: 'internal', message: 'EACCES: permission denied, scandir /data/runs' }
        return fixture()
      },
      'runs.queue': { running: [], queued: [] },
    })
    const { wrapper } = await mountAt('/experiments', t)
    expect(wrapper.text()).toContain('Loading runs…')
    await useRunsStore().load()
    await flushPromises()
    const error = wrapper.get('[data-testid="runs-error"]')
    expect(error.text()).toContain(
      'The runs could not be loaded: EACCES: permission denied, scandir /data/runs',
    )
    expect(wrapper.text()).not.toContain('Loading runs…')
    expect(wrapper.find('[data-testid="runs-empty"]').exists()).toBe(false)
    fail = false
    await error.get('button').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="runs-error"]').exists()).toBe(false)
    expect(rowNames(wrapper)).toHaveLength(4)
  })
})
