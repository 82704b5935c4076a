// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRouter, createMemoryHistory } from 'vue-router'
import App from './App.vue'
import { setTransport, type ConnectionState } from './api'
import { createAppI18n } from './i18n'
import { routes } from './router'
import { fakeTransport, type FakeTransport } from './testing/fakeApi'

let transport: FakeTransport
beforeEach(() => {
  transport = fakeTransport({
    'app.info': { mode: 'browser' },
    'runs.list': [],
    'runs.queue': { running: [], queued: [] },
  })
  setTransport(transport)
  setActivePinia(createPinia())
})
afterEach(() => setTransport(null))

async function mountApp(state: ConnectionState, locale: 'en' | 'zh-CN' = 'en') {
  transport.setState(state)
  const router = createRouter({ history: createMemoryHistory(), routes })
  const wrapper = mount(App, { global: { plugins: [createAppI18n(locale), router] } })
  await router.isReady()
  await flushPromises()
  return wrapper
}

describe('App in browser mode without a usable token', () => {
  it('a tab without a token says how to get in, and asks the server nothing', async () => {
    const w = await mountApp('no-token')
    const access = w.get('[data-testid="access-required"]')
    expect(access.attributes('data-reason')).toBe('missing')
    expect(access.text()).toContain('#token=')
    expect(access.text()).toContain('workbench serve')
    expect(transport.api.mocks['runs.list']).not.toHaveBeenCalled()
    expect(w.get('[data-testid="connection-state"]').text()).toBe('No access')
  })

  it('a rejected token says that the token was replaced, in Chinese too', async () => {
    const w = await mountApp('token-rejected', 'zh-CN')
    const access = w.get('[data-testid="access-required"]')
    expect(access.attributes('data-reason')).toBe('rejected')
    expect(access.text()).toContain('访问密钥已失效')
    expect(access.text()).toContain('--new-token')
  })

  it('turns into the access page when the server refuses the token of an open tab', async () => {
    const w = await mountApp('open')
    expect(w.find('[data-testid="access-required"]').exists()).toBe(false)
    expect(transport.api.mocks['runs.list']).toHaveBeenCalled()
    transport.setState('token-rejected')
    await flushPromises()
    expect(w.get('[data-testid="access-required"]').attributes('data-reason')).toBe('rejected')
  })
})
