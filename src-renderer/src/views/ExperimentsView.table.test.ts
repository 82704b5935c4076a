// @vitest-environment happy-dom
/** The experiments table at scale: best-first sorts, the column chooser and saved view, the filter
 * language's errors in both languages, every model kind in the model filter, and windowed rows. */
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import type { BulkResult } from '../../../src-shared/contract'
import type { RunRecord } from '../../../src-shared/runs'
import { setTransport } from '../api'
import type { Locale } from '../i18n/locale'
import { VIEW_STORAGE_KEY } from '../lib/tableView'
import { useRunsStore } from '../stores/runs'
import { fakeTransport, makeRun } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'

const result = (best: number): RunRecord['result'] => ({
  bestValAcc: best,
  finalTrainAcc: best + 0.05,
  finalValAcc: best - 0.01,
  valAcc: best,
  testAcc: best - 0.02,
  confusion: [],
  classNames: [],
})

function fixture(): RunRecord[] {
  return [
    makeRun({ config: { name: 'mid', tags: ['baseline'] }, result: result(0.5) }),
    makeRun({ config: { name: 'training' }, status: 'running', result: null }),
    makeRun({
      config: {
        name: 'conv best',
        model: { kind: 'three-layer-conv', numFilters: 16 },
        solver: { optimConfig: { learningRate: 1e-4 } },
      },
      result: result(0.9),
    }),
    makeRun({
      config: { name: 'worst', model: { kind: 'two-layer', reg: 0.5 } },
      result: result(0.1),
    }),
  ]
}

async function setup(runs: RunRecord[] = fixture(), locale: Locale = 'en') {
  const t = fakeTransport({
    'runs.list': runs,
    'runs.queue': { running: [], queued: [] },
    'runs.trashed': [],
    'runs.trash': (ids: unknown): BulkResult<string> => ({ done: ids as string[], failed: [] }),
  })
  const mounted = await mountAt('/experiments', t, locale)
  await useRunsStore().load()
  await flushPromises()
  return { ...mounted, t }
}

type Wrapper = Awaited<ReturnType<typeof setup>>['wrapper']
const rowNames = (w: Wrapper): string[] =>
  w.findAll('[data-testid="run-row"] [data-testid="run-link"]').map((a) => a.text())
const rowOf = (w: Wrapper, name: string) =>
  w.findAll('[data-testid="run-row"]').find((r) => r.find('[data-testid="run-link"]').text() === name)!
const headers = (w: Wrapper): string[] =>
  w.findAll('thead th[data-col]').map((th) => th.attributes('data-col')!)

afterEach(() => {
  setTransport(null)
  localStorage.clear()
  document.body.innerHTML = ''
})

describe('sorting', () => {
  it('sorts best validation accuracy best first on the first click, worst first on the second, unfinished runs last both times', async () => {
    const { wrapper } = await setup()
    const sort = wrapper.get('[data-testid="sort-bestVal"]')
    await sort.trigger('click')
    expect(rowNames(wrapper)).toEqual(['conv best', 'mid', 'worst', 'training'])
    expect(wrapper.get('th[data-col="bestVal"]').attributes('aria-sort')).toBe('descending')
    await sort.trigger('click')
    expect(rowNames(wrapper)).toEqual(['worst', 'mid', 'conv best', 'training'])
    await sort.trigger('click')
    expect(wrapper.get('th[data-col="bestVal"]').attributes('aria-sort')).toBe('none')
  })

  it('sorts the learning rate small first, as numbers', async () => {
    const { wrapper } = await setup()
    await wrapper.get('[data-testid="sort-lr"]').trigger('click')
    expect(rowNames(wrapper)[0]).toBe('conv best')
  })
})

