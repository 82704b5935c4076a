/** Mounts the app's routes as the app does: pinia, i18n (English unless told), router over memory history. */
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { afterEach } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { setTransport } from '../api'
import { useAppShortcuts } from '../composables/useAppShortcuts'
import { createAppI18n } from '../i18n'
import type { Locale } from '../i18n/locale'
import { routes } from '../router'
import type { FakeTransport } from './fakeApi'
import LineChartStub from './LineChartStub'

// An app left mounted keeps its timers (the views' clocks tick every second) and, calling its stores'
// actions from a re-render, makes its own pinia the active one: a later test's stores were then not the
// ones its view showed. Each test's app goes at the end of the test.
enableAutoUnmount(afterEach)

export async function mountAt(path: string, transport: FakeTransport, locale: Locale = 'en') {
  setTransport(transport)
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  await router.isReady()
  const i18n = createAppI18n(locale)
  // The app's shell keeps the one keydown listener every shortcut goes through; so does this one.
  const Shell = defineComponent({
    setup: () => {
      useAppShortcuts()
      return () => h(RouterView)
    },
  })
  const wrapper = mount(Shell, {
    attachTo: document.body,
    global: { plugins: [pinia, i18n, router], stubs: { LineChart: LineChartStub } },
  })
  await flushPromises()
  return { wrapper, router, i18n }
}
