// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '../App.vue'
import { setTransport } from '../api'
import { createAppI18n } from '../i18n'
import { routes } from '../router'
import { fakeTransport } from '../testing/fakeApi'
import { mountAt } from '../testing/mountView'
import { settingsInfo } from '../testing/settingsFixtures'

afterEach(() => setTransport(null))

function api(mode: 'electron' | 'browser' = 'electron', firstRun = true) {
  let info = settingsInfo({ firstRun })
  return fakeTransport({
    'app.info': { mode, dataDir: '/home/me/.local/share/workbench', memoryBudgetBytes: 2 ** 33 },
    'settings.get': () => info,
    'settings.set': (patch: { firstRunDismissed?: boolean }) => {
      info = settingsInfo({
        saved: { ...info.saved, ...patch },
        firstRun: patch.firstRunDismissed === true ? false : info.firstRun,
      })
      return info
    },
    'runs.list': [],
    'runs.queue': { running: [], queued: [] },
    'datasets.list': [],
    'datasets.sources': [],
    'datasets.jobs': [],
    'examples.list': [],
  })
}

async function mountApp(t: ReturnType<typeof api>, path = '/') {
  setTransport(t)
  setActivePinia(createPinia())
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [createAppI18n('en'), router] } })
  await router.isReady()
  await flushPromises()
  await flushPromises()
  return { wrapper, router }
}

describe('the first-run screen', () => {
  it('says where data lives and links to the embedded dataset, an import and a download', async () => {
    const { wrapper } = await mountAt('/welcome', api())
    expect(wrapper.get('h1').text()).toBe('Welcome to Workbench')
    expect(wrapper.get('[data-testid="first-run-path"]').text()).toBe('/home/me/.local/share/workbench')
    expect(wrapper.get('[data-testid="first-run-data-dir"]').text()).toContain('move this folder in Settings')
    expect(wrapper.get('[data-testid="first-run-embedded"]').attributes('href')).toBe('/new')
    expect(wrapper.get('[data-testid="first-run-import"]').attributes('href')).toBe('/datasets?add=import')
    expect(wrapper.get('[data-testid="first-run-download"]').attributes('href')).toBe(
      '/datasets?add=download',
    )
  })

  it('in the browser mode, says the folder is the one serve was started with', async () => {
    const { wrapper } = await mountAt('/welcome', api('browser'))
    expect(wrapper.get('[data-testid="first-run-data-dir"]').text()).toContain('--data-dir')
    expect(wrapper.find('[data-testid="first-run-settings"]').exists()).toBe(false)
  })

  it('is in Chinese too', async () => {
    const { wrapper } = await mountAt('/welcome', api(), 'zh-CN')
    expect(wrapper.get('h1').text()).toBe('欢迎使用 Workbench')
    expect(wrapper.get('[data-testid="first-run-embedded"]').text()).toBe('用它新建运行')
  })

  it('"Don’t show this again" saves the dismissal and goes to the experiments', async () => {
    const t = api()
    const { wrapper, router } = await mountAt('/welcome', t)
    await wrapper.get('[data-testid="first-run-dismiss"]').trigger('click')
    await flushPromises()
    expect(t.api.mocks['settings.set']).toHaveBeenCalledWith({ firstRunDismissed: true })
    expect(router.currentRoute.value.name).toBe('experiments')
  })
})

describe('opening the first-run screen', () => {
  it('opens from the landing page while it is due', async () => {
    const { router, wrapper } = await mountApp(api())
    expect(router.currentRoute.value.name).toBe('welcome')
    expect(wrapper.find('[data-testid="first-run"]').exists()).toBe(true)
  })

  it('not once dismissed, nor over a page the user asked for', async () => {
    expect((await mountApp(api('electron', false))).router.currentRoute.value.name).toBe('experiments')
    expect((await mountApp(api(), '/datasets')).router.currentRoute.value.name).toBe('datasets')
  })

  it('not when main has no settings (an older main): the app works as before', async () => {
    const t = api()
    t.api.mocks['settings.get']!.mockRejectedValue({ code: 'unknown-method', message: 'no method' })
    expect((await mountApp(t)).router.currentRoute.value.name).toBe('experiments')
  })
})
