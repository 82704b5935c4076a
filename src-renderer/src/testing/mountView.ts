/** Mounts the app's routes as the app does: pinia, i18n (English unless told), router over memory history. */
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { setTransport } from '../api'
import { createAppI18n } from '../i18n'
import { routes } from '../router'
import type { FakeTransport } from './fakeApi'
import LineChartStub from './LineChartStub'

export async function mountAt(path: string, transport: FakeTransport, locale: 'en' | 'zh-CN' = 'en') {
  setTransport(transport)
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  await router.isReady()
  const wrapper = mount(defineComponent({ setup: () => () => h(RouterView) }), {
    attachTo: document.body,
    global: { plugins: [pinia, createAppI18n(locale), router], stubs: { LineChart: LineChartStub } },
  })
  await flushPromises()
  return { wrapper, router }
}
