// @vitest-environment happy-dom
// The run page over damaged files: a run.json that cannot be read, and damaged weight snapshots.
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { MosaicData } from '../../../src-shared/contract'
import type { CorruptRun } from '../../../src-shared/corruptRun'
import { setTransport } from '../api'
import { useAppStore } from '../stores/app'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun, metricsOf } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

afterEach(() => {
  setTransport(null)
  document.body.innerHTML = ''
})

function mosaic(epoch: number, damagedEpochs: number[]): MosaicData {
  let bin = ''
  for (const b of new Uint8Array(new Float32Array([0, 1, 2, 3]).buffer)) bin += String.fromCharCode(b)
  return { epochs: [1, 3], damagedEpochs, epoch, shape: [1, 1, 2], units: 2, weights: btoa(bin) }
}

describe('RunDetailView with damage', () => {
  it('a run whose run.json is damaged says so, naming the file, instead of "not found" or loading forever', async () => {
    const id = '20261126-120100-dmgdmg'
    const message = `run ${id} is damaged: /data/runs/${id}/run.json: config.model: Invalid input`
    const t = fakeTransport({
      'runs.get': () => Promise.reject({ code: 'corrupt', message }),
      'runs.metrics': metricsOf([]),
      'runs.mosaic': null,
    })
    const { wrapper } = await mountAt(`/runs/${id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-unreadable"]').text()).toBe(`This run cannot be read: ${message}`)
    expect(wrapper.text()).not.toContain('Loading run…')
    expect(wrapper.text()).not.toContain('No run with id')
    // Said on the page, not also as a notice.
    expect(useAppStore().notices).toEqual([])
  })

  it('a damaged run known from the list is shown from its entry, without asking main again', async () => {
    const damaged: CorruptRun = {
      id: '20261126-120100-dmgdmg',
      status: 'corrupt',
      problem: { file: '/data/runs/20261126-120100-dmgdmg/run.json', message: 'not valid JSON' },
    }
    const t = fakeTransport({ 'runs.list': [damaged] })
    const { wrapper, router } = await mountAt('/experiments', t)
    await useRunsStore().load()
    await router.push(`/runs/${damaged.id}`)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-unreadable"]').text()).toBe(
      `This run cannot be read: ${damaged.problem.file}: not valid JSON`,
    )
    expect(t.api.mocks['runs.get']).not.toHaveBeenCalled()
  })

  it("a damaged snapshot: the other epochs' mosaic shows, with a note naming the damaged epoch", async () => {
    const run = makeRun({ progress: { iteration: 600, numIterations: 600, epoch: 3, numEpochs: 3 } })
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf([]),
      'runs.mosaic': (_id: unknown, epoch: unknown) => mosaic(typeof epoch === 'number' ? epoch : 3, [2]),
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="mosaic-epoch"]').attributes('max')).toBe('1')
    expect(wrapper.get('[data-testid="mosaic-damaged"]').text()).toBe(
      'The saved weights of epoch 2 are damaged and left out.',
    )
    expect(wrapper.find('[data-testid="mosaic-unreadable"]').exists()).toBe(false)
  })

  it('every snapshot damaged: said in place of the mosaic, the rest of the page as ever', async () => {
    const run = makeRun({ config: { name: 'all damaged' } })
    const message =
      'every weight snapshot of this run is damaged (epochs 0, 1): /d/w1-epoch-0.safetensors: bad'
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf([]),
      'runs.mosaic': () => Promise.reject({ code: 'corrupt', message }),
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.get('[data-testid="mosaic-unreadable"]').text()).toBe(
      `Every saved weight snapshot of this run is damaged: ${message}`,
    )
    expect(wrapper.get('[data-testid="run-detail-name"]').text()).toBe('all damaged')
    expect(useAppStore().notices).toEqual([])
  })

  it('a resume refused for want of a checkpoint offers a restart from scratch, which asks for fresh', async () => {
    const run = makeRun({ status: 'interrupted', checkpointEpoch: 4 })
    const t = fakeTransport({
      'runs.get': run,
      'runs.metrics': metricsOf([]),
      'runs.mosaic': null,
      'runs.resume': (_id: unknown, options: unknown) => {
        if ((options as { fresh?: boolean } | undefined)?.fresh)
          return { ...run, status: 'queued', checkpointEpoch: 0 }
        throw {
          code: 'no-checkpoint',
          message: `run ${run.id} cannot resume: no usable checkpoint (last.safetensors: too short)`,
        }
      },
    })
    const { wrapper } = await mountAt(`/runs/${run.id}`, t)
    await flushPromises()
    expect(wrapper.find('[data-testid="resume-fresh-button"]').exists()).toBe(false)
    await wrapper.get('[data-testid="resume-button"]').trigger('click')
    await flushPromises()
    expect(useAppStore().notices.map((n) => n.text)).toEqual([
      expect.stringContaining('no usable checkpoint'),
    ])
    const fresh = wrapper.get('[data-testid="resume-fresh-button"]')
    expect(fresh.text()).toBe('Restart from scratch')
    await fresh.trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.resume']).toHaveBeenLastCalledWith(run.id, { fresh: true })
    expect(wrapper.get('[data-testid="run-detail-status"]').attributes('data-status')).toBe('queued')
    expect(wrapper.find('[data-testid="resume-fresh-button"]').exists()).toBe(false)
  })
})