describe('the column chooser and the saved view', () => {
  it('offers every config field and result, and shows what is chosen', async () => {
    const { wrapper } = await setup()
    await wrapper.get('[data-testid="column-chooser"]').trigger('click')
    const panel = wrapper.get('[data-testid="column-chooser-panel"]')
    for (const key of [
      'finalTrain',
      'speed',
      'tags',
      'notes',
      'config:model.numFilters',
      'config:solver.optimConfig.momentum',
      'config:solver.updateRule',
      'config:model.hiddenDims',
      'config:seed',
    ]) {
      expect(panel.find(`[data-testid="column-toggle-${key}"]`).exists(), key).toBe(true)
    }
    expect(panel.text()).toContain('only Three-layer conv net')
    await panel.get('[data-testid="column-toggle-config:model.numFilters"]').setValue(true)
    await panel.get('[data-testid="column-toggle-reg"]').setValue(false)
    await panel.get('[data-testid="column-toggle-speed"]').setValue(true)
    expect(headers(wrapper)).toContain('config:model.numFilters')
    expect(headers(wrapper)).not.toContain('reg')
    expect(rowOf(wrapper, 'conv best').get('td[data-col="config:model.numFilters"]').text()).toBe('16')
    // A two-layer net has no filters.
    expect(wrapper.get('[data-testid="run-row"]').get('td[data-col="config:model.numFilters"]').text()).toBe(
      '—',
    )
    expect(wrapper.get('th[data-col="config:model.numFilters"]').text()).toContain('Filters')
  })

  it('keeps the columns and the sort across a reload', async () => {
    const first = await setup()
    await first.wrapper.get('[data-testid="column-chooser"]').trigger('click')
    await first.wrapper.get('[data-testid="column-toggle-notes"]').setValue(true)
    await first.wrapper.get('[data-testid="sort-bestVal"]').trigger('click')
    await flushPromises()
    expect(JSON.parse(localStorage.getItem(VIEW_STORAGE_KEY)!)).toMatchObject({
      sortKey: 'bestVal',
      sortDir: 'desc',
    })
    first.wrapper.unmount()

    const second = await setup()
    expect(headers(second.wrapper)).toContain('notes')
    expect(rowNames(second.wrapper)).toEqual(['conv best', 'mid', 'worst', 'training'])
    await second.wrapper.get('[data-testid="column-chooser"]').trigger('click')
    await second.wrapper.get('[data-testid="columns-reset"]').trigger('click')
    expect(headers(second.wrapper)).not.toContain('notes')
  })

  it('shows tags in their own column once it is chosen, instead of under the name', async () => {
    const { wrapper } = await setup()
    const mid = () => rowOf(wrapper, 'mid')
    expect(mid().get('td.col-name').text()).toContain('baseline')
    await wrapper.get('[data-testid="column-chooser"]').trigger('click')
    await wrapper.get('[data-testid="column-toggle-tags"]').setValue(true)
    expect(mid().get('td.col-name').text()).not.toContain('baseline')
    expect(mid().get('td[data-col="tags"]').text()).toBe('baseline')
  })
})

describe('the filter box', () => {
  it('a filter still waiting to reach the URL does not pull the user back from the page they left', async () => {
    const { wrapper, router } = await setup()
    await wrapper.get('[data-testid="runs-filter"]').setValue('model:conv')
    // Left before the URL write (300 ms after typing) was due, as the C shortcut does, to a page that
    // takes a while to load (a lazy chunk on a slow machine): the navigation is still pending at 300 ms.
    router.beforeResolve(() => new Promise<void>((r) => setTimeout(r, 600)))
    await router.push('/trash')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/trash')
  })

  it('combines conditions with or, not and parentheses', async () => {
    const { wrapper } = await setup()
    const box = wrapper.get('[data-testid="runs-filter"]')
    await box.setValue('(lr < 1e-3 or reg > 0.1) and not tag:baseline')
    expect(rowNames(wrapper)).toEqual(['worst', 'conv best'])
    await box.setValue('not (model:conv or best < 20%)')
    expect(rowNames(wrapper)).toEqual(['mid'])
  })

  it('says what is wrong and where, keeping the last filter it could read', async () => {
    const { wrapper } = await setup()
    const box = wrapper.get('[data-testid="runs-filter"]')
    await box.setValue('model:conv')
    expect(rowNames(wrapper)).toEqual(['conv best'])
    await box.setValue('model:conv or reg > abc')
    const note = wrapper.get('[data-testid="filter-error"]')
    expect(note.attributes('data-code')).toBe('notNumber')
    expect(note.get('[data-testid="filter-error-where"]').text()).toBe('Character 21:')
    expect(note.get('[data-testid="filter-error-message"]').text()).toBe(
      '“abc” is not a number: “reg >” needs one, such as 0.001 or 1e-3.',
    )
    expect(note.get('mark.bad').text()).toBe('abc')
    expect(box.attributes('aria-invalid')).toBe('true')
    expect(rowNames(wrapper)).toEqual(['conv best'])
    expect(wrapper.find('[data-testid="runs-no-match"]').exists()).toBe(false)

    await box.setValue('lr <')
    expect(wrapper.get('[data-testid="filter-error-where"]').text()).toBe('At the end:')
    expect(wrapper.get('[data-testid="filter-error-message"]').text()).toBe(
      'a number is missing after “lr <”.',
    )
    expect(wrapper.find('[data-testid="filter-error-caret"]').exists()).toBe(true)

    await box.setValue('(best > 0.5')
    expect(wrapper.get('[data-testid="filter-error"]').attributes('data-code')).toBe('unclosedParen')
    await box.setValue('lrr < 1')
    expect(wrapper.get('[data-testid="filter-error-message"]').text()).toBe(
      'there is no field “lrr” to compare. Did you mean “lr”?',
    )
    await box.setValue('')
    expect(wrapper.find('[data-testid="filter-error"]').exists()).toBe(false)
    expect(rowNames(wrapper)).toHaveLength(4)
  })

  it('says it in Chinese too', async () => {
    const { wrapper } = await setup(fixture(), 'zh-CN')
    await wrapper.get('[data-testid="runs-filter"]').setValue('reg > abc')
    expect(wrapper.get('[data-testid="filter-error-where"]').text()).toBe('第 7 个字符：')
    expect(wrapper.get('[data-testid="filter-error-message"]').text()).toBe(
      '“abc”不是数字：“reg >”需要一个数字，例如 0.001 或 1e-3。',
    )
    await wrapper.get('[data-testid="runs-filter"]').setValue('a or')
    expect(wrapper.get('[data-testid="filter-error-message"]').text()).toBe('“or”两边都需要条件或词语。')
  })

  it('lists every model kind in the model filter, conv nets included', async () => {
    const { wrapper } = await setup()
    const select = wrapper.get('[data-testid="filter-model"]')
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual([
      '',
      'two-layer',
      'fc',
      'three-layer-conv',
    ])
    await select.setValue('three-layer-conv')
    expect(rowNames(wrapper)).toEqual(['conv best'])
  })
})

