// @vitest-environment happy-dom
/** Run management in the views: delete and undo, the trash, archive, bulk tags, the run page's edits. */
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BulkResult, TrashedRun } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import NoticeStack from '../components/NoticeStack.vue'
import { createAppI18n } from '../i18n'
import { useAppStore } from '../stores/app'
import { useManageStore } from '../stores/manage'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun, metricsOf, type FakeTransport } from '../testing/fakeApi'
import { mountAt as mountView } from '../testing/mountView'

vi.mock('../lib/echarts', () => ({
  init: () => ({
    setOption: () => undefined,
    on: () => undefined,
    resize: () => undefined,
    dispose: () => undefined,
  }),
  registerTheme: () => undefined,
}))

// Unmounted after each test: a live app from an earlier test would make its own pinia the active one.
const wrappers: { unmount(): void }[] = []
async function mountAt(path: string, t: FakeTransport) {
  const mounted = await mountView(path, t)
  wrappers.push(mounted.wrapper)
  return mounted
}

afterEach(() => {
  for (const w of wrappers.splice(0)) w.unmount()
  setTransport(null)
  document.body.innerHTML = ''
})

const ok = <T>(done: T[]): BulkResult<T> => ({ done, failed: [] })

/** A fake main that keeps runs and a trash, answering the management methods as main does. */
function fakeMain(runs: RunRecord[]): {
  t: FakeTransport
  trash: Map<string, RunRecord>
  live: Map<string, RunRecord>
} {
  const live = new Map(runs.map((r) => [r.id, r]))
  const trash = new Map<string, RunRecord>()
  const t = fakeTransport({
    'runs.list': () => [...live.values()],
    'runs.queue': { running: [], queued: [] },
    'runs.get': (id: unknown) => {
      const r = live.get(id as string)
      if (!r) throw { code: 'not-found', message: `no run with id ${String(id)}` }
      return r
    },
    'runs.metrics': metricsOf([]),
    'runs.mosaic': null,
    'datasets.list': [],
    'examples.list': [],
    'runs.trash': (ids: unknown, options: unknown) => {
      const r: BulkResult<string> = { done: [], failed: [] }
      for (const id of ids as string[]) {
        const run = live.get(id)!
        if (
          (run.status === 'running' || run.status === 'queued') &&
          !(options as { cancel?: boolean })?.cancel
        ) {
          r.failed.push({ id, code: 'active', message: `run ${id} is training here: cancel it first` })
          continue
        }
        live.delete(id)
        trash.set(id, { ...run, status: run.status === 'running' ? 'cancelled' : run.status })
        r.done.push(id)
      }
      return r
    },
    'runs.restore': (ids: unknown) => {
      const done = (ids as string[]).map((id) => trash.get(id)!)
      for (const r of done) {
        trash.delete(r.id)
        live.set(r.id, r)
      }
      return ok(done)
    },
    'runs.purge': (ids: unknown) => {
      for (const id of ids as string[]) trash.delete(id)
      return ok(ids as string[])
    },
    'runs.trashed': (): TrashedRun[] =>
      [...trash.values()].map((run) => ({
        run,
        trashedAt: '2026-11-26T12:30:00.000Z',
        sweepId: run.sweepId,
      })),
    'runs.edit': (ids: unknown, edit: unknown) => {
      const e = edit as {
        name?: string
        notes?: string
        addTags?: string[]
        removeTags?: string[]
        archived?: boolean
      }
      if (e.name !== undefined && e.name.trim() === '') {
        throw {
          code: 'invalid-argument',
          message: 'edit.name: a name is required',
          fields: [{ path: 'edit.name', message: 'a name is required' }],
        }
      }
      const done = (ids as string[]).map((id) => {
        const r = live.get(id)!
        const tags = r.config.tags.filter((x) => !(e.removeTags ?? []).includes(x))
        for (const x of e.addTags ?? []) if (!tags.includes(x)) tags.push(x)
        const next: RunRecord = {
          ...r,
          config: {
            ...r.config,
            name: e.name?.trim() ?? r.config.name,
            notes: e.notes ?? r.config.notes,
            tags,
          },
          archived: e.archived ?? r.archived ?? false,
        }
        live.set(id, next)
        return next
      })
      return ok(done)
    },
    'runs.create': (config: unknown) =>
      makeRun({ status: 'queued', config: config as Record<string, unknown> }),
  })
  return { t, trash, live }
}

