// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from './App.vue'
import { setTransport } from './api'
import { createAppI18n } from './i18n'
import { routes } from './router'
import { useRunsStore } from './stores/runs'
import { fakeTransport, makeRun } from './testing/fakeApi'

const a = makeRun({ status: 'completed', config: { name: 'run a' } })
const b = makeRun({ status: 'completed', config: { name: 'run b' } })

beforeEach(() => {
  setTransport(
    fakeTransport({
      'app.info': { mode: 'browser' },
      'runs.list': [a, b],
      'runs.queue': { running: [], queued: [] },
      'datasets.list': [],
      'examples.list': [],
    }),
  )
  setActivePinia(createPinia())
})
const mounted: { unmount(): void }[] = []
afterEach(() => {
  // Each app's keydown listener goes with it.
  mounted.splice(0).forEach((w) => w.unmount())
  setTransport(null)
  document.body.innerHTML = ''
})

async function mountApp(locale: 'en' | 'zh-CN' = 'en') {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/experiments')
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [createAppI18n(locale), router] },
  })
  mounted.push(wrapper)
  await router.isReady()
  await flushPromises()
  return { wrapper, router }
}

const press = async (key: string, init: KeyboardEventInit = {}): Promise<void> => {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }))
  await flushPromises()
}

describe('keyboard shortcuts', () => {
  it('n opens the new-run form, / searches the runs from any page', async () => {
    const { router } = await mountApp()
    await press('n')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/new'), { timeout: 15_000 })
    await press('/')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/experiments'))
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-testid')).toBe('runs-filter'))
    // Typed into the filter box, a letter is text, not a shortcut.
    const filter = document.activeElement as HTMLInputElement
    filter.dispatchEvent(new KeyboardEvent('keydown', { key: 'n', bubbles: true, cancelable: true }))
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/experiments')
  })

  it('c compares the selected runs, and says why not with fewer than two', async () => {
    const { wrapper, router } = await mountApp()
    await press('c')
    expect(wrapper.get('[data-testid="notice"]').text()).toContain('Select two or more runs')
    expect(router.currentRoute.value.path).toBe('/experiments')
    useRunsStore().selected = [a.id, b.id]
    // The compare view itself (charts) is not this test's: the navigation it asks for is.
    const push = vi.spyOn(router, 'push').mockResolvedValue(undefined)
    await press('c')
    expect(push).toHaveBeenCalledWith({ name: 'compare', query: { ids: `${a.id},${b.id}` } })
  })

  it('? shows every bound shortcut, in the UI’s language; Escape and the header’s button', async () => {
    const { wrapper, router } = await mountApp('zh-CN')
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(false)
    await press('?', { shiftKey: true })
    const help = wrapper.get('[data-testid="shortcut-help"]')
    expect(help.text()).toContain('键盘快捷键')
    for (const id of ['new-run', 'search', 'compare', 'help'])
      expect(help.find(`[data-testid="shortcut-key-${id}"]`).exists()).toBe(true)
    // Delete belongs to the table's bulk actions: listed while the experiments page binds it, gone elsewhere.
    expect(help.find('[data-testid="shortcut-key-delete"]').exists()).toBe(true)
    expect(help.find('[data-testid="shortcut-key-delete-backspace"]').exists()).toBe(false)
    expect(help.text()).toContain('新建训练')
    await router.push('/trash')
    await flushPromises()
    expect(wrapper.find('[data-testid="shortcut-key-delete"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="shortcut-key-new-run"]').exists()).toBe(true)
    await press('Escape')
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(false)
    await wrapper.get('[data-testid="shortcut-help-button"]').trigger('click')
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(true)
    await wrapper.get('[data-testid="shortcut-help-backdrop"]').trigger('click')
    expect(wrapper.find('[data-testid="shortcut-help"]').exists()).toBe(false)
  })
})