describe('a long table', () => {
  const many = (n: number): RunRecord[] =>
    Array.from({ length: n }, (_, i) =>
      makeRun({ config: { name: `run ${String(i).padStart(4, '0')}` }, result: result(i / n) }),
    )

  it('renders a window of rows with spacers for the rest, and follows the scroll', async () => {
    const runs = many(1000)
    const { wrapper } = await setup(runs)
    const scroll = wrapper.get('[data-testid="runs-scroll"]')
    expect(scroll.attributes('data-windowed')).toBe('true')
    const drawn = wrapper.findAll('[data-testid="run-row"]')
    expect(drawn.length).toBeGreaterThan(10)
    expect(drawn.length).toBeLessThan(100)
    expect(wrapper.find('[data-testid="rows-above"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="rows-below"] td').attributes('style')).toMatch(/height: \d+px/)
    expect(wrapper.get('[data-testid="runs-count"]').text()).toBe('1000 of 1000 runs')

    // Newest first: the store's last run is the first row. Scrolled to the middle, the middle rows show.
    const el = scroll.element as HTMLElement
    el.scrollTop = 37 * 500
    el.dispatchEvent(new Event('scroll'))
    await flushPromises()
    const names = rowNames(wrapper)
    expect(names).toContain('run 0499')
    expect(names).not.toContain('run 0999')
    expect(wrapper.find('[data-testid="rows-above"]').exists()).toBe(true)
  })

  it('selects every run shown, drawn or not, and the Delete key moves them to the trash', async () => {
    const runs = many(400)
    const { wrapper, t } = await setup(runs)
    await wrapper.get('[data-testid="runs-filter"]').setValue('best >= 50%')
    expect(wrapper.get('[data-testid="runs-count"]').text()).toBe('200 of 400 runs')
    await wrapper.get('[data-testid="select-all"]').setValue(true)
    expect(useRunsStore().selected).toHaveLength(200)
    ;(document.activeElement as HTMLElement | null)?.blur()
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }))
    await flushPromises()
    expect(t.api.mocks['runs.trash']).toHaveBeenCalledTimes(1)
    expect((t.api.mocks['runs.trash']!.mock.calls[0]![0] as string[]).length).toBe(200)
  })

  it('comes back to the rows it showed after another page', async () => {
    const { wrapper, router } = await setup(many(1000))
    const box = () => wrapper.get('[data-testid="runs-scroll"]').element as HTMLElement
    box().scrollTop = 37 * 600
    box().dispatchEvent(new Event('scroll'))
    await flushPromises()
    expect(rowNames(wrapper)).toContain('run 0399')
    await router.push('/trash')
    await flushPromises()
    expect(wrapper.find('[data-testid="runs-scroll"]').exists()).toBe(false)
    await router.push('/experiments')
    await flushPromises()
    expect(box().scrollTop).toBe(37 * 600)
    expect(rowNames(wrapper)).toContain('run 0399')
  })

  it('starts a new sort at its top', async () => {
    const { wrapper } = await setup(many(1000))
    const el = wrapper.get('[data-testid="runs-scroll"]').element as HTMLElement
    el.scrollTop = 37 * 500
    el.dispatchEvent(new Event('scroll'))
    await flushPromises()
    await wrapper.get('[data-testid="sort-bestVal"]').trigger('click')
    await flushPromises()
    expect(el.scrollTop).toBe(0)
    expect(rowNames(wrapper)[0]).toBe('run 0999')
  })
})