async function experiments(runs: RunRecord[]) {
  const main = fakeMain(runs)
  const mounted = await mountAt('/experiments', main.t)
  await useRunsStore().load()
  await flushPromises()
  return { ...mounted, ...main }
}

const rowNames = (w: { findAll: (s: string) => { text: () => string }[] }): string[] =>
  w.findAll('[data-testid="run-row"] [data-testid="run-link"]').map((a) => a.text())

describe('experiments: delete, undo, archive, bulk tags', () => {
  it('a row’s delete button moves the run to the trash; the notice’s Undo brings it back', async () => {
    const a = makeRun({ config: { name: 'alpha' } })
    const b = makeRun({ config: { name: 'beta' } })
    const { wrapper, t } = await experiments([a, b])
    const row = wrapper.get(`[data-testid="run-row"][data-run-id="${a.id}"]`)
    await row.get('[data-testid="row-delete"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.trash']).toHaveBeenCalledWith([a.id], {})
    expect(rowNames(wrapper)).toEqual(['beta'])
    const app = useAppStore()
    const notice = app.notices.find((n) => n.action)!
    expect(notice.text).toBe('Moved 1 run to the trash.')
    expect(notice.action!.label).toBe('Undo')
    app.act(notice.id)
    await flushPromises()
    expect(t.api.mocks['runs.restore']).toHaveBeenCalledWith([a.id])
    expect(rowNames(wrapper).sort()).toEqual(['alpha', 'beta'])
    expect(app.notices.some((n) => n.id === notice.id)).toBe(false)
    expect(app.notices.at(-1)!.text).toBe('Restored 1 run.')
  })

  it('the Delete key deletes the selection; a training run is cancelled first only once the user agrees', async () => {
    const done = makeRun({ config: { name: 'done' } })
    const training = makeRun({ config: { name: 'training' }, status: 'running' })
    const { wrapper, t } = await experiments([done, training])
    const runs = useRunsStore()
    runs.selected = [done.id, training.id]
    await flushPromises()
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }))
    await flushPromises()
    const dialog = wrapper.get('[data-testid="confirm-dialog"]')
    expect(dialog.text()).toContain('1 of these runs is queued or training')
    await dialog.get('[data-testid="confirm-no"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.trash']).not.toHaveBeenCalled()
    expect(rowNames(wrapper)).toHaveLength(2)

    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }))
    await flushPromises()
    await wrapper.get('[data-testid="confirm-yes"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.trash']).toHaveBeenCalledWith([done.id, training.id], { cancel: true })
    expect(rowNames(wrapper)).toEqual([])
    expect(runs.selected).toEqual([])
    expect(useAppStore().notices.find((n) => n.action)!.text).toBe('Moved 2 runs to the trash.')
  })

  it('the Delete key does nothing while typing in the filter', async () => {
    const a = makeRun({ config: { name: 'kept' } })
    const { wrapper, t } = await experiments([a])
    useRunsStore().selected = [a.id]
    const input = wrapper.get('[data-testid="runs-filter"]').element as HTMLInputElement
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Backspace', bubbles: true }))
    await flushPromises()
    expect(t.api.mocks['runs.trash']).not.toHaveBeenCalled()
  })

  it('a run that started meanwhile is asked about when main refuses it', async () => {
    const a = makeRun({ config: { name: 'looks done' } })
    const { wrapper, t, live } = await experiments([a])
    // Main knows better: it queued the run again meanwhile.
    live.set(a.id, { ...a, status: 'queued' })
    await wrapper.get('[data-testid="row-delete"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('This run is queued or training')
    await wrapper.get('[data-testid="confirm-yes"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.trash'].mock.calls).toEqual([
      [[a.id], {}],
      [[a.id], { cancel: true }],
    ])
    expect(rowNames(wrapper)).toEqual([])
  })

  it('archived runs are hidden by default; the filter shows them with a chip, or alone', async () => {
    const shown = makeRun({ config: { name: 'shown' } })
    const hidden = makeRun({ config: { name: 'hidden' }, archived: true })
    const { wrapper } = await experiments([shown, hidden])
    expect(rowNames(wrapper)).toEqual(['shown'])
    const filter = wrapper.get('[data-testid="filter-archived"]')
    expect(filter.find('option[value="hide"]').text()).toBe('Without archived (1 archived)')
    await filter.setValue('show')
    expect(rowNames(wrapper).sort()).toEqual(['hidden', 'shown'])
    expect(wrapper.get(`[data-run-id="${hidden.id}"] [data-testid="run-archived"]`).text()).toBe('Archived')
    await filter.setValue('only')
    expect(rowNames(wrapper)).toEqual(['hidden'])
  })

  it('bulk actions: archive, then tag and untag the selection', async () => {
    const a = makeRun({ config: { name: 'a' } })
    const b = makeRun({ config: { name: 'b', tags: ['old'] } })
    const { wrapper, t } = await experiments([a, b])
    useRunsStore().selected = [a.id, b.id]
    await flushPromises()
    await wrapper.get('[data-testid="bulk-tag-input"]').setValue('baseline')
    await wrapper.get('[data-testid="bulk-tag-add"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([a.id, b.id], { addTags: ['baseline'] })
    expect(wrapper.get(`[data-run-id="${b.id}"] [data-testid="run-tags"]`).text()).toContain('baseline')
    expect(useAppStore().notices.at(-1)!.text).toBe('Tagged 2 runs “baseline”.')
    await wrapper.get('[data-testid="bulk-tag-input"]').setValue('old')
    await wrapper.get('[data-testid="bulk-tag-remove"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([a.id, b.id], { removeTags: ['old'] })
    await wrapper.get('[data-testid="bulk-archive"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([a.id, b.id], { archived: true })
    expect(rowNames(wrapper)).toEqual([])
  })

  it('a run removed in another window leaves the table and the selection', async () => {
    const a = makeRun({ config: { name: 'elsewhere' } })
    const { wrapper, t } = await experiments([a])
    useRunsStore().selected = [a.id]
    t.api.emit('runRemoved', { id: a.id })
    await flushPromises()
    expect(rowNames(wrapper)).toEqual([])
    expect(useRunsStore().selected).toEqual([])
  })
})

describe('the trash view', () => {
  it('lists deleted runs; restore and delete forever (after asking); empty trash', async () => {
    const a = makeRun({ config: { name: 'gone a' }, sweepId: 'sweep-20261126-120000-abcdef' })
    const b = makeRun({ config: { name: 'gone b' } })
    const c = makeRun({ config: { name: 'gone c' } })
    const main = fakeMain([a, b, c])
    const { wrapper } = await mountAt('/trash', main.t)
    expect(wrapper.get('[data-testid="trash-empty-note"]').text()).toBe('The trash is empty.')
    await useManageStore().deleteRuns([a.id, b.id, c.id])
    await useManageStore().loadTrash()
    await flushPromises()
    const rows = () => wrapper.findAll('[data-testid="trash-row"]')
    expect(
      rows()
        .map((r) => r.get('[data-testid="trash-name"]').text())
        .sort(),
    ).toEqual(['gone a', 'gone b', 'gone c'])
    expect(wrapper.get(`[data-testid="trash-row"][data-run-id="${a.id}"]`).text()).toContain(
      'sweep-20261126-120000-abcdef',
    )

    await wrapper.get(`[data-run-id="${a.id}"] [data-testid="trash-restore"]`).trigger('click')
    await flushPromises()
    expect(main.t.api.mocks['runs.restore']).toHaveBeenCalledWith([a.id])
    expect(rows()).toHaveLength(2)
    expect(useRunsStore().byId[a.id]?.config.name).toBe('gone a')

    await wrapper.get(`[data-run-id="${b.id}"] [data-testid="trash-purge"]`).trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain('“gone b” is deleted for good')
    await wrapper.get('[data-testid="confirm-yes"]').trigger('click')
    await flushPromises()
    expect(main.t.api.mocks['runs.purge']).toHaveBeenCalledWith([b.id])
    expect(rows()).toHaveLength(1)

    await wrapper.get('[data-testid="trash-empty"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="confirm-dialog"]').text()).toContain(
      'The 1 run in the trash is deleted for good',
    )
    await wrapper.get('[data-testid="confirm-yes"]').trigger('click')
    await flushPromises()
    expect(main.t.api.mocks['runs.purge']).toHaveBeenLastCalledWith([c.id])
    expect(wrapper.find('[data-testid="trash-empty-note"]').exists()).toBe(true)
  })

  it('reads the trash again when another window changes it', async () => {
    vi.useFakeTimers()
    try {
      const a = makeRun({ config: { name: 'other window' } })
      const main = fakeMain([a])
      await mountAt('/trash', main.t)
      await flushPromises()
      main.trash.set(a.id, a)
      main.t.api.emit('trash', { ids: [a.id] })
      main.t.api.emit('trash', { ids: [a.id] })
      await vi.advanceTimersByTimeAsync(300)
      expect(main.t.api.mocks['runs.trashed']).toHaveBeenCalledTimes(2)
      expect(useManageStore().trashCount).toBe(1)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('the run page', () => {
  async function runPage(run: RunRecord) {
    const main = fakeMain([run])
    const mounted = await mountAt(`/runs/${run.id}`, main.t)
    await flushPromises()
    return { ...mounted, ...main }
  }

  it('renames in place: Enter saves; a refused name says why next to it', async () => {
    const run = makeRun({ config: { name: 'old name' } })
    const { wrapper, t } = await runPage(run)
    await wrapper.get('[data-testid="rename-button"]').trigger('click')
    const input = wrapper.get('[data-testid="rename-input"]')
    expect((input.element as HTMLInputElement).value).toBe('old name')
    await input.setValue('   ')
    await wrapper.get('[data-testid="rename-form"]').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="rename-error"]').text()).toBe('a name is required')
    await input.setValue('lr 1e-3, reg 0.1')
    await wrapper.get('[data-testid="rename-form"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([run.id], { name: 'lr 1e-3, reg 0.1' })
    expect(wrapper.get('[data-testid="run-detail-name"]').text()).toBe('lr 1e-3, reg 0.1')
  })

  it('adds and removes tags as chips', async () => {
    const run = makeRun({ config: { name: 'tagged', tags: ['keep', 'drop'] } })
    const { wrapper, t } = await runPage(run)
    const chips = () => wrapper.findAll('[data-testid="run-tag-chip"]').map((c) => c.attributes('data-tag'))
    expect(chips()).toEqual(['keep', 'drop'])
    await wrapper.get('[data-tag="drop"] [data-testid="run-tag-remove"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([run.id], { removeTags: ['drop'] })
    await wrapper.get('[data-testid="run-tag-add"]').trigger('click')
    await wrapper.get('[data-testid="run-tag-input"]').setValue('best')
    await wrapper.get('[data-testid="run-tag-input"]').trigger('submit')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([run.id], { addTags: ['best'] })
    expect(chips()).toEqual(['keep', 'best'])
  })

  it('edits multi-line notes and shows them as written', async () => {
    const run = makeRun({ config: { name: 'noted' } })
    const { wrapper, t } = await runPage(run)
    expect(wrapper.get('[data-testid="run-notes"]').text()).toContain('No notes yet')
    await wrapper.get('[data-testid="notes-edit"]').trigger('click')
    await wrapper.get('[data-testid="notes-input"]').setValue('lr too high?\nloss flat after epoch 3')
    await wrapper.get('[data-testid="notes-input"]').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([run.id], {
      notes: 'lr too high?\nloss flat after epoch 3',
    })
    expect(wrapper.get('[data-testid="notes-text"]').element.textContent).toBe(
      'lr too high?\nloss flat after epoch 3',
    )
  })

  it('deletes from the More menu and goes back to the experiments, with Undo', async () => {
    const run = makeRun({ config: { name: 'doomed' } })
    const { wrapper, router, t } = await runPage(run)
    await wrapper.get('[data-testid="delete-run"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.trash']).toHaveBeenCalledWith([run.id], {})
    expect(router.currentRoute.value.path).toBe('/experiments')
    expect(useAppStore().notices.find((n) => n.action)?.action?.label).toBe('Undo')
  })

  it('archives and unarchives from the More menu', async () => {
    const run = makeRun({ config: { name: 'tidy' } })
    const { wrapper, t } = await runPage(run)
    await wrapper.get('[data-testid="archive-run"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['runs.edit']).toHaveBeenLastCalledWith([run.id], { archived: true })
    expect(wrapper.get('[data-testid="run-detail-archived"]').text()).toBe('Archived')
    expect(wrapper.get('[data-testid="archive-run"]').text()).toBe('Unarchive')
  })

  it('"New run from this" opens the form filled with its config, seed included, notes left behind', async () => {
    const run = makeRun({
      config: {
        name: 'source',
        tags: ['fc'],
        notes: 'about its result',
        seed: 1234,
        solver: { optimConfig: { learningRate: 3e-4 }, batchSize: 64 },
      },
    })
    const { wrapper, router } = await runPage(run)
    await wrapper.get('[data-testid="new-from-run"]').trigger('click')
    // The form is loaded when first opened (a lazy route).
    await vi.waitFor(() => expect(wrapper.find('[data-testid="run-draft-note"]').exists()).toBe(true), {
      timeout: 15_000,
    })
    expect(router.currentRoute.value.path).toBe('/new')
    expect(wrapper.get('[data-testid="run-draft-note"]').text()).toContain('“source”')
    const value = (field: string) =>
      (wrapper.get(`[data-testid="field-${field}"]`).element as HTMLInputElement).value
    expect(value('name')).toBe('source')
    expect(value('solver.optimConfig.learningRate')).toBe('0.0003')
    expect(value('solver.batchSize')).toBe('64')
    expect(value('seed')).toBe('1234')
    expect(value('notes')).toBe('')
  })

  it('"Run again with another seed" queues the same config without its seed and opens the new run', async () => {
    const run = makeRun({ config: { name: 'again', seed: 99, notes: 'n' } })
    const { wrapper, router, t } = await runPage(run)
    await wrapper.get('[data-testid="rerun-new-seed"]').trigger('click')
    await flushPromises()
    const sent = t.api.mocks['runs.create'].mock.calls[0]![0] as Record<string, unknown>
    expect(sent).not.toHaveProperty('seed')
    expect(sent).toMatchObject({
      name: 'again',
      notes: '',
      dataset: run.config.dataset,
      model: run.config.model,
    })
    expect(router.currentRoute.value.path).toMatch(/^\/runs\/run-/)
    expect(router.currentRoute.value.path).not.toBe(`/runs/${run.id}`)
  })
})

describe('NoticeStack', () => {
  it('shows a notice’s action button, which reports it', async () => {
    const w = mount(NoticeStack, {
      props: {
        notices: [
          {
            id: 7,
            text: 'Moved 1 run to the trash.',
            kind: 'info',
            action: { label: 'Undo', run: () => undefined },
          },
        ],
      },
      global: { plugins: [createAppI18n('en')] },
    })
    await w.get('[data-testid="notice-action"]').trigger('click')
    expect(w.emitted('act')).toEqual([[7]])
  })
})

describe('the sweep view', () => {
  async function sweepPage(method: 'random' | 'grid', more: Parameters<typeof fakeTransport>[0] = {}) {
    const { seedSweep } = await import('../testing/sweepFixtures')
    const data = seedSweep('sw-1')
    if (method === 'grid') {
      data.sweep = { ...data.sweep, spec: { ...data.sweep.spec, method: 'grid', samples: undefined } }
    }
    const added = makeRun({ sweepId: 'sw-1', status: 'queued', config: { name: 'coarse #9' } })
    const again = makeRun({ sweepId: 'sw-2', status: 'queued', config: { name: 'coarse #1' } })
    const t = fakeTransport({
      'sweeps.get': (id: unknown) => {
        if (id === 'sw-2') return { sweep: { ...data.sweep, id: 'sw-2' }, runs: [again], corrupt: [] }
        return structuredClone(data)
      },
      'sweeps.extend': { sweepId: 'sw-1', runs: [added] },
      'sweeps.rerun': { sweepId: 'sw-2', runs: [again] },
      'datasets.list': [],
      'examples.list': [],
      ...more,
    })
    const mounted = await mountAt('/sweeps/sw-1', t)
    return { ...mounted, t }
  }

  it('extends a random sweep by N samples and says so', async () => {
    const { wrapper, t } = await sweepPage('random')
    await wrapper.get('[data-testid="sweep-extend-count"]').setValue('3')
    await wrapper.get('[data-testid="sweep-extend"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['sweeps.extend']).toHaveBeenCalledWith('sw-1', 3)
    expect(t.api.mocks['sweeps.get']).toHaveBeenCalledTimes(2)
    expect(useAppStore().notices.at(-1)!.text).toBe('Added 1 run to the sweep.')
  })

  it('with a cluster configured, the extension and the rerun train where the user chooses', async () => {
    const cluster = {
      configured: true,
      address: 'redis://:***@10.0.0.5:6379',
      queue: 'workbench',
      state: 'ready',
      message: null,
      workers: [{ host: 'lab-1', cpu: 'AMD EPYC', cores: 8, concurrency: 2 }],
      slots: 2,
      waiting: 0,
      training: 0,
    }
    const { wrapper, t } = await sweepPage('random', { 'cluster.status': cluster })
    await flushPromises()
    const manage = wrapper.get('[data-testid="sweep-manage"]')
    expect(manage.get('[data-testid="train-on"]').text()).toContain('cluster (1 worker)')
    await manage.get('[data-testid="train-on-cluster"]').setValue(true)
    await wrapper.get('[data-testid="sweep-extend-count"]').setValue('2')
    await wrapper.get('[data-testid="sweep-extend"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['sweeps.extend']).toHaveBeenCalledWith('sw-1', 2, { trainOn: 'cluster' })
    await manage.get('[data-testid="train-on-local"]').setValue(true)
    await wrapper.get('[data-testid="sweep-rerun"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['sweeps.rerun']).toHaveBeenCalledWith('sw-1', { trainOn: 'local' })
  })

  it('runs a sweep again and opens the new one; a grid sweep offers no extension', async () => {
    const { wrapper, t, router } = await sweepPage('grid')
    const extend = wrapper.get('[data-testid="sweep-extend"]')
    expect(extend.attributes('disabled')).toBeDefined()
    expect(wrapper.get('form.extend').attributes('title')).toContain(
      'A grid sweep runs every combination already',
    )
    await wrapper.get('[data-testid="sweep-rerun"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['sweeps.rerun']).toHaveBeenCalledWith('sw-1')
    expect(router.currentRoute.value.path).toBe('/sweeps/sw-2')
  })
})

describe('a run page whose run is deleted elsewhere', () => {
  it('says the run is in the trash, and shows it again when it is restored', async () => {
    const run = makeRun({ config: { name: 'watched' } })
    const main = fakeMain([run])
    const { wrapper } = await mountAt(`/runs/${run.id}`, main.t)
    await flushPromises()
    main.t.api.emit('runRemoved', { id: run.id })
    await flushPromises()
    expect(wrapper.get('[data-testid="run-trashed"]').text()).toContain('This run was moved to the trash.')
    main.t.api.emit('run', run)
    await flushPromises()
    expect(wrapper.get('[data-testid="run-detail-name"]').text()).toBe('watched')
  })
})

describe('the compare view', () => {
  it('shows each run’s notes under its name in the differences table', async () => {
    const a = makeRun({ config: { name: 'with notes', notes: 'lr too high?\nloss flat' } })
    const b = makeRun({ config: { name: 'without', solver: { optimConfig: { learningRate: 1e-2 } } } })
    const main = fakeMain([a, b])
    const { wrapper } = await mountAt(`/compare?ids=${a.id},${b.id}`, main.t)
    await flushPromises()
    const notes = wrapper.findAll('[data-testid="diff-row"]').map((r) => r.find('[data-testid="diff-notes"]'))
    expect(notes[0]!.element.textContent).toBe('lr too high?\nloss flat')
    expect(notes[1]!.exists()).toBe(false)
  })
})
